"""Re-scheduling after a road closes, and the rail network read from the same OSM extract.

Map (100 m cells, residential)::

    d   p   m   x
        |       |
        s-------t

The quick way from the pickup ``p`` to the reception centre ``x`` is the top street ``p-m-x``
(800 m); the bottom detour ``p-s-t-x`` is 1,600 m. The top street's link ``m-x`` closes at 08:05.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from asciimap import AsciiNetwork
from safepassage.fleet.check import check_schedule
from safepassage.fleet.solve import reschedule, solve_fleet
from safepassage.network import RoadNetwork, load_network
from safepassage.network.rail import read_rail
from safepassage.scenario import TravelMode, load_scenario
from safepassage.scenario.load import resolve_network_path
from safepassage.scenario.model import Blockage
from scenario_builder import at, make_scenario, point

MAP = """
d   p   m   x
    |       |
    s-------t
"""
WAYS = [(w, {"highway": "residential"}) for w in ("dp", "pm", "mx", "ps", "st", "tx")]


@pytest.fixture
def drawn(ascii_network: Callable[..., AsciiNetwork]) -> AsciiNetwork:
    return ascii_network(MAP, WAYS, grid_m=100.0)


@pytest.fixture
def network(drawn: AsciiNetwork) -> RoadNetwork:
    return load_network(drawn.path, TravelMode.DRIVE, use_cache=False)


def scenario(drawn: AsciiNetwork) -> Any:
    return make_scenario(
        drawn.path,
        origins=[point(drawn.lat_lon["p"], "p", people=30)],
        destinations=[point(drawn.lat_lon["x"], "x", capacity=100)],
        fleet={
            "vehicle_types": [{"id": "small-bus", "class": "bus", "seats": 10, "stop_s": 30}],
            "depots": [{"id": "d", "name": "Depot", "lat": drawn.lat("d"), "lon": drawn.lon("d")}],
            "vehicles": [{"id": "bus", "type": "small-bus", "count": 1, "depot": "d"}],
        },
    )


def test_trips_after_a_closure_take_the_detour(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    sc = scenario(drawn)
    nets = {TravelMode.DRIVE: network}
    before = solve_fleet(sc, network=network, networks=nets)
    closure = Blockage.model_validate(
        {
            "id": "shelled",
            "reason": "shelling",
            "links": [[drawn.osm_id("m"), drawn.osm_id("x")]],
            "from": at("08:05"),
        }
    )
    now_s = 250.0
    after = reschedule(sc, before, closure, now_s, network=network)
    (old,), (new,) = before.vehicles, after.vehicles
    kept = [t for t in old.trips if t.leave_at_s <= now_s]
    assert kept
    assert new.trips[: len(kept)] == kept  # trips under way are kept as they are
    m, x = drawn.osm_id("m"), drawn.osm_id("x")
    for trip in new.trips[len(kept) :]:
        for leg in trip.legs:
            hops = list(zip(leg.path, leg.path[1:], leg.entry_times_s, strict=False))
            assert not any((u, v) == (m, x) and t >= 300.0 for u, v, t in hops)
    assert after.summary.people_moved == 30
    assert after.summary.people_unserved == 0
    changed = sc.model_copy(update={"blockages": [closure]})
    violations = check_schedule(changed, nets, after)
    crossing = after.solver.details["trips_crossing_closure"]
    assert isinstance(crossing, list)
    assert all(v.kind == "closed" for v in violations)  # only trips already under way may cross it
    assert len(violations) <= len(crossing)


@pytest.mark.slow
def test_rail_network_and_stations_of_the_demo_extract() -> None:
    demo = load_scenario("src/safepassage/demo/helsinki.yaml")
    rail = read_rail(resolve_network_path(demo))
    assert len(rail.edge_u) > 100
    names = {s.name for s in rail.stations}
    assert "Helsinki" in names
    found = rail.station_near(60.17180, 24.94140)
    assert found is not None
    station, distance_m = found
    assert station.name == "Helsinki"
    assert distance_m < 100
    other = next(s for s in rail.stations if s.name == "Helsingin yliopisto")
    assert 0 < rail.track_distance_m(station, other) < 5_000
