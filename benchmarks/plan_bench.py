"""Planner figures (issue 3): exact max-flow search vs fast mode vs a min-cost-flow baseline.

Run from the repository root::

    /tmp/venv/bin/python benchmarks/plan_bench.py                 # demo + scaled 9x9 / 300,000 people
    /tmp/venv/bin/python benchmarks/plan_bench.py --instances demo
    /tmp/venv/bin/python benchmarks/plan_bench.py --k 5 --people 100000 --baseline-timeout 120

For each instance and method it prints network nodes and links, people, the time-expanded network's
size, T* (clearance), the proven lower bound, the gap, wall time and peak memory (resident set of
a fresh process per method, ``resource.getrusage``, so OR-Tools' C++ allocations count), the
movements and how many revisit a node, whether the independent checker accepts the plan, the
ratio of each method's wall time to the exact search, and how many times faster than the min-cost
baseline it is (``min-cost/x``; ``> X`` when the baseline did not finish within
``--baseline-timeout``: the ratio is at least that), all measured in the same run. For the planner
methods also the **re-plan** after one incident (``instances.busiest_incident``: a verified UN
shelling report on the junction most people still had to cross, a third into the plan): wall time
with the plan's index ready (``residual.index_plan``, built once per plan) and cold, groups on the
road / kept / hit, clearance, bound, gap, validity. On an instance with a must-use corridor
(``corridor``, ``corridor-scaled``) also the **LP optimum** of the plan model with the groups kept
apart (``corridor_lp.py``, HiGHS) next to the planner's result. Prints figures; asserts nothing.

Methods:

- ``exact``: ``plan_evacuation(mode="exact")`` — coarse relaxation bound, max-flow search over T
  at quarter steps, fine relaxation bound, the tidy pass within its arc budget (or the risk pass
  with the tidy term folded in, when hazards put risk on the roads), decomposition into movements.
- ``fast``: ``plan_evacuation(mode="fast")`` — half steps within a smaller arc budget (else whole
  steps), the search stops within 3 %, the fine bound only within that budget, the tidy pass
  within its arc budget.
- ``min-cost``: the textbook formulation — one OR-Tools ``SimpleMinCostFlow`` minimising the total
  arrival time (``solve_max_flow_with_min_cost``) on the same pruned time-expanded network (the
  model step the exact mode picks), for a horizon 25 % above the coarse relaxation's bound
  (doubled until everybody is served). Its last arrival is the clearance it finds (with several
  destinations of limited capacity, least total arrival time need not give the least last
  arrival); no movements are built.

Instances (``benchmarks/instances.py``, by helper P2): the bundled Helsinki demo on the real
extract (``demo``; ``corridor``: its corridor made must-use), the scaled instance: the real
Helsinki drive network tiled 9 x 9 with cross-links (51,840 nodes) and 300,000 people
(``scaled``), and ``corridor-scaled``: the tiled network with a must-use corridor shared with
other traffic (``scaled_corridor_instance``; 2 x 2 tiles and 600 people by default, the size at
which HiGHS solves the LP of the model in seconds: at 3 x 3 tiles and 1,500 people one LP of
250,000 columns did not finish in minutes, nor did the planner's own coupled LP).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from instances import (
    Instance,
    busiest_incident,
    helsinki_demo,
    helsinki_demo_corridor,
    scaled_corridor_instance,
    scaled_instance,
)

METHODS = ("exact", "fast", "min-cost")


def _instance(name: str, k: int, people: int) -> Instance:
    if name == "demo":
        return helsinki_demo()
    if name == "corridor":
        return helsinki_demo_corridor()
    if name == "corridor-scaled":
        return scaled_corridor_instance()
    return scaled_instance(k=k, people=people)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _run_planner(instance: Instance, mode: str) -> dict[str, Any]:
    from safepassage.planner import plan_evacuation
    from safepassage.planner.check import check_plan

    started = time.perf_counter()
    plan = plan_evacuation(
        instance.scenario, mode="fast" if mode == "fast" else "exact", networks=instance.networks
    )
    wall = time.perf_counter() - started
    rss = _peak_rss_mb()
    details = plan.solver.details
    check_started = time.perf_counter()
    violations = check_plan(instance.scenario, plan, networks=instance.networks)
    check_s = time.perf_counter() - check_started
    replan_figures = _replan_figures(instance, plan, mode)
    lp_figures: dict[str, Any] = {}
    must_use = any(c.evacuees_must_use for c in instance.scenario.corridors)
    if mode == "exact" and must_use and instance.name.endswith("-corridor"):
        from corridor_lp import compare

        lp_figures = {"lp": compare(instance)}
    return {
        **replan_figures,
        **lp_figures,
        "mode": plan.solver.mode,
        "exactness": details.get("exactness"),
        "clearance_s": plan.clearance_time_s,
        "bound_s": plan.lower_bound_s,
        "gap": plan.gap,
        "wall_s": wall,
        "peak_rss_mb": rss,
        "ten_nodes": details["time_expanded_nodes"],
        "ten_arcs": details["time_expanded_arcs"],
        "probes": len(details["probes"]),  # type: ignore[arg-type]
        "movements": len(plan.movements),
        "revisiting": sum(1 for m in plan.movements if len(set(m.path)) < len(m.path)),
        "path_nodes_max": max((len(m.path) for m in plan.movements), default=0),
        "path_nodes_median": statistics.median([len(m.path) for m in plan.movements] or [0]),
        "tidy": details.get("tidy_pass"),
        "evacuated": plan.evacuated,
        "valid": not violations,
        "violations": violations[:3],
        "check_s": check_s,
        "timings": details["timings"],
    }


def _replan_figures(instance: Instance, plan: Any, mode: str) -> dict[str, Any]:
    """Re-plan after one incident on the busiest road a third into the plan: wall time (with the
    plan's index ready, as the monitor keeps it, and cold), kept / hit groups, bound, validity."""
    from safepassage.planner import replan
    from safepassage.planner.check import check_plan
    from safepassage.planner.replan import remaining_scenario
    from safepassage.planner.residual import index_plan

    if not plan.movements:
        return {}
    step = instance.scenario.time_step_s
    after_s = math.floor(plan.clearance_time_s / 3 / step) * step + step / 3
    hazard, now = busiest_incident(instance, plan, after_s)
    planning = "fast" if mode == "fast" else "exact"
    started = time.perf_counter()
    index = index_plan(plan, instance.networks)
    index_s = time.perf_counter() - started
    started = time.perf_counter()
    new = replan(
        plan, hazard, now, scenario=instance.scenario, networks=instance.networks, mode=planning, index=index
    )
    wall = time.perf_counter() - started
    del index
    started = time.perf_counter()
    replan(plan, hazard, now, scenario=instance.scenario, networks=instance.networks, mode=planning)
    cold = time.perf_counter() - started
    remaining = remaining_scenario(instance.scenario, plan, new.start, [*instance.scenario.hazards, hazard])
    violations = check_plan(remaining, new, networks=instance.networks)
    details = new.solver.details
    return {
        "replan_s": wall,
        "replan_cold_s": cold,
        "replan_index_s": index_s,
        "replan_valid": not violations,
        "replan_people": new.people_total,
        "replan_clearance_s": new.clearance_time_s,
        "replan_bound_s": new.lower_bound_s,
        "replan_gap": new.gap,
        "replan_mode": new.solver.mode,
        "replan": details["replan"],
        "replan_timings": details["timings"],
        "replan_probes": len(details["probes"]),  # type: ignore[arg-type]
    }


def _run_min_cost(instance: Instance) -> dict[str, Any]:
    import numpy as np
    from ortools.graph.python import min_cost_flow

    from safepassage.planner.flow_search import quickest_clearance
    from safepassage.planner.min_cost import arrival_time_costs
    from safepassage.planner.problem import build_problem
    from safepassage.planner.solve import EXACT_ARC_BUDGET, EXACT_SUBSTEPS, FAST_BOUND_FACTOR
    from safepassage.planner.static_graph import build_static_graph
    from safepassage.planner.time_expansion import ARRIVE, StepModel, expand, static_times

    started = time.perf_counter()
    problem = build_problem(instance.scenario, instance.networks)
    graph = build_static_graph(problem)
    scenario_steps = max(1, math.floor(problem.horizon_s / problem.step_s))
    relaxed = StepModel(
        problem.step_s * FAST_BOUND_FACTOR,
        relaxed=True,
        capacity_factor=FAST_BOUND_FACTOR,
        slowdown_s=problem.step_s,
    )
    bound = quickest_clearance(graph, relaxed, math.ceil(scenario_steps / FAST_BOUND_FACTOR))
    # The same model step as the exact mode picks (quarter steps within its arc budget).
    bound_steps = bound.horizon_steps * FAST_BOUND_FACTOR
    sub = max(1, min(EXACT_SUBSTEPS, EXACT_ARC_BUDGET // max(1, graph.arc_count * bound_steps)))
    step = problem.step_s / sub
    max_steps = scenario_steps * sub
    horizon = min(max_steps, math.ceil(1.25 * bound_steps * sub))
    model = StepModel(step, substeps=sub)
    times = static_times(graph, model)
    demand = problem.people_total
    while True:
        net = expand(graph, model, horizon, times)
        solver = min_cost_flow.SimpleMinCostFlow()
        solver.add_arcs_with_capacity_and_unit_cost(net.tail, net.head, net.capacity, arrival_time_costs(net))
        supplies = np.zeros(net.node_count, dtype=np.int64)
        supplies[net.source], supplies[net.sink] = demand, -demand
        solver.set_nodes_supplies(np.arange(net.node_count), supplies)
        status = solver.solve_max_flow_with_min_cost()
        flow = np.asarray(solver.flows(np.arange(net.arc_count)))
        moved = int(flow[net.kind == ARRIVE].sum())
        if moved >= demand or horizon >= max_steps:
            break
        horizon = min(max_steps, horizon * 2)
    wall = time.perf_counter() - started
    arrivals = net.time[(net.kind == ARRIVE) & (flow > 0)]
    return {
        "clearance_s": float(arrivals.max() * step) if arrivals.size else 0.0,
        "bound_s": None,
        "gap": None,
        "wall_s": wall,
        "peak_rss_mb": _peak_rss_mb(),
        "ten_nodes": net.node_count,
        "ten_arcs": net.arc_count,
        "probes": 1,
        "movements": None,
        "evacuated": moved,
        "valid": None,
        "status": int(status),
    }


def _one(name: str, method: str, k: int, people: int) -> None:
    instance = _instance(name, k, people)
    result = _run_min_cost(instance) if method == "min-cost" else _run_planner(instance, method)
    result.update(
        instance=instance.name,
        method=method,
        nodes=instance.node_count,
        links=instance.link_count,
        people=instance.scenario.people_total,
    )
    print(json.dumps(result, default=str))


def _child(name: str, method: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--one",
        name,
        method,
        "--k",
        str(args.k),
        "--people",
        str(args.people),
    ]
    timeout = args.baseline_timeout if method == "min-cost" else None
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"method": method, "wall_s": time.perf_counter() - started, "timed_out": True}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"method": method, "error": done.stderr.strip().splitlines()[-3:]}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _fmt(value: Any, spec: str = "") -> str:
    if value is None:
        return "-"
    return format(value, spec) if spec else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--instances", default="demo,corridor,scaled", help="demo, corridor, scaled, corridor-scaled"
    )
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--k", type=int, default=9, help="tiles per side of the scaled instance")
    parser.add_argument("--people", type=int, default=300_000, help="people in the scaled instance")
    parser.add_argument("--baseline-timeout", type=float, default=900.0, help="seconds for min-cost")
    parser.add_argument("--one", nargs=2, metavar=("INSTANCE", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        _one(args.one[0], args.one[1], args.k, args.people)
        return

    for name in args.instances.split(","):
        results = [_child(name, method, args) for method in args.methods.split(",")]
        first = next((r for r in results if "nodes" in r), {})
        size = f"{first.get('nodes', 0):,} nodes, {first.get('links', 0):,} links"
        print(f"\n== {first.get('instance', name)}: {size}, {first.get('people', 0):,} people")
        print(
            f"{'method':9} {'TEN nodes':>10} {'TEN arcs':>10} {'T* (min)':>9} {'bound':>7} {'gap':>7} "
            f"{'wall s':>8} {'peak MB':>8} {'probes':>6} {'moves':>7} {'valid':>5} {'x exact':>8} "
            f"{'min-cost/x':>10}"
        )
        min_cost_wall = next(
            (r["wall_s"] for r in results if r.get("method") == "min-cost" and "clearance_s" in r), None
        )
        min_cost_timeout = next(
            (r["wall_s"] for r in results if r.get("method") == "min-cost" and r.get("timed_out")), None
        )
        exact_wall = next(
            (r["wall_s"] for r in results if r.get("method") == "exact" and "clearance_s" in r), None
        )
        for r in results:
            if r.get("timed_out"):
                print(f"{r['method']:9} did not finish within {r['wall_s']:.0f} s")
                continue
            if "error" in r:
                print(f"{r['method']:9} failed: {' | '.join(r['error'])}")
                continue
            bound = None if r["bound_s"] is None else r["bound_s"] / 60
            gap = None if r["gap"] is None else f"{r['gap']:.1%}"
            ratio = None if not exact_wall else f"{r['wall_s'] / exact_wall:.2f}"
            vs_min_cost = None  # how many times faster than the min-cost baseline
            if min_cost_wall:
                vs_min_cost = f"{min_cost_wall / r['wall_s']:.1f}"
            elif min_cost_timeout:
                vs_min_cost = f"> {min_cost_timeout / r['wall_s']:.1f}"
            print(
                f"{r['method']:9} {r['ten_nodes']:>10,} {r['ten_arcs']:>10,} {r['clearance_s'] / 60:>9.1f} "
                f"{_fmt(bound, '.1f'):>7} {_fmt(gap):>7} {r['wall_s']:>8.2f} {r['peak_rss_mb']:>8.0f} "
                f"{r['probes']:>6} {_fmt(r['movements']):>7} {_fmt(r['valid']):>5} {_fmt(ratio):>8} "
                f"{_fmt(vs_min_cost):>10}"
            )
            if r.get("mode") and r.get("mode") != r["method"]:
                why = (r.get("exactness") or {}).get("why", "")
                print(f"{'':9} plan mode {r['mode']}: {why[:300]}")
            if "replan_s" in r:
                rp = r["replan"]
                gap = "-" if r["replan_gap"] is None else f"{r['replan_gap']:.1%}"
                print(
                    f"{'':9} re-plan after one incident on the busiest road: {r['replan_s']:.2f} s with the "
                    f"plan's index ready (index {r['replan_index_s']:.2f} s once per plan; cold "
                    f"{r['replan_cold_s']:.2f} s); {rp['groups_kept_on_the_road']:,} groups on the road, "
                    f"{rp['groups_kept_as_planned']:,} kept ({rp['people_kept_as_planned']:,} people), "
                    f"{rp['groups_hit']:,} hit ({rp['people_replanned']:,} people planned again); clearance "
                    f"{r['replan_clearance_s'] / 60:.1f} min after the re-plan start, bound "
                    f"{r['replan_bound_s'] / 60:.1f} min, gap {gap}, mode {r['replan_mode']}, "
                    f"{r['replan_probes']} probes, valid {r['replan_valid']}"
                )
                print(f"{'':9} re-plan phases: {r['replan_timings']}")
            lp = r.get("lp") or {}
            if "lp_clearance_s" in lp:
                planner = (
                    f"planner exact {lp['plan_clearance_s'] / 60:.1f} min (mode {lp['plan_mode']}, "
                    f"{lp['plan_wall_s']:.1f} s, valid {lp['plan_valid']})"
                )
                optimum = (
                    f"LP optimum of the model, groups kept apart (HiGHS, corridor_lp.py): "
                    f"{lp['lp_clearance_s'] / 60:.1f} min (short at {lp['lp_short_at_steps']} steps)"
                )
                ratio = lp["plan_clearance_s"] / lp["lp_clearance_s"]
                print(
                    f"{'':9} at whole {lp['model_step_s']:g} s steps: {planner}; {optimum}; plan / LP = "
                    f"{ratio:.3f}; LP {lp['lp_wall_s']:.1f} s in {len(lp['probes'])} solves"
                )
            elif "error" in lp:
                print(f"{'':9} LP: {lp['error']}")
            if r.get("timings"):
                print(f"{'':9} phases: {r['timings']}; check-plan {r.get('check_s', 0):.1f} s")
            if "revisiting" in r:
                tidy = r.get("tidy") or {}
                state = "ran" if tidy.get("ran") else f"skipped ({tidy.get('skipped', '-')})"
                print(
                    f"{'':9} movements revisiting a node: {r['revisiting']:,}; path nodes max "
                    f"{r['path_nodes_max']:,}, median {r['path_nodes_median']:g}; tidy pass {state}"
                )
            if r.get("violations"):
                print(f"{'':9} violations: {r['violations']}")


if __name__ == "__main__":
    main()
