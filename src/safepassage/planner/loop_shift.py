"""Loops turned into waiting at the pickup point, for every flow path at once (numpy, in rounds).

Max flow on the time-expanded network is indifferent between a group waiting at its pickup point
and the same group circling a block until its slot comes; both reach the sink in the same step.
A path reaching static node v in step t1 and again in step t2 skips the loop when its departure
and every link before t1 happen ``d = t2 - t1`` steps later: the group waits d steps longer at
its pickup point (unlimited: the depart arcs), enters the same links d steps later, reaches v in
step t2 and goes on exactly as before. Where the links before the loop have no room, the arcs
after it may move d steps earlier instead (the group arrives d steps earlier at the same
destination; arrive arcs are unlimited), or d is split between the two. Origins, destinations
and people stay, no arrival gets later (so the clearance never grows), and the result is a valid
flow when every moved link is open at its new step (its arc exists in the pruned network) and
has spare capacity there.

Every round, up to :data:`ROUND_PATHS` paths still entering a node twice propose their earliest
loop (the first node entered twice, to the last return there, so inner loops go with it): its
steps move to the pickup point, the arcs before it departing later, or the arcs after it arriving
earlier, or the steps split between the two; proposals whose moved links
exist and each have room are lined up per arc in path order and accepted where the people before
them on every shifted arc still fit (conservative: the room a proposal frees is counted only from
the next round). A proposal whose shifted links do not exist or are full is not proposed again;
the path proposes its next loop instead; once no path has a loop left to propose, every loop is
proposed once more if some shift was made since (it freed room). At most :data:`MAX_ROUNDS`
rounds, and none started after the time budget. A round is a few sorts over its paths' arcs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from safepassage.planner.decompose import FlowPaths
from safepassage.planner.time_expansion import ARRIVE, DEPART, LINK, TimeExpandedNetwork

__all__ = [
    "MAX_ROUNDS",
    "ROUND_PATHS",
    "TIME_BUDGET_S",
    "depart_later_over_all_loops",
    "revisiting_static_nodes",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Rounds of proposals at most (each accepted shift removes a loop; most paths need one or two).
MAX_ROUNDS: Final = 400

#: Paths looked at in one round (so the time budget is checked often on large plans).
ROUND_PATHS: Final = 20_000

#: Seconds after which no new round starts (about 3 s of rounds on the 300,000-people instance).
TIME_BUDGET_S: Final = 3.0


def depart_later_over_all_loops(
    network: TimeExpandedNetwork,
    paths: FlowPaths,
    arc_head_node: IntArray,
    *,
    time_budget_s: float = TIME_BUDGET_S,
) -> tuple[FlowPaths, int]:
    """Skip every loop whose shifted route has room (module docstring); (paths, loops removed).

    Stops starting new rounds after ``time_budget_s`` seconds (the paths stay valid after any round).

    ``arc_head_node``: per static arc, its head node. A path is ``source, depart, link*, arrive,
    receive``.
    """
    if paths.count == 0:
        return paths, 0
    node_after = _node_after(network, arc_head_node)
    shifted = _ShiftIndex(network)
    spare = network.capacity.copy()
    np.subtract.at(spare, paths.arcs, np.repeat(paths.people, np.diff(paths.indptr)))
    skip_before = np.zeros(paths.count, dtype=np.int64)  # loops starting before this are not proposed
    removed = 0
    active = np.arange(paths.count, dtype=np.int64)
    removed_at_reset = 0
    began = time.perf_counter()
    for _ in range(MAX_ROUNDS):
        if time.perf_counter() - began > time_budget_s:
            break
        if active.size == 0:
            # Shifts made since the last pass freed room: look at every loop once more.
            if removed == removed_at_reset:
                break
            removed_at_reset = removed
            skip_before[:] = 0
            active = np.arange(paths.count, dtype=np.int64)
        chunk, active = active[:ROUND_PATHS], active[ROUND_PATHS:]
        proposal = _earliest_loops(paths, node_after, skip_before, chunk)
        if proposal is None:
            continue
        group, first, last = proposal
        active = np.concatenate([active, group])  # each proposes its next loop in a later round
        loop = _loop_steps(network, paths, group, first, last)
        base = _Shift(group, first, last, loop, loop)
        chosen = base
        hopeless = ~base.feasible(network, paths, shifted, spare)
        # Not room to depart the whole loop later: arrive earlier, or split it between the two.
        for part in (0.0, 0.5, 0.25, 0.75):
            if not hopeless.any():
                break
            option = base.with_later(np.floor(loop * part).astype(np.int64))
            retry = np.flatnonzero(hopeless)
            ok = np.zeros(group.size, dtype=bool)
            ok[retry] = option.subset(retry).feasible(network, paths, shifted, spare)
            chosen, hopeless = chosen.select(ok, option), hopeless & ~ok
        skip_before[group[hopeless]] = first[hopeless] + 1
        owner, offset, old, delta = chosen.entries(paths)
        new = shifted.find(old, delta)
        moving = delta != 0
        accepted = ~hopeless & _fits_in_line(
            network, spare, paths.people[group], owner[moving], old[moving], new[moving], hopeless
        )
        if not accepted.any():
            continue
        paths, spare = _apply(paths, spare, chosen, (owner, offset, new), accepted)
        removed += int(accepted.sum())
    return paths, removed


@dataclass(frozen=True, eq=False)
class _Shift:
    """Per proposal: path ``group`` drops its loop (positions ``first + 1 .. last``); the arcs
    before it move ``later`` steps later, the arcs after it (up to the arrive arc) ``loop - later``
    steps earlier, so the group is at the loop's node once, ``later`` steps after its first visit."""

    group: IntArray
    first: IntArray
    last: IntArray
    later: IntArray
    loop: IntArray

    def with_later(self, later: IntArray) -> _Shift:
        return _Shift(self.group, self.first, self.last, later, self.loop)

    def select(self, mask: BoolArray, other: _Shift) -> _Shift:
        """This shift, or ``other``'s where ``mask``."""
        return self.with_later(np.where(mask, other.later, self.later))

    def entries(self, paths: FlowPaths) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """Per arc kept (source and receive arcs aside): its proposal, its place after the
        source arc in the new path, the arc, and by how many steps it moves."""
        begin = paths.indptr[self.group]
        span = paths.indptr[self.group + 1] - begin - 2  # positions 1 .. end - 1
        owner = np.repeat(np.arange(self.group.size, dtype=np.int64), span)
        position = (
            1
            + np.arange(int(span.sum()), dtype=np.int64)
            - np.repeat(np.concatenate([[0], np.cumsum(span)])[:-1], span)
        )
        after = position > self.last[owner]
        keep = (position <= self.first[owner]) | after
        owner, position, after = owner[keep], position[keep], after[keep]
        offset = np.where(after, position - (self.last - self.first)[owner], position) - 1
        delta = self.later[owner] - np.where(after, self.loop[owner], 0)
        return owner, offset, paths.arcs[begin[owner] + position], delta

    def subset(self, which: IntArray) -> _Shift:
        return _Shift(
            self.group[which], self.first[which], self.last[which], self.later[which], self.loop[which]
        )

    def feasible(
        self, network: TimeExpandedNetwork, paths: FlowPaths, index: _ShiftIndex, spare: IntArray
    ) -> BoolArray:
        """Per proposal: every moved arc exists and, on links, has room for the group alone."""
        owner, _, old, delta = self.entries(paths)
        moves = delta != 0
        owner, old, delta = owner[moves], old[moves], delta[moves]
        new = index.find(old, delta)
        people = paths.people[self.group]
        full = (network.kind[old] == LINK) & (spare[np.maximum(new, 0)] < people[owner])
        ok = np.ones(self.group.size, dtype=bool)
        ok[owner[(new < 0) | full]] = False
        return ok


