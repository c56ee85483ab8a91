"""Re-plan after an incident: groups on the road stay where they are; only those the incident hits are
planned again, on the road capacity the others leave.

``replan(plan, incident, now, scenario=...)``:

1. the re-plan starts at the first time step at or after ``now`` (``start'``); the incident joins
   the scenario's hazards (unless a hazard with its id is there already), so whatever it closes is
   closed for the new plan (``safepassage.hazards.link_closures``), and the *remaining scenario*
   (:func:`remaining_scenario`) starts at ``start'`` with the people not yet gone and the
   reception places not yet promised;
2. groups departing before ``start'`` are **on the road** (or arrived): they keep their routes and
   are not in the new plan, but the road capacity they still use after ``start'`` is theirs;
3. groups not yet gone whose route enters no link while it is closed (the incident's closures and
   every other) are **kept** as planned (``keep_unaffected``, default): the new plan holds them
   unchanged, times counted from ``start'``, exposure recomputed with the incident;
4. the people of the other groups not yet gone (**hit**) are planned again with the max-flow search
   on the capacity left (``residual``: per link and time step, what on-road and kept groups use is
   subtracted), from the least horizon worth probing (the kept groups' last arrival; a warm start
   at what remained of the old clearance when nothing is kept), exact bisection (``mode="exact"``,
   model steps as the planner picks them within its arc budget) or fast mode's search (``"fast"``:
   it promises the bound and the gap only);
   origins that no open road joins to a usable destination are not searched (unserved, reason
   from ``unserved``); people the old plan left unserved stay unserved with their reason (the
   incident only closes roads: the old flow was maximal);
5. the **lower bound** is proven for every plan ``check-plan`` accepts on the remaining scenario
   moving as many people: the coarse relaxation (``lower_bound``, within an arc budget) and the
   free-flow shortest path; ``gap`` is against it. The plan's ``mode`` is ``bounded`` (exact mode:
   the re-planned people's horizon is the least of the model *given the kept groups*, not proven
   quickest overall) or ``fast``; ``solver.details.replan`` says who was kept, hit and planned,
   and ``solver.details.guarantee`` says it in one sentence.

People are conserved per origin: kept + re-planned + unserved = the people not yet gone, which
``check-plan`` verifies on the remaining scenario. With the on-road groups added back, capacity
holds on every link in every step (``tests/planner/test_replan_incremental.py``).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt
from pydantic import JsonValue
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from safepassage.errors import InputError, SolverError
from safepassage.local_time import in_zone
from safepassage.network import RoadNetwork
from safepassage.planner.assemble import build_plan, movement_exposure
from safepassage.planner.exposure import RiskModel
from safepassage.planner.lower_bound import FAST_BOUND_FACTOR, relaxation_clearance, shortest_path_bound_ms
from safepassage.planner.movements import plan_movements
from safepassage.planner.plan_file import (
    EdgeUse,
    Exposure,
    Movement,
    Plan,
    SolverInfo,
    Unserved,
    plan_gap,
)
from safepassage.planner.problem import PlanningProblem, build_problem
from safepassage.planner.residual import (
    Hops,
    PlanIndex,
    UsedCapacity,
    closed_hops,
    edge_links,
    index_plan,
    residual_quickest,
    select_hops,
    select_times,
    used_capacity,
)
from safepassage.planner.slots import departure_slots
from safepassage.planner.solve import (
    EXACT_ARC_BUDGET,
    EXACT_SUBSTEPS,
    FAST_ARC_BUDGET,
    FAST_SUBSTEPS,
    FAST_TOLERANCE,
    PlanningMode,
)
from safepassage.planner.static_graph import build_static_graph
from safepassage.planner.summaries import destination_summaries, origin_summaries
from safepassage.planner.time_expansion import RECEIVE, SOURCE, StepModel, TimeExpandedNetwork
from safepassage.planner.time_grid import MS_PER_S, ms_to_s, step_ms, whole_ms_substeps
from safepassage.planner.unserved import explain_unserved
from safepassage.scenario.model import Destination, Hazard, Origin, Scenario
from safepassage.scenario.vocabulary import TravelMode

__all__ = ["REPLAN_BOUND_ARC_BUDGET", "remaining_scenario", "replan", "replan_start"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: The coarse relaxation bound runs when one of its probes stays within this many arcs (else only
#: the shortest-path bound, so a re-plan at scale stays within seconds).
REPLAN_BOUND_ARC_BUDGET = 1_000_000


def replan_start(scenario: Scenario, now: dt.datetime) -> dt.datetime:
    """The first time step of ``scenario`` at or after ``now``."""
    steps = math.ceil(max(0.0, scenario.seconds_since_start(now)) / scenario.time_step_s - 1e-9)
    return scenario.at(steps * scenario.time_step_s)


def remaining_scenario(scenario: Scenario, plan: Plan, start: dt.datetime, hazards: list[Hazard]) -> Scenario:
    """``scenario`` from ``start``: people of groups departing before it gone, their places taken."""
    left: Counter[str] = Counter()
    promised: Counter[str] = Counter()
    for movement in plan.movements:
        if movement.departure < start:
            left[movement.origin] += movement.people
            promised[movement.destination] += movement.people
    origins: list[Origin] = [
        o.model_copy(update={"people": max(0, o.people - left[o.id]), "needs": {}}) for o in scenario.origins
    ]
    destinations: list[Destination] = [
        d.model_copy(update={"capacity": max(0, d.capacity - promised[d.id])}) for d in scenario.destinations
    ]
    return scenario.model_copy(
        update={
            "start": start,
            "horizon": scenario.end - start,
            "origins": origins,
            "destinations": destinations,
            "hazards": hazards,
        }
    )


def replan(
    plan: Plan,
    incident: Hazard,
    now: dt.datetime,
    *,
    scenario: Scenario,
    networks: Mapping[TravelMode, RoadNetwork] | None = None,
    mode: PlanningMode = "exact",
    keep_unaffected: bool = True,
    substeps: int | None = None,
    index: PlanIndex | None = None,
) -> Plan:
    """The plan for everybody not yet gone at ``now`` once ``incident`` is known (module docstring).

    ``scenario`` is the one ``plan`` was made for. ``keep_unaffected=False`` plans every group not
    yet gone again (still leaving the on-road groups their capacity). ``substeps``: model steps
    per time step for the re-planned people (default: as the planner picks them within its arc
    budget). Raises ``InputError`` when ``now`` lies at or beyond the scenario's end (nothing left
    to plan), ``mode`` is unknown or ``substeps`` does not split the time step into whole ms.
    ``index``: ``residual.index_plan(plan, networks)`` made beforehand (a monitor keeps it with the
    plan), which saves reading every path node again (seconds at scale); built here when absent.
    """
    began = time.perf_counter()
    if mode not in ("exact", "fast"):
        raise InputError(f"mode: {mode!r} is not a planning mode; expected 'exact' or 'fast'")
    start = replan_start(scenario, now)
    if start >= scenario.end:
        raise InputError(
            f"now: {now.isoformat()} is at or after the scenario's end ({scenario.end.isoformat()}); "
            "nothing is left to re-plan"
        )
    timings: dict[str, float] = {}
    hazards = list(scenario.hazards)
    if all(h.id != incident.id for h in hazards):
        hazards.append(incident)
    remaining = remaining_scenario(scenario, plan, start, hazards)
    elapsed_ms = round(scenario.seconds_since_start(start) * MS_PER_S)
    mark = time.perf_counter()
    problem = build_problem(remaining, networks)
    timings["problem_s"] = time.perf_counter() - mark

    mark = time.perf_counter()
    if index is None:
        index = index_plan(plan, {layer.network.mode: layer.network for layer in problem.layers})
    elif index.plan is not plan:
        raise InputError("index: it was built for another plan; expected index_plan(plan, networks)")
    timings["index_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    split = _split_movements(problem, index, elapsed_ms, keep_unaffected)
    timings["classify_s"] = time.perf_counter() - mark

    mark = time.perf_counter()
    new_part, search_details = _plan_hit_people(problem, plan, split, mode, elapsed_ms, substeps)
    timings["search_and_movements_s"] = time.perf_counter() - mark

    mark = time.perf_counter()
    kept = _shifted(problem, plan, split, start)
    movements = [*kept, *new_part.movements]
    moved = sum(m.people for m in movements)
    clearance_s = max((m.arrival_s for m in movements), default=0.0)
    bound_s, bound_details = _lower_bound(problem, movements, moved, clearance_s)
    timings["bound_s"] = time.perf_counter() - mark

    on_road = [plan.movements[i] for i in split.on_road]
    elapsed_s = elapsed_ms / MS_PER_S
    details: dict[str, JsonValue] = {
        **search_details,
        "replan": {
            "incident": incident.id,
            "from": start.isoformat(),
            "groups_kept_on_the_road": len(on_road),
            "people_kept_on_the_road": sum(m.people for m in on_road),
            "on_road_until_s": max((m.arrival_s - elapsed_s for m in on_road), default=0.0),
            "groups_kept_as_planned": len(split.kept),
            "people_kept_as_planned": sum(plan.movements[i].people for i in split.kept),
            "groups_hit": len(split.hit),
            "people_replanned": sum(plan.movements[i].people for i in split.hit),
            "people_left_unserved_before": sum(u.people for u in plan.unserved),
            "keep_unaffected": keep_unaffected,
            "warm_start_first_probe_s": max(0.0, plan.clearance_time_s - elapsed_s),
        },
        "lower_bound": bound_details,
    }
    shown = "fast" if mode == "fast" else "bounded"
    details["guarantee"] = _guarantee(shown, clearance_s, bound_s, len(split.kept))
    details["exactness"] = {
        "proven": False,
        "method": "max-flow search on the capacity kept groups leave",
        "why": (
            "a re-plan keeps the groups on the road and those the incident does not hit as planned; "
            "the people planned again get the least horizon of the model given them (exact mode), "
            "not a plan proven quickest overall; only the bound and the gap are promised"
        ),
    }
    mark = time.perf_counter()
    out = _assemble(problem, plan, movements, new_part, split, bound_s)
    timings["assemble_s"] = time.perf_counter() - mark
    timings["total_s"] = time.perf_counter() - began
    details["timings"] = {k: round(v, 4) for k, v in timings.items()}
    solver = SolverInfo(mode=shown, wall_time_s=timings["total_s"], details=details)
    return out.model_copy(update={"solver": solver})


class _Split:
    """Indices into ``plan.movements``: on the road, kept as planned, hit (planned again)."""

    def __init__(self) -> None:
        self.on_road: list[int] = []
        self.kept: list[int] = []
        self.hit: list[int] = []
        self.used: list[UsedCapacity] = []  # per problem layer
        self.kept_hops: dict[TravelMode, tuple[list[int], Hops]] = {}
        self.kept_times: dict[TravelMode, list[list[float]]] = {}  # entry times from the new start


def _split_movements(problem: PlanningProblem, index: PlanIndex, elapsed_ms: int, keep: bool) -> _Split:
    """Which groups are on the road, kept, or hit; and the capacity on-road and kept groups use."""
    out = _Split()
    used_by_network: dict[int, UsedCapacity] = {}
    step = step_ms(problem.step_s)
    for layer in problem.layers:
        net = layer.network
        mine = index.modes.get(net.mode)
        if id(net) in used_by_network or mine is None:
            continue
        departure = mine.node_ms[mine.node_ptr[:-1]]
        arrival = mine.node_ms[mine.node_ptr[1:] - 1]
        waiting_all = departure >= elapsed_ms
        select = np.flatnonzero(waiting_all | (arrival > elapsed_ms))
        waiting = waiting_all[select]
        out.on_road.extend(mine.members[select[~waiting]].tolist())
        hops = select_hops(mine, select, elapsed_ms, from_shift=True)
        if keep:
            closed = np.zeros(select.shape[0], dtype=bool)
            closed[hops.movement[closed_hops(hops, layer.closures) & waiting[hops.movement]]] = True
        else:
            closed = waiting.copy()
        kept_local = np.flatnonzero(waiting & ~closed)
        out.hit.extend(mine.members[select[closed]].tolist())
        out.kept.extend(mine.members[select[kept_local]].tolist())
        holds = ~closed  # on-road and kept groups hold their capacity
        used_by_network[id(net)] = used_capacity(hops.select(holds[hops.movement]), step, net.link_count)
        rank = np.full(select.shape[0], -1, dtype=np.int64)
        rank[kept_local] = np.arange(kept_local.size)
        kept_hops = hops.select(rank[hops.movement] >= 0)
        out.kept_hops[net.mode] = (
            mine.members[select[kept_local]].tolist(),
            Hops(rank[kept_hops.movement], kept_hops.link, kept_hops.enter_ms, kept_hops.people),
        )
        out.kept_times[net.mode] = select_times(mine, select[kept_local], elapsed_ms)
    empty = UsedCapacity(*(np.zeros(0, dtype=np.int64) for _ in range(3)))
    out.used = [used_by_network.get(id(layer.network), empty) for layer in problem.layers]
    out.on_road.sort()
    out.kept.sort()
    out.hit.sort()
    return out


def _plan_hit_people(
    problem: PlanningProblem,
    plan: Plan,
    split: _Split,
    mode: PlanningMode,
    elapsed_ms: int,
    substeps: int | None,
) -> tuple[Plan, dict[str, JsonValue]]:
    """The hit people's part of the plan (a plan of ``problem`` with only them), and search details."""
    index = {o: i for i, o in enumerate(problem.origin_ids)}
    dest_index = {d: j for j, d in enumerate(problem.destination_ids)}
    people = np.zeros(len(problem.origin_ids), dtype=np.int64)
    for i in split.hit:
        people[index[plan.movements[i].origin]] += plan.movements[i].people
    capacity = problem.destination_capacity.copy()
    kept_last_ms = 0
    for i in split.kept:
        m = plan.movements[i]
        capacity[dest_index[m.destination]] -= m.people
        kept_last_ms = max(kept_last_ms, round(m.arrival_s * MS_PER_S) - elapsed_ms)
    sub_problem = replace(problem, origin_people=people, destination_capacity=np.maximum(capacity, 0))
    graph = build_static_graph(sub_problem, contract=True, split_shared=True)
    cut = _cut_off(sub_problem)
    graph = replace(graph, origin_people=np.where(cut, 0, graph.origin_people))
    scenario_ms = step_ms(problem.step_s)
    scenario_steps = max(1, math.floor(problem.horizon_s / problem.step_s + 1e-9))
    hint_ms = max(kept_last_ms, round(plan.clearance_time_s * MS_PER_S) - elapsed_ms, scenario_ms)
    size = max(1, graph.arc_count * math.ceil(hint_ms / scenario_ms))
    budget, most = (EXACT_ARC_BUDGET, EXACT_SUBSTEPS) if mode == "exact" else (FAST_ARC_BUDGET, FAST_SUBSTEPS)
    sub = substeps or whole_ms_substeps(scenario_ms, min(most, budget // size))
    if scenario_ms % sub:
        raise InputError(
            f"substeps: {sub} does not split the time step of {scenario_ms} ms into whole milliseconds"
        )
    model = StepModel(ms_to_s(scenario_ms // sub), substeps=sub)
    search = residual_quickest(
        graph,
        sub_problem,
        split.used,
        model,
        scenario_steps * sub,
        least_steps=math.ceil(kept_last_ms / model.step_ms),
        first_steps=math.ceil(hint_ms / model.step_ms),
        tolerance=FAST_TOLERANCE if mode == "fast" else 0.0,
    )
    assert search.times is not None
    network, flow = search.solution.network, search.solution.flow
    groups, movement_details = plan_movements(
        sub_problem, graph, network, flow, search.times.transit, model.step_ms
    )
    risk = [RiskModel(layer.network, problem.scenario) for layer in problem.layers]
    exposure = movement_exposure(sub_problem, groups, risk)
    served = _per(network.kind == SOURCE, network, flow, len(problem.origin_ids))
    received = _per(network.kind == RECEIVE, network, flow, len(problem.destination_ids))
    unserved = explain_unserved(sub_problem, served, received)
    part = build_plan(
        sub_problem,
        groups,
        exposure,
        lower_bound_s=0.0,
        unserved=unserved,
        solver=SolverInfo(mode=mode),
    )
    details: dict[str, JsonValue] = {
        "step_s": problem.step_s,
        "substeps": sub,
        "model_step_s": model.step_s,
        "t_star_model_steps": search.horizon_steps,
        "model_infeasible_at_steps": search.infeasible_below,
        "servable": search.servable,
        "static_nodes": graph.node_count,
        "static_arcs": graph.arc_count,
        "probes": [
            {"steps": t, "people_moved": v, "arcs": a, "seconds": round(s, 4)} for t, v, a, s in search.probes
        ],
        "time_expanded_arcs": network.arc_count,
        "time_expanded_nodes": network.node_count,
        "movements": movement_details,
        "layers": [layer.name for layer in problem.layers],
    }
    return part, details


def _per(mask: npt.NDArray[np.bool_], network: TimeExpandedNetwork, flow: IntArray, count: int) -> IntArray:
    out: IntArray = np.bincount(network.ref[mask], weights=flow[mask], minlength=count).astype(np.int64)
    return out


def _cut_off(problem: PlanningProblem) -> npt.NDArray[np.bool_]:
    """Per origin: no link open at some time joins its pickup point to a destination it may use."""
    cut = np.zeros(len(problem.origin_ids), dtype=bool)
    for index, layer in enumerate(problem.layers):
        mine = np.flatnonzero(problem.origin_layer == index)
        sinks = layer.destination_node[layer.destination_node >= 0]
        if mine.size == 0:
            continue
        if sinks.size == 0:
            cut[mine] = True
            continue
        net = layer.network
        keep = np.flatnonzero(layer.usable & ~layer.closures.closed_throughout(0.0, problem.horizon_s))
        back = csr_matrix(
            (np.ones(keep.size), (net.link_head[keep], net.link_tail[keep])),
            shape=(net.node_count, net.node_count),
        )
        reach = np.isfinite(dijkstra(back, indices=np.unique(sinks), min_only=True, unweighted=True))
        cut[mine] = ~reach[problem.origin_node[mine]]
    return cut


def _shifted(problem: PlanningProblem, plan: Plan, split: _Split, start: dt.datetime) -> list[Movement]:
    """The kept groups, their times counted from ``start``, exposure recomputed with the incident."""
    zone = problem.scenario.zone()
    out: dict[int, Movement] = {}
    for layer in problem.layers:
        net = layer.network
        if net.mode not in split.kept_hops:
            continue
        members, hops = split.kept_hops[net.mode]
        risk = RiskModel(net, problem.scenario)
        exposure: FloatArray = np.zeros(len(members), dtype=np.float64)
        if risk.has_risk and hops.link.size:
            per_hop = risk.at(np.maximum(hops.link, 0), hops.enter_ms / MS_PER_S) * hops.people
            exposure = np.bincount(hops.movement, weights=per_hop, minlength=len(members)).astype(np.float64)
        for j, i in enumerate(members):
            m = plan.movements[i]
            times = split.kept_times[net.mode][j]
            out[i] = Movement.model_construct(
                origin=m.origin,
                destination=m.destination,
                people=m.people,
                mode=m.mode,
                departure=in_zone(start + dt.timedelta(milliseconds=round(times[0] * MS_PER_S)), zone),
                path=m.path,
                entry_times_s=times,
                exposure=float(exposure[j]),
            )
    return [out[i] for i in sorted(out)]


def _lower_bound(
    problem: PlanningProblem,
    movements: Sequence[Movement],
    moved: int,
    clearance_s: float,
) -> tuple[float, dict[str, JsonValue]]:
    """Proven for every plan ``check-plan`` accepts on the remaining scenario moving ``moved``."""
    if moved == 0:
        return 0.0, {"relaxation_s": 0.0, "shortest_path_s": 0.0}
    index = {o: i for i, o in enumerate(problem.origin_ids)}
    served = np.zeros(len(problem.origin_ids), dtype=np.int64)
    for m in movements:
        served[index[m.origin]] += m.people
    graph = build_static_graph(problem, contract=True, split_shared=False)
    details: dict[str, JsonValue] = {}
    bound_ms = shortest_path_bound_ms(problem, graph, served)
    details["shortest_path_s"] = ms_to_s(bound_ms)
    scenario_ms = step_ms(problem.step_s)
    scenario_steps = max(1, math.floor(problem.horizon_s / problem.step_s + 1e-9))
    coarse_steps = math.ceil(clearance_s * MS_PER_S / scenario_ms / FAST_BOUND_FACTOR)
    size = (graph.arc_count + graph.node_count) * max(1, coarse_steps)
    if size <= REPLAN_BOUND_ARC_BUDGET:
        coarse = relaxation_clearance(problem, graph, FAST_BOUND_FACTOR, scenario_steps, moved)
        relaxed_ms = coarse.horizon_steps * scenario_ms * FAST_BOUND_FACTOR
        details["coarse_relaxation"] = {
            "step_s": problem.step_s * FAST_BOUND_FACTOR,
            "steps": coarse.horizon_steps,
            "bound_s": ms_to_s(relaxed_ms),
            "probes": len(coarse.probes),
        }
        if coarse.servable >= moved:
            bound_ms = max(bound_ms, relaxed_ms)
    else:
        details["coarse_relaxation"] = (
            f"skipped: about {size:,} arcs a probe, over {REPLAN_BOUND_ARC_BUDGET:,}"
        )
    if ms_to_s(bound_ms) > clearance_s + 1e-6:
        raise SolverError(
            f"re-plan lower bound {ms_to_s(bound_ms):.0f} s exceeds its clearance {clearance_s:.0f} s "
            "(internal error: the relaxation admits every valid plan)"
        )
    return ms_to_s(bound_ms), details


def _guarantee(mode: str, clearance_s: float, bound_s: float, kept: int) -> str:
    gap = plan_gap(clearance_s, bound_s)
    said = (
        f"no valid plan moving these people from the re-plan's start clears before the proven lower "
        f"bound of {bound_s:,.3f}".rstrip("0").rstrip(".")
        + f" s; this re-plan clears at {clearance_s:,.3f}".rstrip("0").rstrip(".")
        + " s"
        + ("" if gap is None else f", {gap:.1%} above it")
    )
    how = (
        f"{kept} group(s) the incident does not hit kept as planned, the others planned again on the "
        "capacity left"
    )
    if mode == "fast":
        return f"{said}; {how} (fast mode: it promises the bound and the gap only)."
    return f"{said}; {how}, at the least horizon of the planner's model given the kept groups."


def _assemble(
    problem: PlanningProblem,
    plan: Plan,
    movements: list[Movement],
    part: Plan,
    split: _Split,
    bound_s: float,
) -> Plan:
    """The re-plan: kept and new movements, with summaries, edges and slots of them all."""
    scenario = problem.scenario
    unserved: dict[str, tuple[int, list[str]]] = {}
    for u in [*plan.unserved, *part.unserved]:
        people, reasons = unserved.get(u.origin, (0, []))
        unserved[u.origin] = (people + u.people, reasons if u.reason in reasons else [*reasons, u.reason])
    unserved_list = [Unserved(origin=o, people=p, reason="; ".join(r)) for o, (p, r) in unserved.items()]
    edges = _kept_edges(problem, plan, split)
    seen = {(e.mode, e.u, e.v) for e in edges}
    edges.extend(e for e in part.edges if (e.mode, e.u, e.v) not in seen)
    clearance = max((m.arrival_s for m in movements), default=0.0)
    return Plan(
        scenario=part.scenario,
        start=scenario.start,
        time_step_s=float(scenario.time_step_s),
        clearance_time_s=clearance,
        lower_bound_s=bound_s,
        gap=plan_gap(clearance, bound_s),
        people_total=scenario.people_total,
        evacuated=sum(m.people for m in movements),
        unserved=unserved_list,
        movements=movements,
        edges=edges,
        closures=part.closures,
        exposure=_exposure(movements),
        origins=origin_summaries(((o.id, o.people) for o in scenario.origins), movements, unserved_list),
        destinations=destination_summaries(((d.id, d.capacity) for d in scenario.destinations), movements),
        departure_slots=departure_slots(movements),
        solver=SolverInfo(mode="bounded"),
    )


def _kept_edges(problem: PlanningProblem, plan: Plan, split: _Split) -> list[EdgeUse]:
    """The entries of ``plan.edges`` for links some kept group takes."""
    keep = np.zeros(len(plan.edges), dtype=bool)
    u = np.fromiter((e.u for e in plan.edges), dtype=np.int64, count=len(plan.edges))
    v = np.fromiter((e.v for e in plan.edges), dtype=np.int64, count=len(plan.edges))
    modes = [e.mode for e in plan.edges]
    for layer in problem.layers:
        net = layer.network
        if net.mode not in split.kept_hops:
            continue
        mine = np.fromiter((m is None or m is net.mode for m in modes), dtype=bool, count=len(modes))
        links = edge_links(net, u[mine], v[mine])
        keep[np.flatnonzero(mine)[np.isin(links, split.kept_hops[net.mode][1].link) & (links >= 0)]] = True
    return [plan.edges[i] for i in np.flatnonzero(keep).tolist()]


def _exposure(movements: Sequence[Movement]) -> Exposure:
    by_origin: dict[str, float] = {}
    by_destination: dict[str, float] = {}
    for m in movements:
        by_origin[m.origin] = by_origin.get(m.origin, 0.0) + m.exposure
        by_destination[m.destination] = by_destination.get(m.destination, 0.0) + m.exposure
    return Exposure(
        total=float(sum(m.exposure for m in movements)), by_origin=by_origin, by_destination=by_destination
    )
