"""The static graph the time expansion copies: (contracted) arcs of every layer, in global numbering.

Each arc is a chain of road links (one link when not contracted). Per arc it keeps the free-flow
travel time of the whole chain, the offset of each link's entry from the chain's entry, and the
chain's capacity in whole people per step (the smallest of its links', times the layer's share).
Closures are kept per (arc, link offset) as ``[from_s, to_s)`` intervals forbidding entry, so the
time expansion can test "may the group entering this arc at time t enter every link of it?".

Times are whole milliseconds (``time_grid``), summed exactly: ``*_ms`` rounds each link's free-flow
time up (the plan model: a hop never takes less than its free-flow time), ``*_lo_ms`` rounds it
down (the lower-bound relaxation: never more). Offsets are sums of the links before, so the first
link's offset is exactly 0 and every offset is a whole millisecond.

**Layers sharing one road network** (a must-use corridor for some origins of a mode, not for
others): every node touching a link that one of those layers may use and another may not, and
every origin and destination node of any of them, stays a chain end in all of them. Then two
layers' arcs with the same first link are the same chain of links with the same times and closures
(``arc_key``), so ``coupled`` can make them share the links' capacity instead of splitting it.
With ``split_shared=True`` (fast mode, or an instance too large for the coupled LP) each layer
instead gets a share of every link's capacity proportional to its people (``Layer.capacity_share``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from safepassage.planner.contraction import Chains, contract_chains, single_link_chains
from safepassage.planner.parallel_links import shadow_closures
from safepassage.planner.problem import PlanningProblem
from safepassage.planner.time_grid import ms_down, ms_up

__all__ = ["StaticGraph", "build_static_graph"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class StaticGraph:
    """Arcs of all layers with global node indices (layer offset + local node)."""

    node_count: int
    arc_tail: IntArray
    arc_head: IntArray
    arc_layer: IntArray
    arc_travel_ms: IntArray  # free-flow time of the chain, each link rounded up to whole ms
    arc_travel_lo_ms: IntArray  # the same, each link rounded down (relaxation, bounds)
    arc_capacity: IntArray  # whole people per (fine) time step
    arc_first_capacity_raw: FloatArray  # the first link's per-step capacity, unshared (relaxation)
    chain_indptr: IntArray  # links of arc k: chain_link[chain_indptr[k]:chain_indptr[k+1]]
    chain_link: IntArray  # layer-local link indices
    chain_offset_ms: IntArray  # entry of each chain link after the arc's entry (links before, rounded up)
    closure_arc: IntArray
    closure_offset_ms: IntArray  # the closed link's chain offset (rounded up, as chain_offset_ms)
    closure_offset_lo_ms: IntArray  # the same with travel times rounded down (relaxation)
    closure_position: IntArray  # index of the closed link within its chain (0: the first link)
    closure_from_s: FloatArray
    closure_to_s: FloatArray
    origin_node: IntArray  # global
    origin_people: IntArray
    sink_node: IntArray  # global node where a destination may be reached (one per layer and dest)
    sink_destination: IntArray
    destination_capacity: IntArray
    contracted: bool
    # The same physical chain in every layer of one network (network rank, first link); only read
    # when ``shared``: some network is seen by several layers that share capacity (not split).
    arc_key: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    shared: bool = False

    @property
    def arc_count(self) -> int:
        return int(self.arc_tail.shape[0])


def build_static_graph(
    problem: PlanningProblem, *, contract: bool = True, split_shared: bool = True
) -> StaticGraph:
    """Arcs of every layer; ``contract`` merges chains of through nodes (see ``contraction``).

    ``split_shared``: layers on one network get proportional capacity shares (module docstring);
    ``False`` gives every layer the full capacity, to be coupled by ``coupled.coupling_rows``.
    """
    tails: list[IntArray] = []
    heads: list[IntArray] = []
    layer_of: list[IntArray] = []
    travel: list[IntArray] = []
    travel_lo: list[IntArray] = []
    capacity: list[IntArray] = []
    capacity_raw: list[FloatArray] = []
    chain_ptrs: list[IntArray] = []
    chain_links: list[IntArray] = []
    chain_offsets: list[IntArray] = []
    c_arc: list[IntArray] = []
    c_offset: list[IntArray] = []
    c_offset_lo: list[IntArray] = []
    c_position: list[IntArray] = []
    c_from: list[FloatArray] = []
    c_to: list[FloatArray] = []
    sink_node: list[IntArray] = []
    sink_dest: list[IntArray] = []
    keys: list[IntArray] = []
    arc_base = 0
    link_base = 0
    scenario = problem.scenario
    rank_of = _network_ranks(problem)
    key_stride = max(layer.network.link_count for layer in problem.layers) + 1
    terminal_of = _shared_terminals(problem, rank_of)
    shared = any(np.count_nonzero(rank_of == r) > 1 for r in np.unique(rank_of).tolist())
    for index, layer in enumerate(problem.layers):
        net = layer.network
        terminal = terminal_of[int(rank_of[index])].copy()
        chains: Chains = (
            contract_chains(net.link_tail, net.link_head, layer.usable, terminal)
            if contract
            else single_link_chains(net.link_tail, net.link_head, layer.usable)
        )
        link_travel = net.travel_time_s(scenario.capacity)
        link_cap = net.capacity_people_per_step(scenario.capacity, problem.step_s)
        share = layer.capacity_share if split_shared else 1.0
        per_link_cap = np.floor(link_cap * share + 1e-9).astype(np.int64)
        arc_of_pos = np.repeat(np.arange(chains.arc_count), np.diff(chains.indptr))
        offsets, arc_travel = _chain_offsets(ms_up(link_travel[chains.link]), chains.indptr, arc_of_pos)
        offsets_lo, arc_travel_lo = _chain_offsets(
            ms_down(link_travel[chains.link]), chains.indptr, arc_of_pos
        )
        arc_cap = (
            np.minimum.reduceat(per_link_cap[chains.link], chains.indptr[:-1])
            if chains.arc_count
            else np.zeros(0, np.int64)
        )
        arc_raw = link_cap[chains.link[chains.indptr[:-1]]]
        tails.append(chains.tail + layer.node_offset)
        heads.append(chains.head + layer.node_offset)
        layer_of.append(np.full(chains.arc_count, index, dtype=np.int64))
        travel.append(arc_travel)
        travel_lo.append(arc_travel_lo)
        capacity.append(arc_cap.astype(np.int64))
        capacity_raw.append(arc_raw)
        chain_ptrs.append(chains.indptr[:-1] + link_base)
        chain_links.append(chains.link)
        chain_offsets.append(offsets)
        keys.append(int(rank_of[index]) * key_stride + chains.link[chains.indptr[:-1]])

        # Closures: every closure row of a link in some chain, at that link's offset in its chain;
        # then the rows closing slower parallel links while a faster one is open (``parallel_links``).
        shadow_link, shadow_from, shadow_to = shadow_closures(net, layer.closures)
        closed_link = np.concatenate([layer.closures.link, shadow_link])
        closed_from = np.concatenate([layer.closures.from_s, shadow_from])
        closed_to = np.concatenate([layer.closures.to_s, shadow_to])
        position_of_link = np.full(net.link_count, -1, dtype=np.int64)
        position_of_link[chains.link] = np.arange(chains.link.shape[0])
        pos = position_of_link[closed_link]
        hit = pos >= 0
        c_arc.append(arc_of_pos[pos[hit]] + arc_base)
        c_offset.append(offsets[pos[hit]])
        c_offset_lo.append(offsets_lo[pos[hit]])
        c_position.append(pos[hit] - chains.indptr[arc_of_pos[pos[hit]]])
        c_from.append(closed_from[hit])
        c_to.append(closed_to[hit])

        dest = np.flatnonzero(layer.destination_node >= 0)
        sink_node.append(layer.destination_node[dest] + layer.node_offset)
        sink_dest.append(dest.astype(np.int64))
        arc_base += chains.arc_count
        link_base += chains.link.shape[0]

    chain_indptr = np.concatenate([*chain_ptrs, np.array([link_base], dtype=np.int64)])
    return StaticGraph(
        node_count=problem.node_count,
        arc_tail=np.concatenate(tails),
        arc_head=np.concatenate(heads),
        arc_layer=np.concatenate(layer_of),
        arc_travel_ms=np.concatenate(travel),
        arc_travel_lo_ms=np.concatenate(travel_lo),
        arc_capacity=np.concatenate(capacity),
        arc_first_capacity_raw=np.concatenate(capacity_raw),
        chain_indptr=chain_indptr,
        chain_link=np.concatenate(chain_links),
        chain_offset_ms=np.concatenate(chain_offsets),
        closure_arc=np.concatenate(c_arc),
        closure_offset_ms=np.concatenate(c_offset),
        closure_offset_lo_ms=np.concatenate(c_offset_lo),
        closure_position=np.concatenate(c_position),
        closure_from_s=np.concatenate(c_from),
        closure_to_s=np.concatenate(c_to),
        origin_node=problem.origin_global_node(),
        origin_people=problem.plannable_people,
        sink_node=np.concatenate(sink_node),
        sink_destination=np.concatenate(sink_dest),
        destination_capacity=problem.destination_capacity,
        contracted=contract,
        arc_key=np.concatenate(keys).astype(np.int64),
        shared=shared and not split_shared,
    )


def _network_ranks(problem: PlanningProblem) -> IntArray:
    """Per layer: the index of its road network among the distinct networks (layers of one mode share)."""
    seen: dict[int, int] = {}
    return np.array(
        [seen.setdefault(id(layer.network), len(seen)) for layer in problem.layers], dtype=np.int64
    )


def _shared_terminals(problem: PlanningProblem, rank_of: IntArray) -> dict[int, BoolArray]:
    """Per network rank: nodes every layer on it keeps as chain ends (module docstring)."""
    out: dict[int, BoolArray] = {}
    for rank in np.unique(rank_of).tolist():
        members = np.flatnonzero(rank_of == rank).tolist()
        net = problem.layers[members[0]].network
        terminal = np.zeros(net.node_count, dtype=bool)
        usable_any = np.zeros(net.link_count, dtype=bool)
        usable_all = np.ones(net.link_count, dtype=bool)
        for index in members:
            layer = problem.layers[index]
            terminal[problem.origin_node[problem.origin_layer == index]] = True
            terminal[layer.destination_node[layer.destination_node >= 0]] = True
            usable_any |= layer.usable
            usable_all &= layer.usable
        differs = usable_any & ~usable_all
        terminal[net.link_tail[differs]] = True
        terminal[net.link_head[differs]] = True
        out[rank] = terminal
    return out


def _chain_offsets(link_ms: IntArray, indptr: IntArray, arc_of_pos: IntArray) -> tuple[IntArray, IntArray]:
    """(entry offset of each chain position, travel of each chain), whole ms, exact integer sums.

    ``link_ms`` is per chain position (``indptr`` delimits the chains, ``arc_of_pos`` owns each
    position). The first link of every chain has offset 0.
    """
    cum = np.cumsum(link_ms, dtype=np.int64)
    start_cum = np.concatenate([np.zeros(1, np.int64), cum])[indptr[:-1]]
    offsets: IntArray = cum - link_ms - start_cum[arc_of_pos]
    arc_ms: IntArray = (
        np.add.reduceat(link_ms, indptr[:-1]).astype(np.int64) if indptr.size > 1 else np.zeros(0, np.int64)
    )
    return offsets, arc_ms
