"""Which looseness of the fine lower-bound relaxation dominates (issue 11, item 4). Prints figures.

Run from the repository root (the scaled instance only under the shared lock)::

    PYTHONPATH=src python benchmarks/bound_looseness.py --instance demo
    PYTHONPATH=src python benchmarks/bound_looseness.py --instance scaled

For the relaxation as built (``time_expansion``, ``relaxed=True``, one-minute steps) and for three
*invalid* variants, each changing one of its simplifications (informative only, never a bound):
travel rounded up instead of down, the capacity of each chain's smallest link instead of its first,
no waiting on the roads; also the relaxation on chains cut before links that open later
(``relaxed_network``, valid); and, with ``--window-cut``, the window-cut bound (``window_cut``,
valid; 10-s substeps, between the relaxation's bound and ``--clearance``). Prints the least horizon at
which each moves everybody (bisection of OR-Tools max flows between ``--low`` and ``--high``
steps) and the seconds it took.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from instances import helsinki_demo, scaled_instance
from safepassage.planner.flow_search import solve_max_flow
from safepassage.planner.problem import build_problem
from safepassage.planner.relaxed_network import split_before_openings
from safepassage.planner.static_graph import StaticGraph, build_static_graph
from safepassage.planner.time_expansion import (
    WAIT,
    StepModel,
    TimeExpandedNetwork,
    expand,
    static_times,
)
from safepassage.planner.window_cut import window_cut_bound


def _no_road_waiting(net: TimeExpandedNetwork) -> TimeExpandedNetwork:
    keep = net.kind != WAIT
    return dataclasses.replace(
        net,
        tail=net.tail[keep],
        head=net.head[keep],
        capacity=net.capacity[keep],
        kind=net.kind[keep],
        ref=net.ref[keep],
        time=net.time[keep],
    )


def least_horizon(graph: StaticGraph, step_s: float, low: int, high: int, *, waiting: bool = True) -> int:
    """Least T in (low, high] at which the relaxation moves everybody (assumes low short, high not)."""
    model = StepModel(step_s, relaxed=True, slowdown_s=step_s)
    times = static_times(graph, model)
    people = int(graph.origin_people.sum())
    while high - low > 1:
        mid = (low + high) // 2
        net = expand(graph, model, mid, times)
        if solve_max_flow(net if waiting else _no_road_waiting(net)).value >= people:
            high = mid
        else:
            low = mid
    return high


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", choices=["demo", "scaled"], default="demo")
    parser.add_argument("--low", type=int, default=None, help="a horizon (steps) known to be too short")
    parser.add_argument("--high", type=int, default=None, help="a horizon (steps) known to suffice")
    parser.add_argument("--window-cut", action="store_true", help="also the window-cut bound (small only)")
    parser.add_argument("--clearance", type=int, default=83, help="window cut: steps of a known plan")
    args = parser.parse_args(argv)
    instance = helsinki_demo() if args.instance == "demo" else scaled_instance(k=9, people=300_000)
    low = args.low if args.low is not None else (60 if args.instance == "demo" else 124)
    high = args.high if args.high is not None else (100 if args.instance == "demo" else 148)
    problem = build_problem(instance.scenario, instance.networks)
    graph = build_static_graph(problem, contract=True, split_shared=True)
    step_ms = round(problem.step_s * 1000)
    up = dataclasses.replace(graph, arc_travel_lo_ms=-(-graph.arc_travel_ms // step_ms) * step_ms)
    smallest = dataclasses.replace(graph, arc_first_capacity_raw=graph.arc_capacity.astype(float))
    cut = split_before_openings(problem, graph, high * problem.step_s)
    print(f"{args.instance}: {graph.arc_count:,} arcs, {int(graph.origin_people.sum()):,} people")
    built = low
    rows = [
        ("as built (the bound)", graph, True),
        ("travel rounded up (invalid)", up, True),
        ("smallest link's capacity (invalid)", smallest, True),
        ("no waiting on the roads (invalid)", graph, False),
        (f"chains cut before openings ({cut.arc_count:,} arcs)", cut, True),
    ]
    for name, variant, waiting in rows:
        began = time.perf_counter()
        steps = least_horizon(variant, problem.step_s, low, high, waiting=waiting)
        seconds = steps * problem.step_s
        print(f"  {name:<48} {steps:>4} steps  {seconds:>8,.0f} s  ({time.perf_counter() - began:.1f} s)")
        if name.startswith("as built"):
            built = steps
    if args.window_cut:
        began = time.perf_counter()
        people = int(graph.origin_people.sum())
        low_cut, high_cut = built * 6 - 1, args.clearance * 6
        cut = window_cut_bound(problem.step_s, graph, people, substeps=6, low=low_cut, high=high_cut)
        seconds = cut.bound_ms(problem.step_s) / 1000
        label = "window cut (10-s substeps, valid)"
        print(f"  {label:<48} {'':>4}        {seconds:>8,.0f} s  ({time.perf_counter() - began:.1f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
