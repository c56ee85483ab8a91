"""End-to-end tests of the monitoring commands on the real feeds: ingest, report, review, figures,
corridors and audit, through ``safepassage.cli.app`` and a real SQLite file."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from safepassage.cli import app
from safepassage.cli.core import demo_scenario_path
from store._pg import fresh_database

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
ACLED = SHARED / "conflict" / "acled_ukraine_2022-02-15_2022-03-04.csv"
SIRENS = SHARED / "alerts" / "air_raid_sirens_2022-02-25_2022-03-04.csv"
CORRIDORS = SHARED / "corridors" / "humanitarian_corridors_ukraine_2022.csv"
UNHCR = SHARED / "figures" / "unhcr_refugees_ukraine_by_date.csv"

runner = CliRunner()


def _need(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"real data file {path} is absent (../shared/data is not beside the checkout)")
    return path


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "monitor.sqlite"
    monkeypatch.setenv("SAFEPASSAGE_DB", f"sqlite:///{path}")
    monkeypatch.setenv("SAFEPASSAGE_USER", "tester")
    return path


def _run(*args: str) -> Result:
    return runner.invoke(app, list(args))


def _err(result: Result) -> str:
    """stderr with the console's line wrapping undone."""
    return " ".join(result.stderr.split())


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_ingest_real_feeds_twice_adds_nothing_the_second_time(db: Path) -> None:
    acled, sirens = _need(ACLED), _need(SIRENS)
    first = _run("ingest", str(acled), str(sirens))
    assert first.exit_code == 0, first.output
    assert f"{acled}: 1557 rows read, 1557 new, 0 duplicates skipped, 0 malformed" in first.output
    assert f"{sirens}: 493 rows read, 493 new, 0 duplicates skipped, 0 malformed" in first.output
    assert f"committed {acled}: lines 2-501, 500 new, 0 already stored" in first.output
    assert "incidents: " in first.output
    assert _count(db, "incident_reports") == 2050  # every report belongs to an incident
    second = _run("ingest", str(acled), str(sirens), "--batch-size", "1000")
    assert second.exit_code == 0, second.output
    assert f"{acled}: 1557 rows read, 0 new, 1557 duplicates skipped, 0 malformed" in second.output
    assert "store now holds 2050 reports" in second.output
    assert _count(db, "reports") == 2050
    verified = _run("audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert "audit passed" in verified.output


def test_malformed_rows_are_named_with_file_and_line_and_the_rest_goes_in(db: Path, tmp_path: Path) -> None:
    with _need(ACLED).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:6]
    broken = list(body[2])
    broken[header.index("latitude")] = "ninety-one"
    feed = tmp_path / "acled_excerpt.csv"
    with feed.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, body[0], body[1], broken, body[3], body[4]])
    result = _run("ingest", str(feed), "--format", "acled")
    assert result.exit_code == 0, result.output
    assert f"{feed}: 5 rows read, 4 new, 0 duplicates skipped, 1 malformed" in result.output
    assert f"skipped {feed}:4: " in _err(result)
    assert "ninety-one" in _err(result)
    quiet = _run("ingest", str(feed), "--show-errors", "0")
    assert "... and 1 more malformed rows" in _err(quiet)
    strict = _run("ingest", str(feed), "--strict")
    assert strict.exit_code == 2
    assert "1 malformed row(s) skipped" in _err(strict)
    assert _count(db, "reports") == 4


def test_ingest_refuses_unknown_format_and_missing_file(db: Path, tmp_path: Path) -> None:
    unknown = _run("ingest", str(_need(ACLED)), "--format", "kml")
    assert unknown.exit_code == 2
    assert "--format 'kml' is unknown; expected one of: acled, alerts, cap, geojson, ucdp" in _err(unknown)
    missing = _run("ingest", str(tmp_path / "nope.csv"), "--format", "acled")
    assert missing.exit_code == 2
    assert "nope.csv" in _err(missing)


