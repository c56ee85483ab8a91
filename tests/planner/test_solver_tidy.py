"""Tidy plans: people wait at their pickup point rather than drive round a block to pass time.

Compares the planner with the tidy min-cost pass (default) and without it (``tidy_arc_budget=0``,
where only loops back to the pickup point are turned into waiting). Both must pass the
independent checker and clear at the same time; the tidy plan spends no more time on the road.
"""

from __future__ import annotations

import importlib.resources
import statistics
from pathlib import Path

import numpy as np
import pytest

from safepassage.planner import plan_evacuation
from safepassage.planner.check import check_plan
from safepassage.planner.plan_file import Plan
from safepassage.scenario import load_scenario

from .solver_scenarios import blockage, drive_networks, scenario_on

RES = {"highway": "residential"}

# The street a-d is closed for the first ten minutes; o-p-q-a is a block people could circle.
BLOCK = """
o---a-----d
|   |
p---q
"""
BLOCK_WAYS = [("oad", RES), ("op", RES), ("pq", RES), ("qa", RES)]


def _road_person_s(plan: Plan) -> float:
    return sum(m.people * (m.arrival_s - m.departure_s) for m in plan.movements)


def _revisiting(plan: Plan) -> list[list[int]]:
    return [m.path for m in plan.movements if len(set(m.path)) < len(m.path)]


def _returns_to_origin(plan: Plan) -> int:
    return sum(1 for m in plan.movements if m.path[0] in m.path[1:])


@pytest.mark.parametrize("substeps", [1, 4])
def test_people_wait_at_the_pickup_point_until_the_street_opens(ascii_network, substeps):
    drawn = ascii_network(BLOCK, BLOCK_WAYS)
    a, d = ord("a"), ord("d")
    scenario = scenario_on(
        drawn,
        [("o", "o", 45)],
        [("d", "d", 100)],
        blockages=[blockage("military convoy", "a", "d", until="08:10")],
    )
    networks = drive_networks(drawn)
    tidy = plan_evacuation(scenario, networks=networks, substeps=substeps)
    untidy = plan_evacuation(scenario, networks=networks, substeps=substeps, tidy_arc_budget=0)
    for plan in (tidy, untidy):
        assert check_plan(scenario, plan, networks=networks) == []
        assert plan.evacuated == 45
        assert _returns_to_origin(plan) == 0  # loops back home always become waiting
    assert tidy.solver.details["tidy_pass"]["ran"] is True
    assert untidy.solver.details["tidy_pass"]["ran"] is False
    # By hand (substeps=1): a-d opens at step 10 and takes 2 steps; 10 people per step enter it
    # in steps 10..14, the last arrive at step 16 = 960 s. The tidy plan is as quick.
    if substeps == 1:
        assert tidy.clearance_time_s == 960.0
    assert tidy.clearance_time_s == untidy.clearance_time_s
    # Everyone takes the direct street o-a-d, waiting at o instead of circling the block.
    assert {tuple(m.path) for m in tidy.movements} == {(ord("o"), a, d)}
    assert _revisiting(tidy) == []
    assert min(m.departure_s for m in tidy.movements) >= 600.0 - 60.0  # o-a: 48 s, one whole step
    assert _road_person_s(tidy) < _road_person_s(untidy)
    # Without the tidy pass the flow circles the block; those loops were cut into waiting.
    assert untidy.solver.details["movements"]["loops_turned_into_waiting"] > 0
    assert tidy.solver.details["movements"]["revisiting_a_node"] == 0


@pytest.mark.slow
def test_helsinki_demo_tidy_plan_is_as_quick_with_short_paths():
    path = Path(str(importlib.resources.files("safepassage.demo").joinpath("helsinki.yaml")))
    if not path.is_file():
        pytest.skip("the demo scenario is not bundled")
    scenario = load_scenario(path)
    tidy = plan_evacuation(scenario)
    untidy = plan_evacuation(scenario, tidy_arc_budget=0)
    for plan in (tidy, untidy):
        assert check_plan(scenario, plan) == []
        assert plan.evacuated == plan.people_total
        assert _returns_to_origin(plan) == 0
    assert tidy.clearance_time_s == untidy.clearance_time_s
    assert tidy.solver.details["tidy_pass"]["ran"] is True
    assert _road_person_s(tidy) < _road_person_s(untidy)
    assert len(tidy.movements) < len(untidy.movements)
    # Before the tidy pass (measured): 527 of 1,291 movements revisited nodes, paths up to 489
    # nodes. The tidy pass leaves nine one-person U-turns (the capacity of later links at quarter
    # steps forces them, and waiting on the way is not allowed); ``loops.skip_loops`` then drives
    # the street into each U-turn slower instead (within one time step of its free-flow time), so
    # the demo's plan has no movement revisiting a node (issue 11).
    revisiting = _revisiting(tidy)
    assert revisiting == []
    assert tidy.solver.details["movements"]["loops_skipped_by_a_slower_hop"] > 0
    assert tidy.solver.details["movements"]["revisiting_a_node"] == len(revisiting)
    lengths = [len(m.path) for m in tidy.movements]
    assert max(lengths) < 2 * statistics.median(lengths) + 10
    # Without the tidy pass, loops are shifted into later departures where the later links have
    # room (``loop_shift``); measured: 93 of 1,148 movements still revisit a node (203 before).
    assert untidy.solver.details["movements"]["revisiting_a_node"] == len(_revisiting(untidy)) <= 100


def test_a_loop_is_skipped_by_driving_the_street_into_it_slower(ascii_network):
    # A hand-made group: a -> b -> c -> b -> d, the U-turn b-c-b taking 20 s. The hop a -> b (200 m,
    # free flow 24 s) may take up to 24 + 60 s, so the group drives a -> b in 32 s instead and goes
    # on from b at the same instant as before.
    from safepassage.planner.assemble import Group
    from safepassage.planner.loops import skip_loops
    from safepassage.planner.problem import build_problem

    from .solver_scenarios import drive_networks, scenario_on

    drawn = ascii_network(
        "a-b-c\n  |\n  d", [("abc", {"highway": "residential"}), ("bd", {"highway": "residential"})]
    )
    scenario = scenario_on(drawn, [("a", "a", 1)], [("d", "d", 10)])
    networks = drive_networks(drawn)
    problem = build_problem(scenario, networks)
    net = problem.layers[0].network
    node = {c: net.node_index(drawn.osm_id(c)) for c in "abcd"}
    link = {pair: net.find_link(node[pair[0]], node[pair[1]]) for pair in ("ab", "bc", "cb", "bd")}
    nodes = np.array([node[c] for c in "abcbd"])
    loop = Group(
        0,
        0,
        1,
        0,
        nodes,
        np.array([link[k] for k in ("ab", "bc", "cb", "bd")]),
        np.array([0, 12_000, 22_000, 32_000, 44_000]),
    )
    (fixed,), removed = skip_loops(problem, [loop])
    assert removed == 1
    assert fixed.nodes.tolist() == [node[c] for c in "abd"]
    assert fixed.links.tolist() == [link["ab"], link["bd"]]
    assert fixed.entry_times_ms.tolist() == [0, 32_000, 44_000]
    times = np.array([0, 12_000, 50_000, 90_000, 102_000])  # a -> b takes 90 s > 24 + 60 s
    too_long = Group(0, 0, 1, 0, nodes, loop.links, times)
    (kept,), removed = skip_loops(problem, [too_long])
    assert removed == 0
    assert kept is too_long
