"""The fine relaxation probed at a few horizons (``lower_bound.fine_relaxation_probes``).

Above the planner's arc budget the fine (one time step) relaxation is not searched for its least
clearing horizon; it is probed just above the coarse bound, and every probe that falls short proves
``(T + 1)`` time steps. Checked here against the full relaxation search, the plan model's optimum and
the naive networkx formulation of ``test_solver_random`` (random small networks), and on a drawn
street whose bound is worked out by hand.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from safepassage.planner.flow_search import quickest_clearance
from safepassage.planner.lower_bound import fine_relaxation_probes
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
