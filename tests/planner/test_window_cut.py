"""The window-cut lower bound (``planner.window_cut``) against an LP and the plan model.

Random small networks (``test_solver_random.static_graphs``): every horizon the window cut proves
too short is also too short for the relaxation at substeps with each chain's capacity per *fixed*
time window as LP rows (HiGHS through scipy, built here from the same time-expanded arcs: the
weak-duality claim of the module), and its bound never exceeds the plan model's optimum (a set of
plans ``check-plan`` accepts). On a drawn street the bound is worked out by hand.
"""

from __future__ import annotations

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from safepassage.planner.flow_search import quickest_clearance
from safepassage.planner.problem import build_problem
from safepassage.planner.static_graph import StaticGraph, build_static_graph
from safepassage.planner.time_expansion import LINK, SOURCE, StepModel, expand, static_times
from safepassage.planner.window_cut import window_cut_bound, window_cut_capacity

from .solver_scenarios import drive_networks, scenario_on
from .test_solver_random import HORIZON, STEP_S, static_graphs

RES = {"highway": "residential"}


def window_lp(graph: StaticGraph, substeps: int, steps: int) -> float:
    """Max flow of the relaxation at ``substeps`` with capacity rows per (chain, fixed window)."""
    model = StepModel(STEP_S / substeps, relaxed=True, slowdown_s=STEP_S)
    net = expand(graph, model, steps, static_times(graph, model))
    n, nodes = net.arc_count, net.node_count
    if n == 0:
        return 0.0
    inner = np.ones(nodes, dtype=bool)
    inner[[net.source, net.sink]] = False
    row_of = np.cumsum(inner) - 1
    col = np.arange(n)
    into, out_of = inner[net.head], inner[net.tail]
    balance = coo_matrix(
        (
            np.r_[np.ones(into.sum()), -np.ones(out_of.sum())],
            (np.r_[row_of[net.head[into]], row_of[net.tail[out_of]]], np.r_[col[into], col[out_of]]),
        ),
        shape=(int(inner.sum()), n),
    )
    link = np.flatnonzero(net.kind == LINK)
    key = net.ref[link] * (steps + 2) + net.time[link] // substeps
    _, row = np.unique(key, return_inverse=True)
    rows = int(row.max(initial=-1)) + 1
    per_step = np.floor(graph.arc_first_capacity_raw + 1e-9)
    capacity = np.zeros(rows)
    capacity[row] = per_step[net.ref[link]]
    windows = coo_matrix((np.ones(link.size), (row, link)), shape=(rows, n))
    upper = net.capacity.astype(float)
    upper[link] = np.inf
    result = linprog(
        np.where(net.kind == SOURCE, -1.0, 0.0),
        A_ub=windows if rows else None,
        b_ub=capacity if rows else None,
        A_eq=balance,
        b_eq=np.zeros(balance.shape[0]),
        bounds=np.c_[np.zeros(n), upper],
        method="highs",
    )
    assert result.status == 0
    return float(-result.fun)


@settings(max_examples=30, deadline=None)
@given(static_graphs(), st.sampled_from([2, 3, 4]))
def test_window_cut_proofs_hold_for_the_window_lp_and_the_plan_model(g, substeps):
    plan = quickest_clearance(g, StepModel(STEP_S), HORIZON)
    if plan.servable == 0:
        return
    moved = plan.servable
    result = window_cut_bound(STEP_S, g, moved, substeps=substeps, low=0, high=HORIZON * substeps)
    for steps, least_cut, _arcs, _seconds in result.probes:
        if 0 <= least_cut < moved:  # a proof: the LP with window rows moves fewer people too
            assert window_lp(g, substeps, steps) <= least_cut + 1e-6
            event("window cut proved a horizon")
    bound_s = (result.proven_short + 1) * STEP_S / substeps if result.proven_short >= 0 else 0.0
    assert bound_s <= plan.horizon_steps * STEP_S  # the plan model's optimum: valid plans


def test_window_cut_proves_the_hand_computed_bound_on_a_street(ascii_network):
    # o-d is 600 m of residential street: 72 s, 10 people per minute. 15 people: 10 may leave at
    # 0 s, the last 5 not before 60 s, so no valid plan clears before 132 s. At 10 s substeps the
    # relaxation drives o-d in 7 substeps (72 s rounded down to 70 s): by the end of substep 12
    # only those leaving in substeps 0..5 (the first window: 10 people) can arrive, and the cut
    # just before o-d's arcs of that window charges 10 < 15: 130 s is proven.
    drawn = ascii_network("\no-----d\n", [("od", RES)])
    scenario = scenario_on(drawn, [("o", "o", 15)], [("d", "d", 100)])
    problem = build_problem(scenario, drive_networks(drawn))
    graph = build_static_graph(problem)
    result = window_cut_bound(problem.step_s, graph, 15, substeps=6, low=0, high=20)
    assert result.proven_short == 12  # arrivals by the end of substep 12 (130 s): at most 10
    assert result.bound_ms(problem.step_s) == 130_000
    assert window_lp(graph, 6, 12) == 10.0
    assert window_lp(graph, 6, 13) == 15.0


def _time_of_nodes(net, graph, transit):
    """(static node, substep) per time node, read off the link arcs (-1: none)."""
    node_v = np.full(net.node_count, -1)
    node_t = np.full(net.node_count, -1)
    arcs = np.flatnonzero(net.kind == LINK)
    for tail_side in (True, False):
        static = graph.arc_tail[net.ref[arcs]] if tail_side else graph.arc_head[net.ref[arcs]]
        nodes = net.tail[arcs] if tail_side else net.head[arcs]
        node_v[nodes] = static
        node_t[nodes] = net.time[arcs] + (0 if tail_side else transit[net.ref[arcs]])
    return node_v, node_t


@settings(max_examples=40, deadline=None)
@given(static_graphs(), st.sampled_from([2, 3]), st.integers(1, 10), st.data())
def test_any_cut_charged_per_window_bounds_the_window_lp(g, substeps, steps, data):
    """Weak duality, the core of the proof: C(S) >= the window LP's max flow for any cut S."""
    model = StepModel(STEP_S / substeps, relaxed=True, slowdown_s=STEP_S)
    times = static_times(g, model)
    net = expand(g, model, steps, times)
    node_v, node_t = _time_of_nodes(net, g, times.transit)
    # S: per static node every substep from a random threshold on (upward closed in time, as the
    # waiting arcs force), plus random sides for the source-side helper nodes.
    threshold = np.array(
        data.draw(st.lists(st.integers(0, steps + 1), min_size=g.node_count, max_size=g.node_count))
    )
    side = np.array(data.draw(st.lists(st.booleans(), min_size=net.node_count, max_size=net.node_count)))
    timed = node_v >= 0
    side[timed] = node_t[timed] >= threshold[node_v[timed]]
    side[net.source], side[net.sink] = True, False
    value = window_cut_capacity(net, g, side, substeps)
    if value < 0:
        return  # a waiting, departure or arrival arc leaves S: no bound claimed
    event("finite cut")
    assert window_lp(g, substeps, steps) <= value + 1e-6
