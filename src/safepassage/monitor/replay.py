"""Replay incident feeds against a scenario: statuses, verdicts and re-plans, in time order.

``safepassage monitor SCENARIO --feed FILE...`` runs this. Starting from the plan for the scenario:

1. Reports are taken in the order they were observed. Those outside the horizon or far from the
   road network are counted and left aside (they concern other places).
2. Each report becomes a hazard of the scenario (:func:`report_hazard`): the same credibility rule
   decides whether it only adds risk or closes the roads within its radius for a while.
3. If it closes a road that the current plan's groups are still to enter while it is closed, the
   people who have not left yet are re-planned from the next time step, with the reception places
   already promised to groups on the way taken off, and the new plan records why it replaced the
   old one. Groups already on the road whose path crosses the closure are listed as warnings
   (they must be reached by radio; the model does not re-route people in motion).
4. Each corridor's ceasefire windows open and close as events, and at each report inside a window
   the corridor is judged again (``safepassage.monitor.verdict``); a change of outcome is an event.

Pure: no printing, no database. The CLI stores the reports, plans, verdicts and notifications.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from safepassage.hazards import area_shape, closes_roads, link_index
from safepassage.hazards.intensity import closing_interval_s
from safepassage.local_time import clock_text
from safepassage.monitor.feeds.references import resolve_references
from safepassage.monitor.merge import merge_reports
from safepassage.monitor.records import Verdict, VerdictOutcome
from safepassage.monitor.report import IncidentReport
from safepassage.monitor.verdict import judge_corridor
from safepassage.network import RoadNetwork
from safepassage.planner import Plan, plan_evacuation, replan
from safepassage.planner.replan import remaining_scenario
from safepassage.scenario.model import Area, Hazard, HazardSource, Scenario
from safepassage.scenario.vocabulary import TravelMode

__all__ = [
    "REPORT_HALF_LIFE_S",
    "ReplayResult",
    "TimelineEvent",
    "replay_feeds",
    "report_hazard",
]

#: A report without an end time weighs half as much every three hours (shelling of a street is
#: rarely a single moment; a stale report should not close a road all day).
REPORT_HALF_LIFE_S = 3 * 3600.0
#: Reports whose uncertainty circle lies farther than this outside the road network are elsewhere.
NEARBY_MARGIN_M = 5_000.0
#: Smallest radius given to a report's area, metres (GPS fixes of a shelled street still spread).
MIN_REPORT_RADIUS_M = 50.0

EventKind = Literal["plan", "report", "status", "verdict", "replan", "warning"]


@dataclass(frozen=True)
class TimelineEvent:
    """One line of the monitor's timeline."""

    at: dt.datetime
    kind: EventKind
    message: str
    corridor: str | None = None


@dataclass
class ReplayResult:
    """What the replay saw and decided."""

    events: list[TimelineEvent] = field(default_factory=list)
    plans: list[tuple[Plan, str]] = field(default_factory=list)  # each plan with why it was made
    verdicts: list[Verdict] = field(default_factory=list)  # final verdict per corridor window
    reports_used: list[IncidentReport] = field(default_factory=list)
    reports_elsewhere: int = 0
    reports_outside_horizon: int = 0


def report_hazard(report: IncidentReport) -> Hazard | None:
    """The scenario hazard a located report stands for (None when it has no location)."""
    if report.lat is None or report.lon is None:
        return None
    ident = re.sub(r"[^A-Za-z0-9_.:-]", "_", f"{report.feed}:{report.source_id}")[:100]
    # An end at or before the observation (an instant event) is no end: the report's danger decays.
    ends = report.ended_at is not None and report.ended_at > report.observed_at
    return Hazard(
        id=ident,
        kind=report.kind,
        area=Area(lat=report.lat, lon=report.lon, radius_m=max(report.radius_m, MIN_REPORT_RADIUS_M)),
        observed_at=report.observed_at,
        active_until=report.ended_at if ends else None,
        decay_half_life_s=None if ends else REPORT_HALF_LIFE_S,
        source=HazardSource(name=report.source_name or report.feed, type=report.source_type),
        verification=report.verification,
        fatalities=report.fatalities,
        description=report.description,
    )


