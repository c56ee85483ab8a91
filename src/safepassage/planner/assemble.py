"""Turn decomposed flow paths into the plan file's movements, edges, closures, exposure and summaries.

A path of the time-expanded network is ``source -> wait* -> link* -> arrive -> receive``. Its
movement departs at the first link's step; each contracted arc is unfolded into its OSM links:
the group enters the chain's k-th link at ``t * step + offset_k`` (free-flow driving inside the
chain) and reaches the chain's last node at ``(t + transit) * step`` — the model's rounding up to
whole steps, never more than one step longer than free flow on that last link.

Every time here is whole milliseconds (``time_grid``: integer steps times the model step in ms,
plus integer chain offsets); :func:`build_plan` turns them into seconds, once, for the file.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from safepassage.local_time import in_zone
from safepassage.planner.decompose import FlowPaths, equal_rows, ragged, row_hashes
from safepassage.planner.exposure import RiskModel
from safepassage.planner.plan_file import (
    Closure,
    EdgeUse,
    Exposure,
    Movement,
    Plan,
    ScenarioRef,
    SolverInfo,
    Unserved,
    plan_gap,
)
from safepassage.planner.problem import PlanningProblem
from safepassage.planner.slots import departure_slots
from safepassage.planner.static_graph import StaticGraph
from safepassage.planner.summaries import destination_summaries, origin_summaries
from safepassage.planner.time_expansion import ARRIVE, LINK, SOURCE, TimeExpandedNetwork
from safepassage.planner.time_grid import MS_PER_S, ms_to_s

__all__ = ["Group", "build_plan", "groups_from_paths", "merge_identical_groups", "movement_exposure"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Group:
    """One movement before it becomes a plan record: layer-local links and entry times.

    The arrays are usually views into the arrays of all groups (``groups_from_paths``): a group
    costs a few hundred bytes besides its share of them, where tuples of Python ints cost ~36 bytes
    a hop (1.6 GB for the 22.7 million hops of the 300,000-people instance).
    """

    origin: int
    destination: int
    people: int
    layer: int
    nodes: IntArray  # layer-local node indices, travel order
    links: IntArray  # layer-local link indices, len(nodes) - 1
    entry_times_ms: IntArray  # one per node, whole milliseconds after start

    @property
    def entry_times_s(self) -> list[float]:
        times: list[float] = (self.entry_times_ms / MS_PER_S).tolist()
        return times

    @property
    def arrival_ms(self) -> int:
        return int(self.entry_times_ms[-1])

    @property
    def departure_ms(self) -> int:
        return int(self.entry_times_ms[0])


def groups_from_paths(
    problem: PlanningProblem,
    graph: StaticGraph,
    network: TimeExpandedNetwork,
    paths: FlowPaths,
    step_ms: int,
) -> list[Group]:
    """Unfold every flow path into a :class:`Group` (see module docstring); vectorised over hops.

    ``step_ms``: the plan model's step in whole milliseconds. The groups' arrays are views into
    three arrays holding every group's nodes, links and entry times one after another.
    """
    count = paths.count
    arcs = paths.arcs
    group_of = paths.group_of
    kind = network.kind[arcs]
    origin = np.zeros(count, dtype=np.int64)
    destination = np.zeros(count, dtype=np.int64)
    arrive_step = np.zeros(count, dtype=np.int64)
    is_source, is_arrive = kind == SOURCE, kind == ARRIVE
    origin[group_of[is_source]] = network.ref[arcs[is_source]]
    destination[group_of[is_arrive]] = network.ref[arcs[is_arrive]]
    arrive_step[group_of[is_arrive]] = network.time[arcs[is_arrive]]

    is_link = kind == LINK
    link_arcs = arcs[is_link]
    static = network.ref[link_arcs]
    del arcs, kind, is_source, is_arrive
    lengths = graph.chain_indptr[static + 1] - graph.chain_indptr[static]
    hop_first = np.concatenate([[0], np.cumsum(lengths)])[:-1]
    total = int(lengths.sum())
    rank = np.repeat(np.arange(static.size, dtype=np.int64), lengths)
    position = graph.chain_indptr[static][rank] + (np.arange(total, dtype=np.int64) - hop_first[rank])
    hop_group = group_of[is_link][rank]
    del group_of, is_link, hop_first
    hop_link = graph.chain_link[position]
    hop_time = network.time[link_arcs][rank] * step_ms + graph.chain_offset_ms[position]
    del rank, position
    layer = problem.origin_layer[origin]
    hop_head = np.empty(total, dtype=np.int64)
    hop_layer = layer[hop_group]
    for index, lay in enumerate(problem.layers):
        mine = hop_layer == index
        hop_head[mine] = lay.network.link_head[hop_link[mine]]
    del hop_layer
    hop_ptr = np.searchsorted(hop_group, np.arange(count + 1))

    # One row per node: group g's nodes at hop_ptr[g] + g .. hop_ptr[g + 1] + g (its start first).
    slot = hop_group + np.arange(total, dtype=np.int64) + 1
    starts = hop_ptr[:-1] + np.arange(count, dtype=np.int64)
    nodes = np.empty(total + count, dtype=np.int64)
    nodes[starts] = problem.origin_node[origin]
    nodes[slot] = hop_head
    times = np.empty(total + count, dtype=np.int64)
    times[slot - 1] = hop_time
    times[hop_ptr[1:] + np.arange(count, dtype=np.int64)] = arrive_step * step_ms
    del hop_group, hop_head, hop_time, slot
    ptr = hop_ptr.tolist()
    people = paths.people.tolist()
    origin_l, destination_l, layer_l = origin.tolist(), destination.tolist(), layer.tolist()
    return [
        Group(
            origin=origin_l[g],
            destination=destination_l[g],
            people=people[g],
            layer=layer_l[g],
            nodes=nodes[ptr[g] + g : ptr[g + 1] + g + 1],
            links=hop_link[ptr[g] : ptr[g + 1]],
            entry_times_ms=times[ptr[g] + g : ptr[g + 1] + g + 1],
        )
        for g in range(count)
    ]


def merge_identical_groups(groups: Sequence[Group]) -> list[Group]:
    """One group per (origin, destination, mode, path, entry times), people summed; first-seen order.

    The decomposition splits flow wherever arcs with flow branch, so the same route at the same
    times can come out as several small groups; a coordinator wants one movement for it. Vectorised:
    groups are keyed by two independent 64-bit hashes of their arrays, and every pair a key joins
    is then compared entry by entry (a hash collision keeps both groups).
    """
    if len(groups) < 2:
        return list(groups)
    fixed = np.array([(g.origin, g.destination, g.layer, g.nodes.size) for g in groups], dtype=np.int64)
    columns = [fixed]
    rows = []
    for field_name in ("nodes", "links", "entry_times_ms"):
        values, indptr = ragged([getattr(g, field_name) for g in groups])
        columns.append(row_hashes(values, indptr))
        rows.append((values, indptr))
    keys = np.concatenate(columns, axis=1)
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    rep = first[inverse.reshape(-1)]
    same = equal_rows(rep, rows)
    rep = np.where(same, rep, np.arange(len(groups)))
    people = np.bincount(rep, weights=[g.people for g in groups], minlength=len(groups)).astype(np.int64)
    keep = np.flatnonzero(rep == np.arange(len(groups))).tolist()
    total = people.tolist()
    return [groups[i] if groups[i].people == total[i] else replace(groups[i], people=total[i]) for i in keep]


def movement_exposure(
    problem: PlanningProblem, groups: Sequence[Group], risk: Sequence[RiskModel]
) -> FloatArray:
    """People × Σ link risk at entry time, per group."""
    exposure = np.zeros(len(groups), dtype=np.float64)
    for layer in range(len(problem.layers)):
        members = [i for i, g in enumerate(groups) if g.layer == layer and g.links.size]
        if not members or not risk[layer].has_risk:
            continue
        counts = np.array([len(groups[i].links) for i in members])
        links = np.concatenate([groups[i].links for i in members])
        times_ms = np.concatenate([groups[i].entry_times_ms[:-1] for i in members])
        times = times_ms / 1000.0
        per_hop = risk[layer].at(links, times)
        owner = np.repeat(np.asarray(members), counts)
        people = np.array([groups[i].people for i in members])
        per_hop = per_hop * np.repeat(people, counts)
        exposure += np.bincount(owner, weights=per_hop, minlength=len(groups))
    return exposure


def build_plan(
    problem: PlanningProblem,
    groups: Sequence[Group],
    exposure: FloatArray,
    *,
    lower_bound_s: float,
    unserved: Sequence[Unserved],
    solver: SolverInfo,
) -> Plan:
    """The ``safepassage-plan/1`` document for ``groups``."""
    scenario = problem.scenario
    start = scenario.start
    zone = scenario.zone()  # departures are shown with the offset in force then (summer time)
    movements: list[Movement] = []
    osm_ids = [layer.network.node_osm_id for layer in problem.layers]
    for group, exp in zip(groups, exposure.tolist(), strict=True):
        net = problem.layers[group.layer].network
        # Built from arrays this module guarantees consistent (one entry time per node, times in
        # order); skipping per-field validation saves seconds on 100,000 movements. check-plan
        # re-verifies everything independently.
        movements.append(
            Movement.model_construct(
                origin=problem.origin_ids[group.origin],
                destination=problem.destination_ids[group.destination],
                people=group.people,
                mode=net.mode,
                departure=in_zone(start + dt.timedelta(milliseconds=group.departure_ms), zone),
                path=osm_ids[group.layer][group.nodes].tolist(),
                entry_times_s=group.entry_times_s,
                exposure=exp,
            )
        )
    clearance = ms_to_s(max((g.arrival_ms for g in groups), default=0))
    evacuated = sum(g.people for g in groups)
    return Plan(
        scenario=ScenarioRef(name=scenario.name, sha256=scenario.content_sha256),
        start=start,
        time_step_s=float(scenario.time_step_s),
        clearance_time_s=clearance,
        lower_bound_s=lower_bound_s,
        gap=plan_gap(clearance, lower_bound_s),
        people_total=problem.people_total,
        evacuated=evacuated,
        unserved=list(unserved),
        movements=movements,
        edges=_edges(problem, groups),
        closures=_closures(problem),
        exposure=_exposure_totals(problem, groups, exposure),
        origins=origin_summaries(
            zip(problem.origin_ids, problem.origin_people.tolist(), strict=True), movements, unserved
        ),
        destinations=destination_summaries(
            zip(problem.destination_ids, problem.destination_capacity.tolist(), strict=True), movements
        ),
        departure_slots=departure_slots(movements),
        solver=solver,
    )


def _edges(problem: PlanningProblem, groups: Sequence[Group]) -> list[EdgeUse]:
    scenario = problem.scenario
    out: list[EdgeUse] = []
    seen: set[tuple[str, int, int]] = set()
    for layer_index, layer in enumerate(problem.layers):
        mine = [g.links for g in groups if g.layer == layer_index]
        if not mine:
            continue
        used = np.unique(np.concatenate(mine))
        net = layer.network
        capacity = np.floor(net.capacity_people_per_step(scenario.capacity, problem.step_s)[used] + 1e-9)
        travel = net.travel_time_s(scenario.capacity)[used]
        tails = net.node_osm_id[net.link_tail[used]].tolist()
        heads = net.node_osm_id[net.link_head[used]].tolist()
        mode = net.mode
        for u, v, cap, time_s in zip(tails, heads, capacity.tolist(), travel.tolist(), strict=True):
            if (mode.value, u, v) in seen:
                continue
            seen.add((mode.value, u, v))
            out.append(EdgeUse(u=u, v=v, mode=mode, capacity_per_step=cap, travel_time_s=time_s))
    return out


def _closures(problem: PlanningProblem) -> list[Closure]:
    out: list[Closure] = []
    seen: set[int] = set()
    for layer in problem.layers:
        if id(layer.closures) in seen:
            continue
        seen.add(id(layer.closures))
        net, c = layer.network, layer.closures
        tails = net.node_osm_id[net.link_tail[c.link]].tolist()
        heads = net.node_osm_id[net.link_head[c.link]].tolist()
        for u, v, f, t, why in zip(tails, heads, c.from_s.tolist(), c.to_s.tolist(), c.reason, strict=True):
            out.append(
                Closure(
                    u=u,
                    v=v,
                    from_s=f if math.isfinite(f) else min(0.0, t) if math.isfinite(t) else 0.0,
                    to_s=t if math.isfinite(t) else None,
                    reason=why,
                    mode=net.mode,
                )
            )
    return out


def _exposure_totals(problem: PlanningProblem, groups: Sequence[Group], exposure: FloatArray) -> Exposure:
    by_origin: dict[str, float] = {}
    by_destination: dict[str, float] = {}
    for g, e in zip(groups, exposure.tolist(), strict=True):
        o, d = problem.origin_ids[g.origin], problem.destination_ids[g.destination]
        by_origin[o] = by_origin.get(o, 0.0) + e
        by_destination[d] = by_destination.get(d, 0.0) + e
    return Exposure(total=float(exposure.sum()), by_origin=by_origin, by_destination=by_destination)
