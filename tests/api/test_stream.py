"""The stream of changes over a real server: events written by another connection (as another
process would) arrive, ``Last-Event-ID`` resumes, and a viewer never receives a convoy detail."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import httpx
import pytest

from api._checks import restricted_found
from api._server import serving
from api.conftest import Api
from safepassage.scenario.vocabulary import CorridorStatus, HazardKind, SourceType
from safepassage.services import corridors as corridor_service
from safepassage.services import reports as report_service
from safepassage.services.users import Role
from safepassage.store import Store


def _read_events(
    url: str, token: str, count: int, last_event_id: str | None = None
) -> list[dict[str, object]]:
    """Up to ``count`` events of the stream (fewer when none comes for 3 s: the log's end)."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    events: list[dict[str, object]] = []
    current: dict[str, object] = {}
    timeout = httpx.Timeout(20, read=3)
    with httpx.stream("GET", f"{url}/api/stream", headers=headers, timeout=timeout) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        try:
            for line in response.iter_lines():
                if line.startswith("event:"):
                    current["event"] = line.split(":", 1)[1].strip()
                elif line.startswith("id:"):
                    current["id"] = line.split(":", 1)[1].strip()
                elif line.startswith("data:"):
                    current["data"] = json.loads(line.split(":", 1)[1])
                elif line == "" and "data" in current:
                    events.append(current)
                    current = {}
                    if len(events) >= count:
                        break
        except httpx.ReadTimeout:
            pass
    return events


def _write_changes(store: Store) -> None:
    """Write, through a second connection, a report (with a contact in its raw row), a review and
    a status change."""
    added = report_service.add_report(
        store,
        "radio-desk",
        kind=HazardKind.SHELLING,
        at=dt.datetime(2022, 3, 5, 9, 30, tzinfo=dt.UTC),
        source="field team 3",
        source_type=SourceType.FIELD_TEAM,
        lat=60.172,
        lon=24.946,
        description="shelling at the station",
    )
    assert added.report_id is not None
    report_service.review(store, str(added.report_id), report_service.ReviewState.ON_HOLD, "rev", "checking")
    corridor_service.set_corridor_status(store, 1, CorridorStatus.OPEN, "ceasefire holds", "coord")


@pytest.fixture
def served(api_any_db: Api) -> Iterator[tuple[Api, str]]:
    with serving(api_any_db.client.app) as url:  # type: ignore[arg-type]
        yield api_any_db, url


def test_stream_delivers_changes_from_another_connection_and_resumes(served: tuple[Api, str]) -> None:
    api, url = served
    other = Store.open(str(api.store.engine.url.render_as_string(hide_password=False)))
    start = api.client.get("/api/audit/verify", headers=api.headers(Role.COORDINATOR)).json()["summary"][
        "head_seq"
    ]
    try:
        _write_changes(other)
    finally:
        other.close()
    events = _read_events(url, api.tokens[Role.COORDINATOR], 3, last_event_id=str(start))
    assert [e["event"] for e in events] == ["report", "review", "status"]
    assert [int(str(e["id"])) for e in events] == sorted(int(str(e["id"])) for e in events)
    report = events[0]["data"]
    assert isinstance(report, dict)
    assert report["row"]["description"] == "shelling at the station"
    status = events[2]["data"]
    assert isinstance(status, dict)
    assert status["row"]["status"] == "open"
    # resuming after the first event gives the rest, not the first again
    resumed = _read_events(url, api.tokens[Role.COORDINATOR], 2, last_event_id=str(events[0]["id"]))
    assert [e["id"] for e in resumed] == [e["id"] for e in events[1:]]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REPORTER])
def test_stream_never_gives_a_viewer_or_reporter_convoy_details(served: tuple[Api, str], role: Role) -> None:
    api, url = served
    events = _read_events(url, api.tokens[role], 1000, last_event_id="0")  # the whole log so far
    assert events, "the demo data is in the log"
    assert {e["event"] for e in events} >= {"report", "status"}
    for event in events:
        assert restricted_found(event["data"]) == []
        data = event["data"]
        assert isinstance(data, dict)
        if event["event"] == "report":
            assert set(data["row"]) <= {"id", "kind", "observed_at"}  # content through /api/reports
