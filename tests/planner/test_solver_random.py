"""Random small networks: the numpy-built, pruned time expansion and the max-flow search agree with an
independent formulation — a time-expanded network built naively with Python loops (no pruning, no
contraction) and solved with networkx max-flow, probing every horizon in turn.

Also: the relaxation behind the lower bound never exceeds the plan model's optimum, the path
decomposition gives back exactly the flow, and the tidy pass (networkx min-cost flow on the same
naive network) and the loop cutting keep flows valid.
"""

from __future__ import annotations

import math
from dataclasses import replace

import networkx as nx
import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from safepassage.planner.decompose import decompose_flow
from safepassage.planner.flow_search import FlowSolution, quickest_clearance
from safepassage.planner.min_cost import solve_min_cost_flow
from safepassage.planner.static_graph import StaticGraph
from safepassage.planner.tidy import (
    depart_later_over_loops,
    travel_costs,
    wait_instead_of_loops,
    with_source_capacity,
)
from safepassage.planner.time_expansion import (
    ARRIVE,
    DEPART,
    LINK,
    SOURCE,
    StepModel,
    expand,
    substep_capacity,
)
from safepassage.planner.time_grid import ms_down, ms_up

STEP_S = 60.0


@st.composite
def static_graphs(draw: st.DrawFn) -> StaticGraph:
    n = draw(st.integers(2, 6))
    m = draw(st.integers(1, 10))
    tails = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    heads = [(t + draw(st.integers(1, n - 1))) % n for t in tails]
    travel = draw(st.lists(st.floats(5.0, 200.0), min_size=m, max_size=m))
    capacity = draw(st.lists(st.integers(0, 6), min_size=m, max_size=m))
    k = draw(st.integers(0, 4))
    c_arc = draw(st.lists(st.integers(0, m - 1), min_size=k, max_size=k))
    # Whole seconds: the solver treats an instant within 1e-9 steps of a closure's start as closed
    # (the safe side); the naive oracle compares exactly, so sub-nanosecond starts would differ.
    c_from = draw(st.lists(st.integers(-100, 600).map(float), min_size=k, max_size=k))
    c_len = draw(
        st.lists(st.one_of(st.integers(1, 400).map(float), st.just(math.inf)), min_size=k, max_size=k)
    )
    origins = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, 25)), min_size=1, max_size=3))
    dests = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, 40)), min_size=1, max_size=2))
    return StaticGraph(
        node_count=n,
        arc_tail=np.array(tails, dtype=np.int64),
        arc_head=np.array(heads, dtype=np.int64),
        arc_layer=np.zeros(m, dtype=np.int64),
        arc_travel_ms=ms_up(np.array(travel)),
        arc_travel_lo_ms=ms_down(np.array(travel)),
        arc_capacity=np.array(capacity, dtype=np.int64),
        arc_first_capacity_raw=np.array(capacity, dtype=np.float64),
        chain_indptr=np.arange(m + 1, dtype=np.int64),
        chain_link=np.arange(m, dtype=np.int64),
        chain_offset_ms=np.zeros(m, dtype=np.int64),
        closure_arc=np.array(c_arc, dtype=np.int64),
        closure_offset_ms=np.zeros(k, dtype=np.int64),
        closure_offset_lo_ms=np.zeros(k, dtype=np.int64),
        closure_position=np.zeros(k, dtype=np.int64),
        closure_from_s=np.array(c_from),
        closure_to_s=np.array(c_from) + np.array(c_len),
        origin_node=np.array([o for o, _ in origins], dtype=np.int64),
        origin_people=np.array([p for _, p in origins], dtype=np.int64),
        sink_node=np.array([d for d, _ in dests], dtype=np.int64),
        sink_destination=np.arange(len(dests), dtype=np.int64),
        destination_capacity=np.array([c for _, c in dests], dtype=np.int64),
        contracted=False,
    )


