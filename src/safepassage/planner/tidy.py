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
- **Loop removal** (:func:`wait_instead_of_loops`), always, cheap: a decomposed path that comes
  back to its own origin's node is cut there — the group departs from the pickup point at the step
  it would have passed it again. This only takes flow off link arcs and moves it between depart
  arcs (unlimited), so every capacity still holds; arrival step and destination are unchanged.
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
    "TIDY_ARC_BUDGET",
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


def wait_instead_of_loops(
    network: TimeExpandedNetwork, paths: FlowPaths, arc_head_node: IntArray, transit_steps: IntArray
) -> tuple[FlowPaths, int]:
    """Cut every path at its last return to its own pickup node (module docstring); (paths, cut).

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
    depart_arcs = np.flatnonzero(network.kind == DEPART)
    span = int(network.time.max(initial=0)) + 2
    keys = network.ref[depart_arcs] * span + network.time[depart_arcs]
    order = np.argsort(keys)
    wanted = pickup_node[looping] * span + arrive_step
    found = np.minimum(np.searchsorted(keys[order], wanted), order.size - 1)
    new_depart = depart_arcs[order][found]
    if (keys[order][found] != wanted).any():
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


def revisiting_paths(node_paths: list[tuple[int, ...]]) -> int:
    """How many of the paths enter some node more than once."""
    return sum(1 for nodes in node_paths if len(set(nodes)) < len(nodes))
