"""Proven lower bounds on the clearance of every plan ``check-plan`` accepts.

The largest of these is the plan's ``lower_bound_s`` (proofs in ``docs/plan-format.md``):

(a) the **relaxation**: ``T_low * step'`` where ``T_low`` is the least T at which the relaxed
    time-expanded network (``time_expansion``, ``relaxed=True``: travel times rounded down, a link
    closed only when one closure covers every instant it could be entered, waiting anywhere, each
    chain's first link's capacity) moves as many people as the plan; ``step'`` is
    ``FAST_BOUND_FACTOR`` time steps (coarse) and, within the arc budget, one time step (fine, also
    on the graph whose chains are cut before links that open later: ``relaxed_network``);
    above that budget (and up to ``FINE_PROBE_ARC_LIMIT``) the fine relaxation is only *probed*
    (:func:`fine_relaxation_probes`): each horizon T at which it falls short proves
    ``(T + 1) * step``, without searching for its least T;
(b) the **window cut** (``window_cut``, exact mode, within ``WINDOW_CUT_ARC_BUDGET``): a cut of the
    relaxation at ``WINDOW_CUT_SUBSTEPS`` substeps whose links are charged per fixed time window;
(c) the free-flow **shortest path** time from the farthest served origin to its nearest usable
    destination over links not closed for the whole horizon.

Errors: :class:`~safepassage.errors.SolverError` when a relaxation moves fewer people than the plan
or its bound exceeds the plan's clearance (both would be internal errors: a relaxation admits every
valid plan).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from pydantic import JsonValue
from scipy.sparse.csgraph import dijkstra

from safepassage.errors import SolverError
from safepassage.planner.coupled import CoupledGaveUp, CoupledSearch, coupled_quickest
from safepassage.planner.flow_search import SearchResult, quickest_clearance, solve_max_flow
from safepassage.planner.probe_worker import ProbeWorker, ProbeWorkerError
from safepassage.planner.problem import PlanningProblem
from safepassage.planner.relaxed_network import split_before_openings
from safepassage.planner.static_graph import StaticGraph
from safepassage.planner.time_expansion import StepModel, expand, min_weight_matrix, static_times
from safepassage.planner.time_grid import ms_to_s, step_ms, whole_ms_substeps
from safepassage.planner.window_cut import WindowCut, window_cut_bound

__all__ = [
    "FAST_BOUND_FACTOR",
    "FINE_PROBES_OVER_BUDGET",
    "FINE_PROBE_ARC_LIMIT",
    "WINDOW_CUT_ARC_BUDGET",
    "WINDOW_CUT_SUBSTEPS",
    "FineProbes",
    "FineResult",
    "PendingFineProbe",
    "fine_relaxation_probes",
    "fine_relaxations",
    "finish_fine_probe",
    "proven_lower_bound",
    "relaxation_clearance",
    "shortest_path_bound_ms",
    "start_fine_probe",
]

IntArray = npt.NDArray[np.int64]

#: The coarse relaxation's step, in time steps (also fast mode's only relaxation above its budget).
FAST_BOUND_FACTOR = 5
#: Above the planner's arc budget the fine (one time step) relaxation is probed at most this many
#: times, each probe at most about ``FINE_PROBE_ARC_LIMIT`` arcs (estimated before pruning as
#: (static arcs + nodes) x steps); measured on the 300,000-people instance: 6.35 M arcs after
#: pruning, 5.8-7.5 s a probe, and it proves 7,860 s where the coarse bound proves 7,800 s.
FINE_PROBES_OVER_BUDGET = 1
FINE_PROBE_ARC_LIMIT = 12_000_000
#: Substeps per time step of the window-cut bound (``window_cut``; fewer when the step does not
#: split into whole milliseconds), and its size limit in exact mode (estimated arcs a probe).
WINDOW_CUT_SUBSTEPS = 6
WINDOW_CUT_ARC_BUDGET = 2_000_000


@dataclass
class FineProbes:
    """The fine relaxation probed at a few horizons only (no search for its least T).

    ``short_steps``: the largest horizon (in time steps) at which it was proven to move fewer than
    the plan's people (-1: none); the bound it proves is ``(short_steps + 1)`` time steps.
    """

    short_steps: int
    probes: list[tuple[int, int, int, float]] = field(default_factory=list)  # (T, people, arcs, s)

    @property
    def largest_network_arcs(self) -> int:
        return max((p[2] for p in self.probes), default=0)


def fine_relaxation_probes(
    step_s: float, graph: StaticGraph, target: int, start_steps: int, probes: int
) -> FineProbes:
    """Probe the fine relaxation at ``start_steps``, ``start_steps + 1``, ... (at most ``probes``).

    Stops at the first horizon that moves ``target`` people. Each horizon that falls short is a
    proof (``docs/plan-format.md``, "The lower bounds"); the least clearing one is not searched.
    ``step_s``: the scenario's time step (whole milliseconds).
    """
    model = StepModel(step_s, relaxed=True, slowdown_s=step_s)
    times = static_times(graph, model)
    out = FineProbes(short_steps=-1)
    steps = max(0, start_steps)
    for _ in range(probes):
        began = time.perf_counter()
        network = expand(graph, model, steps, times)
        value = solve_max_flow(network).value
        out.probes.append((steps, value, network.arc_count, time.perf_counter() - began))
        if value >= target:
            break
        out.short_steps = steps
        steps += 1
    return out


@dataclass(frozen=True, eq=False)
class PendingFineProbe:
    """The fine relaxation's first probe above the arc budget, running in the probe worker."""

    worker: ProbeWorker
    target: int
    steps: int


