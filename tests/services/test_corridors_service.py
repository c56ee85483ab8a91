"""Corridor lifecycle and judging on a real SQLite store with the real PeaceRep announcements:
import (idempotent), list, set status (notifies the coordinators), history, verdicts stored with
their evidence."""

from __future__ import annotations

import datetime as dt

import pytest

from safepassage.errors import InputError, UnknownIdError
from safepassage.monitor.records import VerdictOutcome
from safepassage.scenario.vocabulary import CorridorStatus
from safepassage.services import audit, corridors, monitoring, reports
from safepassage.store import Store
from services._data import CORRIDORS, DEMO_FEED, need


def test_import_is_idempotent_and_lists_every_corridor(store: Store) -> None:
    first = corridors.import_corridors(store, need(CORRIDORS), "analyst")
    assert first.added.new == len(first.announcements) > 0
    assert first.rows_read == len(first.announcements) + len(first.problems)
    assert first.waypoints_placed == sum(len(a.waypoints) for a in first.announcements)
    again = corridors.import_corridors(store, CORRIDORS, "analyst")
    assert (again.added.new, again.added.duplicates) == (0, len(first.announcements))
    listed = corridors.list_corridors(store)
    assert [c.key for c in listed] == [f"peacerep:{a.hc_id}" for a in first.announcements]
    assert all(c.status for c in listed)  # every imported corridor has a status with its reason
    agreed = corridors.list_corridors(store, status=CorridorStatus.AGREED)
    assert {c.status for c in agreed} <= {"agreed"}


def test_set_status_records_the_step_and_notifies_the_coordinators(store: Store) -> None:
    corridors.import_corridors(store, need(CORRIDORS), "analyst")
    corridor = next(c for c in corridors.list_corridors(store) if c.status != "closed")
    before = corridors.corridor_history(store, corridor.id)
    after = corridors.set_corridor_status(
        store, corridor.id, CorridorStatus.CLOSED, "shelling on the route", "coordinator"
    )
    assert after[: len(before)] == before
    assert [(h.status, h.changed_by, h.reason) for h in after[len(before) :]] == [
        ("closed", "coordinator", "shelling on the route")
    ]
    (notice,) = audit.audit_log(store, 1, "notifications")
    assert notice.actor == "coordinator"
    (told,) = monitoring.list_notifications(store, topic="corridor_status")
    assert (told.recipient, told.message) == (
        "coordinators",
        f"corridor {corridor.id} is now closed: shelling on the route",
    )
    assert monitoring.list_notifications(store, since=told.created_at + dt.timedelta(seconds=1)) == []
    assert corridor.id in [c.id for c in corridors.list_corridors(store, status=CorridorStatus.CLOSED)]
    with pytest.raises(InputError, match="closed is final"):
        corridors.set_corridor_status(store, corridor.id, CorridorStatus.OPEN, "reopened", "coordinator")
    assert corridors.corridor_history(store, corridor.id) == after


def test_history_of_an_unknown_corridor_is_named(store: Store) -> None:
    with pytest.raises(UnknownIdError, match="no corridor with id 999"):
        corridors.corridor_history(store, 999)
    with pytest.raises(UnknownIdError, match="no corridor with id 999"):
        corridors.set_corridor_status(store, 999, CorridorStatus.OPEN, "x", "coordinator")


def test_judging_needs_imported_corridors_and_known_ids(store: Store) -> None:
    with pytest.raises(UnknownIdError, match="no corridors stored"):
        monitoring.judge_corridors(store, "analyst")
    corridors.import_corridors(store, need(CORRIDORS), "analyst")
    with pytest.raises(UnknownIdError, match="no imported corridor with id 99999"):
        monitoring.judge_corridors(store, "analyst", [99999])


