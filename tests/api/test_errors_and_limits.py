"""Errors as ``{code, message, field?}`` with the fixed statuses; limits (body size, rate); tokens
(revoked ones stop working); every write records the token's user as the actor in the audit chain."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from api.conftest import Api, make_api
from api.test_roles import NEW_REPORT
from safepassage.api import ApiSettings
from safepassage.services.users import Role, revoke_user
from safepassage.store.schema import ApiUser, Event

C = Role.COORDINATOR


def _error(response: object) -> dict[str, object]:
    data = response.json()  # type: ignore[attr-defined]
    assert set(data) <= {"code", "message", "field"}
    assert isinstance(data["message"], str)
    assert data["message"]
    return data  # type: ignore[no-any-return]


def test_unknown_id_is_404_unknown_id(api: Api) -> None:
    response = api.client.get("/api/corridors/77/history", headers=api.headers(C))
    assert response.status_code == 404
    assert _error(response) == {"code": "UNKNOWN_ID", "message": "no corridor with id 77"}


def test_request_validation_is_422_input_invalid_naming_the_field(api: Api) -> None:
    body = {**NEW_REPORT, "lat": 91.0}
    response = api.client.post("/api/reports", json=body, headers=api.headers(C))
    assert response.status_code == 422
    data = _error(response)
    assert data["code"] == "INPUT_INVALID"
    assert data["field"] == "lat"


def test_a_time_without_offset_is_refused(api: Api) -> None:
    body = {**NEW_REPORT, "at": "2022-03-05T10:00:00"}
    response = api.client.post("/api/reports", json=body, headers=api.headers(C))
    assert response.status_code == 422
    assert _error(response)["field"] == "at"


def test_a_lifecycle_step_not_allowed_is_422_with_the_corridor_named(api: Api) -> None:
    response = api.client.post(
        "/api/corridors/1/status", json={"status": "proposed", "reason": "back"}, headers=api.headers(C)
    )
    data = _error(response)
    assert response.status_code == 422
    assert data["code"] == "INPUT_INVALID"
    assert "corridor 1" in str(data["message"])


def test_a_body_over_the_limit_is_413(tmp_path: Path) -> None:
    settings = ApiSettings(max_body_bytes=1000)
    for api in make_api(f"sqlite:///{tmp_path / 'a.sqlite'}", settings):
        big = {**NEW_REPORT, "description": "x" * 5000}
        response = api.client.post("/api/reports", json=big, headers=api.headers(C))
        assert response.status_code == 413
        assert _error(response)["code"] == "REQUEST_TOO_LARGE"
        assert api.client.get("/api/reports", headers=api.headers(C)).status_code == 200


def test_each_token_has_its_own_rate_limit(tmp_path: Path) -> None:
    settings = ApiSettings(rate_per_s=0.1, burst=3)
    for api in make_api(f"sqlite:///{tmp_path / 'a.sqlite'}", settings):
        codes = [
            api.client.get("/api/corridors", headers=api.headers(Role.VIEWER)).status_code for _ in range(5)
        ]
        assert codes == [200, 200, 200, 429, 429]
        limited = api.client.get("/api/corridors", headers=api.headers(Role.VIEWER))
        assert _error(limited)["code"] == "RATE_LIMITED"
        assert api.client.get("/api/corridors", headers=api.headers(Role.REVIEWER)).status_code == 200


def test_cors_is_off_unless_configured(api: Api, tmp_path: Path) -> None:
    preflight = {"Origin": "https://example.org", "Access-Control-Request-Method": "GET"}
    response = api.client.get("/api/corridors", headers={**api.headers(C), "Origin": "https://example.org"})
    assert "access-control-allow-origin" not in response.headers
    settings = ApiSettings(cors_origins=("https://example.org",))
    for other in make_api(f"sqlite:///{tmp_path / 'b.sqlite'}", settings):
        allowed = other.client.options("/api/corridors", headers=preflight)
        assert allowed.headers["access-control-allow-origin"] == "https://example.org"


def test_anonymous_requests_read_as_viewers_when_admitted(tmp_path: Path) -> None:
    settings = ApiSettings(anonymous_role=Role.VIEWER)
    for api in make_api(f"sqlite:///{tmp_path / 'a.sqlite'}", settings):
        assert api.client.get("/api/corridors").status_code == 200
        assert api.client.post("/api/reports", json=NEW_REPORT).status_code == 403


@pytest.fixture
def api_store(api_any_db: Api) -> Api:
    return api_any_db


def test_writes_record_the_token_user_as_actor_and_tokens_are_hashed(api_store: Api) -> None:
    api = api_store
    added = api.client.post("/api/reports", json=NEW_REPORT, headers=api.headers(Role.REPORTER)).json()
    review = {"state": "on_hold", "reason": "asking a second source"}
    assert (
        api.client.post(
            f"/api/reports/{added['report_id']}/reviews", json=review, headers=api.headers(Role.REVIEWER)
        ).status_code
        == 201
    )
    status = {"status": "open", "reason": "ceasefire holds"}
    assert api.client.post("/api/corridors/1/status", json=status, headers=api.headers(C)).status_code == 201
    with api.store.reading() as session:
        actors = {
            (e.table_name, e.actor)
            for e in session.scalars(
                select(Event).where(Event.actor.in_(["reporter-user", "reviewer-user", "coordinator-user"]))
            )
        }
        hashes = set(session.scalars(select(ApiUser.token_sha256)))
    assert {
        ("reports", "reporter-user"),
        ("reviews", "reviewer-user"),
        ("corridor_status", "coordinator-user"),
    } <= actors
    assert ("notifications", "coordinator-user") in actors
    assert not set(api.tokens.values()) & hashes  # only hashes are stored
    assert len(hashes) == 4
    verified = api.client.get("/api/audit/verify", headers=api.headers(C)).json()
    assert verified["ok"] is True
    assert verified["summary"]["events"] == verified["summary"]["head_seq"]


def test_a_revoked_token_stops_working(api_store: Api) -> None:
    api = api_store
    assert api.client.get("/api/corridors", headers=api.headers(Role.VIEWER)).status_code == 200
    revoke_user(api.store, "viewer-user", "left the team", "admin")
    response = api.client.get("/api/corridors", headers=api.headers(Role.VIEWER))
    assert response.status_code == 403
    assert "revoked" in str(_error(response)["message"])
