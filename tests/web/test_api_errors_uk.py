"""The API's error messages in Ukrainian (Accept-Language: uk), same codes and statuses; English unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from safepassage.api import ApiSettings, create_app
from safepassage.services.users import Role, add_user
from safepassage.store import Store
from safepassage.web import catalogue

UK = {"Accept-Language": "uk-UA,uk;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    store = Store.open(f"sqlite:///{tmp_path / 'api.sqlite'}")
    try:
        _, token = add_user(store, "field-reporter", Role.REPORTER, "setup")
        app = create_app(store=store, settings=ApiSettings(anonymous_role=Role.VIEWER))
        with TestClient(app) as client:
            yield client, {"reporter": token}
    finally:
        store.close()


def _prefix(code: str) -> str:
    return catalogue("uk")[f"error.{code}"].split("{message}")[0]


def test_errors_follow_the_callers_language(api: tuple[TestClient, dict[str, str]]) -> None:
    client, _tokens = api
    english = client.get("/api/map", headers=EN)
    ukrainian = client.get("/api/map", headers=UK)
    assert english.status_code == ukrainian.status_code == 404
    assert english.json()["code"] == ukrainian.json()["code"] == "UNKNOWN_ID"
    assert english.json()["message"].startswith("no scenario is stored yet")
    assert ukrainian.json()["message"] == _prefix("UNKNOWN_ID") + english.json()["message"]


def test_access_and_validation_errors_in_ukrainian(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    denied = client.post("/api/reports", json={}, headers=UK)  # anonymous viewer may not report
    assert denied.status_code == 403
    body: dict[str, Any] = denied.json()
    assert body["code"] == "ACCESS_DENIED"
    assert body["message"].startswith(_prefix("ACCESS_DENIED"))
    invalid = client.post(
        "/api/reports",
        json={"kind": "shelling", "at": "2022-03-05T09:00:00", "source": "x", "source_type": "media"},
        headers={**UK, "Authorization": f"Bearer {tokens['reporter']}"},
    )
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "INPUT_INVALID"
    assert invalid.json()["field"] == "at"
    assert invalid.json()["message"].startswith(_prefix("INPUT_INVALID"))
    words = client.get("/api/i18n/fr", headers=UK)
    assert words.status_code == 404
    assert words.json()["message"].startswith(_prefix("UNKNOWN_ID"))


def test_the_gates_own_errors_in_ukrainian(api: tuple[TestClient, dict[str, str]]) -> None:
    client, _tokens = api
    revoked = client.get("/api/map", headers={**UK, "Authorization": "Bearer not-a-token"})
    assert revoked.status_code == 403
    assert revoked.json()["code"] == "ACCESS_DENIED"
    assert revoked.json()["message"].startswith(_prefix("ACCESS_DENIED"))
    too_large = client.post("/api/reports", content=b"x" * 2_100_000, headers=UK)
    assert too_large.status_code == 413
    assert too_large.json()["message"].startswith(_prefix("REQUEST_TOO_LARGE"))