def _loop_steps(
    network: TimeExpandedNetwork, paths: FlowPaths, group: IntArray, first: IntArray, last: IntArray
) -> IntArray:
    """Steps between entering the loop's node first and last (each path's next arc's step)."""
    begin = paths.indptr[group]
    out: IntArray = network.time[paths.arcs[begin + last + 1]] - network.time[paths.arcs[begin + first + 1]]
    return out


def _fits_in_line(
    network: TimeExpandedNetwork,
    spare: IntArray,
    people: IntArray,
    owner: IntArray,
    old: IntArray,
    new: IntArray,
    hopeless: BoolArray,
) -> BoolArray:
    """Per proposal: lined up per new link arc in proposal order, all before it and it still fit."""
    on_link = ~hopeless[owner] & (network.kind[old] == LINK)
    arcs_in_line, who = new[on_link], owner[on_link]
    line = np.lexsort((who, arcs_in_line))
    arcs_in_line, who = arcs_in_line[line], who[line]
    cum = np.cumsum(people[who])
    run_start = np.flatnonzero(np.diff(arcs_in_line, prepend=-1) != 0)
    before = np.repeat(cum[run_start] - people[who[run_start]], np.diff(np.append(run_start, cum.size)))
    fits = np.ones(people.size, dtype=bool)
    fits[who[(cum - before) > spare[arcs_in_line]]] = False
    return fits


