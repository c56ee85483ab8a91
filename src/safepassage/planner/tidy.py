"""Tidy plans: people wait at their pickup point instead of driving round the block to pass time.

Max flow on the time-expanded network is indifferent between a group waiting at its pickup point
(the depart arcs, free and unlimited) and the same group circling a block until its slot comes
(link arcs): both reach the sink at the same step. On the Helsinki demo 527 of 1,291 movements
revisited nodes that way, with paths of up to 489 nodes. Two remedies:

- **Tidy pass** (:func:`travel_costs`, :func:`lexicographic_costs`): once T* is known, a min-cost
  flow on the same pruned network at the same horizon, moving the same people from each origin,
  where a link arc costs its transit in model steps and waiting at the pickup point costs nothing.
  Its cost is the people's total time on the road, so every detour costs and a loop back to the
  own pickup point never survives (waiting there instead is feasible and cheaper). When the risk
  pass runs the two are folded into one lexicographic cost ``risk * K + travel`` with ``K`` larger
  than any possible total travel, so the travel term only breaks ties among least-risk flows.
  Min-cost flow costs more than max flow; measured on this kind of machine (scaled instances of
  ``benchmarks/instances.py``, 2 to 4 tiles per side): 65k arcs (demo) 0.23 s, 271k arcs 2.5 s,
  663k 9.3 s, 1.6M 29 s — so the planner runs it only within :data:`TIDY_ARC_BUDGET` arcs in
  exact mode and :data:`FAST_TIDY_ARC_BUDGET` in fast mode.
- **Loop removal**, always: ``loop_shift.depart_later_over_all_loops`` (every path at once, in
  rounds) moves each loop's time to the pickup point: the arcs before the loop depart later, or
  the arcs after it arrive earlier, or both, wherever the moved links are open and have room.
  :func:`wait_instead_of_loops` (loops back home only) and :func:`depart_later_over_loops` (one
  path at a time, later departures only) are the earlier per-path forms, kept as references for
  the tests; the planner no longer calls them.

Even the tidy pass cannot remove every revisit: on the demo 9 one-person U-turns remain (out
along a street and straight back), forced by the capacity of later links at quarter steps, since
waiting on the way is not allowed; ``loops.skip_loops`` then removes them by driving the street
into each loop slower (within the one time step a hop may take beyond free flow).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from safepassage.errors import SolverError
from safepassage.planner.decompose import FlowPaths
from safepassage.planner.time_expansion import DEPART, LINK, SOURCE, TimeExpandedNetwork

__all__ = [
    "FAST_TIDY_ARC_BUDGET",
    "LOOP_SHIFT_PATH_BUDGET",
    "TIDY_ARC_BUDGET",
    "depart_later_over_loops",
    "lexicographic_costs",
    "revisiting_paths",
    "travel_costs",
    "wait_instead_of_loops",
    "with_source_capacity",
]

IntArray = npt.NDArray[np.int64]

#: Largest time-expanded network (arcs) on which the tidy min-cost pass runs: about 15 s of
#: min-cost flow in exact mode, about 3 s in fast mode (figures in the module docstring).
TIDY_ARC_BUDGET = 1_000_000
FAST_TIDY_ARC_BUDGET = 300_000

#: The greedy :func:`depart_later_over_loops` (a Python loop over paths) runs on at most this many
#: flow paths: on 39k paths (1.6M arcs) it adds ~2 s, on the 109k paths of the 300,000-people
#: instance ~20 s for 10 % fewer revisiting movements; above it only loops home are cut.
LOOP_SHIFT_PATH_BUDGET = 50_000

#: OR-Tools' cost-scaling min-cost flow multiplies costs by (nodes + 1); stay well inside int64.
_COST_LIMIT = 1 << 60


def travel_costs(network: TimeExpandedNetwork, transit_steps: IntArray) -> IntArray:
    """Per arc: the link's transit in model steps on link arcs, 0 elsewhere (waiting is free)."""
    link = network.kind == LINK
    cost = np.zeros(network.arc_count, dtype=np.int64)
    cost[link] = transit_steps[network.ref[link]]
    return cost


