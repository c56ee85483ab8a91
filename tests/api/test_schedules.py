"""Schedules through the API: a fleet run as a background job with progress, the stored schedule,
its dispatch sheet (CSV, HTML) and its independent check; every endpoint for every role, no convoy
detail reaching anyone but a coordinator in any response or in the stream event of the finished
schedule."""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

import pytest

from api._checks import restricted_found
from api.conftest import Api
from safepassage.api.stream import event_data
from safepassage.fleet.schedule import parse_schedule
from safepassage.services import api_support
from safepassage.services.fleet import public_notice, stored_schedule
from safepassage.services.users import Role

C = Role.COORDINATOR
OTHERS = (Role.VIEWER, Role.REPORTER, Role.REVIEWER)


def _wait_for(api: Api, job_id: str, timeout_s: float = 300.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = api.client.get(f"/api/schedules/jobs/{job_id}", headers=api.headers(C)).json()
        if job["state"] in ("done", "failed"):
            return dict(job)
        assert 0.0 <= job["progress"] < 1.0
        time.sleep(0.1)
    raise AssertionError(f"scheduling job {job_id} did not finish in {timeout_s} s")


def _schedule_demo(api: Api) -> int:
    started = api.client.post(
        "/api/schedules", json={"scenario_id": api.scenario_id, "method": "heuristic"}, headers=api.headers(C)
    )
    assert started.status_code == 202, started.text
    assert started.json()["scenario_id"] == api.scenario_id
    job = _wait_for(api, started.json()["id"])
    assert job["state"] == "done", job
    assert job["stage"] == "done"
    assert job["progress"] == 1.0
    assert isinstance(job["schedule_id"], int)
    return int(job["schedule_id"])


@pytest.mark.slow
def test_schedule_the_demo_and_read_it_by_role(api: Api) -> None:
    before = api_support.last_event_seq(api.store)
    schedule_id = _schedule_demo(api)

    full = api.client.get(f"/api/schedules/{schedule_id}", headers=api.headers(C)).json()
    schedule = parse_schedule(json.dumps(full["schedule"]))
    assert full["schedule"]["format"] == "safepassage-schedule/1"
    assert full["scenario_id"] == api.scenario_id
    assert len(schedule.vehicles) == 8
    assert schedule.summary.people_unserved == 0
    assert full["notice"] == public_notice(schedule)
    assert full["notice"]
    assert all(h.endswith(":00:00+02:00") for n in full["notice"] for h in n["departure_hours"])

    for role in OTHERS:
        shown = api.client.get(f"/api/schedules/{schedule_id}", headers=api.headers(role))
        assert shown.status_code == 200
        body = shown.json()
        assert set(body) == {"id", "scenario_id", "reason", "created_at", "notice"}
        assert body["notice"] == full["notice"]
        assert restricted_found(body) == []
        text = shown.text
        for vehicle in schedule.vehicles:  # no vehicle id anywhere in what a non-coordinator reads
            assert vehicle.vehicle not in text
        listed = api.client.get("/api/schedules", headers=api.headers(role))
        assert [s["id"] for s in listed.json()] == [schedule_id]
        assert restricted_found(listed.json()) == []
        for path in ("sheet.csv", "sheet.html"):
            denied = api.client.get(f"/api/schedules/{schedule_id}/{path}", headers=api.headers(role))
            assert denied.status_code == 403
            assert denied.json()["code"] == "ACCESS_DENIED"
        denied = api.client.post(f"/api/schedules/{schedule_id}/check", headers=api.headers(role))
        assert denied.status_code == 403
        denied = api.client.post(
            "/api/schedules", json={"scenario_id": api.scenario_id}, headers=api.headers(role)
        )
        assert denied.status_code == 403

    trips = api.client.get(f"/api/schedules/{schedule_id}/sheet.csv", headers=api.headers(C))
    assert trips.status_code == 200
    assert trips.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(trips.text)))
    assert len(rows) == sum(len(v.trips) for v in schedule.vehicles)
    assert {r["vehicle"] for r in rows} == {v.vehicle for v in schedule.vehicles if v.trips}
    pickups = api.client.get(f"/api/schedules/{schedule_id}/sheet.csv?table=pickups", headers=api.headers(C))
    rows = list(csv.DictReader(io.StringIO(pickups.text)))
    assert len(rows) == sum(len(p.calls) for p in schedule.pickups)
    wrong = api.client.get(f"/api/schedules/{schedule_id}/sheet.csv?table=vehicles", headers=api.headers(C))
    assert wrong.status_code == 422
    html = api.client.get(f"/api/schedules/{schedule_id}/sheet.html", headers=api.headers(C))
    assert html.headers["content-type"].startswith("text/html")
    assert "Dispatch sheet" in html.text
    assert schedule.vehicles[0].vehicle in html.text
    checked = api.client.post(f"/api/schedules/{schedule_id}/check", headers=api.headers(C))
    assert checked.json() == {"schedule_id": schedule_id, "ok": True}

    _, events = api_support.events_after(api.store, before, frozenset({"schedules"}))
    assert [(e.table_name, e.row_id, e.actor) for e in events] == [
        ("schedules", schedule_id, "coordinator-user")
    ]
    for role in (*OTHERS, C):
        data = event_data(events[0], role)
        assert data["table"] == "schedules"
        assert data["id"] == schedule_id
        assert "document" not in data["row"]
        assert restricted_found(data) == []
        assert schedule.vehicles[0].vehicle not in json.dumps(data)


