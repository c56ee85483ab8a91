"""The search's probe strategy (issue 11, speed at scale): aimed probes, two a round with a worker.

Whatever the probes, the search's T* is the least T whose max flow serves everybody who can be
served at all (a brute-force scan of every T on the same networks says which), and it proves
``T* - 1`` falls short; a worker process probing half of each round changes nothing of that, and
neither does a worker that dies. The static min-cut bound never exceeds T*. Random small networks
come from ``test_solver_random``; fast mode's plans pass ``check-plan``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safepassage.planner import plan_evacuation
from safepassage.planner.check import check_plan
from safepassage.planner.flow_search import (
    choose_probes,
    cut_bound_steps,
    quickest_clearance,
    secant_aim,
    solve_max_flow,
)
from safepassage.planner.probe_worker import ProbeWorker
from safepassage.planner.static_graph import StaticGraph
from safepassage.planner.time_expansion import StepModel, expand, static_times

from .solver_scenarios import drive_networks, scenario_on
from .test_solver_random import STEP_S, static_graphs

HORIZON = 16


@pytest.fixture(scope="module")
def worker() -> Iterator[ProbeWorker]:
    started = ProbeWorker.start(min_cores=1)  # also on one core: the worker itself is under test
    assert started is not None
    with started:
        yield started


def _scan(g: StaticGraph, model: StepModel, horizon: int) -> list[int]:
    times = static_times(g, model)
    return [solve_max_flow(expand(g, model, t, times)).value for t in range(horizon + 1)]


def _check(result, flows: list[int], tolerance: float = 0.0) -> None:
    servable = flows[-1]
    assert result.servable == servable
    if servable == 0:
        return
    expected = next(t for t, f in enumerate(flows) if f >= servable)
    assert result.solution.value == servable
    assert result.solution.network.horizon_steps == result.horizon_steps
    assert flows[result.horizon_steps] >= servable
    if result.infeasible_below >= 0:
        assert flows[result.infeasible_below] < servable
    if tolerance == 0.0:
        assert result.horizon_steps == expected
        assert result.infeasible_below == expected - 1 or expected == 0
    else:
        assert result.horizon_steps <= max(1, result.infeasible_below * (1 + tolerance)) or (
            result.horizon_steps - result.infeasible_below <= 1
        )


@settings(max_examples=50, deadline=None)
@given(static_graphs(), st.sampled_from([1, 2]), st.floats(1.01, 2.5), st.data())
def test_search_equals_a_scan_of_every_horizon(g, substeps, growth, data):
    model = StepModel(STEP_S / substeps, substeps=substeps)
    horizon = HORIZON * substeps
    flows = _scan(g, model, horizon)
    start = data.draw(st.integers(1, horizon))
    servable = flows[-1]
    expected = next((t for t, f in enumerate(flows) if f >= servable), 0)
    # A relaxation's proof of "too short": any T below T* (or none).
    known = data.draw(st.integers(-1, expected - 1)) if servable and expected > 0 else -1
    result = quickest_clearance(g, model, horizon, start_steps=start, known_short=known, growth=growth)
    _check(result, flows)


@settings(max_examples=30, deadline=None)
@given(static_graphs(), st.sampled_from([0.0, 0.03, 0.2]), st.data())
def test_two_probes_a_round_in_a_worker_give_the_same_answer(worker, g, tolerance, data):
    model = StepModel(STEP_S)
    flows = _scan(g, model, HORIZON)
    start = data.draw(st.one_of(st.none(), st.integers(1, HORIZON)))
    alone = quickest_clearance(g, model, HORIZON, start_steps=start, tolerance=tolerance)
    paired = quickest_clearance(g, model, HORIZON, start_steps=start, tolerance=tolerance, worker=worker)
    _check(paired, flows, tolerance)
    _check(alone, flows, tolerance)
    if tolerance == 0.0:
        assert paired.horizon_steps == alone.horizon_steps
        assert np.array_equal(paired.solution.network.tail, alone.solution.network.tail)
    assert paired.rounds <= len(paired.probes)


@settings(max_examples=50, deadline=None)
@given(static_graphs(), st.booleans())
def test_the_min_cut_bound_never_exceeds_t_star(g, relaxed):
    model = StepModel(STEP_S, relaxed=relaxed, slowdown_s=STEP_S if relaxed else 0.0)
    flows = _scan(g, model, HORIZON)
    need = int(g.origin_people.sum())
    steps, rate = cut_bound_steps(g, model, static_times(g, model), need, HORIZON)
    assert 0 <= steps <= HORIZON
    assert rate >= 0
    # Below the bound the flow falls short of everybody: T* (for everybody) is not below it.
    if steps > 0:
        assert flows[steps - 1] < need


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 50), min_size=1, max_size=8),
    st.integers(-1, 40),
    st.integers(1, 20),
    st.integers(1, 2),
    st.booleans(),
    st.sampled_from([0.0, 0.03]),
)
def test_every_round_probes_inside_the_bracket(increments, low, gap, width, aimed_last, tolerance):
    need = 100
    high = low + gap
    values = {}
    t, v = max(0, low - len(increments)), 0
    for inc in increments:  # a rising curve, short up to low
        if t > low:
            break
        v = min(need - 1, v + inc)
        values[t] = v
        t += 1
    picks, _ = choose_probes(
        values,
        need,
        low=low,
        high=high,
        first=low + 1,
        max_steps=high,
        growth=1.05,
        width=width,
        aimed_last=aimed_last,
        tolerance=tolerance,
    )
    if high - low <= 1:
        assert picks == []
        return
    assert 1 <= len(picks) <= width
    assert all(low < p < high for p in picks)
    assert picks == sorted(set(picks))


def test_secant_aims_at_the_crossing():
    # 1,300 people a step more: from 296,997 at 136 the remaining 3,003 need 3 more steps.
    assert secant_aim({130: 289_188, 136: 296_997}, 300_000) == 139
    assert secant_aim({130: 289_188}, 300_000) is None
    assert secant_aim({130: 5, 136: 5}, 10) is None


@settings(max_examples=10, deadline=None)
@given(static_graphs())
def test_a_dead_worker_leaves_the_search_alone(g):
    model = StepModel(STEP_S)
    flows = _scan(g, model, HORIZON)
    dead = ProbeWorker.start(min_cores=1)
    assert dead is not None
    dead.close()
    _check(quickest_clearance(g, model, HORIZON, worker=dead), flows)


RES = {"highway": "residential"}
GRID = """
a---b---c
|   |   |
d---e---f
|   |   |
g---h---z
"""


@pytest.mark.parametrize("mode", ["exact", "fast"])
def test_plans_of_both_modes_pass_check_plan(ascii_network, mode):
    drawn = ascii_network(
        GRID, [("abc", RES), ("def", RES), ("ghz", RES), ("adg", RES), ("beh", RES), ("cfz", RES)]
    )
    scenario = scenario_on(drawn, [("a", "a", 400), ("b", "b", 150)], [("z", "z", 1000)])
    networks = drive_networks(drawn)
    plan = plan_evacuation(scenario, networks=networks, mode=mode)
    assert check_plan(scenario, plan, networks=networks) == []
    assert plan.evacuated == 550
    assert plan.lower_bound_s <= plan.clearance_time_s
    details = plan.solver.details
    assert details["model_infeasible_at_steps"] < details["t_star_model_steps"]


def test_a_plan_probed_two_at_a_time_is_the_same_plan(ascii_network, monkeypatch):
    """With the worker forced on (threshold 0), the plan is the one the search finds alone."""
    from safepassage.planner import solve

    ways = [(name, RES) for name in ("abc", "def", "ghz", "adg", "beh", "cfz")]
    drawn = ascii_network(GRID, ways)
    scenario = scenario_on(drawn, [("a", "a", 400), ("e", "e", 150)], [("z", "z", 1000)])
    networks = drive_networks(drawn)
    alone = plan_evacuation(scenario, networks=networks)
    monkeypatch.setattr(solve, "PARALLEL_ARC_THRESHOLD", 0)
    monkeypatch.setattr("safepassage.planner.probe_worker.available_cores", lambda: 2)
    monkeypatch.setattr("safepassage.planner.probe_worker._load", lambda: 0.0)  # a free second core
    paired = plan_evacuation(scenario, networks=networks)
    assert check_plan(scenario, paired, networks=networks) == []
    assert paired.clearance_time_s == alone.clearance_time_s
    assert paired.solver.details["t_star_model_steps"] == alone.solver.details["t_star_model_steps"]
    assert [m.model_dump() for m in paired.movements] == [m.model_dump() for m in alone.movements]
    rounds = paired.solver.details["search_rounds"]
    assert rounds < len(paired.solver.details["probes"])  # some round probed two horizons
    assert rounds <= alone.solver.details["search_rounds"]


def test_no_worker_without_a_free_core(monkeypatch):
    from safepassage.planner import probe_worker

    monkeypatch.setattr(probe_worker, "available_cores", lambda: 1)
    monkeypatch.setattr(probe_worker, "_load", lambda: 0.0)
    assert ProbeWorker.start() is None  # one core
    monkeypatch.setattr(probe_worker, "available_cores", lambda: 2)
    monkeypatch.setattr(probe_worker, "_load", lambda: 1.8)
    assert ProbeWorker.start() is None  # two cores, both busy (this process and another)
    monkeypatch.setattr(probe_worker, "_load", lambda: 1.0)
    started = ProbeWorker.start()  # two cores, this process on one
    assert started is not None
    started.close()
