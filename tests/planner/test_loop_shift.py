"""Loops of a flow turned into later departures (``loop_shift``), checked by hand and at random.

The most roundabout flow (greatest road time at T*, a min-cost flow with negated travel costs)
circles blocks wherever it can; the shift must take every such loop out where the later links
have room, keep each origin's people, each path's destination and arrival step (so the clearance),
every capacity, and give a plan ``check-plan`` accepts.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings

from safepassage.planner.assemble import build_plan, groups_from_paths
from safepassage.planner.check import check_plan
from safepassage.planner.decompose import FlowPaths, decompose_flow, merge_identical_paths
from safepassage.planner.flow_search import quickest_clearance
from safepassage.planner.loop_shift import depart_later_over_all_loops, revisiting_static_nodes
from safepassage.planner.min_cost import solve_min_cost_flow
from safepassage.planner.plan_file import SolverInfo
from safepassage.planner.problem import build_problem
from safepassage.planner.static_graph import build_static_graph
from safepassage.planner.tidy import travel_costs, with_source_capacity
from safepassage.planner.time_expansion import ARRIVE, SOURCE, StepModel, expand

from .solver_scenarios import blockage, drive_networks, scenario_on
from .test_solver_random import HORIZON, STEP_S, static_graphs

RES = {"highway": "residential"}

# b-d is closed for the first ten minutes; a-p-q-b-a is a block to circle on the way from o.
BLOCK = """
o-a---b----d
  |   |
  p---q
