"""Path decomposition of a flow on the (acyclic) time-expanded network into groups of people.

Standard decomposition: walk from the source along arcs that still carry flow to the sink, take
the smallest remaining flow on the walk as the group's size, subtract it, repeat. Every step of
the plan model moves forward in time, so the network has no cycles and each walk ends at the sink;
each walk zeroes at least one arc, so there are at most as many groups as arcs with flow.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from safepassage.errors import SolverError
from safepassage.planner.time_expansion import TimeExpandedNetwork

__all__ = ["FlowPaths", "decompose_flow"]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class FlowPaths:
    """Group ``g`` follows arcs ``arcs[indptr[g]:indptr[g+1]]`` (source arc first) with ``people[g]``."""

    indptr: IntArray
    arcs: IntArray
    people: IntArray

    @property
    def count(self) -> int:
        return int(self.people.shape[0])

    def path(self, group: int) -> IntArray:
        return self.arcs[self.indptr[group] : self.indptr[group + 1]]


def decompose_flow(network: TimeExpandedNetwork, flow: IntArray) -> FlowPaths:
    """Split ``flow`` (per arc of ``network``) into source-to-sink paths with their people.

    Walks share prefixes: after a group is taken off, the walk backs up only to the first arc it
    emptied and goes on from there. Arcs on the walk are decremented lazily (one running total
    for the whole walk), so a group costs the arcs it newly walks, not its whole length.
    """
    used = np.flatnonzero(flow > 0)
    order = used[np.argsort(network.tail[used], kind="stable")]
    ptr = np.searchsorted(network.tail[order], np.arange(network.node_count + 1)).tolist()
    arcs_by_tail = order.tolist()
    heads = network.head.tolist()
    remaining = flow.astype(np.int64).tolist()  # stale for arcs on the walk; written back on pop
    cursor = ptr[:-1]
    source, sink = network.source, network.sink

    out_arcs = array("q")
    indptr = [0]
    people: list[int] = []
    walk: list[int] = []
    key: list[int] = []  # remaining of walk[i] when pushed + people taken off before the push
    prefix_min: list[int] = []  # min(key[: i + 1]), non-increasing
    taken = 0
    node = source
    limit = len(arcs_by_tail) + 1
    while True:
        while node != sink:
            c, end = cursor[node], ptr[node + 1]
            while c < end and remaining[arcs_by_tail[c]] == 0:
                c += 1
            cursor[node] = c
            if c == end:
                break
            arc = arcs_by_tail[c]
            k = remaining[arc] + taken
            walk.append(arc)
            key.append(k)
            prefix_min.append(k if not prefix_min or k < prefix_min[-1] else prefix_min[-1])
            node = heads[arc]
            if len(walk) > limit:
                raise SolverError("flow decomposition found a cycle in the time-expanded network")
        if node != sink:
            if walk:
                raise SolverError("flow decomposition hit a node where flow is not conserved")
            break
        lowest = prefix_min[-1]
        people.append(lowest - taken)
        taken = lowest
        out_arcs.extend(walk)
        indptr.append(len(out_arcs))
        first_empty = bisect_left(prefix_min, -lowest, key=_negate)
        for i in range(first_empty, len(walk)):
            remaining[walk[i]] = key[i] - taken
        del walk[first_empty:], key[first_empty:], prefix_min[first_empty:]
        node = heads[walk[-1]] if walk else source
    return FlowPaths(
        indptr=np.asarray(indptr, dtype=np.int64),
        arcs=np.frombuffer(out_arcs, dtype=np.int64).copy() if out_arcs else np.zeros(0, np.int64),
        people=np.asarray(people, dtype=np.int64),
    )


def _negate(value: int) -> int:
    return -value
