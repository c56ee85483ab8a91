"""The tamper tests: raw SQL behind the store's back is found by ``verify_chain`` and named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from safepassage.errors import AuditError
from safepassage.monitor.report import IncidentReport
from safepassage.scenario.vocabulary import CorridorStatus
from safepassage.store import Store, verify_chain
from safepassage.store.schema import Corridor

Make = Callable[..., IncidentReport]


def _fill(store: Store, make_report: Make, n: int = 5) -> None:
    with store.writing("alice") as writer:
        writer.add_reports([make_report(f"r{i}", fatalities=i) for i in range(n)], "feed.csv")
    with store.writing("bob") as writer:
        writer.add_notification("violation", "coordinators", "shelling on the Mariupol route")


def _verify(store: Store) -> str:
    with store.reading() as session, pytest.raises(AuditError) as info:
        verify_chain(session)
    assert info.value.exit_code == 8
    return info.value.message


def _sql(store: Store, statement: str, **params: object) -> None:
    with store.engine.begin() as connection:
        connection.execute(text(statement), params)


def test_an_untouched_store_verifies(store: Store, make_report: Make) -> None:
    _fill(store, make_report)
    with store.reading() as session:
        summary = verify_chain(session)
    # 5 reports + 1 source + 1 notification, one event each
    assert (summary.events, summary.rows, summary.head_seq) == (7, 7, 7)
    assert len(summary.head_sha256) == 64


def test_an_empty_store_verifies(store: Store) -> None:
    with store.reading() as session:
        assert verify_chain(session).events == 0


def test_edited_row_is_named_with_the_column_that_differs(store: Store, make_report: Make) -> None:
    _fill(store, make_report)
    _sql(
        store, "UPDATE reports SET fatalities = 250, description = 'nothing happened' WHERE source_id = 'r3'"
    )
    message = _verify(store)
    with store.reading() as session:
        row_id = session.execute(text("SELECT id FROM reports WHERE source_id = 'r3'")).scalar()
    assert f"reports row {row_id}: edited" in message
    assert "fatalities is 250, the log recorded 3" in message
    assert 'description is "nothing happened"' in message
    assert message.count("\n- ") == 1  # only that row


def test_deleted_row_is_named(store: Store, make_report: Make) -> None:
    _fill(store, make_report)
    _sql(store, "DELETE FROM notifications")
    message = _verify(store)
    assert "notifications row 1: deleted (it was written by event seq 7)" in message


def test_row_inserted_behind_the_logs_back_is_named(store: Store, make_report: Make) -> None:
    _fill(store, make_report)
    _sql(
        store,
        "INSERT INTO notifications (id, topic, recipient, message, created_at) "
        "VALUES (99, 'x', 'y', 'forged', '2022-03-05 00:00:00')",
    )
    assert "notifications row 99: not written through Safe Passage" in _verify(store)


def test_edited_event_is_named(store: Store, make_report: Make) -> None:
    _fill(store, make_report)
    _sql(store, "UPDATE events SET actor = 'mallory' WHERE seq = 2")
    message = _verify(store)
    assert "events row seq 2: entry edited" in message


def test_event_payload_rewritten_with_the_row_is_still_caught(store: Store, make_report: Make) -> None:
    _fill(store, make_report)
    # an attacker edits the row and the payload recorded for it, but cannot fix the chain of hashes
    _sql(store, "UPDATE reports SET fatalities = 0 WHERE source_id = 'r4'")
    _sql(
        store,
        "UPDATE events SET payload = replace(payload, :old, :new) "
        "WHERE table_name = 'reports' AND payload LIKE :row",
        old='"fatalities":4',
        new='"fatalities":0',
        row='%"source_id":"r4"%',
    )
    assert "payload edited" in _verify(store)


def test_deleted_event_in_the_middle_and_at_the_end_are_named(store: Store, make_report: Make) -> None:
    _fill(store, make_report)
    _sql(store, "DELETE FROM events WHERE seq = 3")
    message = _verify(store)
    assert "events: entries seq 3 deleted" in message
    assert "events row seq 4: link to the previous entry broken" in message

    _sql(store, "DELETE FROM events WHERE seq = 7")
    assert "chain_head: names seq 7 but the log ends at seq 6" in _verify(store)


def test_status_history_is_audited_too(store: Store) -> None:
    with store.writing("importer") as writer:
        corridor_id = writer._insert(
            Corridor,
            [
                {
                    "key": "test:1",
                    "from_name": "Mariupol",
                    "from_lat": 47.1,
                    "from_lon": 37.5,
                    "to_name": "Zaporizhzhia",
                    "to_lat": 47.8,
                    "to_lon": 35.2,
                    "waypoints": [],
                    "waypoints_unplaced": [],
                    "announced_on": dt.date(2022, 3, 5),
                    "proposed_by": "Agreed",
                    "recorded_outcome": "disputed",
                    "outcome_raw": "",
                    "text": "",
                    "links": [],
                    "file_name": "",
                    "line": 0,
                    "recorded_at": writer.now,
                }
            ],
        )[0]
        writer.set_corridor_status(corridor_id, CorridorStatus.PROPOSED, "announced by the ministry")
    _sql(store, "UPDATE corridor_status SET status = 'open'")
    assert (
        'corridor_status row 1: edited after it was written (event seq 2): status is "open", '
        'the log recorded "proposed"' in _verify(store)
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    victim=st.integers(min_value=0, max_value=7),
    column=st.sampled_from(
        ["lat", "lon", "radius_m", "fatalities", "kind", "observed_at", "raw_json", "feed"]
    ),
)
def test_any_single_edit_of_a_report_is_detected(
    tmp_path_factory: pytest.TempPathFactory, make_report: Make, victim: int, column: str
) -> None:
    path = tmp_path_factory.mktemp("tamper") / "s.sqlite"
    with Store.open(f"sqlite:///{path}") as store:
        with store.writing("alice") as writer:
            ids = writer.add_reports(
                [make_report(f"r{i}", fatalities=i, lat=47 + i / 100) for i in range(8)]
            ).new_ids
        new_value = {
            "lat": "lat + 0.000001",
            "lon": "-lon",
            "radius_m": "radius_m * 2",
            "fatalities": "fatalities + 1",
            "kind": "'mines'",
            "observed_at": "'2022-03-06 09:30:00.000000'",
            "raw_json": "'{}'",
            "feed": "'acled'",
        }[column]
        _sql(store, f"UPDATE reports SET {column} = {new_value} WHERE id = {ids[victim]}")
        message = _verify(store)
        assert f"reports row {ids[victim]}: edited" in message
        assert f"{column} is " in message
        assert message.startswith("audit failed: 1 problem(s)")


def test_a_deleted_last_row_stays_detected_after_new_writes(store: Store, make_report: Make) -> None:
    _fill(store, make_report)
    _sql(store, "DELETE FROM reports WHERE source_id = 'r4'")  # the newest report
    with store.writing("alice") as writer:
        (new_id,) = writer.add_reports([make_report("r5")]).new_ids
    message = _verify(store)
    assert new_id == 6  # the freed id 5 is not reused
    assert "reports row 5: deleted (it was written by event seq 6)" in message


def test_an_event_made_to_vouch_for_another_row_is_named(store: Store, make_report: Make) -> None:
    _fill(store, make_report)
    _sql(store, "UPDATE events SET table_name = 'reports', row_id = 1 WHERE seq = 7")
    message = _verify(store)
    assert "events row seq 7: entry edited" in message
    assert "events row seq 7: writes reports row 1 again (first written by event seq 2)" in message
    assert "notifications row 1: not written through Safe Passage" in message
