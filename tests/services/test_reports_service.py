"""The report use cases on a real SQLite store and the bundled real-format feed: ingest, merge,
add, show, review, list; ids derived from what was reported; errors from the exception tree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from safepassage.errors import InputError, UnknownIdError
from safepassage.scenario.vocabulary import HazardKind, SourceType, Verification
from safepassage.services import reports
from safepassage.store import CommittedBatch, FeedTally, ReviewState, Store
from services._data import DEMO_FEED

KYIV = dt.timezone(dt.timedelta(hours=2))


def test_ingest_stores_each_report_once_and_merges_them(store: Store) -> None:
    files: list[tuple[Path, FeedTally]] = []
    batches: list[CommittedBatch] = []
    first = reports.ingest_feeds(
        store,
        [DEMO_FEED],
        None,
        "olena",
        batch_size=3,
        on_commit=batches.append,
        on_file=lambda path, tally: files.append((path, tally)),
    )
    ((path, tally),) = first.tallies
    assert (path, tally.rows_read, tally.new, tally.duplicates, tally.malformed) == (DEMO_FEED, 4, 4, 0, [])
    assert files == [(DEMO_FEED, tally)]
    assert [(b.new, b.duplicates) for b in batches] == [(3, 0), (1, 0)]
    assert first.merged
    assert first.merge is not None
    assert (first.merge.reports, first.merge.incidents, first.merge.pending_before) == (4, 4, 4)
    assert first.reports_stored == 4
    assert first.malformed == 0

    again = reports.ingest_feeds(store, [DEMO_FEED], "geojson", "olena")
    assert (again.tallies[0][1].new, again.tallies[0][1].duplicates) == (0, 4)
    assert again.merged
    assert again.merge is None
    assert again.reports_stored == 4


def test_ingest_without_merge_leaves_reports_pending_for_merge(store: Store) -> None:
    run = reports.ingest_feeds(store, [DEMO_FEED], None, "olena", merge=False)
    assert not run.merged
    assert run.merge is None
    merged = reports.merge_pending_reports(store, "ivan")
    assert merged is not None
    assert merged.pending_before == 4
    assert reports.merge_pending_reports(store, "ivan") is None
    forced = reports.merge_pending_reports(store, "ivan", force=True)
    assert forced is not None
    assert (forced.pending_before, forced.new_incidents) == (0, 0)


def test_an_unknown_feed_format_is_refused_before_anything_is_read(store: Store) -> None:
    with pytest.raises(InputError, match="--format 'kml' is unknown"):
        reports.ingest_feeds(store, [DEMO_FEED], "kml", "olena")
    assert reports.report_count(store) == 0


def test_a_report_typed_twice_is_stored_once_with_an_id_from_its_content(store: Store) -> None:
    fields = {
        "kind": HazardKind.SHELLING,
        "at": dt.datetime(2022, 3, 5, 11, 0, tzinfo=KYIV),
        "source": "field team 3",
        "source_type": SourceType.FIELD_TEAM,
        "lat": 47.0971,
        "lon": 37.5434,
        "description": "shelling on the road out",
    }
    first = reports.add_report(store, "radio desk", **fields)
    second = reports.add_report(store, "radio desk", **fields)
    assert first.report_id == 1
    assert second.report_id is None
    assert first.key == second.key
    assert first.key.startswith("cli:20220305T090000Z-")  # the UTC time, then a content hash
    assert len(first.source_id.rsplit("-", 1)[1]) == 12
    other = reports.add_report(store, "radio desk", **{**fields, "description": "a different report"})
    assert other.report_id == 2
    assert other.key != first.key
    named = reports.add_report(store, "radio desk", **fields, report_id="ft3-0001")
    assert named.key == "cli:ft3-0001"


def test_half_a_location_is_refused(store: Store) -> None:
    with pytest.raises(InputError, match="--lat and --lon go together"):
        reports.add_report(
            store,
            "radio desk",
            kind=HazardKind.SHELLING,
            at=dt.datetime(2022, 3, 5, 11, 0, tzinfo=KYIV),
            source="field team 3",
            source_type=SourceType.FIELD_TEAM,
            lat=47.1,
        )
    assert reports.report_count(store) == 0


def test_show_and_review_a_report_and_its_incident(store: Store) -> None:
    reports.ingest_feeds(store, [DEMO_FEED], None, "olena")
    shown = reports.show_report(store, "geojson:ft-0912")
    assert (shown.feed, shown.source_id, shown.key) == ("geojson", "ft-0912", "geojson:ft-0912")
    assert shown.source_type == "field_team"
    assert shown.verification == "verified"
    assert shown.counts_as is Verification.VERIFIED
    assert shown.reviews == ()
    assert shown.incident is not None
    assert shown.incident.members == ("geojson:ft-0912",)
    assert reports.show_report(store, str(shown.id)) == shown

    outcome = reports.review(store, "geojson:ft-0912", ReviewState.REJECTED, "ivan", "radio garbled")
    assert outcome.subject == f"report {shown.id}"
    assert [(r.state, r.reviewer, r.reason) for r in outcome.history] == [
        ("rejected", "ivan", "radio garbled")
    ]
    assert reports.show_report(store, "geojson:ft-0912").counts_as is Verification.REJECTED

    by_incident = reports.review(
        store, shown.incident.key, ReviewState.VERIFIED, "maria", "seen by our team", incident=True
    )
    assert by_incident.subject == f"incident {shown.incident.id}"
    assert reports.show_report(store, "geojson:ft-0912").counts_as is Verification.VERIFIED  # newest wins


def test_list_reports_filters_by_state_feed_and_time(store: Store) -> None:
    reports.ingest_feeds(store, [DEMO_FEED], None, "olena")
    every = reports.list_reports(store)
    assert len(every) == 4
    assert [r.observed_at for r in every] == sorted(r.observed_at for r in every)
    reports.review(store, "geojson:ft-0912", ReviewState.REJECTED, "ivan", "garbled")
    rejected = reports.list_reports(store, state=ReviewState.REJECTED)
    assert [(r.source_id, r.review_state, r.counts_as) for r in rejected] == [
        ("ft-0912", "rejected", "rejected")
    ]
    assert len(reports.list_reports(store, state=ReviewState.DRAFT)) == 3
    assert reports.list_reports(store, feed="acled") == []
    late = every[-1].observed_at
    assert [r.id for r in reports.list_reports(store, since=late)] == [every[-1].id]
    assert [r.id for r in reports.list_reports(store, until=late)] == [r.id for r in every[:-1]]
    shelling = reports.list_reports(store, kind=HazardKind.SHELLING)
    assert shelling
    assert {r.kind for r in shelling} == {"shelling"}
    assert len(shelling) < len(every)
    helsinki = reports.list_reports(store, bbox=(60.1, 24.8, 60.3, 25.1))
    assert len(helsinki) == 4
    assert reports.list_reports(store, bbox=(47.0, 37.4, 47.2, 37.7)) == []  # Mariupol: none there
    with pytest.raises(InputError, match="south <= north"):
        reports.list_reports(store, bbox=(60.3, 24.8, 60.1, 25.1))


def test_unknown_report_and_incident_are_named(store: Store) -> None:
    with pytest.raises(UnknownIdError, match="no report 'acled:nope'"):
        reports.show_report(store, "acled:nope")
    with pytest.raises(UnknownIdError, match="no incident 'inc-0'"):
        reports.review(store, "inc-0", ReviewState.VERIFIED, "ivan", "x", incident=True)