def naive_network(g: StaticGraph, horizon: int, *, relaxed: bool, substeps: int = 1) -> nx.DiGraph:
    """Time-expanded network by plain loops over every node, arc and step (``weight``: transit)."""
    step = STEP_S / substeps
    net = nx.DiGraph()
    big = int(g.origin_people.sum()) + 1

    def add(u: object, v: object, cap: int, weight: int = 0) -> None:
        if net.has_edge(u, v):  # parallel arcs between the same two time-nodes: same transit
            net[u][v]["capacity"] += cap
        else:
            net.add_edge(u, v, capacity=cap, weight=weight)

    for node, people in zip(g.origin_node.tolist(), g.origin_people.tolist(), strict=True):
        add("S", ("pickup", node), people)
        for t in range(horizon + 1):
            add(("pickup", node), (node, t), big)
    for node, dest in zip(g.sink_node.tolist(), g.sink_destination.tolist(), strict=True):
        for t in range(horizon + 1):
            add((node, t), ("D", dest), big)
    for dest, cap in enumerate(g.destination_capacity.tolist()):
        add(("D", dest), "Z", cap)
    for a in range(g.arc_count):
        step_ms = round(step * 1000)  # planner times are whole milliseconds
        up, down = int(g.arc_travel_ms[a]), int(g.arc_travel_lo_ms[a])
        transit = down // step_ms if relaxed else max(1, -(-up // step_ms))
        for t in range(horizon + 1):
            if t + transit > horizon:
                continue
            closures = [
                (f, to)
                for arc, f, to in zip(g.closure_arc, g.closure_from_s, g.closure_to_s, strict=True)
                if arc == a
            ]
            if relaxed:
                closed = any(f <= t * step and (t + 1) * step <= to for f, to in closures)
                cap = int(g.arc_first_capacity_raw[a])
            else:
                closed = any(f <= t * step < to for f, to in closures)
                cap = int(substep_capacity(g.arc_capacity[a : a + 1], np.array([t]), substeps)[0])
            if not closed and cap > 0:
                add((int(g.arc_tail[a]), t), (int(g.arc_head[a]), t + transit), cap, transit)
    if relaxed:
        for v in range(g.node_count):
            for t in range(horizon):
                add((v, t), (v, t + 1), big)
    return net


def naive_max_flow(g: StaticGraph, horizon: int, *, relaxed: bool, substeps: int = 1) -> int:
    """networkx max flow on :func:`naive_network`."""
    net = naive_network(g, horizon, relaxed=relaxed, substeps=substeps)
    if "S" not in net or "Z" not in net:
        return 0
    return int(nx.maximum_flow_value(net, "S", "Z"))


HORIZON = 14


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(static_graphs(), st.sampled_from([1, 2]))
def test_search_agrees_with_naive_networkx_formulation(g, substeps):
    horizon = HORIZON * substeps
    result = quickest_clearance(g, StepModel(STEP_S / substeps, substeps=substeps), horizon)
    flows = [naive_max_flow(g, t, relaxed=False, substeps=substeps) for t in range(horizon + 1)]
    servable = flows[-1]
    assert result.servable == servable
    assert result.solution.value == servable
    if servable > 0:
        expected = next(t for t, f in enumerate(flows) if f >= servable)
        assert result.horizon_steps == expected
        if result.infeasible_below >= 0:
            assert flows[result.infeasible_below] < servable


@settings(max_examples=25, deadline=None)
@given(static_graphs())
def test_relaxation_agrees_with_networkx_and_never_exceeds_the_plan_model(g):
    plan = quickest_clearance(g, StepModel(STEP_S), HORIZON)
    if plan.servable == 0:
        return
    relaxed = quickest_clearance(
        g, StepModel(STEP_S, relaxed=True, slowdown_s=STEP_S), HORIZON, target=plan.servable
    )
    flows = [naive_max_flow(g, t, relaxed=True) for t in range(HORIZON + 1)]
    expected = next(t for t, f in enumerate(flows) if f >= plan.servable)
    assert relaxed.horizon_steps == expected
    assert relaxed.horizon_steps <= plan.horizon_steps


@settings(max_examples=40, deadline=None)
@given(static_graphs())
def test_decomposition_gives_back_the_flow(g):
    result = quickest_clearance(g, StepModel(STEP_S), HORIZON)
    net, flow = result.solution.network, result.solution.flow
    paths = decompose_flow(net, flow)
    assert int(paths.people.sum()) == result.solution.value
    rebuilt = np.zeros(net.arc_count, dtype=np.int64)
    np.add.at(rebuilt, paths.arcs, np.repeat(paths.people, np.diff(paths.indptr)))
    assert np.array_equal(rebuilt, flow)
    assert (flow <= net.capacity).all()
    # Every path moves forward in time along its link arcs.
    for g_index in range(paths.count):
        arcs = paths.path(g_index)
        times = net.time[arcs[net.kind[arcs] == LINK]]
        assert np.all(np.diff(times) > 0)


