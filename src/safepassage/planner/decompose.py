"""Path decomposition of a flow on the (acyclic) time-expanded network into groups of people.

Standard decomposition: walk from the source along arcs that still carry flow to the sink, take
the smallest remaining flow on the walk as the group's size, subtract it, repeat. Every step of
the plan model moves forward in time, so the network has no cycles and each walk ends at the sink;
each walk zeroes at least one arc, so there are at most as many groups as arcs with flow.
"""

from __future__ import annotations

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
    """Split ``flow`` (per arc of ``network``) into source-to-sink paths with their people."""
    used = np.flatnonzero(flow > 0)
    order = used[np.argsort(network.tail[used], kind="stable")]
    tails = network.tail[order]
    ptr = np.searchsorted(tails, np.arange(network.node_count + 1)).tolist()
    arcs_by_tail = order.tolist()
    heads = network.head.tolist()
    remaining = flow.astype(np.int64).tolist()
    cursor = ptr[:-1]
    source, sink = network.source, network.sink

    indptr = [0]
    path_arcs: list[int] = []
    people: list[int] = []
    limit = len(arcs_by_tail) + 1
    while True:
        walk: list[int] = []
        node = source
        while node != sink:
            c, end = cursor[node], ptr[node + 1]
            while c < end and remaining[arcs_by_tail[c]] == 0:
                c += 1
            cursor[node] = c
            if c == end:
                break
            arc = arcs_by_tail[c]
            walk.append(arc)
            node = heads[arc]
            if len(walk) > limit:
                raise SolverError("flow decomposition found a cycle in the time-expanded network")
        if node != sink:
            if walk:
                raise SolverError("flow decomposition hit a node where flow is not conserved")
            break
        amount = min(remaining[a] for a in walk)
        for a in walk:
            remaining[a] -= amount
        path_arcs.extend(walk)
        indptr.append(len(path_arcs))
        people.append(amount)
    return FlowPaths(
        indptr=np.asarray(indptr, dtype=np.int64),
        arcs=np.asarray(path_arcs, dtype=np.int64),
        people=np.asarray(people, dtype=np.int64),
    )