def replay_feeds(
    scenario: Scenario,
    reports: Iterable[IncidentReport],
    networks: Mapping[TravelMode, RoadNetwork],
) -> ReplayResult:
    """Replay ``reports`` in time order against ``scenario`` (see the module docstring)."""
    result = ReplayResult()
    plan = plan_evacuation(scenario, networks=networks)
    result.plans.append((plan, "initial plan"))
    result.events.append(TimelineEvent(scenario.start, "plan", _plan_line(plan, scenario.zone())))
    relevant = _relevant(scenario, resolve_references(reports), networks, result)
    result.reports_used = relevant
    windows = _window_events(scenario)
    hazards: list[Hazard] = list(scenario.hazards)
    current = scenario
    last_outcome: dict[tuple[str, dt.datetime], VerdictOutcome] = {}

    for report in relevant:
        while windows and windows[0].at <= report.observed_at:
            result.events.append(windows.pop(0))
        hazard = report_hazard(report)
        if hazard is None:
            continue
        hazards.append(hazard)
        current = current.model_copy(update={"hazards": list(hazards)})
        closing = closes_roads(hazard.kind, hazard.source.type, hazard.verification)
        result.events.append(TimelineEvent(report.observed_at, "report", _report_line(report, closing)))
        result.events += _verdict_changes(scenario, relevant, report, last_outcome)
        if not closing:
            continue
        hit_waiting, hit_moving = _affected(current, plan, hazard, networks, report.observed_at)
        for movement_text in hit_moving:
            result.events.append(TimelineEvent(report.observed_at, "warning", movement_text))
        if not hit_waiting:
            continue
        replan_start = _next_step(scenario, report.observed_at)
        if replan_start >= scenario.end:
            result.events.append(
                TimelineEvent(report.observed_at, "warning", "too late in the horizon to re-plan")
            )
            continue
        replaced = plan
        plan = replan(replaced, hazard, replan_start, scenario=current, networks=networks)
        current = remaining_scenario(current, replaced, plan.start, list(hazards))
        why = (
            f"{hazard.id} ({hazard.kind.value}, {hazard.verification.value} {hazard.source.type.value}) "
            f"closes roads that {len(hit_waiting)} planned group(s) of "
            f"{sum(hit_waiting):,} people had yet to take"
        )
        result.plans.append((plan, why))
        result.events.append(
            TimelineEvent(
                report.observed_at,
                "replan",
                f"re-plan from {clock_text(replan_start, scenario.zone())}: {why}; "
                + _plan_line(plan, scenario.zone()),
            )
        )
    result.events += windows
    result.verdicts = _final_verdicts(scenario, relevant)
    for verdict in result.verdicts:
        result.events.append(
            TimelineEvent(
                verdict.window_end,
                "verdict",
                f"final: {verdict.outcome.value} (score {verdict.violation_score:.2f}, confidence "
                f"{verdict.confidence:.2f}, {len(verdict.evidence)} incident(s))",
                verdict.corridor_id,
            )
        )
    result.events.sort(key=lambda e: e.at)
    return result


def _relevant(
    scenario: Scenario,
    reports: Iterable[IncidentReport],
    networks: Mapping[TravelMode, RoadNetwork],
    result: ReplayResult,
) -> list[IncidentReport]:
    network = next(iter(networks.values()))
    index = link_index(network)
    lo_x, hi_x = network.node_x_m.min() - NEARBY_MARGIN_M, network.node_x_m.max() + NEARBY_MARGIN_M
    lo_y, hi_y = network.node_y_m.min() - NEARBY_MARGIN_M, network.node_y_m.max() + NEARBY_MARGIN_M
    kept: list[IncidentReport] = []
    for report in reports:
        if not scenario.start <= report.observed_at < scenario.end:
            result.reports_outside_horizon += 1
            continue
        if report.lat is None or report.lon is None:
            result.reports_elsewhere += 1
            continue
        x, y = index.projector.to_xy([report.lon], [report.lat])
        reach = report.radius_m
        if x[0] + reach < lo_x or x[0] - reach > hi_x or y[0] + reach < lo_y or y[0] - reach > hi_y:
            result.reports_elsewhere += 1
            continue
        kept.append(report)
    kept.sort(key=lambda r: (r.observed_at, r.feed, r.source_id))
    return kept


def _window_events(scenario: Scenario) -> list[TimelineEvent]:
    events: list[TimelineEvent] = []
    for corridor in scenario.corridors:
        if not corridor.is_in_force:
            events.append(
                TimelineEvent(
                    scenario.start,
                    "status",
                    f"{corridor.status.value}: not in force, no ceasefire",
                    corridor.id,
                )
            )
            continue
        for window in corridor.ceasefire_windows:
            if window.end <= scenario.start or window.start >= scenario.end:
                continue
            opens = max(window.start, scenario.start)
            until = clock_text(window.end, scenario.zone())
            events.append(
                TimelineEvent(opens, "status", f"ceasefire window opens (until {until})", corridor.id)
            )
            if window.end < scenario.end:
                events.append(TimelineEvent(window.end, "status", "ceasefire window ends", corridor.id))
    events.sort(key=lambda e: e.at)
    return events


