"""Quickest clearance by max-flow: the least horizon T at which every servable person gets out.

Max flow on the time-expanded network grows with T. Each probe builds the pruned network for its T
(pruning depends on T) and solves one OR-Tools ``SimpleMaxFlow``. The search keeps a bracket: the
largest T known to fall short (probed, or proven by a relaxation: ``known_short``) and the least T
known to suffice, and chooses its probes in rounds (:func:`choose_probes`):

- **growth**, while no probe sufficed: ``T0``, then by the factor ``growth`` until two probes fell
  short, then where the secant through the last two short probes reaches the demand (for the flow
  curve's bend near T*, the secant aims a little early or right at T*), until everybody is out or
  the scenario's horizon is reached — the flow at the horizon is then what can be served at all;
- **narrowing**: the secant's aim ``g`` and ``g - 1`` (the two probes that prove T* = g when the
  aim is right), alternating with plain bisection (thirds with two probes) whenever an aimed
  round did not close the bracket, so a bad aim costs at most about twice a bisection.

With a :class:`~safepassage.planner.probe_worker.ProbeWorker` a round probes two horizons at once,
one in this process and one in the worker's (OR-Tools holds the GIL, so threads would not help).
The answer is proven at the model's granularity: the flow at ``T* - 1`` falls short (probed, or
by ``known_short``), so no plan of this model clears sooner. Whatever the order of probes, the
result is the least T (T* is unique), so one or two workers give the same plan.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow

from safepassage.errors import SolverError
from safepassage.planner.probe_worker import ProbeWorker, ProbeWorkerError
from safepassage.planner.static_graph import StaticGraph
from safepassage.planner.time_expansion import (
    SOURCE,
    StaticTimes,
    StepModel,
    TimeExpandedNetwork,
    expand,
    static_times,
)

__all__ = [
    "FlowSolution",
    "SearchResult",
    "choose_probes",
    "cut_bound_steps",
    "next_horizon",
    "quickest_clearance",
    "secant_aim",
    "solve_max_flow",
]

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
    rounds: int = 0  # rounds of probes (probes of one round ran at once when a worker helped)

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


def secant_aim(values: Mapping[int, int], need: int) -> int | None:
    """Where the flow curve is aimed to reach ``need``: the least T the secant predicts clears.

    Through the largest short probe and an earlier short one (at least 3 steps before when there is
    one: one-step slopes are noisy with sub-steps). ``None`` without two short probes or a rising
    secant.
    """
    short = sorted(t for t, v in values.items() if v < need)
    if len(short) < 2:
        return None
    last = short[-1]
    far = [t for t in short[:-1] if t <= last - 3]
    before = far[-1] if far else short[-2]
    slope = (values[last] - values[before]) / (last - before)
    if slope <= 0:
        return None
    return last + max(1, math.ceil((need - values[last]) / slope - 1e-9))


def choose_probes(
    values: Mapping[int, int],
    need: int,
    *,
    low: int,
    high: int | None,
    first: int,
    max_steps: int,
    growth: float,
    width: int,
    aimed_last: bool,
    tolerance: float = 0.0,
    rate: int = 0,
) -> tuple[list[int], bool]:
    """The next round's horizons (at most ``width``, ascending) and whether the round is aimed.

    ``low``: largest T known short; ``high``: least T known to clear (``None`` in the growth
    phase); ``aimed_last``: the previous narrowing round was aimed and did not close the bracket
    (this round then bisects); ``rate``: the most the flow is guessed to gain per step (0: no
    guess), which aims the second probe. Every returned T lies strictly between ``low`` and ``high``.
    """
    if high is None:
        return _growth_round(values, need, low, first, max_steps, growth, width, rate, tolerance), False
    inside = list(range(low + 1, high))
    if len(inside) <= width:
        return inside, False
    aim = secant_aim(values, need)
    if tolerance > 0.0 and aim is None:
        aim = high
    if aim is None or aimed_last:
        cuts = [low + (high - low) * (k + 1) // (width + 1) for k in range(width)]
        return sorted({min(high - 1, max(low + 1, c)) for c in cuts}), False
    g = min(high, max(low + 1, aim))
    # Exact: g - 1 short and g clearing prove T* = g. With a tolerance, a short probe within it of
    # g (or of high) ends the search.
    picks = [math.ceil(g / (1.0 + tolerance) - 1e-9), g] if tolerance > 0.0 else [g - 1, g]
    picks = [p for p in picks if low < p < high][-width:]  # alone: g first (the aim is T*)
    if not picks:
        picks = [(low + high) // 2]
    if len(picks) < width:  # the spare probe bisects what the aimed one leaves open
        rest = [p for p in inside if p not in picks]
        lo_gap = min(picks) - low
        hi_gap = high - max(picks)
        spare = (low + min(picks)) // 2 if lo_gap >= hi_gap else (max(picks) + high) // 2
        picks.append(spare if spare in rest else rest[len(rest) // 2])
    return sorted(set(picks))[:width], True


def _growth_round(
    values: Mapping[int, int],
    need: int,
    low: int,
    first: int,
    max_steps: int,
    growth: float,
    width: int,
    rate: int,
    tolerance: float,
) -> list[int]:
    """Probes while nothing cleared yet: ``first`` (and its growth), then growth or the secant."""
    short = [t for t in values if values[t] < need]
    if not short:
        picks = [first]
        while len(picks) < width:
            picks.append(max(picks[-1] + 1, math.ceil(picks[-1] * growth)))
    else:
        aim = secant_aim(values, need)
        last = max(short)
        if aim is None:
            grown = max(last + 1, math.ceil(last * growth))
            if rate > 0:  # the most the cut lets through per step: aims at or before T*
                grown = min(grown, last + max(1, math.ceil((need - values[last]) / rate)))
            picks = [grown]
            while len(picks) < width:
                picks.append(max(picks[-1] + 1, math.ceil(picks[-1] * growth)))
        else:
            g = min(aim, 2 * last)
            if tolerance > 0.0:  # a hedge above the aim: if g falls short, this one may end it
                picks = [g, max(g + 1, math.floor(g * (1.0 + tolerance / 2)))][:width]
            else:
                picks = [g - 1, g] if width > 1 and g - 1 > last else [g, g + 1][:width]
    picks = sorted({min(max_steps, max(low + 1, p)) for p in picks})
    return [p for p in picks if p > low] or [max_steps]


def cut_bound_steps(
    graph: StaticGraph, model: StepModel, times: StaticTimes, need: int, max_steps: int
) -> tuple[int, int]:
    """Least T at which the static min cut lets ``need`` people through (a proven bound on T*),
    and the cut's capacity per step (the search's guess of the most the flow gains per step).

    Take the static min cut ``X`` between the origins and the destinations' nodes (capacities per
    model step, every link open). Every path of the time-expanded network crosses it by a link arc
    ``u -> v`` (``u`` in X, ``v`` not), entered at a step in ``[earliest(u), T - to_go(v) -
    transit]``, so the flow at T is at most the sum over crossing arcs of capacity x the number of
    those steps. Closures only lower the flow. Returns ``(0, 0)`` when the cut says nothing.
    """
    people = graph.origin_people > 0
    if need <= 0 or not people.any() or graph.arc_count == 0:
        return 0, 0
    if model.relaxed:
        cap = np.floor(graph.arc_first_capacity_raw + 1e-9).astype(np.int64) * model.capacity_factor
    else:
        cap = -(-graph.arc_capacity // model.substeps)  # the most of one sub-step (substep_capacity)
    n = graph.node_count
    source, sink = n, n + 1
    plenty = int(cap.sum()) + need + 1
    origins = np.unique(graph.origin_node[people])
    sinks = np.unique(graph.sink_node)
    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(
        np.concatenate([graph.arc_tail, np.full(origins.size, source), sinks]),
        np.concatenate([graph.arc_head, origins, np.full(sinks.size, sink)]),
        np.concatenate([cap, np.full(origins.size + sinks.size, plenty)]),
    )
    if solver.solve(source, sink) != solver.OPTIMAL or solver.optimal_flow() >= plenty:
        return 0, 0
    in_x = np.zeros(n + 2, dtype=bool)
    in_x[np.asarray(solver.get_source_side_min_cut(), dtype=np.int64)] = True
    crossing = in_x[graph.arc_tail] & ~in_x[graph.arc_head] & (cap > 0)
    lead = times.earliest[graph.arc_tail[crossing]] + times.to_go[graph.arc_head[crossing]]
    lead = lead + times.transit[crossing]
    finite = np.isfinite(lead)
    lead_steps, cap_x = lead[finite].astype(np.int64), cap[crossing][finite]
    if lead_steps.size == 0:
        return 0, 0
    rate = int(cap_x.sum())

    def most(t: int) -> int:
        return int((cap_x * np.maximum(0, t - lead_steps + 1)).sum())

    low, high = -1, max_steps  # most(low) < need; the least T with most(T) >= need is in (low, high]
    if most(high) < need:
        return max_steps, rate
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if most(mid) < need else (low, mid)
    return max(0, high), rate


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
    worker: ProbeWorker | None = None,
    adjust: Callable[[TimeExpandedNetwork], TimeExpandedNetwork] | None = None,
) -> SearchResult:
    """Least T in ``0..max_steps`` whose max flow equals the servable people (see module docstring).

    With ``tolerance > 0`` the search stops once ``high <= low * (1 + tolerance)`` (fast mode).
    With ``target`` the search stops at the least T moving that many people (lower bounds).
    ``start_steps`` and ``known_short`` come from a lower bound: the first probe, and a T proven
    (by a relaxation) to fall short of moving everybody; ``growth`` is the factor between probes
    until two fell short (2: doubling). ``worker``: a second process probing one horizon of each
    round (two per round instead of one); the result does not depend on it.
    ``adjust``: applied to each probe's network after ``expand`` (e.g. ``residual.with_residual``:
    capacity already taken by groups on the road); it may only lower capacities, so the cut bound
    stays a bound. Probes then run here only (the worker cannot apply it).
    """
    times = static_times(graph, model)
    demand = int(graph.origin_people.sum()) if target is None else target
    runner = _Runner(graph, model, times, max_steps, None if adjust is not None else worker, adjust)
    if start_steps is None:
        finite = times.to_go[graph.origin_node][np.isfinite(times.to_go[graph.origin_node])]
        start_steps = int(finite.max()) if finite.size else 1
    cut, rate = cut_bound_steps(graph, model, times, demand, max_steps)
    first = max(1, min(max_steps, max(start_steps, cut)))
    known = max(known_short, cut - 1)
    known = known if 0 <= known < max_steps else -1
    width = 2 if worker is not None else 1
    need = demand
    aimed_last = False
    while True:
        values = runner.values
        short = [t for t, v in values.items() if v < need]
        low = max([*short, known if need == demand else -1])
        reached = [t for t, v in values.items() if v >= need]
        high = min(reached) if reached else None
        if high is None and max_steps in values:  # nobody more can be served: that is the target
            need = min(values[max_steps], demand)
            if need == 0:
                sol = runner.solution_at(max_steps)
                below = max((t for t in values if t < max_steps), default=-1)
                return runner.result(max_steps, sol, 0, below)
            continue
        if high is not None and (high - low <= 1 or high <= low * (1.0 + tolerance)):
            return runner.result(high, runner.solution_at(high), need, low)
        picks, aimed = choose_probes(
            values,
            need,
            low=low,
            high=high,
            first=max(first, low + 1),
            max_steps=max_steps,
            growth=growth,
            width=width,
            aimed_last=aimed_last,
            tolerance=tolerance,
            rate=rate,
        )
        aimed_last = aimed
        runner.run(picks, need)


class _Runner:
    """Probes horizons (one round at a time); keeps every value and the solution at the least T
    that cleared (or at ``max_steps``, which becomes the target when fewer can be served)."""

    def __init__(
        self,
        graph: StaticGraph,
        model: StepModel,
        times: StaticTimes,
        max_steps: int,
        worker: ProbeWorker | None,
        adjust: Callable[[TimeExpandedNetwork], TimeExpandedNetwork] | None = None,
    ) -> None:
        self.graph, self.model, self.times, self.max_steps = graph, model, times, max_steps
        self.adjust = adjust
        self.worker = worker
        self.values: dict[int, int] = {}
        self.probes: list[tuple[int, int, int, float]] = []
        self.rounds = 0
        self._best: tuple[int, FlowSolution] | None = None
        if worker is not None:
            try:
                worker.load(graph, model, times)
            except ProbeWorkerError:
                self.worker = None

    def run(self, horizons: list[int], need: int) -> None:
        """Probe ``horizons`` (ascending); with a worker, the smallest of two runs there meanwhile."""
        self.rounds += 1
        theirs = None
        if self.worker is not None and len(horizons) > 1:
            try:
                self.worker.submit(horizons[0], need)
                theirs = horizons[0]
            except ProbeWorkerError:
                self.worker = None
        for t in horizons:
            if t != theirs:
                self._probe_here(t, need)
        if theirs is None or self.worker is None:
            return
        try:
            value, flow, arcs, seconds = self.worker.result()
        except ProbeWorkerError:  # the search goes on alone; the result does not depend on the worker
            self.worker = None
            self._probe_here(theirs, need)
            return
        self._record(theirs, value, arcs, seconds)
        if flow is not None and self._wants(theirs, need):  # rebuilt here: expand is deterministic
            net = expand(self.graph, self.model, theirs, self.times)
            self._best = (theirs, FlowSolution(net, flow, value))

    def _probe_here(self, steps: int, need: int) -> None:
        began = time.perf_counter()
        net = expand(self.graph, self.model, steps, self.times)
        if self.adjust is not None:
            net = self.adjust(net)
        solution = solve_max_flow(net)
        self._record(steps, solution.value, net.arc_count, time.perf_counter() - began)
        if self._wants(steps, need):
            self._best = (steps, solution)

    def _record(self, steps: int, value: int, arcs: int, seconds: float) -> None:
        self.values[steps] = value
        self.probes.append((steps, value, arcs, seconds))

    def _wants(self, steps: int, need: int) -> bool:
        """Whether the solution at ``steps`` replaces the kept one (only one network is kept)."""
        if self.values[steps] < need and steps != self.max_steps:
            return False
        return self._best is None or steps < self._best[0] or self.values[self._best[0]] < need

    def solution_at(self, steps: int) -> FlowSolution:
        """The solution at ``steps`` (kept when it was the least that cleared; else probed again)."""
        if self._best is not None and self._best[0] == steps:
            return self._best[1]
        return solve_max_flow(expand(self.graph, self.model, steps, self.times))

    def result(self, steps: int, solution: FlowSolution, servable: int, low: int) -> SearchResult:
        return SearchResult(steps, solution, servable, low, self.probes, self.times, self.rounds)