def revisiting_static_nodes(
    network: TimeExpandedNetwork, paths: FlowPaths, arc_head_node: IntArray
) -> BoolArray:
    """Per path: whether it enters some static node (pickup node, a link arc's head) twice."""
    node_after = _node_after(network, arc_head_node)
    out = np.zeros(paths.count, dtype=bool)
    loops = _earliest_loops(paths, node_after, np.zeros(paths.count, np.int64), np.arange(paths.count))
    if loops is not None:
        out[loops[0]] = True
    return out


def _node_after(network: TimeExpandedNetwork, arc_head_node: IntArray) -> IntArray:
    """Per arc: the static node a group is at after it (link: its head; depart: the pickup), else -1."""
    node_after = np.full(network.arc_count, -1, dtype=np.int64)
    is_link, is_depart = network.kind == LINK, network.kind == DEPART
    node_after[is_link] = arc_head_node[network.ref[is_link]]
    node_after[is_depart] = network.ref[is_depart]
    return node_after


class _ShiftIndex:
    """Link, depart and arrive arcs found by (kind, ref, step): a dense table (int32 or int64)."""

    def __init__(self, network: TimeExpandedNetwork) -> None:
        self.network = network
        kind = network.kind
        arcs = np.flatnonzero((kind == LINK) | (kind == DEPART) | (kind == ARRIVE))
        self.span = int(network.time.max(initial=0)) + 2
        self.code = np.where(kind == LINK, 0, np.where(kind == DEPART, 1, 2)).astype(np.int64)
        rows = (int(network.ref[arcs].max(initial=0)) + 1) * 3
        dtype = np.int32 if network.arc_count < np.iinfo(np.int32).max else np.int64
        self.table = np.full(rows * self.span, -1, dtype=dtype)
        self.table[self._key(arcs, network.time[arcs])] = arcs

    def _key(self, arcs: IntArray, step: IntArray) -> IntArray:
        net = self.network
        key: IntArray = (net.ref[arcs] * 3 + self.code[arcs]) * self.span + np.clip(step, 0, self.span - 1)
        return key

    def find(self, arcs: IntArray, delta: IntArray) -> IntArray:
        """Per arc: the same arc ``delta`` steps later, or -1 where it does not exist."""
        step = self.network.time[arcs] + delta
        found = self.table[self._key(arcs, step)].astype(np.int64)
        out: IntArray = np.where((step >= 0) & (step < self.span), found, -1)
        return out


