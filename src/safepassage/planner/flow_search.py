"""Quickest clearance by max-flow: the least horizon T at which every servable person gets out.

Max flow on the time-expanded network grows with T. The search solves OR-Tools ``SimpleMaxFlow``
at T0, then by a growth factor (2: doubling; smaller when T0 comes from a lower bound) or, once two
probes fell short, where the secant of the flow curve reaches the demand, until everybody is out
or the scenario's horizon is reached — the flow at the horizon is then what can be served at all —
and then bisects between the last T that fell short and the first that did not. Each probe builds
the pruned network for its T (pruning depends on T) and solves one max flow. The answer is proven
at the model's granularity: the flow at ``T* - 1`` falls short, so no plan of this model clears
sooner.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow

from safepassage.errors import SolverError
from safepassage.planner.static_graph import StaticGraph
from safepassage.planner.time_expansion import (
    SOURCE,
    StaticTimes,
    StepModel,
    TimeExpandedNetwork,
    expand,
    static_times,
)

__all__ = ["FlowSolution", "SearchResult", "next_horizon", "quickest_clearance", "solve_max_flow"]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class FlowSolution:
    """A max flow on one time-expanded network."""

    network: TimeExpandedNetwork
    flow: IntArray  # per arc of ``network``
    value: int

    def served_by_origin(self, origin_count: int) -> IntArray:
        net = self.network
        src = net.kind == SOURCE
        return np.bincount(net.ref[src], weights=self.flow[src], minlength=origin_count).astype(np.int64)


@dataclass
class SearchResult:
    """The least clearing horizon, its flow, and how the search got there."""

    horizon_steps: int  # T*, or the last probe when nobody can be served
    solution: FlowSolution
    servable: int  # people the model can serve within the scenario's horizon
    infeasible_below: int  # largest T proven to fall short (-1 if none probed)
    probes: list[tuple[int, int, int, float]] = field(default_factory=list)  # (T, value, arcs, seconds)
    times: StaticTimes | None = None

    @property
    def largest_network_arcs(self) -> int:
        return max((p[2] for p in self.probes), default=0)


def solve_max_flow(network: TimeExpandedNetwork) -> FlowSolution:
    """One OR-Tools max-flow solve from ``network.source`` to ``network.sink``."""
    solver = max_flow.SimpleMaxFlow()
    if network.arc_count:
        solver.add_arcs_with_capacity(network.tail, network.head, network.capacity)
    else:
        return FlowSolution(network, np.zeros(0, dtype=np.int64), 0)
    status = solver.solve(network.source, network.sink)
    if status != solver.OPTIMAL:
        raise SolverError(f"OR-Tools max flow did not finish (status {status}) on {network.arc_count} arcs")
    flow = np.asarray(solver.flows(np.arange(network.arc_count)), dtype=np.int64)
    return FlowSolution(network, flow, int(solver.optimal_flow()))


def next_horizon(values: Mapping[int, float], last: int, demand: int, growth: float) -> int:
    """The next horizon to probe while short of ``demand``.

    Max flow over time grows with T and, once every route is in use, by about the capacity of the
    bottleneck per step; the secant through the last two probes aims at the crossing (for a convex
    flow curve it aims a little late, which gives a feasible horizon to bisect from). With a single
    probe, or a flat curve, grow by ``growth``.
    """
    grown = max(last + 1, math.ceil(last * growth))
    earlier = [t for t in values if t < last]
    if not earlier:
        return grown
    before = max(earlier)
    slope = (values[last] - values[before]) / (last - before)
    if slope <= 0:
        return grown
    aimed = last + math.ceil((demand - values[last]) / slope)
    return max(last + 1, min(aimed, 2 * last))


def quickest_clearance(
    graph: StaticGraph,
    model: StepModel,
    max_steps: int,
    *,
    tolerance: float = 0.0,
    start_steps: int | None = None,
    target: int | None = None,
    known_short: int = -1,
    growth: float = 2.0,
) -> SearchResult:
    """Least T in ``1..max_steps`` whose max flow equals the servable people (see module docstring).

    With ``tolerance > 0`` the bisection stops once ``hi <= lo * (1 + tolerance)`` (fast mode).
    With ``target`` the search stops at the least T moving that many people (lower bounds).
    ``start_steps`` and ``known_short`` come from a lower bound: the first probe, and a T proven
    (by a relaxation) to fall short of moving everybody; ``growth`` is the factor between probes
    until one suffices (2: doubling).
    """
    times = static_times(graph, model)
    demand = int(graph.origin_people.sum()) if target is None else target
    result_probes: list[tuple[int, int, int, float]] = []
    values: dict[int, int] = {}  # flow per probed T; only the solution at the current best T is kept

    def probe(steps: int) -> FlowSolution:
        began = time.perf_counter()
        net = expand(graph, model, steps, times)
        solution = solve_max_flow(net)
        values[steps] = solution.value
        result_probes.append((steps, solution.value, net.arc_count, time.perf_counter() - began))
        return solution

    finite = times.to_go[graph.origin_node][np.isfinite(times.to_go[graph.origin_node])]
    first = int(finite.max()) if finite.size else 1
    t = max(1, min(max_steps, start_steps if start_steps is not None else first))
    while True:
        sol = probe(t)
        if sol.value >= demand or t >= max_steps:
            break
        t = min(max_steps, next_horizon(values, t, demand, growth))
    servable = min(sol.value, demand)
    if servable == 0:
        return SearchResult(t, sol, 0, max((p for p in values if p < t), default=-1), result_probes, times)
    # Invariant for the bisection: flow(low) < servable <= flow(high). The growth phase only knew
    # the demand; with fewer people servable, an earlier probe may already reach it.
    high = min(p for p, v in values.items() if v >= servable)
    best = sol if high == t else probe(high)
    short = [p for p, v in values.items() if v < servable and p < high]
    if servable == demand and 0 <= known_short < high:
        short.append(known_short)
    if short:
        low = max(short)
    else:
        low = 0
        if high > 0:
            zero = probe(0)
            if zero.value >= servable:
                return SearchResult(0, zero, servable, -1, result_probes, times)
    # Plain bisection: near T* the flow curve bends (origins run empty one after another), so
    # interpolating overshoots; measured on the 9x9 instance it cost two probes more.
    while high - low > 1 and high > low * (1.0 + tolerance):
        mid = (low + high) // 2
        candidate = probe(mid)
        if candidate.value >= servable:
            high, best = mid, candidate
        else:
            low = mid
    return SearchResult(high, best, servable, low, result_probes, times)
