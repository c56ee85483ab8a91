"""Core figures: network build cold vs cached, closures, one route, and the demo cold.

Run: ``.venv/bin/python benchmarks/core_bench.py`` (prints figures; asserts nothing).
Targets (issue 2): ``safepassage demo`` in under 30 s cold on 2 cores; the cached load faster than
the build. Ratios are against the cold build measured in the same run.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time

from safepassage.cli.core import demo_scenario_path
from safepassage.errors import NoRouteError
from safepassage.hazards import link_closures
from safepassage.network import load_network
from safepassage.routing import best_route
from safepassage.scenario import TravelMode, load_scenario, resolve_network_path


def _best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    scenario = load_scenario(demo_scenario_path())
    pbf = resolve_network_path(scenario)
    print(f"extract: {pbf.name} ({pbf.stat().st_size / 1e6:.2f} MB)")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["SAFEPASSAGE_CACHE_DIR"] = cache
        for mode in (TravelMode.DRIVE, TravelMode.WALK):
            cold = _best_of(lambda mode=mode: load_network(pbf, mode, use_cache=False))
            load_network(pbf, mode)  # fill the cache
            warm = _best_of(lambda mode=mode: load_network(pbf, mode))
            net = load_network(pbf, mode)
            print(
                f"{mode.value:5s} network: {net.node_count} nodes, {net.link_count} links; "
                f"build {cold * 1000:.0f} ms, cached load {warm * 1000:.0f} ms (x{cold / warm:.1f} faster)"
            )
        drive = load_network(pbf)
        closures_s = _best_of(lambda: link_closures(drive, scenario))
        print(f"closures over the horizon: {closures_s * 1000:.1f} ms")
        routes = []
        for origin in scenario.origins:
            for dest in scenario.destinations:
                t0 = time.perf_counter()
                with contextlib.suppress(NoRouteError):  # "no route" is an answer, timed too
                    best_route(drive, scenario, origin.id, dest.id, at=scenario.at(3 * 3600))
                routes.append(time.perf_counter() - t0)
        print(f"route queries: {len(routes)}, median {statistics.median(routes) * 1000:.1f} ms")
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "SAFEPASSAGE_CACHE_DIR": cache}
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "safepassage", "demo", "--out", out],
            env=env,
            check=True,
            capture_output=True,
        )
        cold_demo = time.perf_counter() - t0
    print(f"demo, cold cache, new process: {cold_demo:.2f} s (target < 30 s)")


if __name__ == "__main__":
    sys.exit(main())
