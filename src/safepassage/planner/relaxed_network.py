"""A tighter graph for the lower-bound relaxation: chains cut just before a link that opens later.

The relaxation (``time_expansion``, ``relaxed=True``) counts a contracted chain as closed in step t
only if one closure covers *every* instant its closed link could be entered, and a group entering
the chain at t may reach a link at position p up to ``p`` time steps later than its free-flow
offset (each hop may take one step longer). So a closure that *ends* at instant ``to`` (a corridor
opening at the start of its ceasefire window) lets the relaxation enter the chain up to
``offset + p * step`` before ``to`` and then drive the whole chain at free flow: on the Helsinki demo
people reached the far end of Unioninkatu minutes before the corridor opened, in the relaxation
only, and that was the whole gap between its bound and the plan.

Cutting the chain just before such a link (its tail becomes an arc end, where the relaxation lets
people wait) puts the closed link at position 0 of its own piece: the relaxation then opens it in
the first step at or after ``to``. The proof is the relaxation's own, piece by piece (see
``docs/plan-format.md``, "The lower bounds"): a plan's group enters each piece at the real instant
it enters the piece's first link; the piece's relaxed transit (free-flow rounded down to steps)
brings it to the next piece's tail no later than that step; it waits there (allowed in the
relaxation); people entering a piece in one step are at most its first link's capacity; closures
are tested with offsets and positions counted from the piece's start. The price: each cut rounds
travel time down once more (at most one step per cut on a path through it), so only links whose
closure ends within ``until_s`` are cut.

The returned graph is for relaxations only: ``arc_capacity`` and ``arc_travel_ms`` of a piece are
its parent chain's minimum capacity and its own links' times rounded up, but ``arc_key`` is not
comparable across layers, so graphs that couple layers (``StaticGraph.shared``) are returned as they
are.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from safepassage.errors import SolverError
from safepassage.planner.problem import PlanningProblem
from safepassage.planner.static_graph import StaticGraph
from safepassage.planner.time_grid import ms_down

__all__ = ["cut_positions", "split_before_openings"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def cut_positions(graph: StaticGraph, until_s: float) -> BoolArray:
    """Per chain position (``graph.chain_link``): cut the chain just before this link.

    A link is cut before when it is not its chain's first and one of its closures ends (opens)
    after the start and no later than ``until_s``.
    """
    cut = np.zeros(graph.chain_link.shape[0], dtype=bool)
    to_s = graph.closure_to_s
    opens = (graph.closure_position > 0) & np.isfinite(to_s) & (to_s > 0.0) & (to_s <= until_s)
    cut[graph.chain_indptr[graph.closure_arc[opens]] + graph.closure_position[opens]] = True
    return cut


def split_before_openings(problem: PlanningProblem, graph: StaticGraph, until_s: float) -> StaticGraph:
    """``graph`` with chains cut before links opening by ``until_s`` (module docstring).

    Returns ``graph`` itself when nothing is cut or when it couples layers (``graph.shared``).
    Raises ``SolverError`` when the recomputed link times disagree with the graph's (internal).
    """
    cut = cut_positions(graph, until_s)
    if graph.shared or not cut.any():
        return graph
    positions = graph.chain_link.shape[0]
    arc_of_pos = np.repeat(np.arange(graph.arc_count, dtype=np.int64), np.diff(graph.chain_indptr))
    first = np.zeros(positions, dtype=bool)
    first[graph.chain_indptr[:-1]] = True
    starts = np.flatnonzero(first | cut).astype(np.int64)
    piece_of_pos = np.cumsum(first | cut) - 1
    parent = arc_of_pos[starts]

    # Per position: the link's tail and head (global nodes), free-flow ms rounded down, raw capacity.
    tail = np.zeros(positions, dtype=np.int64)
    head = np.zeros(positions, dtype=np.int64)
    lo_ms = np.zeros(positions, dtype=np.int64)
    raw = np.zeros(positions, dtype=np.float64)
    layer_of_pos = graph.arc_layer[arc_of_pos]
    for index, layer in enumerate(problem.layers):
        at = np.flatnonzero(layer_of_pos == index)
        if at.size == 0:
            continue
        net, link = layer.network, graph.chain_link[at]
        tail[at] = net.link_tail[link] + layer.node_offset
        head[at] = net.link_head[link] + layer.node_offset
        lo_ms[at] = ms_down(net.travel_time_s(problem.scenario.capacity)[link])
        raw[at] = net.capacity_people_per_step(problem.scenario.capacity, problem.step_s)[link]

    # Offsets from each chain's start (exclusive sums), to re-base them on each piece's start.
    cum_lo = np.cumsum(lo_ms) - lo_ms
    chain_start_lo = cum_lo[graph.chain_indptr[:-1]][arc_of_pos]
    offset_lo = cum_lo - chain_start_lo
    if not np.array_equal(np.add.reduceat(lo_ms, graph.chain_indptr[:-1]), graph.arc_travel_lo_ms):
        raise SolverError("relaxed network: recomputed link times differ from the static graph's (internal)")
    offset_hi = graph.chain_offset_ms
    end_hi = np.r_[offset_hi[1:], 0]
    last = np.r_[first[1:], True]
    end_hi[last] = graph.arc_travel_ms[arc_of_pos[last]]
    hi_ms = end_hi - offset_hi

    piece_start_of_pos = starts[piece_of_pos]
    c_pos = graph.chain_indptr[graph.closure_arc] + graph.closure_position
    c_start = piece_start_of_pos[c_pos]
    ends = np.r_[starts[1:], positions] - 1
    pieces_per_parent = np.bincount(parent, minlength=graph.arc_count)
    rank_in_parent = np.arange(starts.size) - np.repeat(
        np.r_[0, np.cumsum(pieces_per_parent)[:-1]], pieces_per_parent
    )
    stride = int(pieces_per_parent.max()) + 1
    return replace(
        graph,
        arc_tail=tail[starts],
        arc_head=head[ends],
        arc_layer=graph.arc_layer[parent],
        arc_travel_ms=np.add.reduceat(hi_ms, starts).astype(np.int64),
        arc_travel_lo_ms=np.add.reduceat(lo_ms, starts).astype(np.int64),
        arc_capacity=graph.arc_capacity[parent],
        arc_first_capacity_raw=raw[starts],
        chain_indptr=np.r_[starts, positions].astype(np.int64),
        chain_offset_ms=(offset_hi - offset_hi[piece_start_of_pos]).astype(np.int64),
        closure_arc=piece_of_pos[c_pos].astype(np.int64),
        closure_offset_ms=(offset_hi[c_pos] - offset_hi[c_start]).astype(np.int64),
        closure_offset_lo_ms=(offset_lo[c_pos] - offset_lo[c_start]).astype(np.int64),
        closure_position=(c_pos - c_start).astype(np.int64),
        arc_key=(graph.arc_key[parent] * stride + rank_in_parent).astype(np.int64),
    )
