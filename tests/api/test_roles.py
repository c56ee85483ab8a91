"""Every endpoint x every role: who may do what, and a viewer or reporter never receives a convoy
detail (checked on every JSON response read here)."""

from __future__ import annotations

import pytest

from api._checks import restricted_found
from api.conftest import ROLES, Api
from safepassage.services.users import Role

V, P, R, C = Role.VIEWER, Role.REPORTER, Role.REVIEWER, Role.COORDINATOR
NEW_REPORT = {
    "kind": "shelling",
    "at": "2022-03-05T10:00:00+02:00",
    "source": "field team 7",
    "source_type": "field_team",
    "lat": 60.1712,
    "lon": 24.9458,
    "description": "shelling near the station",
}

#: (method, path, body, lowest role allowed)
READS = [
    ("GET", "/api/corridors", None, V),
    ("GET", "/api/corridors/1/history", None, V),
    ("GET", "/api/corridors/1/verdicts", None, V),
    ("GET", "/api/reports", None, V),
    ("GET", "/api/incidents", None, V),
    ("GET", "/api/scenarios", None, V),
    ("GET", "/api/scenarios/1", None, V),
    ("GET", "/api/plans", None, V),
    ("GET", "/api/figures", None, V),
    ("GET", "/api/notifications", None, C),
    ("GET", "/api/audit/verify", None, C),
]


def _call(api: Api, method: str, path: str, body: object, role: Role | None) -> tuple[int, object]:
    response = api.client.request(method, path, json=body, headers=api.headers(role))
    data = response.json()
    if role is not C:
        assert restricted_found(data) == [], f"{role} received convoy details from {method} {path}"
    return response.status_code, data


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "body", "needed"), READS)
def test_reads_by_role(api: Api, role: Role, method: str, path: str, body: object, needed: Role) -> None:
    status, data = _call(api, method, path, body, role)
    if role.allows(needed):
        assert status == 200, data
    else:
        assert status == 403
        assert data["code"] == "ACCESS_DENIED"


@pytest.mark.parametrize(("method", "path", "body", "needed"), READS)
def test_no_token_is_refused_unless_anonymous_viewers_are_admitted(
    api: Api, method: str, path: str, body: object, needed: Role
) -> None:
    status, data = _call(api, method, path, body, None)
    assert status == 403
    assert data == {"code": "ACCESS_DENIED", "message": data["message"]}
    assert "token" in data["message"]


