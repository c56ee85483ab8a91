"""Turn decomposed flow paths into the plan file's movements, edges, closures, exposure and summaries.

A path of the time-expanded network is ``source -> wait* -> link* -> arrive -> receive``. Its
movement departs at the first link's step; each contracted arc is unfolded into its OSM links:
the group enters the chain's k-th link at ``t * step + offset_k`` (free-flow driving inside the
chain) and reaches the chain's last node at ``(t + transit) * step`` — the model's rounding up to
whole steps, never more than one step longer than free flow on that last link.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from safepassage.planner.decompose import FlowPaths
from safepassage.planner.exposure import RiskModel
from safepassage.planner.plan_file import (
    Closure,
    DestinationSummary,
    EdgeUse,
    Exposure,
    Movement,
    OriginSummary,
    Plan,
    ScenarioRef,
    SolverInfo,
    Unserved,
    plan_gap,
)
from safepassage.planner.problem import PlanningProblem
from safepassage.planner.static_graph import StaticGraph
from safepassage.planner.time_expansion import ARRIVE, LINK, SOURCE, TimeExpandedNetwork

__all__ = ["Group", "build_plan", "groups_from_paths", "movement_exposure"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Group:
    """One movement before it becomes a plan record: layer-local links and entry times."""

    origin: int
    destination: int
    people: int
    layer: int
    nodes: tuple[int, ...]  # layer-local node indices, travel order
    links: tuple[int, ...]  # layer-local link indices, len(nodes) - 1
    entry_times_s: tuple[float, ...]  # one per node


def groups_from_paths(
    problem: PlanningProblem,
    graph: StaticGraph,
    network: TimeExpandedNetwork,
    paths: FlowPaths,
    transit: IntArray,
    step_s: float,
) -> list[Group]:
    """Unfold every flow path into a :class:`Group` (see module docstring)."""
    kinds = network.kind
    out: list[Group] = []
    chain_ptr, chain_link, chain_off = graph.chain_indptr, graph.chain_link, graph.chain_offset_s
    for g in range(paths.count):
        arcs = paths.path(g).tolist()
        origin = destination = -1
        links: list[int] = []
        times: list[float] = []
        arrive_step = 0
        for arc in arcs:
            kind = int(kinds[arc])
            if kind == SOURCE:
                origin = int(network.ref[arc])
            elif kind == LINK:
                static = int(network.ref[arc])
                t = int(network.time[arc])
                lo, hi = int(chain_ptr[static]), int(chain_ptr[static + 1])
                links.extend(chain_link[lo:hi].tolist())
                times.extend((t * step_s + chain_off[lo:hi]).tolist())
                arrive_step = t + int(transit[static])
            elif kind == ARRIVE:
                destination = int(network.ref[arc])
                arrive_step = int(network.time[arc])
        layer = int(problem.origin_layer[origin])
        net = problem.layers[layer].network
        start_node = int(problem.origin_node[origin])
        nodes = [start_node, *net.link_head[links].tolist()] if links else [start_node]
        times.append(arrive_step * step_s)
        out.append(
            Group(
                origin=origin,
                destination=destination,
                people=int(paths.people[g]),
                layer=layer,
                nodes=tuple(nodes),
                links=tuple(links),
                entry_times_s=tuple(times),
            )
        )
    return out


def movement_exposure(
    problem: PlanningProblem, groups: Sequence[Group], risk: Sequence[RiskModel]
) -> FloatArray:
    """People × Σ link risk at entry time, per group."""
    exposure = np.zeros(len(groups), dtype=np.float64)
    for layer in range(len(problem.layers)):
        members = [i for i, g in enumerate(groups) if g.layer == layer and g.links]
        if not members or not risk[layer].has_risk:
            continue
        counts = np.array([len(groups[i].links) for i in members])
        links = np.concatenate([np.asarray(groups[i].links, dtype=np.int64) for i in members])
        times = np.concatenate([np.asarray(groups[i].entry_times_s[:-1]) for i in members])
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
    movements: list[Movement] = []
    for group, exp in zip(groups, exposure.tolist(), strict=True):
        net = problem.layers[group.layer].network
        movements.append(
            Movement(
                origin=problem.origin_ids[group.origin],
                destination=problem.destination_ids[group.destination],
                people=group.people,
                mode=net.mode,
                departure=start + dt.timedelta(seconds=group.entry_times_s[0]),
                path=net.node_osm_id[list(group.nodes)].tolist(),
                entry_times_s=list(group.entry_times_s),
                exposure=exp,
            )
        )
    clearance = max((g.entry_times_s[-1] for g in groups), default=0.0)
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
        origins=_origin_summaries(problem, groups, unserved),
        destinations=_destination_summaries(problem, groups),
        solver=solver,
    )


def _edges(problem: PlanningProblem, groups: Sequence[Group]) -> list[EdgeUse]:
    scenario = problem.scenario
    out: list[EdgeUse] = []
    seen: set[tuple[int, int]] = set()
    for layer_index, layer in enumerate(problem.layers):
        used = sorted({link for g in groups if g.layer == layer_index for link in g.links})
        if not used:
            continue
        net = layer.network
        capacity = net.capacity_people_per_step(scenario.capacity, problem.step_s)
        travel = net.travel_time_s(scenario.capacity)
        for link in used:
            u, v = int(net.node_osm_id[net.link_tail[link]]), int(net.node_osm_id[net.link_head[link]])
            if (u, v) in seen:
                continue
            seen.add((u, v))
            out.append(
                EdgeUse(
                    u=u,
                    v=v,
                    capacity_per_step=float(np.floor(capacity[link] + 1e-9)),
                    travel_time_s=float(travel[link]),
                )
            )
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


def _origin_summaries(
    problem: PlanningProblem, groups: Sequence[Group], unserved: Sequence[Unserved]
) -> list[OriginSummary]:
    out: list[OriginSummary] = []
    lost = {u.origin: u.people for u in unserved}
    for i, origin_id in enumerate(problem.origin_ids):
        mine = [g for g in groups if g.origin == i]
        out.append(
            OriginSummary(
                origin=origin_id,
                people=int(problem.origin_people[i]),
                evacuated=sum(g.people for g in mine),
                unserved=lost.get(origin_id, 0),
                first_departure_s=min((g.entry_times_s[0] for g in mine), default=None),
                last_departure_s=max((g.entry_times_s[0] for g in mine), default=None),
                last_arrival_s=max((g.entry_times_s[-1] for g in mine), default=None),
            )
        )
    return out


def _destination_summaries(problem: PlanningProblem, groups: Sequence[Group]) -> list[DestinationSummary]:
    out: list[DestinationSummary] = []
    for j, dest_id in enumerate(problem.destination_ids):
        mine = [g for g in groups if g.destination == j]
        out.append(
            DestinationSummary(
                destination=dest_id,
                capacity=int(problem.destination_capacity[j]),
                received=sum(g.people for g in mine),
                first_arrival_s=min((g.entry_times_s[-1] for g in mine), default=None),
                last_arrival_s=max((g.entry_times_s[-1] for g in mine), default=None),
            )
        )
    return out
