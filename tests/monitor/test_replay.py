"""Replaying incident feeds against the demo scenario: closures trigger re-plans, verdicts follow.

The demo feed (``src/safepassage/demo/helsinki-incidents.geojson``) holds four reports: an
unverified Telegram post (adds risk only), a verified field-team report of shelling inside the
Unioninkatu corridor during its ceasefire window (closes roads planned groups still had to take),
an unverified media report near it (corroborates), and a disputed official claim (risk only).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from safepassage.cli.core import demo_scenario_path
from safepassage.monitor import IncidentReport, VerdictOutcome, iter_feed
from safepassage.monitor.replay import replay_feeds, report_hazard
from safepassage.planner.check import check_plan
from safepassage.planner.problem import load_networks
from safepassage.scenario import HazardKind, SourceType, Verification, load_scenario

FEED = demo_scenario_path().with_name("helsinki-incidents.geojson")


@pytest.fixture(scope="module")
def replayed():
    scenario = load_scenario(demo_scenario_path())
    networks = load_networks(scenario)
    reports = [r for r in iter_feed(FEED) if isinstance(r, IncidentReport)]
    return scenario, networks, reports, replay_feeds(scenario, reports, networks)


def test_only_the_credible_closing_report_triggers_a_replan(replayed) -> None:
    _, _, reports, result = replayed
    assert len(reports) == 4
    replans = [e for e in result.events if e.kind == "replan"]
    assert len(replans) == 1
    assert "ft-0912" in replans[0].message
    assert result.plans[0][1] == "initial plan"
    assert "ft-0912" in result.plans[1][1]


def test_replan_starts_at_the_next_step_and_keeps_every_rule(replayed) -> None:
    scenario, networks, _, result = replayed
    first, (second, _) = result.plans[0][0], result.plans[1]
    report_time = dt.datetime.fromisoformat("2022-03-05T09:12:00+02:00")
    assert second.start == report_time  # 09:12 is on a step boundary
    # Everyone not yet gone is re-planned; those who left before 09:12 are not planned again.
    left = sum(m.people for m in first.movements if m.departure < report_time)
    assert second.people_total == scenario.people_total - left
    # The re-plan's groups never enter a road closed by the shelling report while it is closed.
    replan_scenario = scenario.model_copy(
        update={
            "start": second.start,
            "horizon": scenario.end - second.start,
            "origins": [
                o.model_copy(update={"people": p.people, "needs": {}})
                for o, p in zip(scenario.origins, second.origins, strict=True)
            ],
            "destinations": [
                d.model_copy(
                    update={
                        "capacity": d.capacity
                        - sum(
                            m.people
                            for m in first.movements
                            if m.departure < report_time and m.destination == d.id
                        )
                    }
                )
                for d in scenario.destinations
            ],
            # what was known at 09:12: the reports observed up to then
            "hazards": [
                *scenario.hazards,
                *(h for r in result.reports_used if r.observed_at <= report_time and (h := report_hazard(r))),
            ],
        }
    )
    assert check_plan(replan_scenario, second, networks=networks) == []


def test_groups_already_on_the_road_are_flagged(replayed) -> None:
    _, _, _, result = replayed
    warnings = [e.message for e in result.events if e.kind == "warning"]
    assert warnings
    assert all("already left" in w and "ft-0912" in w for w in warnings)


def test_corridor_verdict_turns_violated_when_the_verified_report_arrives(replayed) -> None:
    _, _, _, result = replayed
    verdicts = [e for e in result.events if e.kind == "verdict" and e.corridor == "unioninkatu-corridor"]
    assert verdicts[0].at == dt.datetime.fromisoformat("2022-03-05T09:12:00+02:00")
    assert "violated" in verdicts[0].message
    final = {v.corridor_id: v for v in result.verdicts}
    assert final["unioninkatu-corridor"].outcome is VerdictOutcome.VIOLATED
    assert "mannerheimintie-aid" not in final  # proposed only: no ceasefire to judge


def test_timeline_is_in_time_order_and_windows_appear(replayed) -> None:
    _, _, _, result = replayed
    times = [e.at for e in result.events]
    assert times == sorted(times)
    statuses = [
        e.message for e in result.events if e.kind == "status" and e.corridor == "unioninkatu-corridor"
    ]
    assert statuses[0].startswith("ceasefire window opens")
    assert statuses[-1] == "ceasefire window ends"


def test_report_hazard_keeps_source_and_review_state() -> None:
    report = IncidentReport(
        feed="cli",
        source_id="a b/c",
        kind=HazardKind.MINES,
        observed_at=dt.datetime(2022, 3, 5, 8, tzinfo=dt.UTC),
        lat=60.17,
        lon=24.94,
        radius_m=5.0,
        time_uncertainty_s=0.0,
        source_name="team 2",
        source_type=SourceType.FIELD_TEAM,
        verification=Verification.VERIFIED,
    )
    hazard = report_hazard(report)
    assert hazard is not None
    assert hazard.id == "cli:a_b_c"
    assert hazard.area.radius_m == 50.0  # never smaller than a street's spread
    assert hazard.source.type is SourceType.FIELD_TEAM
    assert hazard.decay_half_life_s is not None  # no end time: decays
    no_place = IncidentReport(**{**report.__dict__, "lat": None, "lon": None})
    assert report_hazard(no_place) is None


def test_reports_elsewhere_or_outside_the_horizon_are_counted_not_used(tmp_path: Path) -> None:
    scenario = load_scenario(demo_scenario_path())
    networks = load_networks(scenario)
    base = {
        "feed": "cli",
        "kind": HazardKind.SHELLING,
        "radius_m": 100.0,
        "time_uncertainty_s": 0.0,
        "source_name": "x",
        "source_type": SourceType.UN,
        "verification": Verification.VERIFIED,
    }
    far = IncidentReport(source_id="kyiv", observed_at=scenario.at(3600), lat=50.45, lon=30.52, **base)
    late = IncidentReport(source_id="late", observed_at=scenario.end, lat=60.17, lon=24.94, **base)
    result = replay_feeds(scenario, [far, late], networks)
    assert result.reports_elsewhere == 1
    assert result.reports_outside_horizon == 1
    assert len(result.plans) == 1


@pytest.mark.parametrize("end_minutes", [0, -30])
def test_report_ending_at_or_before_its_observation_decays(
    end_minutes: int,
) -> None:
    """An instant event (end == observation, or a garbled end before it) is not a closure to the horizon."""
    start = dt.datetime(2022, 3, 5, 8, tzinfo=dt.UTC)
    base = IncidentReport(
        feed="cap",
        source_id="x",
        kind=HazardKind.SHELLING,
        observed_at=start,
        lat=60.17,
        lon=24.94,
        radius_m=500.0,
        time_uncertainty_s=0.0,
        source_name="oblast administration",
        source_type=SourceType.OFFICIAL,
        verification=Verification.VERIFIED,
    )
    instant = IncidentReport(**{**base.__dict__, "ended_at": start + dt.timedelta(minutes=end_minutes)})
    hazard = report_hazard(instant)
    assert hazard is not None
    assert hazard.active_until is None
    assert hazard.decay_half_life_s is not None
    lasting = IncidentReport(**{**base.__dict__, "ended_at": start + dt.timedelta(minutes=90)})
    hazard = report_hazard(lasting)
    assert hazard is not None
    assert hazard.active_until == start + dt.timedelta(minutes=90)
    assert hazard.decay_half_life_s is None