def _earliest_loops(
    paths: FlowPaths, node_after: IntArray, skip_before: IntArray, active: IntArray
) -> tuple[IntArray, IntArray, IntArray] | None:
    """Per ``active`` path with a loop starting at or after ``skip_before``: (path, first, last
    position) of its earliest loop: the first node it enters twice, first and last entry."""
    lengths = paths.indptr[active + 1] - paths.indptr[active]
    group_of = np.repeat(active, lengths)
    position = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(
        np.concatenate([[0], np.cumsum(lengths)])[:-1], lengths
    )
    node = node_after[paths.arcs[paths.indptr[group_of] + position]]
    on_road = node >= 0
    g, n, p = group_of[on_road], node[on_road], position[on_road]
    # One int64 key sorts by (path, node, position): paths < 2^20 rows here at a time, nodes and
    # positions each below 2^21 (checked), so the key stays below 2^62.
    rank = np.unique(g, return_inverse=True)[1].reshape(-1) if g.size else g
    if int(n.max(initial=0)) >= 1 << 21 or int(p.max(initial=0)) >= 1 << 21 or g.size >= 1 << 21:
        order = np.lexsort((p, n, g))
    else:
        order = np.argsort((rank << 42) | (n << 21) | p)
    g, n, p = g[order], n[order], p[order]
    same = (g[1:] == g[:-1]) & (n[1:] == n[:-1])
    starts = np.flatnonzero(np.concatenate([[True], ~same]))
    ends = np.append(starts[1:], g.size) - 1
    twice = ends > starts
    cand_g, cand_first, cand_last = g[starts[twice]], p[starts[twice]], p[ends[twice]]
    ok = cand_first >= skip_before[cand_g]
    cand_g, cand_first, cand_last = cand_g[ok], cand_first[ok], cand_last[ok]
    if cand_g.size == 0:
        return None
    pick = np.lexsort((cand_first, cand_g))
    cand_g, cand_first, cand_last = cand_g[pick], cand_first[pick], cand_last[pick]
    head = np.concatenate([[True], cand_g[1:] != cand_g[:-1]])
    return cand_g[head], cand_first[head], cand_last[head]


def _apply(
    paths: FlowPaths,
    spare: IntArray,
    chosen: _Shift,
    moved: tuple[IntArray, IntArray, IntArray],
    accepted: BoolArray,
) -> tuple[FlowPaths, IntArray]:
    """Paths with the accepted shifts made, and the spare capacity after them.

    ``moved``: per kept arc of every proposal, (proposal, place after the source arc, new arc).
    """
    owner, offset, new = moved
    acc = np.flatnonzero(accepted)
    group = chosen.group[acc]
    begin = paths.indptr[group]
    span = paths.indptr[group + 1] - begin - 2  # positions 1 .. end - 1 are freed and rewritten
    gone_owner = np.repeat(np.arange(acc.size, dtype=np.int64), span)
    gone_pos = (
        begin[gone_owner]
        + 1
        + np.arange(int(span.sum()), dtype=np.int64)
        - np.repeat(np.concatenate([[0], np.cumsum(span)])[:-1], span)
    )
    np.add.at(spare, paths.arcs[gone_pos], paths.people[group][gone_owner])
    mine = accepted[owner]
    np.subtract.at(spare, new[mine], paths.people[chosen.group[owner[mine]]])

    lengths = np.diff(paths.indptr)
    new_lengths = lengths.copy()
    new_lengths[group] -= chosen.last[acc] - chosen.first[acc]
    indptr = np.concatenate([[0], np.cumsum(new_lengths)]).astype(np.int64)
    arcs = np.empty(int(indptr[-1]), dtype=np.int64)
    keep = np.ones(paths.arcs.size, dtype=bool)
    keep[gone_pos] = False
    kept = np.flatnonzero(keep)
    group_of = paths.group_of[kept]
    position = kept - paths.indptr[group_of]
    last_position = indptr[group_of + 1] - indptr[group_of] - 1
    # Source arcs stay first; the receive arc of a changed path goes last.
    position = np.where(position > 0, np.minimum(position, last_position), 0)
    arcs[indptr[group_of] + position] = paths.arcs[kept]
    arcs[indptr[chosen.group[owner[mine]]] + 1 + offset[mine]] = new[mine]
    return FlowPaths(indptr=indptr, arcs=arcs, people=paths.people), spare