@settings(max_examples=100, deadline=None)
@given(static_graphs())
def test_tidy_pass_agrees_with_networkx_min_cost_and_loop_cutting_keeps_the_flow_valid(g):
    """The tidy min-cost flow (least road time at T*, same people per origin) has the least cost
    networkx finds on the naive network, never more than the max flow's, and no path of it comes
    back to its pickup node; cutting loops home and departing later over loops keep a valid flow."""
    result = quickest_clearance(g, StepModel(STEP_S), HORIZON)
    if result.servable == 0:
        return
    assert result.times is not None
    transit = result.times.transit
    net, flow = result.solution.network, result.solution.flow
    served = result.solution.served_by_origin(g.origin_node.size)
    tidy_net = with_source_capacity(net, served)
    cost = travel_costs(tidy_net, transit)
    tidy = solve_min_cost_flow(tidy_net, cost, result.servable)
    assert ((tidy >= 0) & (tidy <= tidy_net.capacity)).all()
    assert np.array_equal(FlowSolution(tidy_net, tidy, result.servable).served_by_origin(served.size), served)
    assert int((tidy * cost).sum()) <= int((flow * cost).sum())
    naive = naive_network(replace(g, origin_people=served), result.horizon_steps, relaxed=False)
    naive_flow = nx.max_flow_min_cost(naive, "S", "Z")
    assert sum(naive_flow["S"].values()) == result.servable
    assert nx.cost_of_flow(naive, naive_flow) == int((tidy * cost).sum())

    tidy_paths = decompose_flow(tidy_net, tidy)
    pickup = tidy_net.ref[tidy_paths.arcs[tidy_net.kind[tidy_paths.arcs] == DEPART]]
    back_home = [_enters(tidy_net, g, tidy_paths.path(i), pickup[i]) for i in range(tidy_paths.count)]
    assert not any(back_home)  # a loop back home costs road time; waiting there instead is free

    # The most roundabout flow (greatest road time) at the longest horizon has the most loops to cut.
    net = with_source_capacity(expand(g, StepModel(STEP_S), HORIZON, result.times), served)
    flow = solve_min_cost_flow(net, -travel_costs(net, transit), result.servable)
    before = decompose_flow(net, flow)
    home, cut_home = wait_instead_of_loops(net, before, g.arc_head, transit)
    for i in range(home.count):  # a loop back home always becomes waiting
        assert not _enters(net, g, home.path(i), net.ref[home.path(i)[1]])
    paths, cut = depart_later_over_loops(net, home, g.arc_head)
    event(f"loops home cut: {cut_home > 0}, loops skipped: {cut > 0}")
    assert _revisiting(net, g, paths) <= _revisiting(net, g, before)  # each path: a subsequence
    assert (paths.arcs.size < home.arcs.size) == (cut > 0)
    assert (home.arcs.size < before.arcs.size) == (cut_home > 0)
    rebuilt = np.zeros(net.arc_count, dtype=np.int64)
    np.add.at(rebuilt, paths.arcs, np.repeat(paths.people, np.diff(paths.indptr)))
    assert (rebuilt <= net.capacity).all()
    balance = np.bincount(net.tail, rebuilt, net.node_count) - np.bincount(net.head, rebuilt, net.node_count)
    others = np.ones(net.node_count, dtype=bool)
    others[[net.source, net.sink]] = False
    assert not balance[others].any()  # still a flow: conserved everywhere but source and sink
    kept = (net.kind == SOURCE) | (net.kind == ARRIVE)
    assert np.array_equal(rebuilt[kept], flow[kept])  # same people, same arrival steps
    for group in range(paths.count):
        arcs = paths.path(group)
        assert (net.kind[arcs] == DEPART).sum() == 1
        assert not _enters(net, g, arcs, net.ref[arcs[1]])


def _nodes(net, g, arcs):
    """The static nodes a path enters: its pickup node, then each link's head."""
    pickup = net.ref[arcs[net.kind[arcs] == DEPART]]
    return [*pickup.tolist(), *g.arc_head[net.ref[arcs[net.kind[arcs] == LINK]]].tolist()]


def _enters(net, g, arcs, node) -> bool:
    return node in _nodes(net, g, arcs)[1:]


def _revisiting(net, g, paths) -> int:
    return sum(1 for i in range(paths.count) if len(set(n := _nodes(net, g, paths.path(i)))) < len(n))
