"""The exact optimum of the plan model on a must-use-corridor instance, from an LP (HiGHS), written
independently of the planner's search (issue 11, Benchmarks).

The model is the planner's (``time_expansion.expand``: the same pruned time-expanded network at
the same model step), but the groups are kept apart here by construction: every layer (the people
who must use the corridor, and everybody else) gets its own copy of the network at full capacity,
and for every physical chain (``StaticGraph.arc_key``) and entry step one row keeps the layers'
flows together within its capacity. Maximise the people moved by horizon ``T``
(``scipy.optimize.linprog``, HiGHS); bisect ``T``. The LP is a relaxation of the integer plans of
the model (fractional people allowed), so its least clearing ``T_lp`` is a proven lower bound on
the model's optimum, and equals it when the planner's plan clears at ``T_lp``.

Run from the repository root::

    python benchmarks/corridor_lp.py --k 2 --people 600 --substeps 1
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

sys.path.insert(0, str(Path(__file__).resolve().parent))


def lp_moved(graph: Any, model: Any, steps: int) -> tuple[float, int, float]:
    """(people the LP moves by ``steps`` model steps, columns, seconds)."""
    from safepassage.planner.time_expansion import LINK, SOURCE, expand, static_times

    began = time.perf_counter()
    net = expand(graph, model, steps, static_times(graph, model))
    arcs = net.arc_count
    inner = np.ones(net.node_count, dtype=bool)
    inner[[net.source, net.sink]] = False
    rows = np.full(net.node_count, -1, dtype=np.int64)
    rows[inner] = np.arange(int(inner.sum()))
    cols = np.arange(arcs)
    into, out = rows[net.head], rows[net.tail]
    keep_in, keep_out = into >= 0, out >= 0
    a_eq = coo_matrix(
        (
            np.concatenate([np.ones(int(keep_in.sum())), -np.ones(int(keep_out.sum()))]),
            (np.concatenate([into[keep_in], out[keep_out]]), np.concatenate([cols[keep_in], cols[keep_out]])),
        ),
        shape=(int(inner.sum()), arcs),
    ).tocsr()
    link = np.flatnonzero(net.kind == LINK)
    key = graph.arc_key[net.ref[link]] * (steps + 1) + net.time[link]
    _, group, size = np.unique(key, return_inverse=True, return_counts=True)
    shared = size[group] > 1
    a_ub = None
    b_ub = None
    if shared.any():
        g, first = np.unique(group[shared], return_index=True)
        row_of = np.searchsorted(g, group[shared])
        a_ub = coo_matrix((np.ones(int(shared.sum())), (row_of, link[shared])), shape=(g.size, arcs)).tocsr()
        b_ub = net.capacity[link[shared][first]].astype(np.float64)
    cost = np.where(net.kind == SOURCE, -1.0, 0.0)
    result = linprog(
        cost,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=np.zeros(a_eq.shape[0]),
        bounds=np.column_stack([np.zeros(arcs), net.capacity.astype(np.float64)]),
        method="highs",
    )
    if result.status != 0:
        raise RuntimeError(f"HiGHS: {result.message}")
    return -float(result.fun), arcs, time.perf_counter() - began


def lp_optimum(instance: Any, plan: Any) -> dict[str, Any]:
    """Least T (model steps of the planner's plan) at which the LP moves the plan's people."""
    from safepassage.planner.problem import build_problem
    from safepassage.planner.static_graph import build_static_graph
    from safepassage.planner.time_expansion import StepModel

    details = plan.solver.details
    problem = build_problem(instance.scenario, instance.networks)
    graph = build_static_graph(problem, contract=True, split_shared=False)
    model = StepModel(float(details["model_step_s"]), substeps=int(details["substeps"]))
    demand = plan.evacuated - 1e-6
    high = int(details["t_star_model_steps"])
    low = max(0, math.floor(plan.lower_bound_s / model.step_s) - 1)
    probes: list[tuple[int, float, int, float]] = []
    moved, arcs, seconds = lp_moved(graph, model, high)
    probes.append((high, moved, arcs, seconds))
    print(f"  LP at T = {high}: {moved:.1f} people, {arcs:,} columns, {seconds:.1f} s", flush=True)
    if moved < demand:
        return {"error": f"the LP moves {moved:.1f} < {plan.evacuated} at the planner's T*", "probes": probes}
    while high - low > 1:
        mid = (low + high) // 2
        moved, arcs, seconds = lp_moved(graph, model, mid)
        probes.append((mid, moved, arcs, seconds))
        print(f"  LP at T = {mid}: {moved:.1f} people, {arcs:,} columns, {seconds:.1f} s", flush=True)
        if moved >= demand:
            high = mid
        else:
            low = mid
    return {
        "lp_steps": high,
        "lp_clearance_s": high * model.step_s,
        "lp_short_at_steps": low,
        "model_step_s": model.step_s,
        "probes": probes,
        "lp_wall_s": sum(p[3] for p in probes),
    }


def compare(instance: Any, substeps: int = 1) -> dict[str, Any]:
    """The planner's exact plan at ``substeps`` model steps per time step and the LP optimum of
    the same model: clearances, modes, bound, and wall times."""
    from safepassage.planner import plan_evacuation
    from safepassage.planner.check import check_plan

    started = time.perf_counter()
    plan = plan_evacuation(instance.scenario, networks=instance.networks, mode="exact", substeps=substeps)
    wall = time.perf_counter() - started
    return {
        **lp_optimum(instance, plan),
        "plan_mode": plan.solver.mode,
        "plan_clearance_s": plan.clearance_time_s,
        "plan_bound_s": plan.lower_bound_s,
        "plan_wall_s": wall,
        "plan_valid": not check_plan(instance.scenario, plan, networks=instance.networks),
    }


def main() -> None:
    from instances import scaled_corridor_instance
    from safepassage.planner import plan_evacuation
    from safepassage.planner.check import check_plan

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--k", type=int, default=2)
    parser.add_argument("--people", type=int, default=600)
    parser.add_argument("--substeps", type=int, default=1, help="model steps per time step (planner and LP)")
    args = parser.parse_args()
    instance = scaled_corridor_instance(args.k, args.people)
    started = time.perf_counter()
    plan = plan_evacuation(
        instance.scenario, networks=instance.networks, mode="exact", substeps=args.substeps
    )
    wall = time.perf_counter() - started
    valid = not check_plan(instance.scenario, plan, networks=instance.networks)
    print(f"== {instance.name}: {instance.node_count:,} nodes, {instance.scenario.people_total:,} people")
    why = str(plan.solver.details.get("exactness", {}).get("why", ""))  # type: ignore[union-attr]
    print(
        f"planner exact: mode {plan.solver.mode}, clearance {plan.clearance_time_s / 60:.2f} min, bound "
        f"{plan.lower_bound_s / 60:.2f} min, gap {plan.gap:.1%}, {wall:.1f} s, valid {valid}"
    )
    if why:
        print(f"  why not proven: {why[:300]}")
    lp = lp_optimum(instance, plan)
    if "error" in lp:
        print(f"LP: {lp['error']}")
        return
    print(
        f"LP optimum of the model (HiGHS, groups kept apart): {lp['lp_clearance_s'] / 60:.2f} min "
        f"(T = {lp['lp_steps']} steps of {lp['model_step_s']:g} s; short at {lp['lp_short_at_steps']}); "
        f"planner / LP = {plan.clearance_time_s / lp['lp_clearance_s']:.3f}; LP {lp['lp_wall_s']:.1f} s in "
        f"{len(lp['probes'])} solves, largest {max(p[2] for p in lp['probes']):,} columns"
    )


if __name__ == "__main__":
    main()