def start_fine_probe(
    worker: ProbeWorker, step_s: float, graph: StaticGraph, target: int, start_steps: int
) -> PendingFineProbe | None:
    """Hand the first probe of :func:`fine_relaxation_probes` to ``worker`` (``probe_worker``).

    It then runs on the second core while the caller builds the movements; :func:`finish_fine_probe`
    collects it. ``None`` when the worker failed (the caller probes itself, as without a worker).
    """
    model = StepModel(step_s, relaxed=True, slowdown_s=step_s)
    steps = max(0, start_steps)
    try:
        worker.load(graph, model, static_times(graph, model))
        worker.submit(steps, target + 1)  # value only: no flow comes back below target + 1
    except ProbeWorkerError:
        worker.close()
        return None
    return PendingFineProbe(worker, target, steps)


def finish_fine_probe(pending: PendingFineProbe) -> FineProbes | None:
    """The worker's probe as :class:`FineProbes` (the worker is closed); ``None`` if it failed."""
    try:
        value, _flow, arcs, seconds = pending.worker.result()
    except ProbeWorkerError:
        return None
    finally:
        pending.worker.close()
    short = pending.steps if value < pending.target else -1
    return FineProbes(short_steps=short, probes=[(pending.steps, value, arcs, seconds)])


def relaxation_clearance(
    problem: PlanningProblem,
    graph: StaticGraph,
    factor: int,
    max_fine_steps: int,
    target: int,
    *,
    start: int | None = None,
) -> SearchResult | CoupledSearch:
    """Least T (in steps of ``factor`` fine steps) at which the relaxation moves ``target`` people."""
    model = StepModel(
        problem.step_s * factor, relaxed=True, capacity_factor=factor, slowdown_s=problem.step_s
    )
    max_steps = max(1, math.ceil(max_fine_steps / factor))
    first = None if start is None else max(1, start // factor)
    if graph.shared:  # the same relaxation with the groups' shared links coupled (LP)
        try:
            return coupled_quickest(
                graph,
                model,
                max_steps,
                integral=False,
                target=target,
                start_steps=first,
                growth=1.1 if first else 2.0,
            )
        except CoupledGaveUp:  # too large for the LP: every layer's full capacity (still a relaxation)
            pass
    return quickest_clearance(
        graph, model, max_steps, target=target, start_steps=first, growth=1.1 if first else 2.0
    )


FineResult = SearchResult | CoupledSearch | FineProbes


def fine_relaxations(
    problem: PlanningProblem,
    graph: StaticGraph,
    moved: int,
    clearance_s: float,
    *,
    start_steps: int,
    max_fine_steps: int,
    search: bool,
    probes: int,
    first: FineProbes | None = None,
) -> list[tuple[str, FineResult]]:
    """The fine (one time step) relaxation of ``graph`` and of its chains cut before openings.

    ``search``: find each one's least clearing horizon (from ``start_steps``, at most
    ``max_fine_steps``); otherwise, with ``probes > 0``, probe each just above ``start_steps``
    (:func:`fine_relaxation_probes`). The cut graph (``relaxed_network.split_before_openings``, links
    whose closure ends by ``clearance_s``) is only added where it differs from ``graph``. Every
    result is a proven bound by itself; :func:`proven_lower_bound` takes the largest.
    ``first``: the plain graph's first probe at ``start_steps`` already made (``finish_fine_probe``);
    the probes go on from the next horizon.
    """
    if moved <= 0 or (not search and probes <= 0):
        return []
    graphs = [("fine", graph)]
    cut = split_before_openings(problem, graph, clearance_s)
    if cut is not graph:
        graphs.append(("fine_cut", cut))
    out: list[tuple[str, FineResult]] = []
    for name, relaxed in graphs:
        if search:
            out.append(
                (name, relaxation_clearance(problem, relaxed, 1, max_fine_steps, moved, start=start_steps))
            )
        elif name == "fine" and first is not None:
            out.append((name, _continued(problem.step_s, relaxed, moved, first, probes)))
        else:
            out.append((name, fine_relaxation_probes(problem.step_s, relaxed, moved, start_steps, probes)))
    return out


def _continued(step_s: float, graph: StaticGraph, moved: int, first: FineProbes, probes: int) -> FineProbes:
    """``first`` (one probe made elsewhere) and, while it fell short, the next ``probes - 1``."""
    if first.short_steps < 0 or probes <= 1:
        return first
    rest = fine_relaxation_probes(step_s, graph, moved, first.short_steps + 1, probes - 1)
    short = rest.short_steps if rest.short_steps >= 0 else first.short_steps
    return FineProbes(short_steps=short, probes=[*first.probes, *rest.probes])


def proven_lower_bound(
    problem: PlanningProblem,
    graph: StaticGraph,
    served: IntArray,
    clearance_s: float,
    coarse: SearchResult | CoupledSearch,
    fine: Sequence[tuple[str, FineResult]] = (),
    *,
    window_cut_budget: int = 0,
) -> tuple[float, dict[str, JsonValue]]:
    """Proven lower bound on the clearance of any valid plan moving as many people (docstring, 4).

    ``coarse``: the coarse relaxation's search; ``fine``: named fine relaxations
    (:func:`fine_relaxations`); ``graph``: for the shortest-path bound and the window cut
    (``window_cut``, at ``WINDOW_CUT_SUBSTEPS`` substeps) when its estimated size, (static arcs +
    nodes) x substeps to the clearance, is at most ``window_cut_budget`` arcs (0: never).
    """
    moved = int(served.sum())
    if moved == 0:
        return 0.0, {"relaxation_s": 0.0, "shortest_path_s": 0.0}
    details: dict[str, JsonValue] = {}
    bound = 0.0
    step = step_ms(problem.step_s)
    searched: list[tuple[str, SearchResult | CoupledSearch, int]] = [("coarse", coarse, FAST_BOUND_FACTOR)]
    for name, result in fine:
        if not isinstance(result, FineProbes):
            searched.append((name, result, 1))
            continue
        seconds = ms_to_s((result.short_steps + 1) * step) if result.short_steps >= 0 else 0.0
        bound = max(bound, seconds)
        details[f"{name}_relaxation_probed"] = {
            "step_s": problem.step_s,
            "short_at_steps": result.short_steps,
            "bound_s": seconds,
            "probes": [
                {"steps": t, "people_moved": v, "arcs": a, "seconds": round(x, 4)}
                for t, v, a, x in result.probes
            ],
        }
    for name, result, factor in searched:
        if result.servable < moved:
            raise SolverError(
                f"the {name} lower-bound relaxation moves only {result.servable} of {moved} people "
                "within the horizon; a relaxation must allow every valid plan (internal error)"
            )
        seconds = ms_to_s(result.horizon_steps * step * factor)
        bound = max(bound, seconds)
        details[f"{name}_relaxation"] = {
            "step_s": problem.step_s * factor,
            "steps": result.horizon_steps,
            "bound_s": seconds,
            "probes": len(result.probes),
            "largest_arcs": result.largest_network_arcs,
        }
    if window_cut_budget > 0:
        cut = _window_cut(problem, graph, moved, clearance_s, bound, window_cut_budget)
        if cut is not None:
            seconds = ms_to_s(cut.bound_ms(problem.step_s))
            bound = max(bound, seconds)
            details["window_cut"] = {
                "substeps": cut.substeps,
                "short_at_substeps": cut.proven_short,
                "bound_s": seconds,
                "probes": [
                    {"substeps": t, "least_cut_people": v, "arcs": a, "seconds": round(x, 4)}
                    for t, v, a, x in cut.probes
                ],
            }
    path_s = ms_to_s(shortest_path_bound_ms(problem, graph, served))
    details["shortest_path_s"] = path_s
    if bound > clearance_s + 1e-6:
        raise SolverError(
            f"lower bound {bound:.0f} s exceeds the plan's clearance {clearance_s:.0f} s (internal error)"
        )
    return max(bound, path_s), details


def _window_cut(
    problem: PlanningProblem, graph: StaticGraph, moved: int, clearance_s: float, bound_s: float, budget: int
) -> WindowCut | None:
    """The window-cut bound between ``bound_s`` (already proven) and the clearance, within ``budget``."""
    scenario_ms = step_ms(problem.step_s)
    substeps = whole_ms_substeps(scenario_ms, WINDOW_CUT_SUBSTEPS)
    if substeps < 2:
        return None
    sub_ms = scenario_ms // substeps
    high = round(clearance_s * 1000) // sub_ms  # proving T = high - 1 at most: bound <= clearance
    if (graph.arc_count + graph.node_count) * high > budget:
        return None
    low = max(0, -(-round(bound_s * 1000) // sub_ms) - 1)  # re-proves the bound already held
    return window_cut_bound(problem.step_s, graph, moved, substeps=substeps, low=low, high=high)


def shortest_path_bound_ms(problem: PlanningProblem, graph: StaticGraph, served: IntArray) -> int:
    """Free-flow time from the farthest served origin to its nearest usable destination, in ms.

    Link times rounded down to whole ms; exact integer sums (weights ``ms * K + 1`` with ``K`` above
    any path's arc count, so zero-time arcs stay arcs and ``dist // K`` is the sum of the ms).
    """
    closed_always = np.zeros(graph.arc_count, dtype=bool)
    whole = (graph.closure_from_s <= 0.0) & (graph.closure_to_s >= problem.horizon_s)
    closed_always[graph.closure_arc[whole]] = True
    keep = ~closed_always
    scale = graph.node_count + 1
    weights = graph.arc_travel_lo_ms[keep].astype(np.float64) * scale + 1.0
    matrix = min_weight_matrix(graph.arc_tail[keep], graph.arc_head[keep], weights, graph.node_count)
    to_sink = dijkstra(matrix.T.tocsr(), indices=np.unique(graph.sink_node), min_only=True)
    nodes = graph.origin_node[served > 0]
    values = to_sink[nodes]
    values = values[np.isfinite(values)]
    return int(values.max()) // scale if values.size else 0
