"""Reports not merged yet (ingest killed or failed before its merge, or ``--no-merge``) are merged by
the next ingest or ``safepassage merge``: reports and incidents always end up agreeing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from safepassage.cli import app
from safepassage.monitor.merge import merge_reports
from safepassage.monitor.report import IncidentReport
from safepassage.store import Store, ingest_feed, queries, verify_chain
from safepassage.store.merging import merge_pending, pending_merge
from safepassage.store.schema import Incident, Report

Make = Callable[..., IncidentReport]
runner = CliRunner()
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
ACLED = SHARED / "conflict" / "acled_ukraine_2022-02-15_2022-03-04.csv"


def assert_reports_and_incidents_agree(db_url: str) -> int:
    """Every stored report is linked by an incident, the incidents the merge gives for the stored
    reports are all stored, and the chain verifies. Returns the number of reports."""
    with Store.open(db_url) as store, store.reading() as session:
        assert pending_merge(session) == 0
        reports = queries.incident_reports(session)
        stored_keys = set(session.scalars(select(Incident.key)))
        verify_chain(session)
    expected = {incident.id for incident in merge_reports(reports)}
    assert expected <= stored_keys
    return len(reports)


def _geojson(path: Path, ids: list[str], feed_hour: int = 9) -> Path:
    features = ",\n".join(
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": '
        f'[{37.5 + i * 0.01:.2f}, 47.1]}}, "properties": {{"id": "{source_id}", "kind": "shelling", '
        f'"observed_at": "2022-03-05T{feed_hour:02d}:{i % 60:02d}:00Z"}}}}'
        for i, source_id in enumerate(ids)
    )
    path.write_text('{"type": "FeatureCollection", "features": [\n' + features + "\n]}\n", encoding="utf-8")
    return path


def test_reports_stored_without_a_merge_are_pending_until_merged(store: Store, make_report: Make) -> None:
    with store.writing("alice") as writer:
        writer.add_reports([make_report("a", feed="acled"), make_report("b", feed="ucdp")], "x.csv")
    with store.reading() as session:
        assert pending_merge(session) == 2
    outcome = merge_pending(store, "alice")
    assert outcome is not None
    assert (outcome.reports, outcome.incidents, outcome.several_feeds, outcome.new_incidents) == (2, 1, 1, 1)
    assert outcome.pending_before == 2
    assert merge_pending(store, "alice") is None  # nothing pending: no work, no new rows

    # a later report joins the incident: only it is pending, the merge gives a new incident record
    with store.writing("alice") as writer:
        writer.add_reports(
            [make_report("c", feed="cap", observed_at=dt.datetime(2022, 3, 5, 9, 45, tzinfo=dt.UTC))]
        )
    with store.reading() as session:
        assert pending_merge(session) == 1
    later = merge_pending(store, "alice")
    assert later is not None
    assert (later.incidents, later.new_incidents, later.pending_before) == (1, 1, 1)
    with store.reading() as session:
        assert pending_merge(session) == 0
        assert session.scalar(select(func.count()).select_from(Incident)) == 2  # the first one superseded


def test_forced_merge_adds_nothing_when_everything_is_merged(store: Store, make_report: Make) -> None:
    with store.writing("alice") as writer:
        writer.add_reports([make_report("a")])
    merge_pending(store, "alice")
    again = merge_pending(store, "alice", force=True)
    assert again is not None
    assert (again.incidents, again.new_incidents, again.pending_before) == (1, 0, 0)


def test_ingest_after_a_failed_ingest_merges_what_the_failed_one_stored(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 8: ``ingest good bad`` (exit 2) then ``ingest good``: "0 new", merge skipped, 0 incidents."""
    monkeypatch.setenv("SAFEPASSAGE_DB", db_url)
    good = _geojson(tmp_path / "good.geojson", [f"g{i}" for i in range(30)])
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    failed = runner.invoke(app, ["ingest", str(good), str(bad)])
    assert failed.exit_code == 2, failed.output
    with Store.open(db_url) as store, store.reading() as session:
        assert (queries.report_count(session), pending_merge(session)) == (30, 30)

    again = runner.invoke(app, ["ingest", str(good)])
    assert again.exit_code == 0, again.output
    assert "30 rows read, 0 new, 30 duplicates skipped" in again.output
    assert "incidents: 30 from 30 reports (30 not merged before)" in " ".join(again.output.split())
    assert assert_reports_and_incidents_agree(db_url) == 30


def test_no_merge_then_merge_command(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFEPASSAGE_DB", db_url)
    first = _geojson(tmp_path / "first.geojson", [f"a{i}" for i in range(5)])
    stored = runner.invoke(app, ["ingest", str(first), "--no-merge"])
    assert stored.exit_code == 0, stored.output
    assert "incidents:" not in stored.output
    merged = runner.invoke(app, ["merge"])
    assert merged.exit_code == 0, merged.output
    assert "incidents: 5 from 5 reports (5 not merged before)" in " ".join(merged.output.split())
    assert assert_reports_and_incidents_agree(db_url) == 5
    nothing = runner.invoke(app, ["merge"])
    assert nothing.exit_code == 0
    assert "every stored report is already merged" in nothing.output
    forced = runner.invoke(app, ["merge", "--all"])
    assert "incidents: 5 from 5 reports (0 not merged before)" in " ".join(forced.output.split())
    assert "0 new incident records" in forced.output


def test_real_acled_ingest_then_failed_file_then_reingest(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not ACLED.is_file():
        pytest.skip(f"real data file {ACLED} is absent (../shared/data is not beside the checkout)")
    monkeypatch.setenv("SAFEPASSAGE_DB", db_url)
    bad = tmp_path / "bad.geojson"
    bad.write_text("[" * 50, encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(ACLED), str(bad)]).exit_code == 2
    with Store.open(db_url) as store, store.reading() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 0
        assert session.scalar(select(func.count()).select_from(Report)) == 1557
    again = runner.invoke(app, ["ingest", str(ACLED)])
    assert again.exit_code == 0, again.output
    assert "1557 rows read, 0 new" in again.output
    assert assert_reports_and_incidents_agree(db_url) == 1557


def test_ingest_feed_alone_leaves_its_reports_pending(store: Store, tmp_path: Path) -> None:
    feed = _geojson(tmp_path / "f.geojson", ["x1", "x2", "x3"])
    assert ingest_feed(store, feed, "geojson", "tester").new == 3
    with store.reading() as session:
        assert pending_merge(session) == 3