def test_judge_one_corridor_stores_its_verdict(store: Store) -> None:
    corridors.import_corridors(store, need(CORRIDORS), "analyst")
    reports.ingest_feeds(store, [DEMO_FEED], None, "olena")  # Helsinki: no evidence near Ukraine
    first = corridors.list_corridors(store)[0]
    judgement = monitoring.judge_corridors(store, "analyst", [first.id], buffer_m=5000.0)
    (judged,) = judgement.judged
    assert judged.id == first.id
    assert judged.verdict.corridor_id == first.key
    assert judgement.reports_used == 4
    assert judgement.buffer_m == 5000.0
    assert judged.verdict.evidence == ()
    assert judged.verdict.outcome is not VerdictOutcome.VIOLATED
    assert judgement.notifications == 0
    verdict_events = audit.audit_log(store, 5, "verdicts")
    assert [e.actor for e in verdict_events] == ["analyst"]
    (stored,) = corridors.corridor_verdicts(store, first.id)
    assert (stored.corridor_id, stored.corridor_key) == (first.id, first.key)
    assert stored.outcome == judged.verdict.outcome.value
    assert (stored.window_start, stored.window_end) == (
        judged.verdict.window_start,
        judged.verdict.window_end,
    )
    assert stored.evidence == ()
    assert corridors.corridor_verdicts(store) == [stored]
    with pytest.raises(UnknownIdError, match="no corridor with id 99999"):
        corridors.corridor_verdicts(store, 99999)


def test_window_text_names_one_day_or_two() -> None:
    start = dt.datetime(2022, 3, 5, 10, 0, tzinfo=dt.UTC)
    assert monitoring.window_text(start, start.replace(hour=17)) == "2022-03-05 10:00-17:00"
    assert monitoring.window_text(start, start.replace(day=6)) == "2022-03-05 10:00 to 2022-03-06 10:00"


def test_reimport_lists_unplaced_waypoints_only_for_new_corridors(store: Store) -> None:
    first = corridors.import_corridors(store, need(CORRIDORS), "analyst")
    with_unplaced = [a.hc_id for a in first.announcements if a.waypoints_unplaced]
    assert [a.hc_id for a in first.unplaced] == with_unplaced != []
    assert (first.already_stored, first.unplaced_already_stored) == (frozenset(), 0)
    again = corridors.import_corridors(store, CORRIDORS, "analyst")
    assert again.already_stored == {a.hc_id for a in first.announcements}
    assert again.unplaced == ()
    assert again.unplaced_already_stored == len(with_unplaced)


def test_status_reason_words_who_proposed_or_agreed(store: Store) -> None:
    corridors.import_corridors(store, need(CORRIDORS), "analyst")
    listed = corridors.list_corridors(store)
    agreed = next(c for c in listed if c.proposed_by == "Agreed")
    ukraine = next(c for c in listed if c.proposed_by == "Ukraine")
    first_agreed = corridors.corridor_history(store, agreed.id)[0]
    assert (first_agreed.status, first_agreed.reason.split(": ", 1)[1].split(" (")[0]) == (
        "agreed",
        "announced, agreed by both parties",
    )
    first_ukraine = corridors.corridor_history(store, ukraine.id)[0]
    assert (first_ukraine.status, first_ukraine.reason.split(": ", 1)[1].split(" (")[0]) == (
        "proposed",
        "announced, proposed by Ukraine",
    )
    assert not any("proposed by Agreed" in c.status_reason for c in listed)


def test_judge_says_when_no_stored_report_covers_a_window(store: Store) -> None:
    corridors.import_corridors(store, need(CORRIDORS), "analyst")
    listed = corridors.list_corridors(store)
    first, later = listed[0], next(c for c in listed if c.announced_on == dt.date(2022, 3, 9))
    (empty,) = monitoring.judge_corridors(store, "analyst", [first.id]).judged
    assert empty.verdict.reason == "no stored report covers this window (no reports are stored)"
    # the demo feed's 4 reports: 2022-03-05 06:40-07:45 UTC; corridor 1 is judged 07:00-14:00 UTC
    reports.ingest_feeds(store, [DEMO_FEED], None, "olena")
    judgement = monitoring.judge_corridors(store, "analyst", [first.id, later.id])
    by_id = {j.id: j.verdict for j in judgement.judged}
    assert by_id[first.id].window_start <= dt.datetime(2022, 3, 5, 7, 45, tzinfo=dt.UTC)
    assert "no stored report covers" not in by_id[first.id].reason
    assert by_id[later.id].outcome is VerdictOutcome.INSUFFICIENT_EVIDENCE
    assert by_id[later.id].reason == (
        "no stored report covers this window (stored reports span 2022-03-05\u20132022-03-05 UTC)"
    )