"""
WAYS = [("oabd", RES), ("ap", RES), ("pq", RES), ("qb", RES)]


def _flow_after(net, paths: FlowPaths) -> np.ndarray:
    flow = np.zeros(net.arc_count, dtype=np.int64)
    np.add.at(flow, paths.arcs, np.repeat(paths.people, np.diff(paths.indptr)))
    return flow


def _arrivals(net, paths: FlowPaths) -> list[tuple[int, int, int]]:
    """Sorted (origin, arrival step, people) of every path."""
    out = []
    for i in range(paths.count):
        arcs = paths.path(i)
        origin = int(net.ref[arcs[net.kind[arcs] == SOURCE][0]])
        step = int(net.time[arcs[net.kind[arcs] == ARRIVE][0]])
        out.append((origin, step, int(paths.people[i])))
    return sorted(out)


def _people_by_origin(net, paths: FlowPaths) -> dict[int, int]:
    out: dict[int, int] = {}
    for origin, _, people in _arrivals(net, paths):
        out[origin] = out.get(origin, 0) + people
    return out


def _last_arrival(net, paths: FlowPaths) -> int:
    return max(step for _, step, _ in _arrivals(net, paths))


def _received(net, paths: FlowPaths) -> dict[int, int]:
    out: dict[int, int] = {}
    for i in range(paths.count):
        arcs = paths.path(i)
        dest = int(net.ref[arcs[net.kind[arcs] == ARRIVE][0]])
        out[dest] = out.get(dest, 0) + int(paths.people[i])
    return out


def test_a_flow_circling_the_block_departs_later_instead(ascii_network):
    drawn = ascii_network(BLOCK, WAYS)
    scenario = scenario_on(
        drawn,
        [("o", "o", 45)],
        [("d", "d", 100)],
        blockages=[blockage("military convoy", "b", "d", until="08:10")],
    )
    networks = drive_networks(drawn)
    problem = build_problem(scenario, networks)
    graph = build_static_graph(problem, contract=True, split_shared=False)
    model = StepModel(problem.step_s)
    search = quickest_clearance(graph, model, 60)
    assert search.times is not None
    # By hand: b-d (48 s) opens at step 10 (08:10) and takes 1 step; 10 people per step enter it in
    # steps 10..14, so the last of the 45 arrive in step 15 = T*.
    assert search.horizon_steps == 15
    net = with_source_capacity(
        expand(graph, model, search.horizon_steps, search.times), search.solution.served_by_origin(1)
    )
    roundabout = solve_min_cost_flow(net, -travel_costs(net, search.times.transit), 45)
    before = decompose_flow(net, roundabout)
    assert revisiting_static_nodes(net, before, graph.arc_head).sum() > 0  # it circles the block

    after, removed = depart_later_over_all_loops(net, before, graph.arc_head)
    assert removed > 0
    assert revisiting_static_nodes(net, after, graph.arc_head).sum() == 0
    assert (_flow_after(net, after) <= net.capacity).all()
    # Same people per origin and destination; nobody arrives later, so the clearance stays step 15.
    assert _people_by_origin(net, after) == _people_by_origin(net, before) == {0: 45}
    assert _received(net, after) == _received(net, before)
    assert _last_arrival(net, after) == _last_arrival(net, before) == 15

    groups = groups_from_paths(problem, graph, net, merge_identical_paths(after), model.step_ms)
    plan = build_plan(
        problem,
        groups,
        np.zeros(len(groups)),
        lower_bound_s=0.0,
        unserved=[],
        solver=SolverInfo(mode="fast", wall_time_s=0.0, details={}),
    )
    assert check_plan(scenario, plan, networks=networks) == []
    assert plan.clearance_time_s == 15 * 60.0
    assert plan.evacuated == 45
    # Everyone drives o-a-b-d, or round the block once (o-a-p-q-b-d: the roundabout flow's
    # longest route without a loop), entering b-d in steps 10..14 (at most 10 a step): nobody circles.
    routes = {tuple(m.path) for m in plan.movements}
    assert routes <= {tuple(drawn.osm_id(c) for c in "oabd"), tuple(drawn.osm_id(c) for c in "oapqbd")}
    entries = Counter(m.entry_times_s[-2] for m in plan.movements for _ in range(m.people))
    assert min(entries) >= 600.0
    assert max(entries) <= 14 * 60.0
    assert max(entries.values()) <= 10


@settings(max_examples=40, deadline=None)
@given(static_graphs())
def test_shifting_loops_keeps_people_arrivals_and_capacities(g):
    result = quickest_clearance(g, StepModel(STEP_S), HORIZON)
    if result.servable == 0:
        return
    assert result.times is not None
    served = result.solution.served_by_origin(g.origin_node.size)
    net = with_source_capacity(expand(g, StepModel(STEP_S), result.horizon_steps, result.times), served)
    flow = solve_min_cost_flow(net, -travel_costs(net, result.times.transit), result.servable)
    before = decompose_flow(net, flow)
    after, removed = depart_later_over_all_loops(net, before, g.arc_head)
    rebuilt = _flow_after(net, after)
    assert (rebuilt <= net.capacity).all()
    assert (rebuilt >= 0).all()
    assert _people_by_origin(net, after) == _people_by_origin(net, before)
    assert _received(net, after) == _received(net, before)
    assert _last_arrival(net, after) <= _last_arrival(net, before) <= result.horizon_steps
    assert int(after.people.sum()) == result.servable
    # Fewer paths entering a node twice, one fewer loop per shift at least, never more arcs.
    loops_before = int(revisiting_static_nodes(net, before, g.arc_head).sum())
    loops_after = int(revisiting_static_nodes(net, after, g.arc_head).sum())
    assert loops_after <= loops_before
    assert (removed == 0) == (after.arcs.size == before.arcs.size)
    # Each path is still a source-to-sink path moving forward in time, flow conserved at every node.
    balance = np.zeros(net.node_count, dtype=np.int64)
    np.add.at(balance, net.tail, rebuilt)
    np.subtract.at(balance, net.head, rebuilt)
    balance[[net.source, net.sink]] = 0
    assert not balance.any()
    again = decompose_flow(net, rebuilt)
    assert int(again.people.sum()) == result.servable
    merged = merge_identical_paths(after)
    assert np.array_equal(_flow_after(net, merged), rebuilt)
