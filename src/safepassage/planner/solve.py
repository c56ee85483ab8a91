"""Plan an evacuation: quickest clearance by max-flow search, a proven lower bound, a risk pass.

Pipeline (each step its own module):

1. ``problem``: snap places, closures per mode, corridor rules -> layers;
2. ``static_graph`` + ``contraction``: arcs of all layers, degree-2 chains contracted;
3. a **coarse relaxation** first (``FAST_BOUND_FACTOR`` time steps per model step, cheap): its
   least clearing horizon is a proven lower bound, so the search starts there and never probes
   below it;
4. ``flow_search``: least T* (in model steps) at which the max flow of the pruned time-expanded
   network (``time_expansion``, plan model) moves every person who can be moved within the
   horizon. The plan model's step is the scenario's ``time_step_s`` divided by ``substeps``
   (exact mode: up to 4, so travel times are rounded up to 15 s with one-minute steps, fewer
   when a probe would exceed ``EXACT_ARC_BUDGET`` arcs; capacity per time step is kept exactly,
   see ``time_expansion.substep_capacity``). The probes are aimed (first at the coarse bound, then
   ``GROWTH`` later, then where the secant of the flow curve reaches the demand, then ``g - 1`` and
   ``g`` to prove T* = g); where one probe holds at least ``PARALLEL_ARC_THRESHOLD`` arcs and a
   second core is free, a second process (``probe_worker``, started before the coarse bound so
   it boots meanwhile) probes one horizon of each round: two probes a round, the same T*;
5. **lower bound**, proven for *every* plan ``check-plan`` accepts (entries at any instant, each
   hop at least its free-flow time and at most one time step longer, capacity per time step,
   entries only while open, waiting only at origins): the largest of
   (a) ``T_low * step'`` where ``T_low`` is the least T at which the *relaxation* (travel times
   rounded down, a link closed only when one closure covers every instant it could be entered,
   waiting anywhere, the capacity of each chain's first link) moves as many people as the plan;
   ``step'`` is 5 time steps (coarse) and, in exact mode, also 1 time step (fine) when that
   relaxation stays within ``EXACT_ARC_BUDGET`` (above it: one probe, ``lower_bound``); in exact
   mode (not re-plans) also the window cut (``window_cut``: capacity per fixed window, 10 s substeps);
   (b) the free-flow shortest-path time from the farthest served origin to its nearest usable
   destination over links not closed for the whole horizon.
   ``gap = clearance / bound - 1``. Separately, the search proves the plan model cannot clear at
   ``T* - 1`` model steps (``model_infeasible_at_steps`` in the solver details): T* is optimal
   for the model, and the gap is what the model's rounding (and the bound's) can cost at most;
6. **risk pass** (only when the quickest plan is exposed to some risk): a min-cost flow at the
   fixed horizon ``T* (1 + max_delay)`` moving the same people with least risk exposure
   (``min_cost``); with ``max_delay = 0`` it only reorders routes among plans reaching T*;
   **tidy pass** (``tidy``, within an arc budget per mode): a min-cost flow at T* moving the
   same people from each origin with least total time on the road (link arc = its transit in
   model steps, waiting at the pickup point free), so nobody circles a block to pass time; folded
   lexicographically into the risk pass when that runs (risk first, road time breaks ties);
7. ``decompose`` + ``assemble``: movements with OSM node paths and entry times (a path that
   enters a node twice departs later instead where capacity allows, see ``tidy``;
   identical movements are merged), exposure, summaries, unserved people with reasons
   (``unserved``). ``solver.details``: ``tidy_pass`` (ran or why not) and ``movements`` (flow
   paths, loops turned into waiting, count after merging, how many revisit a node).

Groups kept apart: where a must-use corridor binds some groups of a mode and not others, exact
mode searches with LPs and finds the plan with a MIP on the coupled network (``coupled``) instead
of splitting capacities; it reports mode ``bounded`` (``solver.details.exactness.why``) when that
is too large, or when the planner's corridor rule is narrower than ``check-plan``'s (``problem``),
and then takes its bound without that rule. Loops left in movements are skipped by driving the
street into them slower (``loops``).

Modes: ``exact`` bisects to T* exactly, at quarter steps within ``EXACT_ARC_BUDGET``, and adds
the fine relaxation bound within that budget; ``fast`` uses half steps only within the smaller
``FAST_ARC_BUDGET`` (else whole steps), stops the search within ``FAST_TOLERANCE`` of a horizon
proven too short, adds the fine bound only within its budget and skips the risk pass; its plan is
as valid, and its gap is reported against its own proven bound. Fast mode promises nothing about
how close it comes to exact mode or to the bound (on the Helsinki demo: 3.6 % later than exact,
9.6 % above the bound); ``solver.details.guarantee`` says in one sentence what each plan proves.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import JsonValue

from safepassage.errors import InputError
from safepassage.network import RoadNetwork
from safepassage.planner.assemble import (
    build_plan,
    movement_exposure,
)
from safepassage.planner.coupled import COUPLED_ARC_BUDGET, CoupledGaveUp, CoupledSearch, coupled_quickest
from safepassage.planner.exposure import RiskModel
from safepassage.planner.flow_search import SearchResult, quickest_clearance
from safepassage.planner.lower_bound import (
    FAST_BOUND_FACTOR,
    FINE_PROBE_ARC_LIMIT,
    FINE_PROBES_OVER_BUDGET,
    WINDOW_CUT_ARC_BUDGET,
    fine_relaxations,
    finish_fine_probe,
    proven_lower_bound,
    relaxation_clearance,
    start_fine_probe,
)
from safepassage.planner.min_cost import RISK_COST_SCALE, risk_costs, solve_min_cost_flow
from safepassage.planner.movements import plan_movements
from safepassage.planner.plan_file import Plan, SolverInfo, plan_gap
from safepassage.planner.probe_worker import ProbeWorker
from safepassage.planner.problem import PlanningProblem, build_problem, without_side_rule
from safepassage.planner.static_graph import StaticGraph, build_static_graph
from safepassage.planner.tidy import (
    FAST_TIDY_ARC_BUDGET,
    TIDY_ARC_BUDGET,
    lexicographic_costs,
    travel_costs,
    with_source_capacity,
)
from safepassage.planner.time_expansion import (
    RECEIVE,
    SOURCE,
    StepModel,
    TimeExpandedNetwork,
    expand,
    static_times,
)
from safepassage.planner.time_grid import ms_to_s, step_ms, whole_ms_substeps
from safepassage.planner.unserved import explain_unserved
from safepassage.scenario.model import Scenario
from safepassage.scenario.vocabulary import TravelMode

__all__ = [
    "EXACT_ARC_BUDGET",
    "EXACT_SUBSTEPS",
    "FAST_ARC_BUDGET",
    "FAST_BOUND_FACTOR",
    "FAST_SUBSTEPS",
    "FAST_TOLERANCE",
    "PlanningMode",
    "plan_evacuation",
    "plan_problem",
]

PlanningMode = Literal["exact", "fast"]

#: Fast mode stops bisecting when the horizon is within this fraction of one proven too short *for
#: its own model* (coarser steps than exact mode's): no bound on its distance to exact mode.
FAST_TOLERANCE = 0.03
#: Model steps per scenario time step: exact mode rounds travel times to a quarter step, unless
#: that would make one probe larger than about EXACT_ARC_BUDGET arcs (then fewer substeps); the
#: fine relaxation bound is skipped above that size too (the coarse bound remains).
EXACT_SUBSTEPS = 4
EXACT_ARC_BUDGET = 2_000_000
#: Fast mode: at most half steps, and a smaller budget for them and for the fine bound.
FAST_ARC_BUDGET = 500_000
FAST_SUBSTEPS = 2
#: The search probes two horizons at once (a second process, ``probe_worker``) when one probe is
#: expected to hold at least this many arcs (about 0.5 s of max flow) and a second core is there.
PARALLEL_ARC_THRESHOLD = 1_000_000
#: After a first probe at the coarse bound fell short, the next is this fraction later (then the
#: secant aims): the coarse bound is typically 5-7 % below T* at scale.
GROWTH = 0.05

IntArray = npt.NDArray[np.int64]


def plan_evacuation(
    scenario: Scenario,
    *,
    mode: PlanningMode = "exact",
    max_delay: float = 0.0,
    networks: Mapping[TravelMode, RoadNetwork] | None = None,
    substeps: int | None = None,
    tidy_arc_budget: int | None = None,
) -> Plan:
    """The evacuation plan for ``scenario`` (see module docstring).

    ``max_delay`` (e.g. 0.1) lets the risk pass accept a clearance up to that fraction later than
    the quickest for less risk exposure. ``networks`` gives road networks per mode directly
    (otherwise they are loaded from the scenario's extract). ``substeps`` splits each time step
    into that many model steps (default: :data:`EXACT_SUBSTEPS` in exact mode, 1 in fast mode).
    ``tidy_arc_budget``: the tidy min-cost pass runs on time-expanded networks of at most that
    many arcs (0: never; default :data:`TIDY_ARC_BUDGET` in exact mode,
    :data:`FAST_TIDY_ARC_BUDGET` in fast mode; see ``tidy``).
    """
    began = time.perf_counter()
    problem = build_problem(scenario, networks)
    return plan_problem(
        problem,
        mode=mode,
        max_delay=max_delay,
        substeps=substeps,
        began=began,
        tidy_arc_budget=tidy_arc_budget,
    )


def plan_problem(
    problem: PlanningProblem,
    *,
    mode: PlanningMode = "exact",
    max_delay: float = 0.0,
    substeps: int | None = None,
    began: float | None = None,
    tidy_arc_budget: int | None = None,
    first_probe_s: float | None = None,
) -> Plan:
    """:func:`plan_evacuation` on an already built problem (benchmarks time the phases apart).

    ``first_probe_s``: a warm start (``replan``): the search's first probe is at least this
    horizon (e.g. what remained of the previous plan's clearance); the proof is unchanged.
    """
    if mode not in ("exact", "fast"):
        raise InputError(f"mode: {mode!r} is not a planning mode; expected 'exact' or 'fast'")
    if not 0.0 <= max_delay <= 10.0 or not math.isfinite(max_delay):
        raise InputError(
            f"max_delay: {max_delay} is out of range; expected a fraction from 0 to 10 (e.g. 0.1)"
        )
    began = time.perf_counter() if began is None else began
    if tidy_arc_budget is None:
        tidy_arc_budget = TIDY_ARC_BUDGET if mode == "exact" else FAST_TIDY_ARC_BUDGET
    timings: dict[str, float] = {}
    if substeps is not None and not 1 <= substeps <= 60:
        raise InputError(f"substeps: {substeps} is out of range; expected 1 to 60 model steps per time step")
    scenario_step_ms = step_ms(problem.step_s)
    if substeps is not None and scenario_step_ms % substeps:
        raise InputError(
            f"substeps: {substeps} does not split the time step of {scenario_step_ms} ms into whole "
            "milliseconds; expected a divisor of it (planner times are whole milliseconds)"
        )
    scenario_steps = max(1, math.floor(problem.horizon_s / problem.step_s + 1e-9))

    mark = time.perf_counter()
    # Exact mode keeps groups that must be kept apart on one network as commodities (``coupled``).
    graph = build_static_graph(problem, contract=True, split_shared=mode != "exact")
    timings["static_graph_s"] = time.perf_counter() - mark
    exactness: dict[str, JsonValue] = {"proven": mode == "exact", "method": "max-flow search"}
    rule_gaps = [layer.rule_gap for layer in problem.layers if layer.rule_gap]

    # A second process probes one horizon of each search round (``probe_worker``); started now, it
    # boots while the coarse bound runs, and ends after the search or, in exact mode above the arc
    # budget, after the fine bound's probe it runs meanwhile (or when collected).
    large = graph.arc_count * scenario_steps >= PARALLEL_ARC_THRESHOLD
    worker = ProbeWorker.start() if large and not graph.shared else None
    # A cheap coarse relaxation first: its bound brackets the search (nothing below it can clear).
    mark = time.perf_counter()
    demand = int(graph.origin_people.sum())
    coarse = relaxation_clearance(problem, graph, FAST_BOUND_FACTOR, scenario_steps, demand)
    timings["coarse_bound_s"] = time.perf_counter() - mark
    # Expected size of one probe per model step: static arcs x steps to the bound (or the horizon).
    steps_estimate = coarse.horizon_steps * FAST_BOUND_FACTOR if coarse.servable >= demand else scenario_steps
    size_per_substep = max(1, graph.arc_count * steps_estimate)
    budget = EXACT_ARC_BUDGET if mode == "exact" else FAST_ARC_BUDGET
    if graph.shared:
        budget = COUPLED_ARC_BUDGET
        exactness["method"] = "multi-commodity LP search, then MIP (HiGHS), groups kept apart on shared links"
        if (substeps is None and size_per_substep > budget) or (
            substeps and size_per_substep * substeps > budget
        ):
            graph = build_static_graph(problem, contract=True, split_shared=True)
            budget = EXACT_ARC_BUDGET  # capacities split: the max-flow search's own budget again
            exactness = _split_exactness(
                f"the coupled LP would exceed {COUPLED_ARC_BUDGET:,} arcs a probe ({size_per_substep:,})"
            )
    if substeps is not None:
        sub = substeps
    else:
        most = EXACT_SUBSTEPS if mode == "exact" else FAST_SUBSTEPS
        sub = whole_ms_substeps(scenario_step_ms, min(most, budget // size_per_substep))
    model_step_ms = scenario_step_ms // sub  # the plan model's step, whole milliseconds
    step = ms_to_s(model_step_ms)
    max_steps = scenario_steps * sub
    plan_model = StepModel(step, substeps=sub)
    start_steps = known_short = None
    if coarse.servable >= demand:
        start_steps = coarse.horizon_steps * FAST_BOUND_FACTOR * sub
        known_short = start_steps - 1
        if mode == "fast":  # a first probe within the tolerance of the bound ends the search at once
            start_steps = max(start_steps, math.floor(known_short * (1.0 + FAST_TOLERANCE)))
        if first_probe_s is not None and math.isfinite(first_probe_s):
            start_steps = min(max_steps, max(start_steps, math.ceil(first_probe_s / step - 1e-9)))

    risk = [RiskModel(layer.network, problem.scenario) for layer in problem.layers]
    has_risk = any(r.has_risk for r in risk)
    mark = time.perf_counter()
    search: SearchResult | CoupledSearch
    if graph.shared:
        try:
            search = _coupled_search(problem, graph, plan_model, max_steps, risk, start_steps, known_short)
            exactness["proven"] = search.proven
            if search.notes:
                exactness["notes"] = list(search.notes)
            if not search.proven:
                exactness["why"] = "a MIP stopped at its time limit; only the bound and the gap are promised"
        except CoupledGaveUp as gave_up:
            graph = build_static_graph(problem, contract=True, split_shared=True)
            exactness = _split_exactness(str(gave_up))
    if not graph.shared:
        try:
            search = quickest_clearance(
                graph,
                plan_model,
                max_steps,
                tolerance=FAST_TOLERANCE if mode == "fast" else 0.0,
                start_steps=start_steps,
                known_short=-1 if known_short is None else known_short,
                growth=2.0 if start_steps is None else 1.0 + (FAST_TOLERANCE if mode == "fast" else GROWTH),
                worker=worker if size_per_substep * sub >= PARALLEL_ARC_THRESHOLD else None,
            )
        except BaseException:
            if worker is not None:
                worker.close()
            raise
    timings["search_s"] = time.perf_counter() - mark
    relaxed_size = (graph.arc_count + graph.node_count) * steps_estimate
    # Above the budget, exact mode probes the fine relaxation once just above the coarse bound; with
    # the worker still there, that probe runs on the second core while the movements are built.
    fine_pending = None
    if worker is not None:
        if (
            mode == "exact"
            and not graph.shared
            and not rule_gaps
            and budget < relaxed_size <= FINE_PROBE_ARC_LIMIT
            and FINE_PROBES_OVER_BUDGET > 0
            and 0 < search.servable == coarse.servable
        ):
            start = coarse.horizon_steps * FAST_BOUND_FACTOR
            fine_pending = start_fine_probe(worker, problem.step_s, graph, search.servable, start)
        if fine_pending is None:
            worker.close()
    assert search.times is not None
    solution = search.solution
    servable = search.servable
    risk_details: dict[str, JsonValue] = {"ran": False}
    network, flow = solution.network, solution.flow
    served_first = _served_by_origin(network, flow, len(problem.origin_ids))
    transit = search.times.transit
    before = 0.0
    if has_risk and servable > 0:
        before = (
            float((flow * risk_costs(problem, graph, network, risk, model_step_ms)).sum()) / RISK_COST_SCALE
        )
    tidy_details: dict[str, JsonValue] = {"ran": False, "arc_budget": tidy_arc_budget}
    if isinstance(search, CoupledSearch):
        # Road time (and risk first, when some) were the coupled MIP's objective at T*.
        tidy_details = {
            "ran": True,
            "in_coupled_mip": True,
            "optimal": search.mip_optimal,
            "road_person_steps": int((flow * travel_costs(network, transit)).sum()),
        }
        risk_details = {"ran": before > 0.0, "in_coupled_mip": True, "max_delay_ignored": max_delay > 0.0}
    elif mode == "exact" and before > 0.0:
        # Risk pass, with the tidy travel term folded in lexicographically when it fits.
        mark = time.perf_counter()
        target = min(max_steps, math.floor(search.horizon_steps * (1.0 + max_delay) + 1e-9))
        network = with_source_capacity(expand(graph, plan_model, target, search.times), served_first)
        cost = risk_costs(problem, graph, network, risk, model_step_ms)
        travel = travel_costs(network, transit)
        combined = None
        if network.arc_count <= tidy_arc_budget:
            combined = lexicographic_costs(cost, travel, servable, target, network.node_count)
        flow = solve_min_cost_flow(network, cost if combined is None else combined, servable)
        timings["risk_pass_s"] = time.perf_counter() - mark
        risk_details = {
            "ran": True,
            "horizon_model_steps": target,
            "max_delay": max_delay,
            "exposure_before_risk_points": before,
            "exposure_after_risk_points": float((flow * cost).sum()) / RISK_COST_SCALE,
            "arcs": network.arc_count,
        }
        tidy_details = {
            "ran": combined is not None,
            "arc_budget": tidy_arc_budget,
            "folded_into_risk_pass": True,
            "arcs": network.arc_count,
            "road_person_steps": int((flow * travel).sum()),
        }
        if combined is None:
            tidy_details["skipped"] = (
                "over the arc budget" if network.arc_count > tidy_arc_budget else "cost range"
            )
    elif servable > 0 and network.arc_count <= tidy_arc_budget:
        mark = time.perf_counter()
        travel = travel_costs(network, transit)
        before_steps = int((flow * travel).sum())
        flow = solve_min_cost_flow(with_source_capacity(network, served_first), travel, servable)
        timings["tidy_pass_s"] = time.perf_counter() - mark
        tidy_details = {
            "ran": True,
            "arc_budget": tidy_arc_budget,
            "folded_into_risk_pass": False,
            "arcs": network.arc_count,
            "road_person_steps_before": before_steps,
            "road_person_steps": int((flow * travel).sum()),
        }
    elif servable > 0:
        tidy_details["skipped"] = "over the arc budget"
        tidy_details["arcs"] = network.arc_count

    mark = time.perf_counter()
    groups, movement_details = plan_movements(problem, graph, network, flow, transit, model_step_ms)
    exposure = movement_exposure(problem, groups, risk)
    timings["decompose_s"] = time.perf_counter() - mark

    served = _served_by_origin(network, flow, len(problem.origin_ids))
    received = _received_by_destination(network, flow, len(problem.destination_ids))
    unserved = explain_unserved(problem, served, received)

    mark = time.perf_counter()
    clearance_s = ms_to_s(max((g.arrival_ms for g in groups), default=0))
    moved = int(served.sum())
    bound_graph = graph
    if rule_gaps:  # the side rule is narrower than check-plan's: bound without it (a relaxation)
        # Coupled (LP) only where the plan's own search was; else max flows, each group full capacity.
        bound_graph = build_static_graph(
            without_side_rule(problem), contract=True, split_shared=not graph.shared
        )
    if bound_graph is not graph or graph.shared or coarse.servable != moved:
        coarse = relaxation_clearance(problem, bound_graph, FAST_BOUND_FACTOR, scenario_steps, moved)
    fine_first = None
    if fine_pending is not None:
        fine_first = finish_fine_probe(fine_pending)
        if bound_graph is not graph or fine_pending.target != moved:
            fine_first = None  # probed for other people or another graph: not this bound's
    # Within the budget: the fine relaxation's least T; above it (exact mode, up to
    # FINE_PROBE_ARC_LIMIT): a probe just above the coarse bound (each short probe proves).
    fine = fine_relaxations(
        problem,
        bound_graph,
        moved,
        clearance_s,
        start_steps=coarse.horizon_steps * FAST_BOUND_FACTOR,
        max_fine_steps=math.ceil(search.horizon_steps / sub),
        search=relaxed_size <= budget,
        probes=FINE_PROBES_OVER_BUDGET
        if mode == "exact" and not bound_graph.shared and relaxed_size <= FINE_PROBE_ARC_LIMIT
        else 0,
        first=fine_first,
    )
    bound_s, bound_details = proven_lower_bound(
        problem,
        bound_graph,
        served,
        clearance_s,
        coarse,
        fine,
        # Exact mode only, and not in warm-started re-plans (``first_probe_s``: they must be quick).
        window_cut_budget=WINDOW_CUT_ARC_BUDGET if mode == "exact" and first_probe_s is None else 0,
    )
    bound_details["fine_probe_on_second_core"] = fine_first is not None
    if rule_gaps and mode == "exact":
        exactness["proven"] = False
        earlier = [str(exactness["why"])] if "why" in exactness else []
        exactness["why"] = "; ".join([*earlier, *rule_gaps]) + (
            ": the plan is the quickest of the planner's model with that rule, not proven quickest among "
            "every plan check-plan accepts; only the bound and the gap are promised"
        )
    proven = bool(exactness["proven"])
    shown_mode = mode if mode == "fast" or proven else "bounded"
    timings["lower_bound_s"] = time.perf_counter() - mark
    timings["total_s"] = time.perf_counter() - began

    details: dict[str, JsonValue] = {
        "step_s": problem.step_s,
        "substeps": sub,
        "model_step_s": step,
        "t_star_model_steps": search.horizon_steps,
        "model_infeasible_at_steps": search.infeasible_below,
        "servable": servable,
        "static_nodes": graph.node_count,
        "static_arcs": graph.arc_count,
        "links_in_arcs": int(graph.chain_link.shape[0]),
        "probes": [
            {"steps": t, "people_moved": v, "arcs": a, "seconds": round(s, 4)} for t, v, a, s in search.probes
        ],
        "search_rounds": search.rounds if isinstance(search, SearchResult) else len(search.probes),
        "time_expanded_arcs": network.arc_count,
        "time_expanded_nodes": network.node_count,
        "lower_bound": bound_details,
        "guarantee": _guarantee(shown_mode, clearance_s, bound_s, step),
        "exactness": exactness,
        "risk_pass": risk_details,
        "tidy_pass": tidy_details,
        "movements": movement_details,
        "timings": {k: round(v, 4) for k, v in timings.items()},
        "layers": [layer.name for layer in problem.layers],
    }
    return build_plan(
        problem,
        groups,
        exposure,
        lower_bound_s=bound_s,
        unserved=unserved,
        solver=SolverInfo(mode=shown_mode, wall_time_s=timings["total_s"], details=details),
    )


def _guarantee(mode: str, clearance_s: float, bound_s: float, model_step_s: float) -> str:
    """What the plan proves, in one sentence with its numbers, and nothing more."""
    gap = plan_gap(clearance_s, bound_s)
    said = (
        f"no valid plan moving these people clears before the proven lower bound of {_seconds(bound_s)}; "
        f"this one clears at {_seconds(clearance_s)}" + ("" if gap is None else f", {gap:.1%} above it")
    )
    model = f"the planner's model ({model_step_s:g} s steps, waiting only at pickup points)"
    if mode == "exact":
        return f"{said}; it is the quickest plan of {model}."
    if mode == "bounded":
        return (
            f"{said}; exact mode could not prove it the quickest plan of {model} "
            "(see solver.details.exactness): it promises the bound and the gap only."
        )
    return (
        f"{said}; fast mode stopped its search at a horizon at most {FAST_TOLERANCE:.0%} longer than one "
        "proven too short "
        f"for {model} and skipped the risk pass: it promises nothing closer to the bound or to exact mode."
    )


def _seconds(value: float) -> str:
    """``4680.0`` -> ``'4,680 s'``; ``35.991`` -> ``'35.991 s'`` (times are whole milliseconds)."""
    return f"{value:,.3f}".rstrip("0").rstrip(".") + " s"


def _served_by_origin(network: TimeExpandedNetwork, flow: IntArray, count: int) -> IntArray:
    src = network.kind == SOURCE
    return np.bincount(network.ref[src], weights=flow[src], minlength=count).astype(np.int64)


def _received_by_destination(network: TimeExpandedNetwork, flow: IntArray, count: int) -> IntArray:
    rec = network.kind == RECEIVE
    return np.bincount(network.ref[rec], weights=flow[rec], minlength=count).astype(np.int64)


def _split_exactness(why: str) -> dict[str, JsonValue]:
    return {
        "proven": False,
        "method": "max-flow search with each shared link's capacity split between groups by people",
        "why": f"{why}; only the bound and the gap are promised",
    }


def _coupled_search(
    problem: PlanningProblem,
    graph: StaticGraph,
    model: StepModel,
    max_steps: int,
    risk: list[RiskModel],
    start_steps: int | None,
    known_short: int | None,
) -> CoupledSearch:
    """Exact search with groups kept apart (``coupled``); the MIP's objective is road time (risk first)."""
    transit = static_times(graph, model).transit
    has_risk = any(r.has_risk for r in risk)
    people = int(graph.origin_people.sum())

    def cost_of(network: TimeExpandedNetwork) -> IntArray:
        travel = travel_costs(network, transit)
        if not has_risk:
            return travel
        exposure = risk_costs(problem, graph, network, risk, model.step_ms)
        combined = lexicographic_costs(exposure, travel, people, network.horizon_steps, network.node_count)
        return exposure if combined is None else combined

    return coupled_quickest(
        graph,
        model,
        max_steps,
        integral=True,
        cost_of=cost_of,
        start_steps=start_steps,
        known_short=-1 if known_short is None else known_short,
        growth=2.0 if start_steps is None else 1.1,
    )
