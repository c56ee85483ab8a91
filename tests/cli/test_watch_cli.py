"""``safepassage monitor`` end to end: the demo scenario and feed, every decision kept in the store."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from safepassage.cli import app
from safepassage.cli.core import demo_scenario_path
from safepassage.store import Store, verify_chain
from safepassage.store.schema import Notification, Plan, VerdictRow

runner = CliRunner()
FEED = demo_scenario_path().with_name("helsinki-incidents.geojson")


def _monitor(db_url: str):
    return runner.invoke(
        app, ["monitor", str(demo_scenario_path()), "--feed", str(FEED), "--db", db_url, "--by", "tester"]
    )


def test_monitor_prints_the_timeline_and_keeps_every_decision(db_url: str) -> None:
    result = _monitor(db_url)
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "ceasefire window opens" in flat
    assert "re-plan from 09:12+02:00" in flat  # every clock time with its offset (issue 7 #13)
    assert "16:00+02:00" in flat  # the ceasefire window's end
    assert "final: violated" in flat
    assert "stored: 4 new report(s), 2 plan(s), 1 verdict(s)" in flat
    with Store.open(db_url) as store, store.reading() as session:
        plans = session.scalars(select(Plan).order_by(Plan.id)).all()
        assert plans[0].reason == "initial plan"
        assert plans[1].replaces_plan_id == plans[0].id
        assert "ft-0912" in plans[1].reason
        assert plans[1].document["format"] == "safepassage-plan/1"
        verdicts = session.scalars(select(VerdictRow)).all()
        assert [v.outcome for v in verdicts] == ["violated"]
        notices = session.scalars(select(Notification)).all()
        assert {n.topic for n in notices} == {"replan", "warning"}
        assert all(n.message.startswith("2022-03-05T") and "+02:00: " in n.message for n in notices)
        verify_chain(session)


def test_monitor_twice_stores_no_report_twice(db_url: str) -> None:
    assert _monitor(db_url).exit_code == 0
    again = _monitor(db_url)
    assert again.exit_code == 0, again.output
    assert "stored: 0 new report(s)" in " ".join(again.output.split())
    audit = runner.invoke(app, ["audit", "verify", "--db", db_url])
    assert audit.exit_code == 0, audit.output


def test_monitor_without_store_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "none.sqlite"
    result = runner.invoke(
        app,
        ["monitor", str(demo_scenario_path()), "--feed", str(FEED), "--db", f"sqlite:///{db}", "--no-store"],
    )
    assert result.exit_code == 0, result.output
    assert not db.exists()


def test_monitor_with_a_missing_feed_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["monitor", str(demo_scenario_path()), "--feed", str(tmp_path / "nope.csv"), "--no-store"]
    )
    assert result.exit_code == 2
    assert "nope.csv" in " ".join(result.output.split())
