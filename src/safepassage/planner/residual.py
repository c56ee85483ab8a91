"""Road capacity left over by groups that keep their routes, and the max-flow search on what is left.

A re-plan (``replan``) keeps some groups as they are: those already on the road, and those not yet
gone whose routes the incident does not touch. They take road capacity in some time steps; the
people planned again may only use the rest. This module

1. flattens movements into **hops** (:func:`movement_hops`: the link each consecutive pair of path
   nodes takes, the fastest one as ``check-plan`` picks it, entered at whole milliseconds);
2. counts the people the kept groups make enter each link in each time step
   (:func:`used_capacity`, the step of an entry instant as ``check-plan`` computes it);
3. lowers the capacity of the time-expanded network's link arcs to what is left
   (:func:`with_residual`, rule below), and
4. searches the least horizon at which everybody still to plan gets out on that network
   (:func:`residual_quickest`: ``flow_search.quickest_clearance`` with :func:`with_residual`
   applied to each probe, first probe at the warm start; the same proof: the flow at ``T - 1``
   falls short).

**The residual rule.** A scenario step of ``S`` ms is split into ``s`` model steps of ``m = S / s``
ms. A chain arc (links ``k_i`` at offsets ``off_i``) entered at model step ``t`` enters ``k_i`` at
``t m + off_i``, in scenario step ``σ_i(t) = (t m + off_i) // S``; the model steps entering ``k_i``
in scenario step ``σ`` form a window ``W_i(σ)`` of exactly ``s`` consecutive ``t``. Let ``c_k`` be
the link's whole people per step, ``u_k(σ)`` what kept groups use and ``r = c_k - u_k(σ)``. The arc
keeps ``expand``'s capacity (``substep_capacity``: any ``s`` consecutive model steps add up to the
chain's capacity ``U <= c_k``) except in windows where ``u_k(σ) > 0``; there the ``j``-th model step
of ``W_i(σ)`` gets at most ``floor(r (j + 1) / s) - floor(r j / s)`` (the window adds up to ``r``).
So in every scenario step the new people entering ``k_i`` number at most ``r`` where kept groups
enter it and at most ``U <= c_k`` where they do not: kept and new together never exceed the
link's capacity, which ``check-plan`` verifies. With layers sharing a network (capacity shares),
each layer gets ``floor(r × share)``.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from safepassage.hazards import LinkClosures
from safepassage.network import RoadNetwork
from safepassage.planner.flow_search import SearchResult, quickest_clearance
from safepassage.planner.plan_file import Movement, Plan
from safepassage.planner.problem import PlanningProblem
from safepassage.planner.static_graph import StaticGraph
from safepassage.planner.time_expansion import LINK, StepModel, TimeExpandedNetwork
from safepassage.planner.time_grid import MS_PER_S
from safepassage.scenario.vocabulary import TravelMode

__all__ = [
    "FlatTimes",
    "Hops",
    "ModeIndex",
    "PlanIndex",
    "UsedCapacity",
    "closed_hops",
    "edge_links",
    "index_plan",
    "movement_hops",
    "residual_quickest",
    "select_hops",
    "select_times",
    "used_capacity",
    "with_residual",
]

IntArray = npt.NDArray[np.int64]
#: ``used_capacity`` counts in a dense (link x step) array up to this many cells (8 bytes each).
_DENSE_CELLS = 40_000_000
#: Lookups of more values than this use a hash index (pandas) instead of a binary search.
_HASH_LOOKUP_FROM = 1_000_000
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Hops:
    """Every link crossing of some movements of one network, flattened.

    Hop h: movement ``movement[h]`` (index into the list given) enters ``link[h]`` (-1: the path's
    nodes are not joined by a link of this network) at ``enter_ms[h]`` (ms after the new start,
    may be negative) with ``people[h]`` people.
    """

    movement: IntArray
    link: IntArray
    enter_ms: IntArray
    people: IntArray

    def select(self, keep: BoolArray) -> Hops:
        return Hops(self.movement[keep], self.link[keep], self.enter_ms[keep], self.people[keep])


@dataclass(frozen=True, eq=False)
class FlatTimes:
    """Entry times of the nodes of some movements from the new start on, flattened: movement i's
    are ``ms[indptr[i]:indptr[i + 1]]`` (ms after the new start), the last ones of its path."""

    indptr: IntArray
    ms: IntArray


def movement_hops(
    network: RoadNetwork, movements: Sequence[Movement], shift_ms: int
) -> tuple[Hops, FlatTimes]:
    """Hops of ``movements`` (all of ``network``'s mode) entered at or after ``shift_ms``.

    Times are moved ``shift_ms`` earlier (entry times of a plan are whole milliseconds,
    ``time_grid``, read back exactly with ``rint``); a pair of path nodes no link joins gets -1.
    """
    cut_s = shift_ms / MS_PER_S
    first = [bisect.bisect_left(m.entry_times_s, cut_s) for m in movements]
    length = np.fromiter((len(m.path) for m in movements), dtype=np.int64, count=len(movements))
    kept_nodes = np.maximum(length - np.asarray(first, dtype=np.int64), 0)
    total = int(kept_nodes.sum())
    pairs = zip(movements, first, strict=True)
    osm = np.fromiter(
        itertools.chain.from_iterable(m.path[f:] if f else m.path for m, f in pairs),
        dtype=np.int64,
        count=total,
    )
    pairs = zip(movements, first, strict=True)
    seconds = np.fromiter(
        itertools.chain.from_iterable(m.entry_times_s[f:] if f else m.entry_times_s for m, f in pairs),
        dtype=np.float64,
        count=total,
    )
    ms = np.rint(seconds * MS_PER_S).astype(np.int64) - shift_ms
    node = _lookup(network.node_osm_id, osm)
    node_ptr = np.concatenate([[0], np.cumsum(kept_nodes)]).astype(np.int64)
    hops_each = np.maximum(kept_nodes - 1, 0)
    owner = np.repeat(np.arange(len(movements), dtype=np.int64), hops_each)
    is_hop = np.ones(total, dtype=bool)
    is_hop[node_ptr[1:][kept_nodes > 0] - 1] = False
    position = np.flatnonzero(is_hop)
    link = _fastest_link(network, node[position], node[position + 1])
    people = np.fromiter((m.people for m in movements), dtype=np.int64, count=len(movements))
    hops = Hops(owner, link, ms[position], people[owner])
    return hops, FlatTimes(node_ptr, ms)


@dataclass(frozen=True, eq=False)
class ModeIndex:
    """The movements of one travel mode of a plan as arrays (see :class:`PlanIndex`)."""

    members: IntArray  # indices into plan.movements
    node_ptr: IntArray  # member i's path nodes: node_ms[node_ptr[i]:node_ptr[i + 1]]
    node_ms: IntArray  # entry time of each path node, ms after the plan's start
    hop_link: IntArray  # member i's hops: hop_link[node_ptr[i] - i : node_ptr[i + 1] - i - 1]
    people: IntArray  # per member


@dataclass(frozen=True, eq=False)
class PlanIndex:
    """Every hop of a plan's movements (link, entry time), built once per plan (:func:`index_plan`).

    A re-plan at scale reads millions of path nodes; with the index ready (the monitor builds it
    when it takes a plan on) the re-plan only selects from arrays. ``plan`` is the plan indexed.
    """

    plan: Plan
    modes: dict[TravelMode, ModeIndex]


def index_plan(plan: Plan, networks: Mapping[TravelMode, RoadNetwork]) -> PlanIndex:
    """The :class:`PlanIndex` of ``plan`` on ``networks`` (one per travel mode its movements use)."""
    by_mode: dict[TravelMode, list[int]] = {}
    for i, m in enumerate(plan.movements):
        by_mode.setdefault(m.mode, []).append(i)
    modes: dict[TravelMode, ModeIndex] = {}
    for mode, members in by_mode.items():
        movements = [plan.movements[i] for i in members]
        hops, times = movement_hops(networks[mode], movements, 0)
        people = np.fromiter((m.people for m in movements), dtype=np.int64, count=len(movements))
        modes[mode] = ModeIndex(
            np.asarray(members, dtype=np.int64), times.indptr, times.ms, hops.link, people
        )
    return PlanIndex(plan, modes)


def select_hops(index: ModeIndex, select: IntArray, shift_ms: int, *, from_shift: bool = False) -> Hops:
    """Hops of the members ``select`` (ranks into ``index.members``), times moved ``shift_ms``
    earlier; ``Hops.movement`` is the position in ``select``. ``from_shift``: only hops entered at
    or after ``shift_ms`` (a group's entry times never decrease along its path)."""
    start = index.node_ptr[select]
    hops_each = np.maximum(index.node_ptr[select + 1] - start - 1, 0)
    if from_shift:
        before = np.concatenate([[0], np.cumsum(index.node_ms < shift_ms)])
        skip = np.minimum(before[start + hops_each] - before[start], hops_each)
        start, hops_each = start + skip, hops_each - skip
    owner = np.repeat(np.arange(select.shape[0], dtype=np.int64), hops_each)
    hop_first = np.concatenate([[0], np.cumsum(hops_each)])[:-1]
    node_pos = np.arange(int(hops_each.sum()), dtype=np.int64) + (start - hop_first)[owner]
    hop_pos = node_pos - select[owner]  # member i's hop at node position p is hop p - i
    return Hops(
        owner, index.hop_link[hop_pos], index.node_ms[node_pos] - shift_ms, index.people[select][owner]
    )


def select_times(index: ModeIndex, select: IntArray, shift_ms: int) -> list[list[float]]:
    """Entry times (seconds, ``shift_ms`` earlier) of every path node of the members ``select``."""
    start, end = index.node_ptr[select], index.node_ptr[select + 1]
    count = end - start
    ptr = np.concatenate([[0], np.cumsum(count)]).astype(np.int64)
    nodes = np.repeat(start - ptr[:-1], count) + np.arange(int(ptr[-1]), dtype=np.int64)
    seconds = ((index.node_ms[nodes] - shift_ms) / MS_PER_S).tolist()
    bounds = ptr.tolist()
    return [seconds[bounds[j] : bounds[j + 1]] for j in range(select.shape[0])]


def edge_links(network: RoadNetwork, u: IntArray, v: IntArray) -> IntArray:
    """The link (the fastest, as ``check-plan`` takes it) joining OSM nodes ``u[i] -> v[i]``, or -1."""
    return _fastest_link(network, _lookup(network.node_osm_id, u), _lookup(network.node_osm_id, v))


def _lookup(keys: IntArray, query: IntArray) -> IntArray:
    """Per query value, its index in ``keys`` (distinct values), -1 when absent.

    Large queries (a plan at scale: millions of path nodes) go through pandas' hash index, 4x
    faster than a binary search; small ones need no pandas import.
    """
    if query.shape[0] > _HASH_LOOKUP_FROM:
        import pandas as pd  # 0.3 s to import: only for plans at scale

        out: IntArray = pd.Index(keys).get_indexer(query).astype(np.int64)
        return out
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    where = np.minimum(np.searchsorted(sorted_keys, query), max(0, sorted_keys.shape[0] - 1))
    found = sorted_keys.shape[0] > 0
    result: IntArray = np.where(found & (sorted_keys[where] == query), order[where], -1).astype(np.int64)
    return result


def _fastest_link(network: RoadNetwork, tail: IntArray, head: IntArray) -> IntArray:
    """The fastest ``tail -> head`` link per pair (``check-plan``'s choice), -1 where there is none."""
    n = network.node_count
    key = network.link_tail.astype(np.int64) * n + network.link_head
    order = np.lexsort((network.link_travel_time_s, key))
    sorted_key = key[order]
    first = np.ones(sorted_key.shape[0], dtype=bool)
    first[1:] = sorted_key[1:] != sorted_key[:-1]
    row = _lookup(sorted_key[first], np.where((tail >= 0) & (head >= 0), tail * n + head, -1))
    out: IntArray = np.where(row >= 0, order[first][np.maximum(row, 0)], -1).astype(np.int64)
    return out


def closed_hops(hops: Hops, closures: LinkClosures) -> BoolArray:
    """Per hop: whether its link is closed at its entry instant (or it has no link)."""
    closed = hops.link < 0
    if closures.link.size == 0 or hops.link.size == 0:
        return closed
    order = np.argsort(closures.link, kind="stable")
    c_link = closures.link[order]
    lo = np.searchsorted(c_link, hops.link, side="left")
    counts = np.searchsorted(c_link, hops.link, side="right") - lo
    hop = np.repeat(np.arange(hops.link.shape[0]), counts)
    offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    row = order[np.repeat(lo, counts) + offset]
    t_s = hops.enter_ms[hop] / MS_PER_S
    hit = (closures.from_s[row] <= t_s) & (t_s < closures.to_s[row])
    closed[hop[hit]] = True
    return closed


@dataclass(frozen=True, eq=False)
class UsedCapacity:
    """People kept groups make enter ``link[i]`` in scenario step ``step[i]`` (``people[i] > 0``)."""

    link: IntArray
    step: IntArray
    people: IntArray


def used_capacity(hops: Hops, step_ms: int, link_count: int) -> UsedCapacity:
    """Sum of ``hops`` per (link, time step), entries at or after the new start only."""
    keep = (hops.enter_ms >= 0) & (hops.link >= 0)
    link, step = hops.link[keep], hops.enter_ms[keep] // step_ms
    if link.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return UsedCapacity(empty, empty, empty)
    stride = int(step.max()) + 1
    key = link * stride + step
    if link_count * stride <= _DENSE_CELLS:  # one counting pass, no sort
        dense = np.bincount(key, weights=hops.people[keep], minlength=link_count * stride)
        keys = np.flatnonzero(dense)
        people = dense[keys].astype(np.int64)
    else:
        keys, inverse = np.unique(key, return_inverse=True)
        people = np.bincount(inverse, weights=hops.people[keep]).astype(np.int64)
    return UsedCapacity(keys // stride, keys % stride, people)


def with_residual(
    network: TimeExpandedNetwork,
    graph: StaticGraph,
    problem: PlanningProblem,
    used: Sequence[UsedCapacity],
    model: StepModel,
) -> TimeExpandedNetwork:
    """``network`` with link arcs lowered to the capacity kept groups leave (module docstring).

    ``used``: per layer of ``problem`` (layers of one network get the same counts). Arcs left with
    no capacity are dropped.
    """
    link_arcs = np.flatnonzero(network.kind == LINK)
    if link_arcs.size == 0 or not any(u.link.size for u in used):
        return network
    span = network.horizon_steps + 1
    arc_key = network.ref[link_arcs] * span + network.time[link_arcs]
    by_key = np.argsort(arc_key, kind="stable")
    sorted_key = arc_key[by_key]
    capacity = network.capacity.copy()
    sub = model.substeps
    scenario_ms = model.step_ms * sub
    arc_of_pos = np.repeat(np.arange(graph.arc_count, dtype=np.int64), np.diff(graph.chain_indptr))
    targets: list[IntArray] = []
    limits: list[IntArray] = []
    for index, layer in enumerate(problem.layers):
        u = used[index]
        if u.link.size == 0:
            continue
        mine = np.flatnonzero(graph.arc_layer[arc_of_pos] == index)
        position_of_link = np.full(layer.network.link_count, -1, dtype=np.int64)
        position_of_link[graph.chain_link[mine]] = mine
        pos = position_of_link[u.link]
        ok = pos >= 0
        pos, step, people, link = pos[ok], u.step[ok], u.people[ok], u.link[ok]
        per_step = layer.network.capacity_people_per_step(problem.scenario.capacity, problem.step_s)
        whole = np.floor(per_step[link] + 1e-9).astype(np.int64)
        left = np.floor(np.maximum(whole - people, 0) * layer.capacity_share + 1e-9).astype(np.int64)
        arc = arc_of_pos[pos]
        offset = graph.chain_offset_ms[pos]
        first_t = -((offset - step * scenario_ms) // model.step_ms)  # ceil((σ S - off) / m)
        for j in range(sub):
            t = first_t + j
            inside = (t >= 0) & (t < span)
            query = arc[inside] * span + t[inside]
            row = np.minimum(np.searchsorted(sorted_key, query), sorted_key.shape[0] - 1)
            hit = sorted_key[row] == query
            r = left[inside][hit]
            targets.append(link_arcs[by_key[row[hit]]])
            limits.append((r * (j + 1)) // sub - (r * j) // sub)
    if targets:
        target = np.concatenate(targets)
        limit = np.concatenate(limits)
        np.minimum.at(capacity, target, limit)
    keep = (capacity > 0) | (network.kind != LINK)
    return replace(
        network,
        tail=network.tail[keep],
        head=network.head[keep],
        capacity=capacity[keep],
        kind=network.kind[keep],
        ref=network.ref[keep],
        time=network.time[keep],
    )


def residual_quickest(
    graph: StaticGraph,
    problem: PlanningProblem,
    used: Sequence[UsedCapacity],
    model: StepModel,
    max_steps: int,
    *,
    least_steps: int,
    first_steps: int,
    tolerance: float = 0.0,
) -> SearchResult:
    """Least T in ``least_steps..max_steps`` at which the residual network moves every servable person.

    ``least_steps``: nothing below it is worth probing (the kept groups arrive that late anyway);
    the first probe is at ``first_steps`` (a warm start, at least ``least_steps``), then the aimed
    probes of :func:`~safepassage.planner.flow_search.quickest_clearance` (stopping within
    ``tolerance``, fast mode).
    ``infeasible_below`` is the largest T probed short, or ``least_steps - 1`` (not proven short:
    not worth probing) when none was.
    """
    least = max(1, min(max_steps, least_steps))
    return quickest_clearance(
        graph,
        model,
        max_steps,
        tolerance=tolerance,
        start_steps=max(least, min(max_steps, first_steps)),
        known_short=least - 1,
        growth=1.1,
        adjust=lambda net: with_residual(net, graph, problem, used, model),
    )
