"""Parallel links: two ways joining the same two nodes in the same direction (or one way listed twice).

A plan names a hop by its two OSM nodes only, so ``check-plan`` reads a hop ``u -> v`` as the
*fastest* link from u to v, or, when that one is closed at the entry instant, the fastest one open
then (ties: the link listed first), and counts its people against that link's capacity alone. The
plan model must not route people over a slower parallel link at a time the checker would read their
hop as the faster one (the two capacities do not add up in the file). So each slower parallel link
is closed whenever a faster one joining the same nodes is open: :func:`shadow_closures` gives those
closure rows, and the planner treats them like any closure. The lower-bound relaxation may apply
them too: a valid plan's hop is always read as a link open at its entry and not shadowed then, so
the plan, read that way, is still one of the relaxation's flows.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from safepassage.hazards import LinkClosures
from safepassage.network import RoadNetwork

__all__ = ["shadow_closures"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Intervals = list[tuple[float, float]]


def shadow_closures(network: RoadNetwork, closures: LinkClosures) -> tuple[IntArray, FloatArray, FloatArray]:
    """Closure rows ``(link, from_s, to_s)``: each slower parallel link, while a faster one is open.

    Intervals are half-open like every closure; ``±inf`` for no start / no end. Empty arrays when
    the network has no parallel links (the usual case: one vectorised pass, no Python loop).
    """
    key = network.link_tail.astype(np.int64) * network.node_count + network.link_head
    order = np.lexsort((network.link_travel_time_s, key))  # check-plan's order: fastest, then first
    sorted_key = key[order]
    starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
    sizes = np.diff(np.r_[starts, sorted_key.size])
    links: list[int] = []
    froms: list[float] = []
    tos: list[float] = []
    if not (sizes > 1).any():
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    by_link = _ClosuresByLink(closures)
    for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
        ranked = order[start : start + size].tolist()
        allowed: Intervals = [(-np.inf, np.inf)]  # when every faster link is closed
        for rank in range(1, size):
            allowed = _intersect(allowed, by_link.union(ranked[rank - 1]))
            for lo, hi in _complement(allowed):
                links.append(ranked[rank])
                froms.append(lo)
                tos.append(hi)
    return (
        np.asarray(links, dtype=np.int64),
        np.asarray(froms, dtype=np.float64),
        np.asarray(tos, dtype=np.float64),
    )


class _ClosuresByLink:
    """Closure rows grouped by link (one sort), so each link's rows are found by binary search."""

    def __init__(self, closures: LinkClosures) -> None:
        order = np.argsort(closures.link, kind="stable")
        self.link = closures.link[order]
        self.from_s = closures.from_s[order]
        self.to_s = closures.to_s[order]

    def union(self, link: int) -> Intervals:
        """The union of ``link``'s closures, as sorted disjoint half-open intervals."""
        lo, hi = np.searchsorted(self.link, [link, link + 1]).tolist()
        return _merge(list(zip(self.from_s[lo:hi].tolist(), self.to_s[lo:hi].tolist(), strict=True)))


def _merge(spans: Intervals) -> Intervals:
    """Sorted disjoint union of half-open intervals."""
    merged: Intervals = []
    for lo, hi in sorted(spans):
        if hi <= lo:
            continue
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _intersect(a: Intervals, b: Intervals) -> Intervals:
    """Intersection of two sorted disjoint interval lists."""
    out: Intervals = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _complement(spans: Intervals) -> Intervals:
    """Where the sorted disjoint ``spans`` are not, as half-open intervals over the whole line."""
    out: Intervals = []
    edge = -np.inf
    for lo, hi in spans:
        if edge < lo:
            out.append((edge, lo))
        edge = hi
    if edge < np.inf:
        out.append((edge, np.inf))
    return out
