"""A lower bound from a cut of a finer relaxation whose links are charged per fixed time window.

The one-step relaxation (``time_expansion``, ``relaxed=True``) loses up to a step per chain by
rounding travel times down to whole steps. A relaxation at ``q`` substeps per step rounds to
``step / q`` instead, but ``check-plan`` counts capacity per *fixed* window of one step, and a plan
may send a link's whole capacity at one instant of a window: per substep, only the window's total
is bounded. That is a side constraint (one row per link and window), not a max flow; as an LP
(HiGHS) it took 147 s on the demo. This module proves bounds with max flows only, by weak duality:

For a horizon ``T`` (in substeps) let ``N`` be the relaxation at ``q`` substeps (each chain's
free-flow time rounded down to substeps, waiting anywhere, a chain closed only when one closure
covers every instant it could be entered). Every valid plan maps to a flow of ``N`` (entering a
chain at instant ``x`` means substep ``floor(x q / step)``, which lies in the window of ``x``)
whose link arcs satisfy: the people entering chain ``a`` in the substeps of window ``w`` are at
most ``U_a`` (its first link's capacity per step). For any set ``S`` of nodes of ``N`` holding the
source and not the sink, the flow's value is at most what crosses from ``S`` to the rest, so at most

    C(S) = Σ U_a over the (chain, window) pairs with a link arc leaving S
         + people of the origins whose source arc leaves S
         + reception capacity of the destinations whose arc to the sink leaves S,

and ``C(S) = ∞`` when a waiting, departure or arrival arc leaves ``S``. If ``C(S)`` is below the
people the plan moves, no valid plan arrives by the end of substep ``T``: its clearance is at least
``(T + 1) × step / q``.

Finding a good ``S`` is a heuristic (any ``S`` gives a valid bound): the minimum cut of ``N`` with
each link arc's capacity ``U_a / q`` (people spread evenly: the "fluid" network, scaled by ``q`` to
whole numbers) and then ``WINDOW_CUT_ROUNDS - 1`` re-solves in which the arcs of the (chain, window)
pairs the last cut already pays for cost (almost) nothing, so the cut takes whole windows. Both
extreme minimum cuts (source side, sink side) of every round are charged; the least counts.
Measured on the Helsinki demo (q = 6): 4,750 s proven where the one-step relaxation proves 4,680 s,
0.1 s a horizon.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow

from safepassage.errors import SolverError
from safepassage.planner.static_graph import StaticGraph
from safepassage.planner.time_expansion import (
    LINK,
    RECEIVE,
    SOURCE,
    StaticTimes,
    StepModel,
    TimeExpandedNetwork,
    expand,
    static_times,
)
from safepassage.planner.time_grid import step_ms

__all__ = ["WINDOW_CUT_ROUNDS", "WindowCut", "window_cut_bound", "window_cut_capacity"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Minimum cuts solved per horizon: the fluid one, then re-solves with paid windows free.
WINDOW_CUT_ROUNDS = 2
_BIG = 1 << 40  # an arc no cut may cross (waiting, departures, arrivals)


@dataclass
class WindowCut:
    """Horizons tried (in substeps) and the largest one proven too short (-1: none)."""

    substeps: int
    proven_short: int = -1
    probes: list[tuple[int, int, int, float]] = field(default_factory=list)  # (T, least C(S), arcs, s)

    def bound_ms(self, step_s: float) -> int:
        """The proven bound in ms: ``(proven_short + 1)`` substeps (0 when nothing is proven)."""
        if self.proven_short < 0:
            return 0
        return (self.proven_short + 1) * (step_ms(step_s) // self.substeps)


def window_cut_capacity(
    network: TimeExpandedNetwork, graph: StaticGraph, side: BoolArray, substeps: int
) -> int:
    """``C(S)`` of the node set ``side`` (module docstring); ``-1`` stands for infinity."""
    leaving = side[network.tail] & ~side[network.head]
    kind = network.kind[leaving]
    if np.any((kind != LINK) & (kind != SOURCE) & (kind != RECEIVE)):
        return -1
    link = leaving & (network.kind == LINK)
    arcs = network.ref[link]
    windows = network.time[link] // substeps
    pairs = np.unique(arcs * (int(windows.max(initial=0)) + 1) + windows) if arcs.size else arcs
    per_step = np.floor(graph.arc_first_capacity_raw + 1e-9).astype(np.int64)
    charged = int(per_step[pairs // (int(windows.max(initial=0)) + 1)].sum()) if pairs.size else 0
    others = leaving & ((network.kind == SOURCE) | (network.kind == RECEIVE))
    return charged + int(network.capacity[others].sum())


def _least_cut(
    network: TimeExpandedNetwork, graph: StaticGraph, substeps: int, rounds: int, moved: int
) -> tuple[bool, int]:
    """(the fluid network is short of ``moved``, the least ``C(S)`` of the heuristic's cuts or -1).

    When the fluid network moves everybody no cut can prove anything (``C(S)`` is at least the
    fluid cut), so only its first cut is charged.
    """
    link = network.kind == LINK
    per_step = np.floor(graph.arc_first_capacity_raw + 1e-9).astype(np.int64)
    fluid = per_step[network.ref[link]]  # U / q per substep, scaled by q
    ends = (network.kind == SOURCE) | (network.kind == RECEIVE)
    capacity = np.where(ends, network.capacity * substeps, _BIG)
    capacity[link] = fluid
    windows = int(network.time.max(initial=0)) // substeps + 1
    group = network.ref[link] * windows + network.time[link] // substeps
    best = -1
    short = False
    for round_index in range(rounds):
        solver = max_flow.SimpleMaxFlow()
        solver.add_arcs_with_capacity(network.tail, network.head, capacity)
        if solver.solve(network.source, network.sink) != solver.OPTIMAL:
            raise SolverError(f"OR-Tools max flow did not finish on {network.arc_count} arcs (window cut)")
        if round_index == 0:
            short = solver.optimal_flow() < moved * substeps
        source_side = np.zeros(network.node_count, dtype=bool)
        source_side[np.asarray(solver.get_source_side_min_cut(), dtype=np.int64)] = True
        sink_side = np.ones(network.node_count, dtype=bool)
        sink_side[np.asarray(solver.get_sink_side_min_cut(), dtype=np.int64)] = False
        for side in (source_side, sink_side):
            value = window_cut_capacity(network, graph, side, substeps)
            if value >= 0 and (best < 0 or value < best):
                best = value
        if not short or 0 <= best < moved:
            break
        leaving = source_side[network.tail[link]] & ~source_side[network.head[link]]
        capacity[link] = np.where(np.isin(group, group[leaving]), 1, fluid)
    return short, best


def window_cut_bound(
    step_s: float,
    graph: StaticGraph,
    moved: int,
    *,
    substeps: int,
    low: int,
    high: int,
    rounds: int = WINDOW_CUT_ROUNDS,
) -> WindowCut:
    """A large horizon in ``[low, high)`` (substeps) proven too short by a window-charged cut.

    Bisection for the fluid network's last short horizon, then the horizons below it (see the
    comments); every horizon proven is a valid bound and the largest is kept. ``step_s``: the
    scenario's step; ``step_s / substeps`` must be whole milliseconds.
    """
    model = StepModel(step_s / substeps, relaxed=True, slowdown_s=step_s)
    times: StaticTimes = static_times(graph, model)
    result = WindowCut(substeps=substeps)

    def probe(steps: int, tries: int) -> bool:
        """Whether the fluid network is short at ``steps`` (records a proof when a cut gives one)."""
        began = time.perf_counter()
        network = expand(graph, model, steps, times)
        short, value = _least_cut(network, graph, substeps, tries, moved)
        result.probes.append((steps, value, network.arc_count, time.perf_counter() - began))
        if 0 <= value < moved:
            result.proven_short = max(result.proven_short, steps)
        return short

    def proven(steps: int) -> bool:
        probe(steps, rounds)
        return result.proven_short >= steps

    # The fluid network's flow grows with T and no cut proves a horizon at which it moves
    # everybody: bisect for the last horizon it falls short (its first cuts charged on the way).
    lo, hi = low, high
    if lo >= hi or not probe(lo, 1):
        return result
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if probe(mid, 1):
            lo = mid
        else:
            hi = mid
    # Proofs come in runs of horizons (a cut pays whole windows): try every horizon from the last
    # short one down, at most two windows' worth, and stop at the first proven.
    for steps in range(lo, max(low, result.proven_short, lo - 2 * substeps), -1):
        if proven(steps):
            break
    return result
