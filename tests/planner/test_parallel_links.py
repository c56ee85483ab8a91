"""Parallel links carry people only as ``check-plan`` reads a hop: the fastest link open at entry.

Three ways join a to b (300 m): primary (50 km/h, 21.6 s), tertiary (40 km/h, 27 s), residential
(30 km/h, 36 s). ``shadow_closures`` closes each slower one whenever a faster one is open.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from safepassage.hazards import LinkClosures
from safepassage.network import RoadNetwork, load_network
from safepassage.planner import plan_evacuation
from safepassage.planner.check import check_plan
from safepassage.planner.parallel_links import shadow_closures
from safepassage.scenario.vocabulary import TravelMode

from .solver_scenarios import scenario_on

INF = math.inf


@pytest.fixture
def three_ways(ascii_network) -> RoadNetwork:
    drawn = ascii_network(
        "a b",
        [("ab", {"highway": c}) for c in ("residential", "primary", "tertiary")],
        grid_m=150.0,
    )
    return load_network(drawn.path, TravelMode.DRIVE, use_cache=False)


def _by_speed(network: RoadNetwork) -> list[int]:
    """Links a->b, fastest first."""
    a_to_b = np.flatnonzero(network.node_osm_id[network.link_tail] == ord("a"))
    return a_to_b[np.argsort(network.link_travel_time_s[a_to_b], kind="stable")].tolist()


def _closures(network: RoadNetwork, rows: list[tuple[int, float, float]]) -> LinkClosures:
    return LinkClosures(
        network.link_count,
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype=np.float64),
        np.array([r[2] for r in rows], dtype=np.float64),
        tuple("test" for _ in rows),
    )


def _rows(network: RoadNetwork, closures: LinkClosures) -> list[tuple[int, float, float]]:
    """Shadow rows of links a->b (b->a has its own three, shadowed the same way)."""
    link, lo, hi = shadow_closures(network, closures)
    a_to_b = set(_by_speed(network))
    return sorted(r for r in zip(link.tolist(), lo.tolist(), hi.tolist(), strict=True) if r[0] in a_to_b)


def test_without_closures_only_the_fastest_carries_people(three_ways):
    fast, middle, slow = _by_speed(three_ways)
    assert three_ways.link_count == 6  # three each way
    assert len(shadow_closures(three_ways, _closures(three_ways, []))[0]) == 4
    assert float(three_ways.link_travel_time_s[fast]) == pytest.approx(21.6, rel=1e-3)
    assert _rows(three_ways, _closures(three_ways, [])) == sorted([(middle, -INF, INF), (slow, -INF, INF)])


def test_a_slower_link_opens_while_every_faster_one_is_closed(three_ways):
    fast, middle, slow = _by_speed(three_ways)
    closures = _closures(three_ways, [(fast, 0.0, 100.0), (middle, 50.0, 300.0), (middle, 250.0, 400.0)])
    assert _rows(three_ways, closures) == sorted(
        [
            (middle, -INF, 0.0),  # the fastest is open before 0 and from 100 s
            (middle, 100.0, INF),
            (slow, -INF, 50.0),  # both faster ones are closed only in [50, 100)
            (slow, 100.0, INF),
        ]
    )


def test_no_parallel_links_no_rows(ascii_network):
    drawn = ascii_network("a b c", [("ab", {"highway": "residential"}), ("bc", {"highway": "primary"})])
    network = load_network(drawn.path, TravelMode.DRIVE, use_cache=False)
    assert _rows(network, _closures(network, [(0, 0.0, 60.0)])) == []


@pytest.mark.parametrize("mode", ["exact", "fast"])
def test_a_plan_over_three_parallel_ways_uses_the_fastest_and_passes_the_checker(ascii_network, mode):
    drawn = ascii_network(
        "a b", [("ab", {"highway": c}) for c in ("residential", "primary", "tertiary")], grid_m=150.0
    )
    networks = {TravelMode.DRIVE: load_network(drawn.path, TravelMode.DRIVE, use_cache=False)}
    scenario = scenario_on(drawn, [("a", "a", 3000)], [("b", "b", 3000)], horizon="PT4H")
    plan = plan_evacuation(scenario, mode=mode, networks=networks)
    assert check_plan(scenario, plan, networks=networks) == []
    assert plan.evacuated == 3000
    (edge,) = plan.edges
    assert (edge.u, edge.v) == (ord("a"), ord("b"))
    assert edge.travel_time_s == pytest.approx(21.6, rel=1e-3)  # the primary road