def lexicographic_costs(
    primary: IntArray, travel: IntArray, people: int, horizon_steps: int, node_count: int
) -> IntArray | None:
    """``primary * K + travel`` where ``K`` exceeds any flow's total travel; None if it would overflow.

    Each of ``people`` spends at most ``horizon_steps`` steps on links, so total travel is at most
    ``people * horizon_steps < K``: one unit of ``primary`` outweighs any travel difference, and a
    least-cost flow is a least-``primary`` flow with least travel among those.
    """
    scale = people * horizon_steps + 1
    largest = int(primary.max(initial=0)) * scale + int(travel.max(initial=0))
    total = largest * max(1, people) * max(1, horizon_steps)
    if largest * (node_count + 1) >= _COST_LIMIT or total >= _COST_LIMIT:
        return None
    out: IntArray = primary * scale + travel
    return out


def with_source_capacity(network: TimeExpandedNetwork, served_by_origin: IntArray) -> TimeExpandedNetwork:
    """``network`` whose source arcs admit exactly the people each origin had served (same people)."""
    source = network.kind == SOURCE
    capacity = network.capacity.copy()
    capacity[source] = served_by_origin[network.ref[source]]
    return replace(network, capacity=capacity)


def revisiting_paths(node_paths: list[tuple[int, ...]]) -> int:
    """How many of the paths enter some node more than once."""
    return sum(1 for nodes in node_paths if len(set(nodes)) < len(nodes))


def wait_instead_of_loops(
    network: TimeExpandedNetwork, paths: FlowPaths, arc_head_node: IntArray, transit_steps: IntArray
) -> tuple[FlowPaths, int]:
    """Cut every path at its last return to its own pickup node; (paths, cut). Vectorised.

    The group departs from its pickup point in the step it would have passed it again: flow
    leaves link arcs and moves between depart arcs (unlimited), so every capacity still holds;
    destination and arrival step are unchanged.

    ``arc_head_node`` and ``transit_steps`` are per static arc (the head node, the transit in
    model steps). A path is ``source, depart, link*, arrive, receive``.
    """
    arcs = paths.arcs
    if arcs.size == 0:
        return paths, 0
    group_of = np.repeat(np.arange(paths.count, dtype=np.int64), np.diff(paths.indptr))
    kind = network.kind[arcs]
    pickup_node = np.full(paths.count, -1, dtype=np.int64)
    depart = kind == DEPART
    pickup_node[group_of[depart]] = network.ref[arcs[depart]]
    is_link = kind == LINK
    back_home = np.zeros(arcs.size, dtype=bool)
    back_home[is_link] = arc_head_node[network.ref[arcs[is_link]]] == pickup_node[group_of[is_link]]
    if not back_home.any():
        return paths, 0
    # The last return of each looping group: its position in ``arcs`` and the step it arrives.
    positions = np.flatnonzero(back_home)
    looping, last = np.unique(group_of[positions][::-1], return_index=True)
    last_pos = positions[::-1][last]
    arrive_step = network.time[arcs[last_pos]] + transit_steps[network.ref[arcs[last_pos]]]
    new_depart = _ArcsByStep(network, DEPART).find(pickup_node[looping], arrive_step)
    if new_depart is None:
        raise SolverError("a path returns to its pickup node at a step without a depart arc (internal error)")

    # Keep the source arc, put the new depart arc where the last return was, drop what lies between.
    begin = paths.indptr[looping]
    out_arcs = arcs.copy()
    out_arcs[last_pos] = new_depart
    drop = np.zeros(arcs.size + 1, dtype=np.int64)
    np.add.at(drop, begin + 1, 1)
    np.add.at(drop, last_pos, -1)
    keep = np.cumsum(drop[:-1]) == 0
    counts = np.bincount(group_of[keep], minlength=paths.count)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return FlowPaths(indptr=indptr, arcs=out_arcs[keep], people=paths.people), int(looping.size)


class _ArcsByStep:
    """Arcs of one kind of a time-expanded network, found by (ref, step)."""

    def __init__(self, network: TimeExpandedNetwork, kind: int) -> None:
        self.arcs = np.flatnonzero(network.kind == kind)
        self.span = int(network.time.max(initial=0)) + 2
        keys = network.ref[self.arcs] * self.span + network.time[self.arcs]
        self.order = np.argsort(keys)
        self.sorted_keys = keys[self.order]

    def find(self, ref: IntArray, step: IntArray) -> IntArray | None:
        """The arcs for each (ref, step), or None if any does not exist (closed or pruned)."""
        if ref.size == 0:
            return np.zeros(0, dtype=np.int64)
        keys = ref * self.span + step
        at = np.minimum(np.searchsorted(self.sorted_keys, keys), self.sorted_keys.size - 1)
        if self.sorted_keys.size == 0 or (self.sorted_keys[at] != keys).any():
            return None
        found: IntArray = self.arcs[self.order[at]]
        return found


