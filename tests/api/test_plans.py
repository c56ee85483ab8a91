"""Planning through the API: a background job with progress, the stored plan, its GeoJSON (without
convoy details for a viewer), its check, and the finished plan announced on the stream."""

from __future__ import annotations

import time

import pytest

from api._checks import restricted_found
from api.conftest import Api
from safepassage.services import api_support
from safepassage.services.users import Role

C, V = Role.COORDINATOR, Role.VIEWER


def _wait_for(api: Api, job_id: str, timeout_s: float = 300.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout_s
    seen_stages: list[str] = []
    while time.monotonic() < deadline:
        job = api.client.get(f"/api/plans/jobs/{job_id}", headers=api.headers(C)).json()
        seen_stages.append(job["stage"])
        if job["state"] in ("done", "failed"):
            job["stages"] = seen_stages
            return dict(job)
        time.sleep(0.2)
    raise AssertionError(f"planning job {job_id} did not finish in {timeout_s} s")


@pytest.mark.slow
def test_plan_the_demo_through_the_api(api: Api) -> None:
    before = api_support.last_event_seq(api.store)
    started = api.client.post("/api/plans", json={"scenario_id": api.scenario_id}, headers=api.headers(C))
    assert started.status_code == 202
    job = _wait_for(api, started.json()["id"])
    assert job["state"] == "done", job
    assert job["progress"] == 1.0
    plan_id = job["plan_id"]
    assert isinstance(plan_id, int)
    plan = api.client.get(f"/api/plans/{plan_id}", headers=api.headers(V)).json()
    assert plan["document"]["format"] == "safepassage-plan/1"
    assert plan["scenario_id"] == api.scenario_id
    listed = api.client.get("/api/plans", headers=api.headers(V)).json()
    assert [p["id"] for p in listed] == [plan_id]
    for role in (V, C):
        response = api.client.get(f"/api/plans/{plan_id}/geojson", headers=api.headers(role))
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/geo+json")
        collection = response.json()
        assert collection["type"] == "FeatureCollection"
        assert len(collection["features"]) > 10
        if role is V:
            assert restricted_found(collection) == []
    checked = api.client.post(f"/api/plans/{plan_id}/check", headers=api.headers(C))
    assert checked.json() == {"plan_id": plan_id, "ok": True}
    _, events = api_support.events_after(api.store, before, frozenset({"plans"}))
    assert [(e.table_name, e.row_id, e.actor) for e in events] == [("plans", plan_id, "coordinator-user")]
