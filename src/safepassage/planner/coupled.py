"""Exact plans when groups must be kept apart on shared roads: a multi-commodity LP / MIP (HiGHS).

A must-use corridor binding some origins of a travel mode but not others gives that mode's
network two *layers* (``problem``): the restricted people may use fewer links and fewer
destinations. On a link both layers may use, the people of both enter against one capacity. A
single-commodity max flow cannot keep the layers apart and share a link, so fast mode splits each
link's capacity in proportion to the layers' people (feasible, not optimal). Exact mode instead
solves the time-expanded network of all layers at once with **coupling rows**: for every shared
chain (``StaticGraph.arc_key``: the same links, times and closures in every layer) and entry
step, the layers' flows together stay within its capacity; a link only one layer may use keeps
its full capacity for that layer. Reception capacity is already shared (all layers arrive at the
same destination nodes).

The search over the horizon T mirrors ``flow_search``: probes are **LP** max flows (HiGHS through
``scipy.optimize.milp``; fractional people). An LP is a relaxation of the integer problem, so the
least T at which the LP moves everybody, ``T_lp``, is proven: no plan of the model clears at
``T_lp - 1``. At ``T_lp`` (then ``T_lp + 1``, ...) a **MIP** with whole people, each origin's
people fixed, minimises the people's time on the road (the tidy objective; with risk on the roads,
risk first): its first feasible horizon is the model's quickest clearance. When the MIP proves a
horizon infeasible the search moves on, still proven; when it stops at its time limit without an
answer, exactness is lost and the result says so (``proven = False``; the planner then reports
mode ``bounded``).

The lower-bound relaxations use the same coupling rows (LP only), which makes their bound tighter
than giving every layer the full capacity.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NoReturn

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from safepassage.planner.flow_search import FlowSolution, next_horizon
from safepassage.planner.static_graph import StaticGraph
from safepassage.planner.time_expansion import (
    LINK,
    SOURCE,
    StaticTimes,
    StepModel,
    TimeExpandedNetwork,
    expand,
    static_times,
)

__all__ = [
    "COUPLED_ARC_BUDGET",
    "COUPLED_MIP_TIME_LIMIT_S",
    "CoupledGaveUp",
    "CoupledSearch",
    "coupled_quickest",
    "coupling_rows",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Largest time-expanded network (arcs per probe) exact mode solves as a coupled LP / MIP; above
#: it the planner splits shared capacity and reports mode ``bounded`` (not proven quickest).
COUPLED_ARC_BUDGET = 60_000
#: Time limit of one LP or MIP (seconds). An LP stopped by it, or no whole-people plan at the
#: horizon, gives up (:class:`CoupledGaveUp`); a MIP stopped makes the result unproven.
COUPLED_MIP_TIME_LIMIT_S = 20.0


class CoupledGaveUp(Exception):  # noqa: N818 - an outcome the planner handles, not an error shown
    """The coupled search cannot answer within its limits; the planner falls back (and says so)."""


_EPS = 1e-6

CostOf = Callable[[TimeExpandedNetwork], IntArray]


@dataclass
class CoupledSearch:
    """The least horizon found, its integer flow (plan model) and how it was proven."""

    horizon_steps: int
    solution: FlowSolution
    servable: int
    infeasible_below: int
    times: StaticTimes
    proven: bool
    probes: list[tuple[int, int, int, float]] = field(default_factory=list)  # (T, people, arcs, s)
    notes: list[str] = field(default_factory=list)
    mip_optimal: bool = True  # the final MIP's road-time objective proven least

    @property
    def largest_network_arcs(self) -> int:
        return max((p[2] for p in self.probes), default=0)


def coupling_rows(graph: StaticGraph, network: TimeExpandedNetwork) -> tuple[IntArray, IntArray, IntArray]:
    """(row per entry, arc per entry, capacity per row): link arcs of several layers sharing a chain.

    One row per (shared chain, entry step) used by at least two layers; its capacity is the
    chain's (the same in every layer: same links, same substep pattern).
    """
    link = np.flatnonzero(network.kind == LINK)
    key = graph.arc_key[network.ref[link]]
    step = network.time[link]
    order = np.lexsort((step, key))
    key, step, arcs = key[order], step[order], link[order]
    new = np.r_[True, (key[1:] != key[:-1]) | (step[1:] != step[:-1])] if arcs.size else np.zeros(0, bool)
    group = np.cumsum(new) - 1
    size = np.bincount(group) if arcs.size else np.zeros(0, np.int64)
    multi = size[group] > 1 if arcs.size else np.zeros(0, bool)
    arcs, group = arcs[multi], group[multi]
    _, row = np.unique(group, return_inverse=True)
    rows = int(row.max(initial=-1)) + 1
    capacity = np.full(rows, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(capacity, row, network.capacity[arcs])
    return row.astype(np.int64), arcs.astype(np.int64), capacity


@dataclass(frozen=True)
class _Outcome:
    optimal: bool
    infeasible: bool
    x: FloatArray | None
    objective: float


def _solve(
    graph: StaticGraph,
    network: TimeExpandedNetwork,
    cost: FloatArray,
    *,
    integral: bool,
    fixed_source: IntArray | None = None,
    time_limit_s: float = COUPLED_MIP_TIME_LIMIT_S,
) -> _Outcome:
    """One HiGHS solve: flow conservation, arc capacities, coupling rows; minimise ``cost``.

    ``fixed_source``: people per origin each source arc must carry exactly.
    """
    n = network.arc_count
    nodes = network.node_count
    row, arcs, capacity = coupling_rows(graph, network)
    col = np.arange(n, dtype=np.int64)
    rows = np.concatenate([network.head, network.tail, nodes + row])
    cols = np.concatenate([col, col, arcs])
    values = np.concatenate([np.ones(n), -np.ones(n), np.ones(arcs.size)])
    matrix = coo_matrix((values, (rows, cols)), shape=(nodes + capacity.size, n)).tocsr()
    lower_row = np.concatenate([np.zeros(nodes), np.full(capacity.size, -np.inf)])
    upper_row = np.concatenate([np.zeros(nodes), capacity.astype(np.float64)])
    for free in (network.source, network.sink):  # no conservation at the ends
        lower_row[free], upper_row[free] = -np.inf, np.inf
    lower = np.zeros(n)
    upper = network.capacity.astype(np.float64)
    if fixed_source is not None:
        src = np.flatnonzero(network.kind == SOURCE)
        lower[src] = upper[src] = fixed_source[network.ref[src]].astype(np.float64)
    options: dict[str, float | bool] = {"disp": False, "time_limit": time_limit_s}
    if integral:
        options["mip_rel_gap"] = 0.0
    result = milp(
        cost,
        integrality=np.ones(n) if integral else None,
        bounds=Bounds(lower, upper),
        constraints=LinearConstraint(matrix, lower_row, upper_row),
        options=options,
    )
    x = None if result.x is None else np.asarray(result.x, dtype=np.float64)
    fun = float(result.fun) if result.fun is not None else math.nan
    return _Outcome(optimal=result.status == 0, infeasible=result.status == 2, x=x, objective=fun)


def _max_flow_cost(network: TimeExpandedNetwork) -> FloatArray:
    out: FloatArray = np.where(network.kind == SOURCE, -1.0, 0.0)
    return out


def coupled_quickest(
    graph: StaticGraph,
    model: StepModel,
    max_steps: int,
    *,
    integral: bool,
    cost_of: CostOf | None = None,
    start_steps: int | None = None,
    known_short: int = -1,
    target: int | None = None,
    growth: float = 2.0,
) -> CoupledSearch:
    """Least T whose coupled LP moves ``target`` (default: everybody who can be moved); see module.

    ``integral``: then find the least T at or above the LP's with a whole-people flow (MIP) whose
    cost ``cost_of(network)`` (per arc, e.g. road time) is least. Otherwise (relaxations) only the
    LP search runs; ``solution`` then holds no flow.
    """
    times = static_times(graph, model)
    demand = int(graph.origin_people.sum()) if target is None else target
    probes: list[tuple[int, int, int, float]] = []
    values: dict[int, float] = {}

    def lp(steps: int) -> float:
        began = time.perf_counter()
        net = expand(graph, model, steps, times)
        outcome = _solve(graph, net, _max_flow_cost(net), integral=False)
        if not outcome.optimal:  # unknown is not "too short": give up rather than claim a proof
            raise CoupledGaveUp(
                f"the coupled LP at {steps} model steps ({net.arc_count:,} arcs) did not finish"
            )
        value = -outcome.objective
        values[steps] = value
        probes.append((steps, math.floor(value + _EPS), net.arc_count, time.perf_counter() - began))
        return value

    first = times.to_go[graph.origin_node][np.isfinite(times.to_go[graph.origin_node])]
    t = max(1, min(max_steps, start_steps if start_steps is not None else int(first.max(initial=1))))
    while True:
        value = lp(t)
        if value >= demand - _EPS or t >= max_steps:
            break
        t = min(max_steps, next_horizon(values, t, demand, growth))
    servable = min(demand, math.floor(value + _EPS))
    empty = FlowSolution(expand(graph, model, 0, times), np.zeros(0, np.int64), 0)
    if servable == 0:
        return CoupledSearch(t, _zero_flow(empty.network), 0, -1, times, True, probes)
    high = min(p for p, v in values.items() if v >= servable - _EPS)
    short = [p for p, v in values.items() if v < servable - _EPS and p < high]
    if servable == demand and 0 <= known_short < high:
        short.append(known_short)
    low = max(short) if short else -1
    while high - low > 1:
        mid = (low + high) // 2
        if lp(mid) >= servable - _EPS:
            high = mid
        else:
            low = mid
    if not integral:
        return CoupledSearch(high, empty, servable, low, times, True, probes)
    return _integral_from(graph, model, times, high, low, servable, max_steps, cost_of, probes)


def _integral_from(
    graph: StaticGraph,
    model: StepModel,
    times: StaticTimes,
    steps: int,
    short: int,
    servable: int,
    max_steps: int,
    cost_of: CostOf | None,
    probes: list[tuple[int, int, int, float]],
) -> CoupledSearch:
    """MIPs at ``steps``, ``steps + 1``, ... until one moves ``servable`` people (see module)."""
    proven = True
    notes: list[str] = []
    demand = int(graph.origin_people.sum())
    first_steps: int | None = steps
    while True:
        began = time.perf_counter()
        net = expand(graph, model, steps, times)
        cost = np.zeros(net.arc_count) if cost_of is None else cost_of(net).astype(np.float64)
        fixed: IntArray | None
        if servable == demand:
            fixed = graph.origin_people
        else:  # fewer than everybody: which people, first (a max-flow MIP), then the road time
            found = _solve(graph, net, _max_flow_cost(net), integral=True)
            moved = 0 if found.x is None else round(-found.objective)
            fixed = _served(net, found.x, len(graph.origin_people)) if moved >= servable else None
            if fixed is None and not found.optimal:
                proven = False
                notes.append(f"the max-flow MIP at {steps} model steps stopped at its time limit")
        outcome = None if fixed is None else _solve(graph, net, cost, integral=True, fixed_source=fixed)
        probes.append(
            (
                steps,
                servable if outcome and outcome.x is not None else -1,
                net.arc_count,
                time.perf_counter() - began,
            )
        )
        if outcome is not None and outcome.x is not None:
            flow = np.rint(outcome.x).astype(np.int64)
            if not outcome.optimal:
                notes.append(f"the road-time MIP at {steps} model steps stopped at its time limit")
            return CoupledSearch(
                steps,
                FlowSolution(net, flow, servable),
                servable,
                short,
                times,
                proven,
                probes,
                notes,
                mip_optimal=outcome.optimal,
            )
        if outcome is not None and not outcome.infeasible:
            proven = False
            notes.append(f"the MIP at {steps} model steps stopped at its time limit without a plan")
        if steps >= max_steps:
            found = _solve(graph, net, _max_flow_cost(net), integral=True)
            moved = 0 if found.x is None else round(-found.objective)
            if moved >= servable or moved == 0 or first_steps is None:
                raise_unsolved(steps, servable)
            # Fewer whole people than the LP's fractional ones fit: plan those, from the LP's horizon.
            notes.append(f"whole people: {moved} of the LP's {servable} can be moved within the horizon")
            proven = proven and found.optimal
            servable, steps, short, first_steps = moved, first_steps, -1, None
            continue
        if proven:
            short = steps
        steps += 1


def raise_unsolved(steps: int, servable: int) -> NoReturn:
    """No whole-people plan at the scenario's horizon although the LP moves ``servable`` people."""
    raise CoupledGaveUp(
        f"no whole-people plan moving {servable} people was found within {steps} model steps although "
        "the coupled LP moves them"
    )


def _served(net: TimeExpandedNetwork, x: FloatArray | None, origins: int) -> IntArray | None:
    if x is None:
        return None
    src = net.kind == SOURCE
    out: IntArray = np.bincount(net.ref[src], weights=np.rint(x[src]), minlength=origins).astype(np.int64)
    return out


def _zero_flow(network: TimeExpandedNetwork) -> FlowSolution:
    return FlowSolution(network, np.zeros(network.arc_count, dtype=np.int64), 0)