def test_a_wrong_token_is_refused_not_downgraded(api: Api) -> None:
    response = api.client.get("/api/corridors", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 403
    assert response.json()["code"] == "ACCESS_DENIED"


@pytest.mark.parametrize("role", ROLES)
def test_submit_report_by_role(api: Api, role: Role) -> None:
    status, data = _call(api, "POST", "/api/reports", NEW_REPORT, role)
    if role.allows(P):
        assert status == 201
        assert data["feed"] == "cli"
        assert isinstance(data["report_id"], int)
    else:
        assert status == 403


@pytest.mark.parametrize("role", ROLES)
def test_set_corridor_status_by_role(api: Api, role: Role) -> None:
    body = {"status": "open", "reason": "ceasefire confirmed by both parties"}
    status, data = _call(api, "POST", "/api/corridors/1/status", body, role)
    if role is C:
        assert status == 201
        assert [s["status"] for s in data] == ["agreed", "open"]
        assert data[-1]["changed_by"] == "coordinator-user"
    else:
        assert status == 403  # a reporter setting a corridor's status gets 403
        assert data["code"] == "ACCESS_DENIED"


@pytest.mark.parametrize("role", ROLES)
def test_review_by_role(api: Api, role: Role) -> None:
    body = {"state": "verified", "reason": "seen on two videos", "publish": True}
    status, data = _call(api, "POST", "/api/reports/2/reviews", body, role)
    if role.allows(R):
        assert status == 201
        assert data[-1]["state"] == "verified"
        assert data[-1]["reviewer"] == f"{role.value}-user"
    else:
        assert status == 403


@pytest.mark.parametrize("role", ROLES)
def test_upload_and_validate_scenario_by_role(api: Api, role: Role) -> None:
    from safepassage.services.planning import demo_scenario_path

    text = demo_scenario_path().read_text(encoding="utf-8")
    headers = {**api.headers(role), "Content-Type": "application/yaml"}
    upload = api.client.post("/api/scenarios", content=text.encode(), headers=headers)
    if role is C:
        assert upload.status_code == 201
        assert upload.json()["id"] == api.scenario_id  # the same scenario is one record
    else:
        assert upload.status_code == 403
    check = api.client.post("/api/scenarios/validate", content=b"name: [unclosed", headers=headers)
    assert check.status_code == (422 if role is C else 403)
    if role is C:
        assert check.json()["code"] in ("SCENARIO_INVALID", "INPUT_INVALID")


@pytest.mark.parametrize("role", ROLES)
def test_plan_endpoints_by_role(api: Api, role: Role) -> None:
    start = api.client.post("/api/plans", json={"scenario_id": 999}, headers=api.headers(role))
    if role is C:
        assert start.status_code == 404
        assert start.json()["code"] == "UNKNOWN_ID"
    else:
        assert start.status_code == 403
    job = api.client.get("/api/plans/jobs/nope", headers=api.headers(role))
    assert job.status_code == (404 if role is C else 403)
    for path in ("/api/plans/1", "/api/plans/1/geojson"):
        assert api.client.get(path, headers=api.headers(role)).status_code == 404
    check = api.client.post("/api/plans/1/check", headers=api.headers(role))
    assert check.status_code == (404 if role is C else 403)


def test_visibility_of_reports(api: Api) -> None:
    mine = api.client.post("/api/reports", json=NEW_REPORT, headers=api.headers(P)).json()["report_id"]
    everything = {r["id"] for r in api.client.get("/api/reports", headers=api.headers(R)).json()}
    assert mine in everything
    assert len(everything) == 5  # the demo feed's 4 reports and the new one
    assert [r["id"] for r in api.client.get("/api/reports", headers=api.headers(P)).json()] == [mine]
    assert api.client.get("/api/reports", headers=api.headers(V)).json() == []
    assert api.client.get(f"/api/reports/{mine}", headers=api.headers(V)).status_code == 404
    review = {"state": "verified", "reason": "confirmed", "publish": True}
    assert api.client.post("/api/reports/1/reviews", json=review, headers=api.headers(R)).status_code == 201
    assert [r["id"] for r in api.client.get("/api/reports", headers=api.headers(V)).json()] == [1]
    assert sorted(r["id"] for r in api.client.get("/api/reports", headers=api.headers(P)).json()) == [1, mine]


def test_aid_corridor_movements_reach_coordinators_only(api: Api) -> None:
    def aid_corridors(role: Role) -> list[dict[str, object]]:
        document = api.client.get(f"/api/scenarios/{api.scenario_id}", headers=api.headers(role)).json()[
            "document"
        ]
        return [c for c in document["corridors"] if c["purpose"] == "aid"]

    coordinator = aid_corridors(C)
    assert coordinator, "the demo scenario has an aid corridor"
    assert all("ceasefire_windows" in c and "allowed_vehicle_classes" in c for c in coordinator)
    for role in (V, P, R):
        seen = aid_corridors(role)
        assert [c["id"] for c in seen] == [c["id"] for c in coordinator]
        assert all("ceasefire_windows" not in c and "allowed_vehicle_classes" not in c for c in seen)


def test_incidents_in_force_with_filters(api: Api) -> None:
    incidents = api.client.get("/api/incidents", headers=api.headers(V)).json()
    assert incidents, "the demo feed's reports are merged into incidents"
    assert sum(i["reports"] for i in incidents) == 4  # every demo report in exactly one incident in force
    kinds = {i["kind"] for i in incidents}
    for kind in kinds:
        only = api.client.get(f"/api/incidents?kind={kind}", headers=api.headers(V)).json()
        assert {i["kind"] for i in only} == {kind}
    far = api.client.get("/api/incidents?bbox=30,50,31,51", headers=api.headers(V)).json()
    assert far == []
    later = api.client.get("/api/incidents?since=2030-01-01T00:00:00Z", headers=api.headers(V)).json()
    assert later == []
