"""Property tests of the checker on a real (drawn) line network: random valid hand plans pass, and a
random perturbation that breaks one rule is always caught with that rule's sentence.

The line (125 m cells, residential streets: 500 m and 60 s per link, 20.83 people per minute)::

    a . b . c . d . e . f

Every group leaves ``a`` at a whole minute and takes one minute per link to ``f``. Groups leaving in
the same minute enter every link in the same step, so a plan is valid when each departure minute
carries at most 20 people.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asciimap import AsciiNetwork, write_ascii_network
from safepassage.network import RoadNetwork, load_network
from safepassage.planner.check import check_plan
from safepassage.planner.plan_file import EdgeUse, Movement, Plan, ScenarioRef, SolverInfo, plan_gap
from safepassage.scenario import Scenario, TravelMode

LINE = "abcdef"
STEP_S = 60.0
CAPACITY = 20  # whole people per step on every link (20.83 by the capacity model)

START = dt.datetime(2022, 3, 5, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))


@pytest.fixture(scope="module")
def line(tmp_path_factory: pytest.TempPathFactory) -> tuple[AsciiNetwork, RoadNetwork]:
    drawn = write_ascii_network(
        tmp_path_factory.mktemp("line"),
        "a . b . c . d . e . f",
        [(a + b, {"highway": "residential"}) for a, b in itertools.pairwise(LINE)],
        grid_m=125.0,
    )
    return drawn, load_network(drawn.path, TravelMode.DRIVE)


def scenario_for(drawn: AsciiNetwork, people: int, capacity: int, **extra: Any) -> Scenario:
    return Scenario.model_validate(
        {
            "name": "line",
            "network": {"path": str(drawn.path)},
            "start": START.isoformat(),
            "horizon": "PT3H",
            "time_step_s": int(STEP_S),
            "origins": [
                {"id": "a", "name": "A", "lat": drawn.lat("a"), "lon": drawn.lon("a"), "people": people}
            ],
            "destinations": [
                {"id": "f", "name": "F", "lat": drawn.lat("f"), "lon": drawn.lon("f"), "capacity": capacity}
            ],
            **extra,
        }
    )


def line_plan(
    drawn: AsciiNetwork, network: RoadNetwork, groups: list[tuple[int, int]], bound_s: float
) -> Plan:
    """Groups ``(departure minute, people)`` from a to f; header and edges consistent with them."""
    path = [drawn.osm_id(c) for c in LINE]
    movements = [
        Movement(
            origin="a",
            destination="f",
            people=people,
            mode=TravelMode.DRIVE,
            departure=START + dt.timedelta(minutes=minute),
            path=path,
            entry_times_s=[(minute + i) * STEP_S for i in range(len(path))],
        )
        for minute, people in groups
    ]
    capacity = network.capacity_people_per_step(scenario_for(drawn, 1, 1).capacity, STEP_S)
    edges = []
    for u, v in itertools.pairwise(path):
        link = network.find_link(network.node_index(u), network.node_index(v))
        edges.append(
            EdgeUse(
                u=u,
                v=v,
                capacity_per_step=float(capacity[link]),
                travel_time_s=float(network.link_travel_time_s[link]),
            )
        )
    clearance = max((m.arrival_s for m in movements), default=0.0)
    moved = sum(p for _, p in groups)
    return Plan(
        scenario=ScenarioRef(name="line", sha256=""),
        start=START,
        time_step_s=STEP_S,
        clearance_time_s=clearance,
        lower_bound_s=min(bound_s, clearance),
        gap=plan_gap(clearance, min(bound_s, clearance)),
        people_total=moved,
        evacuated=moved,
        movements=movements,
        edges=edges,
        solver=SolverInfo(mode="hand"),
    )


# departure minute -> people leaving in that minute (at most the capacity), split into 1-3 groups
departures = st.dictionaries(st.integers(0, 30), st.integers(1, CAPACITY), min_size=1, max_size=8)


@st.composite
def valid_groups(draw: st.DrawFn) -> list[tuple[int, int]]:
    groups: list[tuple[int, int]] = []
    for minute, total in sorted(draw(departures).items()):
        cuts = sorted(draw(st.sets(st.integers(1, total - 1), max_size=2)) if total > 1 else set())
        bounds = [0, *cuts, total]
        groups.extend((minute, b - a) for a, b in itertools.pairwise(bounds))
    return groups


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(groups=valid_groups(), slack=st.integers(0, 50), bound_fraction=st.floats(0.0, 1.0))
def test_random_valid_plans_pass(
    line: tuple[AsciiNetwork, RoadNetwork], groups: list[tuple[int, int]], slack: int, bound_fraction: float
) -> None:
    drawn, network = line
    people = sum(p for _, p in groups)
    plan = line_plan(drawn, network, groups, bound_s=bound_fraction * 1e9)
    scenario = scenario_for(drawn, people, people + slack)
    assert check_plan(scenario, plan, networks={TravelMode.DRIVE: network}) == []


RULES = ("capacity", "teleport", "conservation", "reception", "bound", "closure", "jump")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(groups=valid_groups(), rule=st.sampled_from(RULES), data=st.data())
def test_random_breakage_is_caught(
    line: tuple[AsciiNetwork, RoadNetwork], groups: list[tuple[int, int]], rule: str, data: st.DataObject
) -> None:
    drawn, network = line
    people = sum(p for _, p in groups)
    victim = data.draw(st.integers(0, len(groups) - 1), label="group")
    hop = data.draw(st.integers(1, len(LINE) - 2), label="node")
    plan = line_plan(drawn, network, groups, bound_s=0.0)
    scenario_people, reception, extra = people, people, {}
    movements = list(plan.movements)
    moving = movements[victim]
    if rule == "capacity":
        minute = groups[victim][0]
        already = sum(p for m, p in groups if m == minute)
        more = CAPACITY + 1 - already
        movements[victim] = moving.model_copy(update={"people": moving.people + more})
        scenario_people = reception = people + more
        expected = "more than its capacity of 20.83 people per step"
    elif rule == "teleport":
        times = list(moving.entry_times_s)
        times[hop] -= data.draw(st.integers(1, 59), label="seconds early")
        movements[victim] = moving.model_copy(update={"entry_times_s": times})
        expected = "a group cannot travel faster than the road allows"
    elif rule == "conservation":
        del movements[victim]
        expected = "expected every person moved or unserved exactly once"
    elif rule == "reception":
        reception = people - 1
        expected = f"receives {people} people, more than its reception capacity of {people - 1}"
    elif rule == "bound":
        plan = plan.model_copy(update={"lower_bound_s": plan.clearance_time_s + STEP_S, "gap": None})
        expected = "a plan cannot beat a proven bound"
    elif rule == "closure":
        u, v = LINE[hop], LINE[hop + 1]
        entered = START + dt.timedelta(seconds=moving.entry_times_s[hop])
        extra = {
            "blockages": [
                {
                    "id": "roadblock",
                    "reason": "checkpoint",
                    "links": [[drawn.osm_id(u), drawn.osm_id(v)]],
                    "from": entered.isoformat(),
                    "until": (entered + dt.timedelta(minutes=1)).isoformat(),
                }
            ]
        }
        expected = "while it is closed: blockage roadblock (checkpoint)"
    else:  # skip a node: the group jumps between two nodes no road joins
        path = [n for i, n in enumerate(moving.path) if i != hop]
        times = [t for i, t in enumerate(moving.entry_times_s) if i != hop]
        movements[victim] = moving.model_copy(update={"path": path, "entry_times_s": times})
        expected = "no road link from node"
    plan = plan.model_copy(update={"movements": movements})
    scenario = scenario_for(drawn, scenario_people, reception, **extra)
    found = check_plan(scenario, plan, networks={TravelMode.DRIVE: network})
    assert any(expected in f for f in found), (rule, found)
