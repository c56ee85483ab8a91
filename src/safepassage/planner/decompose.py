"""Path decomposition of a flow on the (acyclic) time-expanded network into groups of people.

Every step of the plan model moves forward in time, so the network is layered: the source, the
pickup points, the road nodes of step 0, 1, ..., T, the destinations, the sink. The flow is cut
layer by layer with numpy (**interval matching**): at each node the people arriving on its
incoming pieces are lined up one after another, and so are the people leaving on its outgoing
arcs with flow; where an incoming piece overlaps an outgoing arc, that overlap is a new piece
(its people follow the incoming piece's route, then that arc). A piece is stored once, as
(parent piece, arc, people), so routes that share a beginning share its storage; the pieces that
reach the sink are the groups, and each group's arcs are read back up its chain of parents.

Linear in the output: each layer costs a sort of the pieces arriving there, and a node cuts at
most (incoming pieces + outgoing arcs - 1) new pieces. The order in which pieces are lined up at a
node is free (any order gives a valid decomposition); :func:`decompose_flow` takes an optional
rank per arc to choose it (lower first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from safepassage.errors import SolverError
from safepassage.planner.time_expansion import DEPART, RECEIVE, SOURCE, TimeExpandedNetwork

__all__ = ["FlowPaths", "decompose_flow", "equal_rows", "merge_identical_paths", "ragged", "row_hashes"]

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

    @property
    def group_of(self) -> IntArray:
        """Per entry of ``arcs``: the group it belongs to."""
        out: IntArray = np.repeat(np.arange(self.count, dtype=np.int64), np.diff(self.indptr))
        return out


@dataclass
class _Pieces:
    """Pieces waiting to enter one layer: global id, arc they are on, people, arcs so far."""

    ids: list[IntArray]
    arcs: list[IntArray]
    people: list[IntArray]
    depth: list[IntArray]


def decompose_flow(
    network: TimeExpandedNetwork, flow: IntArray, arc_rank: IntArray | None = None
) -> FlowPaths:
    """Split ``flow`` (per arc of ``network``) into source-to-sink paths with their people.

    ``arc_rank`` (per arc, optional): at each node, incoming pieces are lined up by the rank of
    the arc they are on and outgoing arcs by their own rank (then by arc index), so pieces on
    low-ranked arcs go on along low-ranked arcs. Raises ``SolverError`` where the flow is not
    conserved or the network is not layered by time (internal errors).
    """
    used = np.flatnonzero(flow > 0)
    if used.size == 0:
        return FlowPaths(np.zeros(1, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
    kind, time = network.kind[used], network.time[used]
    last_layer = int(time.max(initial=0)) + 3
    # Layer of an arc's tail: source 0, pickup points 1, road nodes of step t: t + 2, destinations last.
    layer = np.where(kind == SOURCE, 0, np.where(kind == RECEIVE, last_layer, time + 2))
    layer[kind == DEPART] = 1
    rank = np.zeros(used.size, np.int64) if arc_rank is None else arc_rank[used]
    order = np.lexsort((used, rank, network.tail[used], layer))
    used, layer = used[order], layer[order]
    layer_ptr = np.searchsorted(layer, np.arange(last_layer + 2))
    node_layer = np.full(network.node_count, -1, dtype=np.int64)
    node_layer[network.tail[used]] = layer
    if (node_layer[network.tail[used]] != layer).any():
        raise SolverError("flow decomposition: a node's arcs leave in different steps (internal error)")

    pending = [_Pieces([], [], [], []) for _ in range(last_layer + 1)]
    parents: list[IntArray] = []
    piece_arcs: list[IntArray] = []
    leaves: list[tuple[IntArray, IntArray, IntArray]] = []
    next_id = 0

    def emit(parent: IntArray, arcs: IntArray, people: IntArray, depth: IntArray) -> None:
        nonlocal next_id
        ids = np.arange(next_id, next_id + arcs.size, dtype=np.int64)
        next_id += arcs.size
        parents.append(parent)
        piece_arcs.append(arcs)
        head_layer = node_layer[network.head[arcs]]
        done = network.head[arcs] == network.sink
        if done.any():
            leaves.append((ids[done], people[done], depth[done]))
        if (~done & (head_layer <= layer_of_now)).any():
            raise SolverError("flow decomposition: flow reaches a node it cannot leave (internal error)")
        for lay in np.unique(head_layer[~done]).tolist():
            mine = ~done & (head_layer == lay)
            p = pending[lay]
            p.ids.append(ids[mine])
            p.arcs.append(arcs[mine])
            p.people.append(people[mine])
            p.depth.append(depth[mine])

    layer_of_now = 0
    first = used[layer_ptr[0] : layer_ptr[1]]
    emit(np.full(first.size, -1, np.int64), first, flow[first], np.zeros(first.size, np.int64))
    for now in range(1, last_layer + 1):
        layer_of_now = now
        out = used[layer_ptr[now] : layer_ptr[now + 1]]
        p = pending[now]
        if not p.ids:
            if out.size:
                raise SolverError("flow decomposition: flow leaves a node nobody reaches (internal error)")
            continue
        ids, arcs = np.concatenate(p.ids), np.concatenate(p.arcs)
        people, depth = np.concatenate(p.people), np.concatenate(p.depth)
        pending[now] = _Pieces([], [], [], [])
        node = network.head[arcs]
        line = np.lexsort((ids, rank_of(arc_rank, arcs), node))
        ids, people, depth, node = ids[line], people[line], depth[line], node[line]
        _check_conserved(node, people, network.tail[out], flow[out])
        in_end = np.cumsum(people)
        out_end = np.cumsum(flow[out])
        ends = np.union1d(in_end, out_end)
        starts = np.concatenate([[0], ends[:-1]])
        take = np.searchsorted(in_end, starts, side="right")
        onto = np.searchsorted(out_end, starts, side="right")
        emit(ids[take], out[onto], ends - starts, depth[take] + 1)

    if not leaves:
        raise SolverError("flow decomposition: no flow reaches the sink (internal error)")
    parent_all, arc_all = np.concatenate(parents), np.concatenate(piece_arcs)
    leaf = np.concatenate([x[0] for x in leaves])
    people_out = np.concatenate([x[1] for x in leaves])
    depth = np.concatenate([x[2] for x in leaves])
    indptr = np.concatenate([[0], np.cumsum(depth + 1)]).astype(np.int64)
    out_arcs = np.empty(int(indptr[-1]), dtype=np.int64)
    pos, cur = indptr[1:] - 1, leaf
    while cur.size:
        out_arcs[pos] = arc_all[cur]
        cur = parent_all[cur]
        alive = cur >= 0
        pos, cur = pos[alive] - 1, cur[alive]
    return FlowPaths(indptr=indptr, arcs=out_arcs, people=people_out.astype(np.int64))


def rank_of(arc_rank: IntArray | None, arcs: IntArray) -> IntArray:
    """The rank of ``arcs`` (zeros when no ranking is given)."""
    if arc_rank is None:
        return np.zeros(arcs.size, np.int64)
    out: IntArray = arc_rank[arcs]
    return out


def _check_conserved(
    in_node: IntArray, in_people: IntArray, out_node: IntArray, out_people: IntArray
) -> None:
    """Raise unless every node of the layer lets out exactly the people it takes in (both sorted by node)."""
    a_nodes, a_first = np.unique(in_node, return_index=True)
    b_nodes, b_first = np.unique(out_node, return_index=True)
    if a_nodes.size != b_nodes.size or (a_nodes != b_nodes).any():
        raise SolverError("flow decomposition hit a node where flow is not conserved (internal error)")
    if (np.add.reduceat(in_people, a_first) != np.add.reduceat(out_people, b_first)).any():
        raise SolverError("flow decomposition hit a node where flow is not conserved (internal error)")


def merge_identical_paths(paths: FlowPaths) -> FlowPaths:
    """One path per distinct arc sequence, people summed, first-seen order (vectorised).

    The arcs fix a group's origin (source arc), links, entry steps and destination, so equal arc
    sequences are equal movements. Keyed by two 64-bit hashes, then compared arc by arc.
    """
    if paths.count < 2:
        return paths
    keys = np.concatenate([np.diff(paths.indptr)[:, None], row_hashes(paths.arcs, paths.indptr)], axis=1)
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    rep = first[inverse.reshape(-1)]
    rep = np.where(equal_rows(rep, [(paths.arcs, paths.indptr)]), rep, np.arange(paths.count))
    keep = np.flatnonzero(rep == np.arange(paths.count))
    if keep.size == paths.count:
        return paths
    people = np.bincount(rep, weights=paths.people, minlength=paths.count).astype(np.int64)[keep]
    lengths = np.diff(paths.indptr)[keep]
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    take = np.repeat(paths.indptr[keep], lengths) + (
        np.arange(int(indptr[-1]), dtype=np.int64) - np.repeat(indptr[:-1], lengths)
    )
    return FlowPaths(indptr=indptr, arcs=paths.arcs[take], people=people)


def ragged(arrays: Sequence[IntArray]) -> tuple[IntArray, IntArray]:
    """Arrays one after another, with their start offsets (``indptr``)."""
    lengths = np.fromiter((a.size for a in arrays), dtype=np.int64, count=len(arrays))
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    values: IntArray = np.concatenate(arrays).astype(np.int64) if arrays else np.zeros(0, np.int64)
    return values, indptr


def row_hashes(values: IntArray, indptr: IntArray) -> IntArray:
    """Two 64-bit hashes per row of a ragged array (position-weighted sums, wrapping)."""
    rng = np.random.default_rng(20261130)
    longest = int(np.diff(indptr).max(initial=0))
    position = np.arange(values.size, dtype=np.int64) - np.repeat(indptr[:-1], np.diff(indptr))
    out = np.empty((indptr.size - 1, 2), dtype=np.int64)
    mixed = values.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    for column in range(2):
        weights = rng.integers(1, 1 << 63, size=max(1, longest), dtype=np.uint64) | np.uint64(1)
        with np.errstate(over="ignore"):
            summed = np.concatenate([[np.uint64(0)], np.cumsum(mixed * weights[position], dtype=np.uint64)])
            out[:, column] = (summed[indptr[1:]] - summed[indptr[:-1]]).view(np.int64)
    return out


def equal_rows(rep: IntArray, ragged: list[tuple[IntArray, IntArray]]) -> npt.NDArray[np.bool_]:
    """Per row: whether it equals row ``rep`` in every ragged array (same lengths assumed)."""
    same = np.ones(rep.size, dtype=bool)
    dup = np.flatnonzero(rep != np.arange(rep.size))
    for values, indptr in ragged:
        lengths = indptr[dup + 1] - indptr[dup]
        step = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(
            np.concatenate([[0], np.cumsum(lengths)])[:-1], lengths
        )
        mine = np.repeat(indptr[dup], lengths) + step
        theirs = np.repeat(indptr[rep[dup]], lengths) + step
        differs = values[mine] != values[theirs]
        bad = np.unique(np.repeat(dup, lengths)[differs])
        same[bad] = False
    return same
