"""Contract chains of degree-2 nodes into single arcs, so the time-expanded network has fewer nodes.

A node is a *through* node when nobody starts, ends or waits there and traffic can only pass
straight through it: exactly one way in and one way out (``a -> v -> b``), or a two-way street
(``a <-> v <-> b``) with two distinct neighbours. A chain of links joined at through nodes becomes
one arc from its first tail to its last head; it remembers its links in order, so a plan is mapped
back to the full OSM node path. Since nobody may wait at a through node, the contraction loses no
plan, and the U-turns it drops (``a -> v -> a``) are cycles no quickest plan needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Chains", "contract_chains", "single_link_chains"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Chains:
    """Arcs of the contracted graph; arc ``k`` follows links ``link[indptr[k]:indptr[k+1]]`` in order."""

    tail: IntArray  # node index of the first link's tail
    head: IntArray  # node index of the last link's head
    indptr: IntArray
    link: IntArray

    @property
    def arc_count(self) -> int:
        return int(self.tail.shape[0])


def single_link_chains(link_tail: IntArray, link_head: IntArray, usable: BoolArray) -> Chains:
    """No contraction: one arc per usable link."""
    links = np.flatnonzero(usable).astype(np.int64)
    return Chains(
        tail=link_tail[links].astype(np.int64),
        head=link_head[links].astype(np.int64),
        indptr=np.arange(links.size + 1, dtype=np.int64),
        link=links,
    )


def contract_chains(
    link_tail: IntArray, link_head: IntArray, usable: BoolArray, terminal: BoolArray
) -> Chains:
    """Contract the usable links into chains between non-through nodes.

    ``terminal`` marks nodes that must stay (origins, destinations, places people may wait).
    Closed loops made only of through nodes cannot be reached from anywhere else and are dropped.
    """
    node_count = terminal.shape[0]
    links = np.flatnonzero(usable)
    tails, heads = link_tail[links], link_head[links]
    in_deg = np.bincount(heads, minlength=node_count)
    out_deg = np.bincount(tails, minlength=node_count)
    through = ~terminal & (((in_deg == 1) & (out_deg == 1)) | ((in_deg == 2) & (out_deg == 2)))

    # For each through node: its in-neighbours and out-links (two at most), sorted by node.
    order_in = np.argsort(heads, kind="stable")
    order_out = np.argsort(tails, kind="stable")
    in_ptr = np.concatenate([[0], np.cumsum(in_deg)])
    out_ptr = np.concatenate([[0], np.cumsum(out_deg)])
    succ = np.full(link_tail.shape[0], -1, dtype=np.int64)
    for v in np.flatnonzero(through).tolist():
        ins = links[order_in[in_ptr[v] : in_ptr[v + 1]]]
        outs = links[order_out[out_ptr[v] : out_ptr[v + 1]]]
        in_from = link_tail[ins].tolist()
        out_to = link_head[outs].tolist()
        if len(ins) == 1:
            if in_from[0] == out_to[0]:
                through[v] = False  # a dead end: only a U-turn leaves it
                continue
            succ[ins[0]] = outs[0]
            continue
        if sorted(in_from) != sorted(out_to) or in_from[0] == in_from[1]:
            through[v] = False  # a junction of two one-way streets, not a two-way street
            continue
        for link_in, came_from in zip(ins.tolist(), in_from, strict=True):
            succ[link_in] = outs[0] if out_to[0] != came_from else outs[1]

    starts = links[~through[tails]]
    arc_links: list[int] = []
    indptr = [0]
    for first in starts.tolist():
        link = first
        while True:
            arc_links.append(link)
            if not through[link_head[link]]:
                break
            link = int(succ[link])
        indptr.append(len(arc_links))
    link_arr = np.asarray(arc_links, dtype=np.int64)
    ptr = np.asarray(indptr, dtype=np.int64)
    return Chains(
        tail=link_tail[link_arr[ptr[:-1]]].astype(np.int64) if starts.size else np.zeros(0, np.int64),
        head=link_head[link_arr[ptr[1:] - 1]].astype(np.int64) if starts.size else np.zeros(0, np.int64),
        indptr=ptr,
        link=link_arr,
    )
