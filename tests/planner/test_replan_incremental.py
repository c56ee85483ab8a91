"""Incremental re-plan on drawn networks: groups the incident does not hit stay as planned, the others
are planned again on the road capacity left, worked out by hand; and invariants on random instances.

Capacities: 10 people per 60 s step on every residential street (``solver_scenarios``); 100 m takes
12 s. The plans use one-minute model steps (``substeps=1``) so the arithmetic stays by hand.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asciimap import AsciiNetwork, write_ascii_network
from safepassage.network import RoadNetwork
from safepassage.planner import plan_evacuation, replan
from safepassage.planner.check import check_plan
from safepassage.planner.plan_file import Movement, Plan
from safepassage.planner.replan import remaining_scenario, replan_start
from safepassage.scenario import Scenario
from safepassage.scenario.model import Hazard
from safepassage.scenario.vocabulary import TravelMode

from .solver_scenarios import drive_networks, scenario_on

RES = {"highway": "residential"}

# Direct street o-a-d (400 m, 48 s: 1 step); detour o-p-d (800 m by q, which is no junction: 96 s, 2 steps).
SQUARE = """
o-a-d
|   |
p---q
"""
SQUARE_WAYS = [("oa", RES), ("ad", RES), ("op", RES), ("pqd", RES)]

GRID = """
a---b---c
|   |   |
d---e---f
|   |   |
g---h---i
"""
GRID_WAYS = [("abc", RES), ("def", RES), ("ghi", RES), ("adg", RES), ("beh", RES), ("cfi", RES)]


def shelling(drawn: AsciiNetwork, node: str, when: dt.datetime, radius_m: float = 40.0) -> Hazard:
    """A verified UN shelling report at a drawn node: it closes the links touching it from ``when``."""
    return Hazard.model_validate(
        {
            "id": f"shelling-{node}",
            "kind": "shelling",
            "area": {"lat": drawn.lat(node), "lon": drawn.lon(node), "radius_m": radius_m},
            "observed_at": when.isoformat(),
            "source": {"name": "UN field report", "type": "un"},
            "verification": "verified",
        }
    )


def _plan(scenario: Scenario, networks: dict[TravelMode, RoadNetwork]) -> Plan:
    plan = plan_evacuation(scenario, networks=networks, substeps=1)
    assert check_plan(scenario, plan, networks=networks) == []
    return plan


def _remaining(scenario: Scenario, plan: Plan, new: Plan, incident: Hazard) -> Scenario:
    return remaining_scenario(scenario, plan, new.start, [*scenario.hazards, incident])


def _shifted(m: Movement, by_s: float) -> tuple[str, str, int, tuple[int, ...], tuple[float, ...]]:
    return (
        m.origin,
        m.destination,
        m.people,
        tuple(m.path),
        tuple(round(t - by_s, 3) for t in m.entry_times_s),
    )


def _key(m: Movement) -> tuple[str, str, int, tuple[int, ...], tuple[float, ...]]:
    return _shifted(m, 0.0)


def test_hit_groups_take_the_detour_after_the_kept_ones(ascii_network: Any) -> None:
    drawn = ascii_network(SQUARE, SQUARE_WAYS)
    networks = drive_networks(drawn)
    scenario = scenario_on(drawn, [("o", "o", 50)], [("d", "d", 100)])
    plan = _plan(scenario, networks)
    o, a, d, p = ord("o"), ord("a"), ord("d"), ord("p")
    # Old plan: the direct street takes departures 0, 1, 2 (10 each), the detour 0 and 1: by step 3.
    assert plan.clearance_time_s == 180.0
    assert sorted((m.path[1], m.departure_s) for m in plan.movements) == [
        (a, 0.0),
        (a, 60.0),
        (a, 120.0),
        (p, 0.0),
        (p, 60.0),
    ]
    now = scenario.at(30.0)  # the shelling at a is reported at 08:00:30; the re-plan starts at 08:01
    incident = shelling(drawn, "a", now)
    new = replan(plan, incident, now, scenario=scenario, networks=networks, substeps=1)

    assert new.start == scenario.at(60.0)
    assert check_plan(_remaining(scenario, plan, new, incident), new, networks=networks) == []
    details = new.solver.details["replan"]
    assert isinstance(details, dict)
    # On the road at 08:01: the detour group of departure 0 (arrives at 120 s); the direct group of
    # departure 0 arrived at 60 s. Kept: the detour group of departure 60 (now 0). Hit: the direct
    # groups of departures 60 and 120 (20 people): planned again.
    assert details["groups_kept_on_the_road"] == 1
    assert details["groups_kept_as_planned"] == 1
    assert details["people_replanned"] == 20
    assert new.people_total == 30
    assert new.evacuated == 30
    assert new.unserved == []
    kept = [m for m in new.movements if m.departure_s == 0.0]
    assert [(_key(m)) for m in kept] == [
        _shifted(next(m for m in plan.movements if m.path[1] == p and m.departure_s == 60.0), 60.0)
    ]
    # The kept group fills the detour's first street in step 0, so the hit people leave in steps 1
    # and 2 (10 each) and arrive 2 steps later: 240 s after the re-plan's start.
    again = sorted((m for m in new.movements if m.departure_s > 0.0), key=lambda m: m.departure_s)
    assert [(m.path, m.departure_s, m.people) for m in again] == [
        ([o, p, d], 60.0, 10),
        ([o, p, d], 120.0, 10),
    ]
    assert new.clearance_time_s == 240.0
    assert not any(a in m.path for m in new.movements)
    assert new.lower_bound_s <= new.clearance_time_s
    assert new.solver.mode == "bounded"


def test_an_incident_off_every_route_keeps_the_plan(ascii_network: Any) -> None:
    drawn = ascii_network(SQUARE, SQUARE_WAYS)
    networks = drive_networks(drawn)
    scenario = scenario_on(drawn, [("o", "o", 50)], [("d", "d", 100)])
    plan = _plan(scenario, networks)
    now = scenario.at(60.0)
    incident = shelling(drawn, "q", now)
    far = incident.model_dump(mode="json")
    far["area"]["lat"] = drawn.lat("q") - 0.01  # 1.1 km south of q: it touches no road
    incident = Hazard.model_validate(far)
    new = replan(plan, incident, now, scenario=scenario, networks=networks, substeps=1)
    assert check_plan(_remaining(scenario, plan, new, incident), new, networks=networks) == []
    details = new.solver.details["replan"]
    assert isinstance(details, dict)
    assert details["groups_hit"] == 0
    assert details["people_replanned"] == 0
    waiting = [m for m in plan.movements if m.departure_s >= 60.0]
    assert sorted(_key(m) for m in new.movements) == sorted(_shifted(m, 60.0) for m in waiting)
    assert new.clearance_time_s == plan.clearance_time_s - 60.0


def test_an_origin_cut_off_by_the_incident_is_unserved_with_the_reason(ascii_network: Any) -> None:
    drawn = ascii_network("o-a-d", [("oa", RES), ("ad", RES)])
    networks = drive_networks(drawn)
    scenario = scenario_on(drawn, [("o", "o", 40)], [("d", "d", 100)])
    plan = _plan(scenario, networks)
    now = scenario.at(60.0)
    incident = shelling(drawn, "a", now)
    new = replan(plan, incident, now, scenario=scenario, networks=networks, substeps=1)
    assert check_plan(_remaining(scenario, plan, new, incident), new, networks=networks) == []
    assert new.movements == []
    assert [(u.origin, u.people) for u in new.unserved] == [("o", 30)]
    assert "cut off" in new.unserved[0].reason
    assert "shelling-a" in new.unserved[0].reason


def test_replan_refuses_an_unknown_mode(ascii_network: Any) -> None:
    drawn = ascii_network("o-a-d", [("oa", RES), ("ad", RES)])
    networks = drive_networks(drawn)
    scenario = scenario_on(drawn, [("o", "o", 10)], [("d", "d", 100)])
    plan = _plan(scenario, networks)
    from safepassage.errors import InputError

    with pytest.raises(InputError, match="not a planning mode"):
        replan(
            plan,
            shelling(drawn, "a", scenario.start),
            scenario.start,
            scenario=scenario,
            networks=networks,
            mode="quick",
        )  # type: ignore[arg-type]


# --- invariants on random instances -------------------------------------------------------------


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> tuple[AsciiNetwork, dict[TravelMode, RoadNetwork]]:
    drawn = write_ascii_network(Path(tmp_path_factory.mktemp("grid")), GRID, GRID_WAYS)
    return drawn, drive_networks(drawn)


def _hops(movements: list[Movement], shift_s: float, from_s: float) -> Counter[tuple[int, int, int]]:
    counts: Counter[tuple[int, int, int]] = Counter()
    for m in movements:
        for i in range(len(m.path) - 1):
            t = m.entry_times_s[i] + shift_s
            if t >= from_s:
                counts[(m.path[i], m.path[i + 1], int(t // 60.0 + 1e-9))] += m.people
    return counts


@settings(max_examples=50, deadline=None)
@given(
    people=st.tuples(st.integers(0, 60), st.integers(0, 60), st.integers(0, 30)),
    where=st.sampled_from("bdefh"),
    fraction=st.floats(0.0, 0.9),
    keep=st.booleans(),
    mode=st.sampled_from(["exact", "fast"]),
)
def test_replan_conserves_people_keeps_groups_on_the_road_and_capacity(
    grid: tuple[AsciiNetwork, dict[TravelMode, RoadNetwork]],
    people: tuple[int, int, int],
    where: str,
    fraction: float,
    keep: bool,
    mode: str,
) -> None:
    drawn, networks = grid
    scenario = scenario_on(
        drawn,
        [("oa", "a", people[0]), ("oc", "c", people[1]), ("ob", "b", people[2])],
        [("dg", "g", 60), ("di", "i", 200)],
    )
    plan = plan_evacuation(scenario, networks=networks, substeps=1)
    now = scenario.at(round(plan.clearance_time_s * fraction, 3))
    incident = shelling(drawn, where, now)
    new = replan(plan, incident, now, scenario=scenario, networks=networks, mode=mode, keep_unaffected=keep)  # type: ignore[arg-type]

    start = replan_start(scenario, now)
    shift_s = scenario.seconds_since_start(start)
    remaining = _remaining(scenario, plan, new, incident)
    assert check_plan(remaining, new, networks=networks) == []
    # People: everyone not yet gone is kept, planned again or unserved, exactly once per origin.
    gone = Counter[str]()
    for m in plan.movements:
        if m.departure_s < shift_s:
            gone[m.origin] += m.people
    moved = Counter[str]()
    for m in new.movements:
        moved[m.origin] += m.people
    lost = Counter({u.origin: u.people for u in new.unserved})
    for origin in scenario.origins:
        assert gone[origin.id] + moved[origin.id] + lost[origin.id] == origin.people
    details = new.solver.details["replan"]
    assert isinstance(details, dict)
    assert (
        int(details["people_kept_as_planned"])
        + int(details["people_replanned"])
        + int(details["people_left_unserved_before"])
        == new.people_total
    )
    # Groups not hit are in the new plan unchanged (times from the new start).
    new_keys = Counter(_key(m) for m in new.movements)
    waiting = [m for m in plan.movements if m.departure_s >= shift_s]
    unchanged = sum(1 for m in waiting if new_keys[_shifted(m, shift_s)] > 0)
    assert unchanged >= int(details["groups_kept_as_planned"])
    # With the groups on the road added back, no link takes more than its capacity in any step.
    on_road = [m for m in plan.movements if m.departure_s < shift_s]
    together = _hops(on_road, 0.0, shift_s) + _hops(new.movements, shift_s, shift_s)
    assert max(together.values(), default=0) <= 10
    # Nothing of the new plan enters the shelled junction (every link touching it is closed).
    assert all(ord(where) not in m.path for m in new.movements)
    assert new.lower_bound_s <= new.clearance_time_s


def test_a_prepared_index_gives_the_same_replan_and_must_be_the_plans(ascii_network: Any) -> None:
    from safepassage.errors import InputError
    from safepassage.planner.residual import index_plan

    drawn = ascii_network(SQUARE, SQUARE_WAYS)
    networks = drive_networks(drawn)
    scenario = scenario_on(drawn, [("o", "o", 50)], [("d", "d", 100)])
    plan = _plan(scenario, networks)
    now = scenario.at(30.0)
    incident = shelling(drawn, "a", now)
    index = index_plan(plan, networks)
    cold = replan(plan, incident, now, scenario=scenario, networks=networks, substeps=1)
    warm = replan(plan, incident, now, scenario=scenario, networks=networks, substeps=1, index=index)
    assert warm.movements == cold.movements
    other = plan.model_copy()
    with pytest.raises(InputError, match="another plan"):
        replan(other, incident, now, scenario=scenario, networks=networks, index=index)