def _corridor_windows(
    scenario: Scenario,
) -> Iterable[tuple[str, list[tuple[float, float]], float, dt.datetime, dt.datetime]]:
    """(id, route as lon/lat, buffer, window start, window end) of every corridor in force."""
    for corridor in scenario.corridors:
        if not corridor.is_in_force:
            continue
        route = [(w.lon, w.lat) for w in corridor.route]
        for window in corridor.ceasefire_windows:
            yield corridor.id, route, corridor.buffer_m, window.start, window.end


def _verdict_changes(
    scenario: Scenario,
    reports: Sequence[IncidentReport],
    report: IncidentReport,
    last: dict[tuple[str, dt.datetime], VerdictOutcome],
) -> list[TimelineEvent]:
    events: list[TimelineEvent] = []
    so_far = [r for r in reports if r.observed_at <= report.observed_at]
    for corridor_id, route, buffer_m, start, end in _corridor_windows(scenario):
        if not start <= report.observed_at < end:
            continue
        verdict = judge_corridor(corridor_id, route, start, end, merge_reports(so_far), buffer_m=buffer_m)
        key = (corridor_id, start)
        if last.get(key) is not verdict.outcome:
            last[key] = verdict.outcome
            events.append(
                TimelineEvent(
                    report.observed_at,
                    "verdict",
                    f"so far: {verdict.outcome.value} (score {verdict.violation_score:.2f}, "
                    f"confidence {verdict.confidence:.2f})",
                    corridor_id,
                )
            )
    return events


def _final_verdicts(scenario: Scenario, reports: Sequence[IncidentReport]) -> list[Verdict]:
    incidents = merge_reports(reports)
    return [
        judge_corridor(corridor_id, route, start, end, incidents, buffer_m=buffer_m)
        for corridor_id, route, buffer_m, start, end in _corridor_windows(scenario)
    ]


def _affected(
    scenario: Scenario,
    plan: Plan,
    hazard: Hazard,
    networks: Mapping[TravelMode, RoadNetwork],
    now: dt.datetime,
) -> tuple[list[int], list[str]]:
    """People per planned group that has yet to leave and would cross the closure, and a warning
    per origin for groups already on the road that would."""
    begin_s, end_s = closing_interval_s(hazard, scenario)
    begin = scenario.at(begin_s) if math.isfinite(begin_s) else now
    end = scenario.at(end_s) if math.isfinite(end_s) else scenario.end + dt.timedelta(days=3650)
    closed: dict[TravelMode, np.ndarray] = {}
    for mode, network in networks.items():
        index = link_index(network)
        closed[mode] = index.links_touching(area_shape(hazard.area, index.projector))
    waiting: list[int] = []
    moving: dict[str, list[tuple[int, dt.datetime]]] = {}
    for movement in plan.movements:
        network = networks[movement.mode]
        nodes = [network.node_index(n) for n in movement.path]
        for (u, v), entered_s in zip(itertools.pairwise(nodes), movement.entry_times_s, strict=False):
            link = network.find_link(u, v)
            entered = plan.at(entered_s)
            if link >= 0 and closed[movement.mode][link] and begin <= entered < end:
                if movement.departure >= now:
                    waiting.append(movement.people)
                else:
                    moving.setdefault(movement.origin, []).append((movement.people, entered))
                break
    zone = scenario.zone()
    warnings = [
        f"{len(groups)} group(s), {sum(p for p, _ in groups):,} people, already left {origin} and would "
        f"enter roads closed by {hazard.id} between {clock_text(min(t for _, t in groups), zone)} "
        f"and {clock_text(max(t for _, t in groups), zone)}: reach them and turn them back"
        for origin, groups in sorted(moving.items())
    ]
    return waiting, warnings


def _next_step(scenario: Scenario, moment: dt.datetime) -> dt.datetime:
    steps = math.ceil(scenario.seconds_since_start(moment) / scenario.time_step_s)
    return scenario.at(steps * scenario.time_step_s)


def _plan_line(plan: Plan, zone: dt.tzinfo) -> str:
    unserved = sum(u.people for u in plan.unserved)
    return (
        f"clearance {plan.clearance_time_s / 60:.0f} min after {clock_text(plan.start, zone)} "
        f"(bound {plan.lower_bound_s / 60:.0f} min), {plan.evacuated:,} people in "
        f"{len(plan.movements):,} groups" + (f", {unserved:,} unserved" if unserved else "")
    )


def _report_line(report: IncidentReport, closing: bool) -> str:
    effect = "closes roads within" if closing else "adds risk within"
    return (
        f"{report.kind.value} reported by {report.source_name or report.feed} "
        f"({report.source_type.value}, {report.verification.value}); {effect} "
        f"{max(report.radius_m, MIN_REPORT_RADIUS_M):,.0f} m"
        + (f": {report.description}" if report.description else "")
    )