def test_report_add_then_review_keeps_every_decision(db: Path) -> None:
    added = _run(
        "report", "add", "--kind", "shelling", "--at", "2022-03-05T11:10:00+02:00",
        "--source", "Field team 3", "--source-type", "field_team", "--lat", "47.05", "--lon", "37.49",
        "--id", "ft3-0305-1",
        "--description", "shelling near the Mangush road",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "stored report 1 (cli:ft3-0305-1)" in added.output
    again = _run(
        "report", "add", "--kind", "shelling", "--at", "2022-03-05T11:10:00+02:00",
        "--source", "Field team 3", "--source-type", "field_team", "--id", "ft3-0305-1",
    )  # fmt: skip
    assert "already stored; nothing added" in again.output

    held = _run(
        "review", "cli:ft3-0305-1", "on_hold", "--by", "olena", "--why", "asking ICRC", "--claim", "hit"
    )
    assert held.exit_code == 0, held.output
    verified = _run("review", "1", "verified", "--by", "pierre", "--why", "photos geolocated", "--publish")
    assert verified.exit_code == 0, verified.output
    assert "olena" in verified.output
    assert "pierre" in verified.output
    refused = _run("review", "1", "draft", "--by", "x", "--why", "y")
    assert refused.exit_code == 2
    assert "cannot go from verified to draft" in _err(refused)
    unknown = _run("review", "acled:NOPE", "on_hold", "--by", "x", "--why", "y")
    assert unknown.exit_code == 3
    assert _count(db, "reviews") == 2
    shown = _run("report", "show", "cli:ft3-0305-1")
    assert shown.exit_code == 0, shown.output
    assert "reported by Field team 3 (field_team)" in shown.output
    assert "review state: verified; published: yes; 2 review(s)" in shown.output
    assert "counts in verdicts and re-plans as: verified" in shown.output
    assert "olena: on_hold (asking ICRC) claims: hit" in shown.output


def test_report_add_without_an_id_is_idempotent_across_processes(db: Path) -> None:
    report = ["--kind", "mines", "--at", "2022-03-06T08:00:00+02:00", "--source", "Team 2",
              "--source-type", "field_team", "--lat", "47.0", "--lon", "37.3",
              "--description", "mines on the verge"]  # fmt: skip
    command = [sys.executable, "-c", "from safepassage.cli import main; main()", "report", "add", *report]
    first = subprocess.run(command, capture_output=True, text=True, check=True)
    second = subprocess.run(command, capture_output=True, text=True, check=True)  # another hash seed
    assert "stored report 1" in first.stdout
    assert "already stored; nothing added" in second.stdout
    assert _count(db, "reports") == 1


def test_report_add_needs_a_utc_offset_and_both_coordinates(db: Path) -> None:
    naive = _run("report", "add", "--kind", "mines", "--at", "2022-03-05T11:10", "--source", "x",
                 "--source-type", "media")  # fmt: skip
    assert naive.exit_code == 2
    assert "has no UTC offset" in _err(naive)
    half = _run("report", "add", "--kind", "mines", "--at", "2022-03-05T11:10Z", "--source", "x",
                "--source-type", "media", "--lat", "47")  # fmt: skip
    assert half.exit_code == 2
    assert "--lat and --lon go together" in _err(half)


def test_figures_shows_disagreeing_claims_side_by_side(db: Path) -> None:
    un = _run(
        "figures", "add", "--what", "killed", "--count", "249", "--source", "UN OHCHR",
        "--method", "confirmed_only", "--as-of", "2022-03-02", "--verification", "verified",
        "--note", "confirmed only, an undercount",
    )  # fmt: skip
    assert un.exit_code == 0, un.output
    ses = _run(
        "figures", "add", "--what", "killed", "--count", "2000", "--at-least",
        "--source", "State Emergency Service", "--method", "estimate", "--as-of", "2022-03-02",
    )  # fmt: skip
    assert ses.exit_code == 0, ses.output
    shown = _run("figures", "--what", "killed")
    assert shown.exit_code == 0, shown.output
    assert "249" in shown.output
    assert "more than 2,000" in shown.output
    assert "sources disagree" in shown.output
    assert "249 to more than 2,000" in shown.output
    assert "1,124" not in shown.output  # the mean of the two is never shown
    assert _count(db, "figure_claims") == 2


def test_figures_import_of_the_unhcr_series_is_idempotent(db: Path) -> None:
    series = _need(UNHCR)
    first = _run("figures", "--import", str(series), "--what", "refugees")
    assert first.exit_code == 0, first.output
    assert f"{series}: 164 claims read, 164 new, 0 already stored, 0 malformed rows" in first.output
    assert "2022-03-04" in first.output
    second = _run("figures", "--import", str(series))
    assert f"{series}: 164 claims read, 0 new, 164 already stored" in second.output
    assert _count(db, "figure_claims") == 164


def test_corridors_import_list_and_lifecycle_on_the_2022_announcements(db: Path) -> None:
    announcements = _need(CORRIDORS)
    first = _run("corridors", "import", str(announcements), "--show-unplaced", "3")
    assert first.exit_code == 0, first.output
    assert f"{announcements}: 282 rows read, 282 new corridors, 0 already stored, 0 malformed" in first.output
    assert "could not place" in first.output
    second = _run("corridors", "import", str(announcements))
    assert "0 new corridors, 282 already stored" in second.output
    assert "new corridors with unplaced waypoints: 0" in second.output
    assert "could not place" not in second.output  # listed once, when first imported
    assert "20 already stored corridor(s) with unplaced waypoints" in " ".join(second.output.split())
    assert _count(db, "corridors") == 282
    listed = _run("corridors", "list")
    assert "Corridors (282)" in listed.output
    with sqlite3.connect(db) as connection:
        (corridor_id,) = connection.execute(
            "SELECT c.id FROM corridors c JOIN corridor_status s ON s.corridor_id = c.id "
            "GROUP BY c.id HAVING count(*) = 1 AND max(s.status) = 'agreed' ORDER BY c.id LIMIT 1"
        ).fetchone()
    opened = _run(
        "corridors", "set-status", str(corridor_id), "open", "--reason", "first buses left at 10:00"
    )
    assert opened.exit_code == 0, opened.output
    history = _run("corridors", "history", str(corridor_id))
    assert "first buses left at 10:00" in " ".join(history.output.split())
    refused = _run("corridors", "set-status", str(corridor_id), "proposed", "--reason", "x")
    assert refused.exit_code == 2
    assert "allowed: closed, suspended" in _err(refused)


def test_corridor_commands_on_an_empty_store_and_unknown_ids(db: Path) -> None:
    listed = _run("corridors", "list")
    assert listed.exit_code == 0, listed.output
    assert "Corridors (0)" in listed.output
    unknown = _run("corridors", "set-status", "7", "open", "--reason", "buses left")
    assert unknown.exit_code == 3
    assert "no corridor with id 7" in _err(unknown)


def test_audit_verify_names_a_row_edited_behind_the_stores_back(db: Path) -> None:
    ingested = _run("ingest", str(_need(SIRENS)))
    assert ingested.exit_code == 0, ingested.output
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE reports SET ended_at = NULL WHERE id = 17")
        connection.execute("DELETE FROM reports WHERE id = 42")
    log = _run("audit", "log", "--limit", "3", "--table", "reports")
    assert log.exit_code == 0, log.output
    assert "tester" in log.output
    assert "newest 3 entries" in log.output
    result = _run("audit", "verify")
    assert result.exit_code == 8
    assert "AUDIT_BROKEN" in _err(result)
    assert "reports row 17: edited after it was written" in _err(result)
    assert "ended_at is null, the log recorded" in _err(result)
    assert "reports row 42: deleted" in _err(result)


def test_corridors_judge_a_single_unverified_report_never_decides_alone(db: Path) -> None:
    assert _run("corridors", "import", str(_need(CORRIDORS))).exit_code == 0
    with sqlite3.connect(db) as connection:
        (corridor_id,) = connection.execute("SELECT id FROM corridors WHERE key = 'peacerep:1'").fetchone()
    on_the_route = ["--kind", "shelling", "--at", "2022-03-05T10:00:00+02:00",
                    "--lat", "47.10", "--lon", "37.54", "--radius-m", "500"]  # fmt: skip
    rumour = _run(
        "report", "add", *on_the_route, "--source", "a channel", "--source-type", "social", "--id", "s1"
    )
    assert rumour.exit_code == 0, rumour.output
    first = _run("corridors", "judge", str(corridor_id))
    assert first.exit_code == 0, first.output
    assert "violated: 0" in first.output
    confirmed = _run(
        "report", "add", *on_the_route, "--source", "ICRC convoy team", "--source-type", "field_team",
        "--verification", "verified", "--id", "f1",
    )  # fmt: skip
    assert confirmed.exit_code == 0, confirmed.output
    second = _run("corridors", "judge", str(corridor_id))
    assert second.exit_code == 0, second.output
    assert "violated: 1" in second.output
    assert "ICRC" in second.output  # the evidence names its sources
    assert _count(db, "verdicts") == 2  # both judgements kept
    assert _count(db, "notifications") == 1  # the violation, for the coordinators
    unknown = _run("corridors", "judge", "9999")
    assert unknown.exit_code == 3


@pytest.mark.postgres
def test_ingest_review_and_audit_on_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    sirens = _need(SIRENS)
    with fresh_database() as url:
        monkeypatch.setenv("SAFEPASSAGE_DB", url)
        first = _run("ingest", str(sirens))
        assert first.exit_code == 0, first.output
        assert f"{sirens}: 493 rows read, 493 new" in first.output
        again = _run("ingest", str(sirens))
        assert f"{sirens}: 493 rows read, 0 new, 493 duplicates skipped" in again.output
        reviewed = _run("review", "1", "rejected", "--by", "olena", "--why", "siren test, not an attack")
        assert reviewed.exit_code == 0, reviewed.output
        verified = _run("audit", "verify")
        assert verified.exit_code == 0, verified.output
        assert "audit passed" in verified.output


# -- reviews decide the verdict (issue 7 item 2) ------------------------------------------------------

ON_CORRIDOR_1 = ["--kind", "shelling", "--at", "2022-03-05T10:00:00+02:00",
                 "--lat", "47.10", "--lon", "37.54", "--radius-m", "500"]  # fmt: skip


@pytest.fixture
def corridor_1(db: Path, tmp_path: Path) -> int:
    """The store holds PeaceRep corridor 1 only (Mariupol -> Zaporizhzhia, 5 March 2022)."""
    with _need(CORRIDORS).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        first = next(row for row in reader if row["HC_ID"] == "1")
        header = list(reader.fieldnames or ())
    one = tmp_path / "corridor_1.csv"
    with one.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerow(first)
    assert _run("corridors", "import", str(one)).exit_code == 0
    return 1


def _judged(corridor_id: int) -> dict[str, object]:
    result = _run("corridors", "judge", str(corridor_id), "--format", "json")
    assert result.exit_code == 0, result.output
    (verdict,) = json.loads(result.stdout)
    return dict(verdict)


def _review(subject: str, state: str) -> None:
    result = _run("review", subject, state, "--by", "olena", "--why", f"test: {state}")
    assert result.exit_code == 0, result.output


def test_review_rejected_then_on_hold_then_disputed_changes_the_verdict(corridor_1: int) -> None:
    added = _run("report", "add", *ON_CORRIDOR_1, "--source", "Ministry of Defence",
                 "--source-type", "official", "--verification", "verified", "--id", "m1")  # fmt: skip
    assert added.exit_code == 0, added.output
    verified = _judged(corridor_1)
    assert (verified["verdict"], verified["evidence"]) == ("violated", 1)
    (incident,) = verified["decisive"]  # type: ignore[misc]
    table = _run("corridors", "judge", str(corridor_1))
    assert "decisive:          yes" in table.output or "│ yes" in table.output
    _review("cli:m1", "rejected")  # the case: it must no longer decide anything
    rejected = _judged(corridor_1)
    assert (rejected["verdict"], rejected["evidence"], rejected["decisive"]) == (
        "insufficient_evidence",
        0,
        [],
    )
    _review("cli:m1", "on_hold")  # decision withdrawn: the feed's own "verified" stands again
    assert _judged(corridor_1)["decisive"] == [incident]
    _review("cli:m1", "disputed")
    disputed = _judged(corridor_1)
    assert (disputed["verdict"], disputed["evidence"], disputed["decisive"]) == ("contested", 1, [])
    listed = _run("report", "list", "--format", "json")
    (row,) = json.loads(listed.stdout)
    assert (row["feed_verification"], row["review_state"], row["counts_as"]) == (
        "verified",
        "disputed",
        "disputed",
    )


def test_an_unverified_report_reviewed_verified_becomes_decisive(corridor_1: int) -> None:
    added = _run("report", "add", *ON_CORRIDOR_1, "--source", "Ministry of Defence",
                 "--source-type", "official", "--id", "u1")  # fmt: skip
    assert added.exit_code == 0, added.output
    draft = _judged(corridor_1)
    assert (draft["verdict"], draft["evidence"], draft["decisive"]) == ("insufficient_evidence", 1, [])
    _review("cli:u1", "verified")
    verified = _judged(corridor_1)
    assert verified["verdict"] == "violated"
    assert len(verified["decisive"]) == 1  # type: ignore[arg-type]
    assert "1 decisive incident(s) within 10 km of the route" in str(verified["reason"])


# -- one buffer figure (issue 7 item 16) ---------------------------------------------------------------


def test_judge_states_the_buffer_once_in_one_unit(corridor_1: int) -> None:
    assert _run("report", "add", *ON_CORRIDOR_1, "--source", "a", "--source-type", "media").exit_code == 0
    default = " ".join(_run("corridors", "judge", str(corridor_1)).output.split())
    assert "evidence within 10 km of the route" in default
    assert "10,000 m" not in default
    assert "within 100 km of it (coverage only, not evidence)" in default
    narrow = " ".join(_run("corridors", "judge", str(corridor_1), "--buffer-m", "2500").output.split())
    assert "evidence within 2.5 km of the route" in narrow
    assert "report(s) within 2.5 km of the route" in narrow  # the reason names the same figure


# -- lists: --format table|csv|json, --since, --status (issue 7 item 17) --------------------------------


def _announced() -> list[dict[str, str]]:
    with _need(CORRIDORS).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_corridors_list_at_80_columns_keeps_every_id_and_name_whole(db: Path) -> None:
    assert _run("corridors", "import", str(_need(CORRIDORS))).exit_code == 0
    listed = runner.invoke(app, ["corridors", "list"], env={"COLUMNS": "80"})
    assert listed.exit_code == 0, listed.output
    assert max(len(line) for line in listed.output.splitlines()) <= 80
    assert "…" not in listed.output
    words = set(listed.output.split())
    rows = _announced()
    assert {f"peacerep:{row['HC_ID']}" for row in rows} <= words
    assert {str(n) for n in range(1, 283)} <= words
    assert all(name in listed.output for row in rows for name in row["from_name"].split())


def test_lists_in_csv_and_json_hold_every_row(db: Path) -> None:
    assert _run("corridors", "import", str(_need(CORRIDORS))).exit_code == 0
    as_csv = _run("corridors", "list", "--format", "csv")
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [int(r["id"]) for r in rows] == list(range(1, 283))
    assert {r["key"] for r in rows} == {f"peacerep:{r['HC_ID']}" for r in _announced()}
    as_json = json.loads(_run("corridors", "list", "--format", "json").stdout)
    assert len(as_json) == 282
    assert as_json[0]["waypoints"] == int(rows[0]["waypoints"])  # typed in json
    history = json.loads(_run("corridors", "history", "1", "--format", "json").stdout)
    assert history[0]["status"] in ("proposed", "agreed", "disputed")
    assert _run("figures", "--import", str(_need(UNHCR))).exit_code == 0
    figures = json.loads(_run("figures", "--format", "json").stdout)
    assert len(figures) == 164
    assert all(isinstance(f["count"], int) for f in figures)
    assert _run("ingest", str(_need(SIRENS))).exit_code == 0
    reports = list(csv.DictReader(io.StringIO(_run("report", "list", "--format", "csv").stdout)))
    assert len(reports) == 493
    assert {r["feed"] for r in reports} == {"alerts"}


def test_list_filters_filter(db: Path) -> None:
    assert _run("corridors", "import", str(_need(CORRIDORS))).exit_code == 0
    april = json.loads(_run("corridors", "list", "--since", "2022-04-01", "--format", "json").stdout)
    assert len(april) == sum(r["date"] >= "2022-04-01" for r in _announced()) == 127
    assert all(c["announced_on"] >= "2022-04-01" for c in april)
    closed = json.loads(_run("corridors", "list", "--status", "closed", "--format", "json").stdout)
    assert closed
    assert {c["status"] for c in closed} == {"closed"}
    assert _run("corridors", "set-status", "2", "suspended", "--reason", "shelling").exit_code in (0, 2)
    later = json.loads(_run("corridors", "history", "1", "--since", "2030-01-01", "--format", "json").stdout)
    assert later == []
    assert _run("ingest", str(_need(SIRENS))).exit_code == 0
    _review(
        "alerts:" + json.loads(_run("report", "list", "--format", "json").stdout)[0]["source_id"], "rejected"
    )
    rejected = json.loads(_run("report", "list", "--status", "rejected", "--format", "json").stdout)
    assert [(r["id"], r["review_state"], r["counts_as"]) for r in rejected] == [(1, "rejected", "rejected")]
    drafts = json.loads(_run("report", "list", "--status", "draft", "--format", "json").stdout)
    assert len(drafts) == 492
    since = json.loads(_run("report", "list", "--since", "2022-03-04", "--format", "json").stdout)
    assert since
    assert all(r["observed_at"] >= "2022-03-04T00:00:00+00:00" for r in since)
    assert len(since) < 493
    assert json.loads(_run("report", "list", "--feed", "acled", "--format", "json").stdout) == []
    bad = _run("corridors", "list", "--since", "March 5")
    assert bad.exit_code == 2
    assert "--since: 'March 5' is not a day or time" in _err(bad)


def test_figures_filters_by_day_and_keeps_the_range(db: Path) -> None:
    assert _run("figures", "--import", str(_need(UNHCR))).exit_code == 0
    recent = json.loads(_run("figures", "--since", "2022-03-01", "--format", "json").stdout)
    assert recent
    assert all(f["as_of"] >= "2022-03-01" for f in recent)
    table = _run("figures", "--since", "2099-01-01")
    assert table.exit_code == 0, table.output
    assert "(0): none" in " ".join(table.output.split())


@pytest.mark.slow
def test_monitor_replays_with_the_stored_review(db: Path) -> None:
    """``safepassage monitor`` re-plans on the verified field-team report ft-0912 until it is
    reviewed ``rejected`` in the store; then the same feed triggers no re-plan."""
    scenario = demo_scenario_path()
    feed = scenario.with_name("helsinki-incidents.geojson")
    first = _run("monitor", str(scenario), "--feed", str(feed))
    assert first.exit_code == 0, first.output
    assert "1 re-plan(s)" in " ".join(first.output.split())
    _review("geojson:ft-0912", "rejected")
    second = runner.invoke(app, ["monitor", str(scenario), "--feed", str(feed)], env={"COLUMNS": "250"})
    assert second.exit_code == 0, second.output
    flat = " ".join(re.sub(r"[│┃]", " ", second.output).split())  # the table's borders and wrapping undone
    assert "0 re-plan(s)" in flat
    assert "(field_team, rejected)" in flat  # the timeline says how the report counts
