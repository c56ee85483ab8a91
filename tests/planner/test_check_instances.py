"""The benchmark instances (``benchmarks/instances.py``): the tiled real network is a sound road
network, the scaled scenario is what the issue asks for, and the checker verifies plans on it."""

from __future__ import annotations

import importlib.util
import itertools
import math
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from scipy.sparse.csgraph import connected_components, dijkstra

from safepassage.errors import OsmFileError
from safepassage.network import RoadNetwork, load_network, snap_points
from safepassage.planner.check import check_plan
from safepassage.planner.plan_file import Movement, Plan, Unserved
from safepassage.scenario import Scenario, TravelMode

from .test_check import assemble

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def instances() -> ModuleType:
    spec = importlib.util.spec_from_file_location("instances", BENCHMARKS / "instances.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["instances"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def base(helsinki_pbf: Path) -> RoadNetwork:
    return load_network(helsinki_pbf, TravelMode.DRIVE)


def test_tiled_network_is_copies_of_the_real_one_plus_cross_links(
    instances: ModuleType, base: RoadNetwork
) -> None:
    net = instances.tiled_network(base, 2)
    n0, m0 = base.node_count, base.link_count
    assert net.node_count == 4 * n0
    assert len(np.unique(net.node_osm_id)) == net.node_count
    assert np.array_equal(net.node_osm_id[:n0], base.node_osm_id)  # tile 0 keeps the real ids
    assert np.array_equal(net.node_osm_id[3 * n0 :] % instances.TILE_ID_STRIDE, base.node_osm_id)
    # CSR: links sorted by tail, indptr delimits them
    assert np.all(np.diff(net.link_tail) >= 0)
    assert np.array_equal(net.indptr, np.searchsorted(net.link_tail, np.arange(net.node_count + 1)))
    # every copied link keeps its real length, travel time and class
    real = net.link_way_id < instances.CROSS_WAY_ID_BASE
    assert int(real.sum()) == 4 * m0
    assert sorted(net.link_length_m[real].round(6)) == sorted(np.tile(base.link_length_m, 4).round(6))
    assert np.array_equal(np.bincount(net.link_road_class[real]), 4 * np.bincount(base.link_road_class))
    # cross-links: both directions, short, and the whole network is one strongly connected part
    cross = ~real
    assert int(cross.sum()) > 0
    assert int(cross.sum()) % 2 == 0
    assert float(net.link_length_m[cross].max()) < 600.0
    parts, _ = connected_components(net.matrix(net.link_travel_time_s), directed=True, connection="strong")
    assert parts == 1
    # geometry starts at the tail and ends at the head of every link
    first, last = net.geom_indptr[:-1], net.geom_indptr[1:] - 1
    assert np.allclose(net.geom_lat[first], net.node_lat[net.link_tail], atol=1e-7)
    assert np.allclose(net.geom_lon[last], net.node_lon[net.link_head], atol=1e-7)


def test_tile_copies_are_translated_by_whole_pitches(instances: ModuleType, base: RoadNetwork) -> None:
    net = instances.tiled_network(base, 2, gap_m=100.0)
    n0 = base.node_count
    width = float(base.node_x_m.max() - base.node_x_m.min())
    height = float(base.node_y_m.max() - base.node_y_m.min())
    assert np.allclose(net.node_x_m[n0 : 2 * n0] - base.node_x_m, width + 100.0)
    assert np.allclose(net.node_y_m[2 * n0 : 3 * n0] - base.node_y_m, height + 100.0)


def test_scaled_instance_has_the_size_the_issue_asks_for(instances: ModuleType, base: RoadNetwork) -> None:
    instance = instances.scaled_instance(base=base)
    network = instance.networks[TravelMode.DRIVE]
    scenario = instance.scenario
    assert network.node_count >= 50_000
    assert scenario.people_total == 300_000
    assert scenario.reception_capacity_total >= scenario.people_total
    snaps = snap_points(network, [(o.id, o.lat, o.lon) for o in scenario.origins])
    assert max(s.distance_m for s in snaps) < 0.01  # origins sit on nodes
    again = instances.scaled_instance(base=base)
    assert again.scenario == scenario  # seeded: the same instance every time
    other = instances.scaled_instance(base=base, seed=7)
    assert other.scenario.origins != scenario.origins


def _hand_plan(network: RoadNetwork, scenario: Scenario, origin_index: int, dest_index: int) -> Plan:
    """One group of 10 along the fastest path, each link rounded up to whole steps; the rest unserved."""

    origin, dest = scenario.origins[origin_index], scenario.destinations[dest_index]
    source, target = (
        s.node for s in snap_points(network, [("o", origin.lat, origin.lon), ("d", dest.lat, dest.lon)])
    )
    _, previous = dijkstra(
        network.matrix(network.link_travel_time_s), indices=source, return_predecessors=True
    )
    nodes = [target]
    while nodes[-1] != source:
        nodes.append(int(previous[nodes[-1]]))
    nodes.reverse()
    step = scenario.time_step_s
    times = [0.0]
    for u, v in itertools.pairwise(nodes):
        link = network.find_link(u, v)
        times.append(times[-1] + max(1, math.ceil(network.link_travel_time_s[link] / step)) * step)
    group = Movement(
        origin=origin.id,
        destination=dest.id,
        people=10,
        mode=TravelMode.DRIVE,
        departure=scenario.start,
        path=[int(network.node_osm_id[n]) for n in nodes],
        entry_times_s=times,
    )
    unserved = [
        Unserved(
            origin=o.id, people=o.people - (10 if o.id == origin.id else 0), reason="not planned in this test"
        )
        for o in scenario.origins
        if o.people > (10 if o.id == origin.id else 0)
    ]
    return assemble(network, scenario, [group], unserved=unserved, lower_bound_s=times[-1])


def test_checker_runs_on_a_generated_network_given_directly(instances: ModuleType, base: RoadNetwork) -> None:
    instance = instances.scaled_instance(3, 3_000, base=base)
    network = instance.networks[TravelMode.DRIVE]
    # the central tile's first origin to the first destination: crosses tiles over cross-links
    plan = _hand_plan(network, instance.scenario, 4 * 4, 0)
    assert any(n >= instances.TILE_ID_STRIDE for n in plan.movements[0].path)
    assert check_plan(instance.scenario, plan, networks=instance.networks) == []
    faster = plan.movements[0].model_copy(
        update={"entry_times_s": [t / 100 for t in plan.movements[0].entry_times_s]}
    )
    broken = plan.model_copy(
        update={
            "movements": [faster],
            "clearance_time_s": faster.arrival_s,
            "lower_bound_s": 0.0,
            "gap": None,
        }
    )
    assert any(
        "cannot travel faster than the road allows" in f
        for f in check_plan(instance.scenario, broken, networks=instance.networks)
    )
    with pytest.raises(OsmFileError, match="generated:helsinki-drive-tiled-3x3"):
        check_plan(instance.scenario, plan)  # the generated network is not a file: it must be given
