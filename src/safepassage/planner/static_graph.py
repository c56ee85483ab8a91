"""The static graph the time expansion copies: (contracted) arcs of every layer, in global numbering.

Each arc is a chain of road links (one link when not contracted). Per arc it keeps the free-flow
travel time of the whole chain, the offset of each link's entry from the chain's entry, and the
chain's capacity in whole people per step (the smallest of its links', times the layer's share).
Closures are kept per (arc, link offset) as ``[from_s, to_s)`` intervals forbidding entry, so the
time expansion can test "may the group entering this arc at time t enter every link of it?".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from safepassage.planner.contraction import Chains, contract_chains, single_link_chains
from safepassage.planner.problem import PlanningProblem

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
    arc_travel_s: FloatArray
    arc_capacity: IntArray  # whole people per (fine) time step
    arc_first_capacity_raw: FloatArray  # the first link's per-step capacity, unshared (relaxation)
    chain_indptr: IntArray  # links of arc k: chain_link[chain_indptr[k]:chain_indptr[k+1]]
    chain_link: IntArray  # layer-local link indices
    chain_offset_s: FloatArray  # entry of each chain link, seconds after the arc's entry
    closure_arc: IntArray
    closure_offset_s: FloatArray
    closure_position: IntArray  # index of the closed link within its chain (0: the first link)
    closure_from_s: FloatArray
    closure_to_s: FloatArray
    origin_node: IntArray  # global
    origin_people: IntArray
    sink_node: IntArray  # global node where a destination may be reached (one per layer and dest)
    sink_destination: IntArray
    destination_capacity: IntArray
    contracted: bool

    @property
    def arc_count(self) -> int:
        return int(self.arc_tail.shape[0])


def build_static_graph(problem: PlanningProblem, *, contract: bool = True) -> StaticGraph:
    """Arcs of every layer; ``contract`` merges chains of through nodes (see ``contraction``)."""
    tails: list[IntArray] = []
    heads: list[IntArray] = []
    layer_of: list[IntArray] = []
    travel: list[FloatArray] = []
    capacity: list[IntArray] = []
    capacity_raw: list[FloatArray] = []
    chain_ptrs: list[IntArray] = []
    chain_links: list[IntArray] = []
    chain_offsets: list[FloatArray] = []
    c_arc: list[IntArray] = []
    c_offset: list[FloatArray] = []
    c_position: list[IntArray] = []
    c_from: list[FloatArray] = []
    c_to: list[FloatArray] = []
    sink_node: list[IntArray] = []
    sink_dest: list[IntArray] = []
    arc_base = 0
    link_base = 0
    scenario = problem.scenario
    for index, layer in enumerate(problem.layers):
        net = layer.network
        terminal = np.zeros(net.node_count, dtype=bool)
        terminal[problem.origin_node[problem.origin_layer == index]] = True
        terminal[layer.destination_node[layer.destination_node >= 0]] = True
        chains: Chains = (
            contract_chains(net.link_tail, net.link_head, layer.usable, terminal)
            if contract
            else single_link_chains(net.link_tail, net.link_head, layer.usable)
        )
        link_travel = net.travel_time_s(scenario.capacity)
        link_cap = net.capacity_people_per_step(scenario.capacity, problem.step_s)
        per_link_cap = np.floor(link_cap * layer.capacity_share + 1e-9).astype(np.int64)
        sizes = np.diff(chains.indptr)
        arc_of_pos = np.repeat(np.arange(chains.arc_count), sizes)
        link_t = link_travel[chains.link]
        cum = np.cumsum(link_t)
        start_cum = np.concatenate([[0.0], cum])[chains.indptr[:-1]]
        offsets = cum - link_t - start_cum[arc_of_pos]
        arc_travel = np.add.reduceat(link_t, chains.indptr[:-1]) if chains.arc_count else np.zeros(0)
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
        capacity.append(arc_cap.astype(np.int64))
        capacity_raw.append(arc_raw)
        chain_ptrs.append(chains.indptr[:-1] + link_base)
        chain_links.append(chains.link)
        chain_offsets.append(offsets)

        # Closures: every closure row of a link in some chain, at that link's offset in its chain.
        position_of_link = np.full(net.link_count, -1, dtype=np.int64)
        position_of_link[chains.link] = np.arange(chains.link.shape[0])
        pos = position_of_link[layer.closures.link]
        hit = pos >= 0
        c_arc.append(arc_of_pos[pos[hit]] + arc_base)
        c_offset.append(offsets[pos[hit]])
        c_position.append(pos[hit] - chains.indptr[arc_of_pos[pos[hit]]])
        c_from.append(layer.closures.from_s[hit])
        c_to.append(layer.closures.to_s[hit])

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
        arc_travel_s=np.concatenate(travel),
        arc_capacity=np.concatenate(capacity),
        arc_first_capacity_raw=np.concatenate(capacity_raw),
        chain_indptr=chain_indptr,
        chain_link=np.concatenate(chain_links),
        chain_offset_s=np.concatenate(chain_offsets),
        closure_arc=np.concatenate(c_arc),
        closure_offset_s=np.concatenate(c_offset),
        closure_position=np.concatenate(c_position),
        closure_from_s=np.concatenate(c_from),
        closure_to_s=np.concatenate(c_to),
        origin_node=problem.origin_global_node(),
        origin_people=problem.plannable_people,
        sink_node=np.concatenate(sink_node),
        sink_destination=np.concatenate(sink_dest),
        destination_capacity=problem.destination_capacity,
        contracted=contract,
    )
