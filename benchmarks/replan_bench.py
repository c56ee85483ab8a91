"""Re-plan figures alone (issue 11): one incident on the busiest road a third into the plan.

Plans the instance once (exact mode), builds the plan's index (``residual.index_plan``, once per
plan), then re-plans in fast and exact mode with the index ready and cold, and prints each phase.
``plan_bench.py`` prints the same re-plan beside the planner's figures; this script skips the
baseline and the checker so the re-plan can be timed again quickly. Run from the repository root
(the scaled instance needs about 5 GB and a free core for a few minutes)::

    PYTHONPATH=src python benchmarks/replan_bench.py --instance demo
    PYTHONPATH=src python benchmarks/replan_bench.py --instance scaled
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from instances import busiest_incident, helsinki_demo, scaled_instance


def main() -> None:
    from safepassage.planner import plan_evacuation, replan
    from safepassage.planner.residual import index_plan

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--instance", choices=["demo", "scaled"], default="demo")
    args = parser.parse_args()
    instance = helsinki_demo() if args.instance == "demo" else scaled_instance()
    started = time.perf_counter()
    plan = plan_evacuation(instance.scenario, networks=instance.networks)
    print(f"{instance.name}: plan {time.perf_counter() - started:.1f} s, {len(plan.movements):,} movements")
    step = instance.scenario.time_step_s
    hazard, now = busiest_incident(
        instance, plan, math.floor(plan.clearance_time_s / 3 / step) * step + step / 3
    )
    started = time.perf_counter()
    index = index_plan(plan, instance.networks)
    print(f"index {time.perf_counter() - started:.2f} s (once per plan)")
    for mode in ("fast", "exact"):
        for ready in (index, None):
            started = time.perf_counter()
            new = replan(
                plan,
                hazard,
                now,
                scenario=instance.scenario,
                networks=instance.networks,
                mode=mode,
                index=ready,
            )
            wall = time.perf_counter() - started
            details = new.solver.details
            print(
                f"re-plan {mode} {'index ready' if ready else 'cold'}: {wall:.2f} s, clearance "
                f"{new.clearance_time_s / 60:.1f} min, bound {new.lower_bound_s / 60:.1f} min, "
                f"phases {details['timings']}, probes {[p['steps'] for p in details['probes']]}"
            )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
