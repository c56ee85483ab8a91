"""Loops turned into waiting at the pickup point, for every flow path at once (numpy, in rounds).

Max flow on the time-expanded network is indifferent between a group waiting at its pickup point
and the same group circling a block until its slot comes; both reach the sink in the same step.
A path reaching static node v in step t1 and again in step t2 skips the loop when its departure
and every link before t1 happen ``d = t2 - t1`` steps later: the group waits d steps longer at
its pickup point (unlimited: the depart arcs), enters the same links d steps later, reaches v in
step t2 and goes on exactly as before. That keeps the origin, the destination and the arrival
step (so the clearance), and it is a valid flow when every shifted link is open at its new step
(its arc exists in the pruned network) and has spare capacity there.

Every round, each path still entering a node twice proposes its earliest loop (the first node it
enters twice, to its last return there, so inner loops go with it); proposals whose shifted links
exist and each have room are lined up per arc in path order and accepted where the people before
them on every shifted arc still fit (conservative: the room a proposal frees is counted only from
the next round). A proposal whose shifted links do not exist or are full is not proposed again;
the path proposes its next loop instead. Rounds go on while any proposal is accepted, at most
:data:`MAX_ROUNDS`. Each round is a few sorts over the looping paths' arcs.
"""

from __future__ import annotations

import time
from typing import Final

import numpy as np
import numpy.typing as npt

from safepassage.planner.decompose import FlowPaths
from safepassage.planner.time_expansion import DEPART, LINK, TimeExpandedNetwork

