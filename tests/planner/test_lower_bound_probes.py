"""The fine relaxation probed at a few horizons (``lower_bound.fine_relaxation_probes``).

Above the planner's arc budget the fine (one time step) relaxation is not searched for its least
clearing horizon; it is probed just above the coarse bound, and every probe that falls short proves
``(T + 1)`` time steps. Checked here against the full relaxation search, the plan model's optimum and
the naive networkx formulation of ``test_solver_random`` (random small networks), and on a drawn
street whose bound is worked out by hand.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safepassage.planner.flow_search import quickest_clearance
from safepassage.planner.lower_bound import (
    _continued,
    fine_relaxation_probes,
    finish_fine_probe,
    start_fine_probe,
)
from safepassage.planner.probe_worker import ProbeWorker
from safepassage.planner.problem import build_problem
from safepassage.planner.static_graph import build_static_graph
from safepassage.planner.time_expansion import StepModel

from .solver_scenarios import drive_networks, scenario_on
from .test_solver_random import HORIZON, STEP_S, naive_max_flow, static_graphs

RES = {"highway": "residential"}


@settings(max_examples=30, deadline=None)
@given(static_graphs(), st.integers(-2, 2), st.integers(1, 3))
def test_probes_prove_no_more_than_the_relaxation_and_the_plan_model(g, shift, probes):
    plan = quickest_clearance(g, StepModel(STEP_S), HORIZON)
    if plan.servable == 0:
        return
    relaxed = quickest_clearance(
        g, StepModel(STEP_S, relaxed=True, slowdown_s=STEP_S), HORIZON, target=plan.servable
    )
    start = max(0, relaxed.horizon_steps + shift)
    result = fine_relaxation_probes(STEP_S, g, plan.servable, start, probes)
    # Each probe is the relaxation's max flow at that horizon (independent oracle) ...
    for steps, value, _arcs, _seconds in result.probes:
        assert value == min(naive_max_flow(g, steps, relaxed=True), plan.servable) or value >= plan.servable
    # ... the proven horizon is at most the relaxation's least one, itself at most the plan model's.
    assert result.short_steps + 1 <= relaxed.horizon_steps <= plan.horizon_steps
    if start == relaxed.horizon_steps - 1:  # one probe below the least horizon proves it exactly
        assert result.short_steps + 1 == relaxed.horizon_steps
    if start >= relaxed.horizon_steps:  # at or above it: nothing proven, a single probe
        assert result.short_steps == -1
        assert len(result.probes) == 1


def test_a_probe_proves_the_hand_computed_bound(ascii_network):
    # 600 m of residential street = 72 s: relaxed to 1 step; 10 people a step leave in steps 0..4
    # and arrive in steps 1..5 (the plan's fine relaxation bound, 300 s): short at 4 steps, not at 5.
    drawn = ascii_network("\no-----d\n", [("od", RES)])
    scenario = scenario_on(drawn, [("o", "o", 50)], [("d", "d", 100)])
    problem = build_problem(scenario, drive_networks(drawn))
    graph = build_static_graph(problem)
    result = fine_relaxation_probes(problem.step_s, graph, 50, 3, 4)
    assert [(steps, moved) for steps, moved, _a, _s in result.probes] == [(3, 30), (4, 40), (5, 50)]
    assert result.short_steps == 4
    result = fine_relaxation_probes(problem.step_s, graph, 50, 0, 9)
    assert [moved for _t, moved, _a, _s in result.probes] == [0, 10, 20, 30, 40, 50]
    assert result.short_steps + 1 == 5  # 300 s, as the planner's fine relaxation bound


@pytest.fixture(scope="module")
def worker_factory():
    started: list[ProbeWorker] = []

    def make() -> ProbeWorker:
        worker = ProbeWorker.start(min_cores=1)  # also on one core: the worker itself is under test
        assert worker is not None
        started.append(worker)
        return worker

    yield make
    for worker in started:
        worker.close()


@settings(max_examples=20, deadline=None)
@given(static_graphs(), st.integers(-2, 2), st.integers(1, 3))
def test_a_probe_made_in_the_worker_proves_what_the_probes_here_prove(worker_factory, g, shift, probes):
    plan = quickest_clearance(g, StepModel(STEP_S), HORIZON)
    if plan.servable == 0:
        return
    relaxed = quickest_clearance(
        g, StepModel(STEP_S, relaxed=True, slowdown_s=STEP_S), HORIZON, target=plan.servable
    )
    start = max(0, relaxed.horizon_steps + shift)
    here = fine_relaxation_probes(STEP_S, g, plan.servable, start, probes)
    pending = start_fine_probe(worker_factory(), STEP_S, g, plan.servable, start)
    assert pending is not None
    first = finish_fine_probe(pending)
    assert first is not None
    assert [p[:3] for p in first.probes] == [p[:3] for p in here.probes[:1]]  # same horizon, value, arcs
    assert _continued(STEP_S, g, plan.servable, first, probes).short_steps == here.short_steps


def test_the_fine_probe_in_the_worker_gives_the_same_plan_and_bound(ascii_network, monkeypatch):
    """With the over-budget fine probe forced (budgets 0) and the worker forced on, the plan and its
    bound are those of the probe made here (the worker only moves it to the second core)."""
    from safepassage.planner import plan_evacuation, solve

    drawn = ascii_network("\no-----d\n", [("od", RES)])
    scenario = scenario_on(drawn, [("o", "o", 300)], [("d", "d", 1000)])
    networks = drive_networks(drawn)
    monkeypatch.setattr(solve, "EXACT_ARC_BUDGET", 0)
    alone = plan_evacuation(scenario, networks=networks)
    monkeypatch.setattr(solve, "PARALLEL_ARC_THRESHOLD", 0)
    monkeypatch.setattr("safepassage.planner.probe_worker.available_cores", lambda: 2)
    monkeypatch.setattr("safepassage.planner.probe_worker._load", lambda: 0.0)
    paired = plan_evacuation(scenario, networks=networks)
    assert paired.lower_bound_s == alone.lower_bound_s
    assert paired.clearance_time_s == alone.clearance_time_s
    paired_bound, alone_bound = paired.solver.details["lower_bound"], alone.solver.details["lower_bound"]
    assert paired_bound["fine_probe_on_second_core"] is True
    assert alone_bound["fine_probe_on_second_core"] is False
    probed, probed_alone = paired_bound["fine_relaxation_probed"], alone_bound["fine_relaxation_probed"]
    assert probed["short_at_steps"] == probed_alone["short_at_steps"] >= 0  # it proved something
    assert [(p["steps"], p["people_moved"]) for p in probed["probes"]] == [
        (p["steps"], p["people_moved"]) for p in probed_alone["probes"]
    ]