def test_a_stored_schedule_breaking_a_rule_is_rejected_with_every_violation(api: Api) -> None:
    from safepassage.services.fleet import schedule_fleet, store_schedule
    from safepassage.services.scenarios import stored_scenario

    run = schedule_fleet(stored_scenario(api.store, api.scenario_id), method="heuristic")
    first = run.schedule.vehicles[0].model_copy(update={"seats": 1})  # fewer seats than people carried
    broken = run.schedule.model_copy(update={"vehicles": [first, *run.schedule.vehicles[1:]]})
    schedule_id = store_schedule(api.store, broken, "hand-edited", "setup", scenario_id=api.scenario_id)
    rejected = api.client.post(f"/api/schedules/{schedule_id}/check", headers=api.headers(C))
    assert rejected.status_code == 409
    body = rejected.json()
    assert body["code"] == "SCHEDULE_REJECTED"
    assert "seat" in body["message"]


@pytest.mark.parametrize("role", [*OTHERS, C])
def test_unknown_ids_and_bad_requests(api: Api, role: Role) -> None:
    for path in ("/api/schedules/999", "/api/schedules/jobs/nope"):
        response = api.client.get(path, headers=api.headers(role))
        expected = 404 if role is C or path == "/api/schedules/999" else 403
        assert response.status_code == expected
    if role is C:
        unknown = api.client.post("/api/schedules", json={"scenario_id": 999}, headers=api.headers(C))
        assert unknown.status_code == 404
        assert unknown.json()["code"] == "UNKNOWN_ID"
        bad = api.client.post(
            "/api/schedules", json={"scenario_id": api.scenario_id, "method": "magic"}, headers=api.headers(C)
        )
        assert bad.status_code == 422
    assert api.client.get("/api/schedules", headers=api.headers(role)).json() == []


@pytest.mark.slow
def test_the_finished_schedule_on_the_stream_of_a_real_server(api: Api) -> None:
    from api._server import serving
    from api.test_stream import _read_events

    before = api_support.last_event_seq(api.store)
    schedule_id = _schedule_demo(api)
    _record, schedule = stored_schedule(api.store, schedule_id)
    with serving(api.client.app) as url:  # type: ignore[arg-type]
        for role in (*OTHERS, C):
            events = _read_events(url, api.tokens[role], 10, last_event_id=str(before))
            finished = [e for e in events if e["event"] == "schedule"]
            assert len(finished) == 1, events
            data = finished[0]["data"]
            assert isinstance(data, dict)
            assert data["id"] == schedule_id
            assert data["table"] == "schedules"
            assert set(data["row"]) == {"id", "scenario_id", "reason", "created_at"}
            assert restricted_found(data) == []
            assert all(v.vehicle not in json.dumps(data) for v in schedule.vehicles)