__all__ = ["MAX_ROUNDS", "TIME_BUDGET_S", "depart_later_over_all_loops", "revisiting_static_nodes"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Rounds of proposals at most (each accepted shift removes a loop; most paths need one or two).
MAX_ROUNDS: Final = 200

#: Seconds after which no new round starts (about 2 s of rounds on the 300,000-people instance).
TIME_BUDGET_S: Final = 2.0


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
    began = time.perf_counter()
    for _ in range(MAX_ROUNDS):
        if time.perf_counter() - began > time_budget_s:
            break
        proposal = _earliest_loops(paths, node_after, skip_before, active)
        if proposal is None:
            break
        group, first, last = proposal
        active = group  # a path without a loop to propose has none later either
        begin = paths.indptr[group]
        delta = network.time[paths.arcs[begin + last + 1]] - network.time[paths.arcs[begin + first + 1]]
        # The shifted prefix: positions 1..first of each path (depart arc, links up to v).
        lengths = first
        owner = np.repeat(np.arange(group.size, dtype=np.int64), lengths)
        offset = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(
            np.concatenate([[0], np.cumsum(lengths)])[:-1], lengths
        )
        old = paths.arcs[begin[owner] + 1 + offset]
        new = shifted.find(old, delta[owner])
        people = paths.people[group]
        bad = (new < 0) | ((spare[np.maximum(new, 0)] < people[owner]) & (network.kind[old] == LINK))
        hopeless = np.zeros(group.size, dtype=bool)
        hopeless[owner[bad]] = True
        # Line the hopeful ones up per link arc, in path order; accept where all of them fit.
        on_link = ~hopeless[owner] & (network.kind[old] == LINK)
        arcs_in_line, who = new[on_link], owner[on_link]
        line = np.lexsort((who, arcs_in_line))
        arcs_in_line, who = arcs_in_line[line], who[line]
        cum = np.cumsum(people[who])
        run_start = np.flatnonzero(np.diff(arcs_in_line, prepend=-1) != 0)
        before = np.repeat(cum[run_start] - people[who[run_start]], np.diff(np.append(run_start, cum.size)))
        too_much = (cum - before) > spare[arcs_in_line]
        accepted = ~hopeless
        accepted[who[too_much]] = False
        skip_before[group[hopeless]] = first[hopeless] + 1
        if not accepted.any():
            if not hopeless.any():
                break
            continue
        paths, spare = _apply(
            paths, spare, (group[accepted], first[accepted], last[accepted]), new, owner, offset, accepted
        )
        removed += int(accepted.sum())
    return paths, removed


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
    """Link and depart arcs found by (kind, ref, step): the same arc ``d`` steps later."""

    def __init__(self, network: TimeExpandedNetwork) -> None:
        self.network = network
        self.arcs = np.flatnonzero((network.kind == LINK) | (network.kind == DEPART))
        self.span = int(network.time.max(initial=0)) + 2
        keys = self._key(self.arcs, network.time[self.arcs])
        self.order = np.argsort(keys)
        self.sorted_keys = keys[self.order]

    def _key(self, arcs: IntArray, step: IntArray) -> IntArray:
        net = self.network
        key: IntArray = (net.ref[arcs] * 2 + (net.kind[arcs] == DEPART)) * self.span + step
        return key

    def find(self, arcs: IntArray, delta: IntArray) -> IntArray:
        """Per arc: the same arc ``delta`` steps later, or -1 where it does not exist."""
        if arcs.size == 0 or self.sorted_keys.size == 0:
            return np.full(arcs.size, -1, dtype=np.int64)
        step = self.network.time[arcs] + delta
        keys = self._key(arcs, step)
        at = np.minimum(np.searchsorted(self.sorted_keys, keys), self.sorted_keys.size - 1)
        found = (self.sorted_keys[at] == keys) & (step < self.span)
        out: IntArray = np.where(found, self.arcs[self.order[at]], -1)
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
    order = np.lexsort((p, n, g))
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
    chosen: tuple[IntArray, IntArray, IntArray],
    new_prefix: IntArray,
    owner: IntArray,
    offset: IntArray,
    accepted: BoolArray,
) -> tuple[FlowPaths, IntArray]:
    """Paths with the accepted shifts made: ``source, shifted prefix, arcs after the loop``.

    ``chosen``: (path, first, last) of the accepted proposals; ``new_prefix``, ``owner``,
    ``offset``: per prefix entry of every proposal, its shifted arc, proposal and place.
    """
    groups, first, last = chosen
    people = paths.people[groups]
    begin = paths.indptr[groups]
    # Free the old prefix and the loop (positions 1..last), take the shifted prefix.
    free_len = last
    free_owner = np.repeat(np.arange(groups.size, dtype=np.int64), free_len)
    free_off = np.arange(int(free_len.sum()), dtype=np.int64) - np.repeat(
        np.concatenate([[0], np.cumsum(free_len)])[:-1], free_len
    )
    np.add.at(spare, paths.arcs[begin[free_owner] + 1 + free_off], people[free_owner])
    rank = np.cumsum(accepted) - 1  # index of each accepted proposal among ``groups``
    mine = accepted[owner]
    taken = new_prefix[mine]
    np.subtract.at(spare, taken, people[rank[owner[mine]]])

    # Rebuild: every path keeps its arcs except positions 1..last of the accepted ones, which
    # become the shifted prefix (positions 1..first).
    keep = np.ones(paths.arcs.size, dtype=bool)
    drop_pos = begin[free_owner] + 1 + free_off
    keep[drop_pos] = False
    lengths = np.diff(paths.indptr)
    new_lengths = lengths.copy()
    new_lengths[groups] = lengths[groups] - last + first
    indptr = np.concatenate([[0], np.cumsum(new_lengths)]).astype(np.int64)
    arcs = np.empty(int(indptr[-1]), dtype=np.int64)
    # Kept arcs of each path go to their place: source at indptr[g], the rest after the prefix.
    group_of = paths.group_of
    kept_pos = np.flatnonzero(keep)
    shift = np.zeros(paths.count, dtype=np.int64)
    shift[groups] = first - last
    old_position = kept_pos - paths.indptr[group_of[kept_pos]]
    moved = np.zeros(paths.count, dtype=bool)
    moved[groups] = True
    gk = group_of[kept_pos]
    after = moved[gk] & (old_position > 0)
    new_position = old_position + np.where(after, shift[gk], 0)
    arcs[indptr[gk] + new_position] = paths.arcs[kept_pos]
    prefix_owner = groups[rank[owner[mine]]]
    arcs[indptr[prefix_owner] + 1 + offset[mine]] = taken
    return FlowPaths(indptr=indptr, arcs=arcs, people=paths.people), spare