def depart_later_over_loops(
    network: TimeExpandedNetwork,
    paths: FlowPaths,
    arc_head_node: IntArray,
    *,
    attempts_per_path: int = 8,
) -> tuple[FlowPaths, int]:
    """Where a path enters a node twice, depart later instead, where the shifted route has room.

    A path reaching node v at step t1 and again at t2 skips the loop if its departure and every
    link before t1 happen ``t2 - t1`` steps later: the group waits at its pickup point instead of
    circling. That is allowed when each of those links is open at the later step (its arc exists)
    and has spare capacity there (capacity minus the flow of all paths). Paths are changed one by
    one, each change updating the spare capacity, so the result stays a valid flow with the same
    origins, destinations and arrival steps. A loop back to the pickup point itself always goes
    (departing is unlimited). Loops are tried earliest first, at most ``attempts_per_path`` per
    path, so the cost stays linear in the paths' length. Returns (paths, loops removed).
    """
    arcs = paths.arcs
    if arcs.size == 0:
        return paths, 0
    ref, when = network.ref, network.time
    node_after = np.full(network.arc_count, -1, dtype=np.int64)  # node a link arc leads to
    is_link = network.kind == LINK
    node_after[is_link] = arc_head_node[ref[is_link]]
    node_after[network.kind == DEPART] = ref[network.kind == DEPART]
    # Candidates: paths entering some node twice (the pickup node, then each link's head).
    group_of = np.repeat(np.arange(paths.count, dtype=np.int64), np.diff(paths.indptr))
    visited = node_after[arcs]
    on_road = visited >= 0
    keys = np.sort(group_of[on_road] * (int(visited.max(initial=0)) + 1) + visited[on_road])
    twice = keys[1:][keys[1:] == keys[:-1]]
    if twice.size == 0:
        return paths, 0
    candidates = np.unique(twice // (int(visited.max(initial=0)) + 1)).tolist()

    links_at = _ArcsByStep(network, LINK)
    departs_at = _ArcsByStep(network, DEPART)
    flow = np.zeros(network.arc_count, dtype=np.int64)
    np.add.at(flow, arcs, np.repeat(paths.people, np.diff(paths.indptr)))
    spare = network.capacity - flow
    new_paths: dict[int, IntArray] = {}
    removed = 0
    for g in candidates:
        path = paths.path(g)  # source, depart, link*, arrive, receive
        people = int(paths.people[g])
        start = 0  # loops starting before this position could not be skipped
        for _ in range(attempts_per_path):
            links = path[2:-2]
            nodes = node_after[path[1:-2]].tolist()  # nodes[k] is where links[k] starts
            last = {node: k for k, node in enumerate(nodes)}
            j = next((k for k in range(start, len(nodes)) if last[nodes[k]] > k), None)
            if j is None:
                break
            start = j + 1
            i = last[nodes[j]]
            # No waiting on the way: a group reaches node k in the step it enters links[k] (the
            # last node: in the step of its arrive arc).
            delta = int(when[path[2 + i]] - when[path[2 + j]])
            new_depart = departs_at.find(ref[path[1:2]], when[path[1:2]] + delta)
            new_links = links_at.find(ref[links[:j]], when[links[:j]] + delta)
            if delta <= 0 or new_depart is None or new_links is None:
                continue
            old = path[1 : 2 + i]
            new = np.concatenate([new_depart, new_links])
            spare[old] += people
            if (spare[new] < people).any():
                spare[old] -= people
                continue
            spare[new] -= people
            path = np.concatenate([path[:1], new, path[2 + i :]])
            removed += 1
        new_paths[g] = path
    if not new_paths:
        return paths, 0
    pieces = [new_paths.get(g, paths.path(g)) for g in range(paths.count)]
    lengths = np.array([piece.size for piece in pieces], dtype=np.int64)
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return FlowPaths(
        indptr=indptr, arcs=np.concatenate(pieces).astype(np.int64), people=paths.people
    ), removed
