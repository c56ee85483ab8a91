"""The real pipeline (pyosmium reader -> builder) on tiny networks drawn as ASCII maps.

Every expected number is worked out by hand from the drawing: 100 m per character cell and the
default speeds of ``safepassage.network.road_classes`` (residential 30 km/h, primary 50 km/h, ...).
Lengths are measured by the builder in UTM, which near Helsinki is within 0.1 % of true metres.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

import asciimap
from asciimap import AsciiNetwork
from safepassage.errors import NoRoadsError
from safepassage.network import RoadNetwork, load_network
from safepassage.scenario import CapacityModel, TravelMode

REL = 1e-3  # UTM scale near Helsinki vs true metres


def links_by_letters(network: RoadNetwork, drawn: AsciiNetwork) -> dict[tuple[str, str], int]:
    """Every link as (tail letter, head letter) -> link index."""
    letter_of = {drawn.osm_id(c): c for c in drawn.cells}
    out: dict[tuple[str, str], int] = {}
    for k in range(network.link_count):
        tail = letter_of[int(network.node_osm_id[network.link_tail[k]])]
        head = letter_of[int(network.node_osm_id[network.link_head[k]])]
        assert (tail, head) not in out, f"two links {tail}->{head}"
        out[(tail, head)] = k
    return out


def test_asciimap_docstring_example_holds() -> None:
    result = doctest.testmod(asciimap)
    assert result.attempted > 0
    assert result.failed == 0


def test_nodes_land_grid_metres_apart(ascii_network) -> None:
    from pyproj import Geod

    drawn = ascii_network(
        """
        a---b
            |
            c
        """,
        [("abc", {"highway": "residential"})],
        grid_m=50.0,
    )
    geod = Geod(ellps="WGS84")
    _, _, ab = geod.inv(drawn.lon("a"), drawn.lat("a"), drawn.lon("b"), drawn.lat("b"))
    _, _, bc = geod.inv(drawn.lon("b"), drawn.lat("b"), drawn.lon("c"), drawn.lat("c"))
    assert ab == pytest.approx(200.0, abs=0.01)  # 4 cells east
    assert bc == pytest.approx(100.0, abs=0.01)  # 2 rows south
    assert drawn.lat("c") < drawn.lat("b")  # rows go south
    assert drawn.lon("b") > drawn.lon("a")  # columns go east
    assert drawn.osm_id("a") == 97


def test_two_way_street_times_by_hand(ascii_network) -> None:
    # a-b is 2 cells (200 m) residential: 200 / (30 / 3.6) = 24 s each way.
    # b-c is 3 cells (300 m) primary: 300 / (50 / 3.6) = 21.6 s each way.
    drawn = ascii_network(
        """
        a-b--c
        """,
        [("ab", {"highway": "residential"}), ("bc", {"highway": "primary"})],
    )
    network = load_network(drawn.path, use_cache=False)
    links = links_by_letters(network, drawn)
    assert set(links) == {("a", "b"), ("b", "a"), ("b", "c"), ("c", "b")}
    for pair in [("a", "b"), ("b", "a")]:
        assert network.link_length_m[links[pair]] == pytest.approx(200.0, rel=REL)
        assert network.link_travel_time_s[links[pair]] == pytest.approx(24.0, rel=REL)
        assert network.road_class(links[pair]) == "residential"
    for pair in [("b", "c"), ("c", "b")]:
        assert network.link_length_m[links[pair]] == pytest.approx(300.0, rel=REL)
        assert network.link_travel_time_s[links[pair]] == pytest.approx(21.6, rel=REL)
        assert network.link_speed_kmh[links[pair]] == 50.0
    assert network.report.components == 1
    assert network.report.nodes_dropped == 0
    assert network.report.describe() == "3 nodes and 4 links from 2 ways"


def test_link_follows_the_road_not_the_straight_line(ascii_network) -> None:
    # a -> c runs south 2 cells then east 2 cells: 400 m of road, not the 283 m diagonal.
    drawn = ascii_network(
        """
        a
        |
        b-c
        """,
        [("abc", {"highway": "residential"})],
        grid_m=100.0,
    )
    network = load_network(drawn.path, use_cache=False)
    links = links_by_letters(network, drawn)
    assert set(links) == {("a", "c"), ("c", "a")}  # b is a shape point, not an intersection
    assert network.link_length_m[links[("a", "c")]] == pytest.approx(400.0, rel=REL)
    assert network.link_travel_time_s[links[("a", "c")]] == pytest.approx(48.0, rel=REL)
    lons_lats = network.link_coords(links[("a", "c")])
    assert len(lons_lats) == 3
    assert lons_lats[1] == pytest.approx((drawn.lon("b"), drawn.lat("b")))
    # The backward link has the same points in reverse order.
    assert network.link_coords(links[("c", "a")]) == lons_lats[::-1]


def test_one_way_rules(ascii_network) -> None:
    # A ring a -> b -> c -> d -> a where each side says "one way" differently.
    drawn = ascii_network(
        """
        a---b
        |   |
        d---c
        """,
        [
            ("ab", {"highway": "residential", "oneway": "yes", "lanes": "3"}),
            ("cb", {"highway": "residential", "oneway": "-1"}),  # drawn c->b, driven b->c
            ("cd", {"highway": "motorway"}),  # motorways are one-way unless tagged otherwise
            ("da", {"highway": "tertiary", "junction": "roundabout", "lanes": "2"}),
        ],
    )
    drive = load_network(drawn.path, TravelMode.DRIVE, use_cache=False)
    links = links_by_letters(drive, drawn)
    assert set(links) == {("a", "b"), ("b", "c"), ("c", "d"), ("d", "a")}
    assert drive.report.components == 1
    # Lanes: one-way lanes=3 -> 3; roundabout lanes=2 -> 2; motorway untagged -> 2; else 1.
    assert drive.link_lanes[links[("a", "b")]] == 3.0
    assert drive.link_lanes[links[("d", "a")]] == 2.0
    assert drive.link_lanes[links[("c", "d")]] == 2.0
    assert drive.link_lanes[links[("b", "c")]] == 1.0
    # c -> d: 4 cells of motorway at 100 km/h = 400 / (100 / 3.6) = 14.4 s.
    assert drive.link_travel_time_s[links[("c", "d")]] == pytest.approx(14.4, rel=REL)

    # Walking ignores one-way rules and never uses the motorway.
    walk = load_network(drawn.path, TravelMode.WALK, use_cache=False)
    walk_links = links_by_letters(walk, drawn)
    assert set(walk_links) == {("a", "b"), ("b", "a"), ("b", "c"), ("c", "b"), ("d", "a"), ("a", "d")}
    # a -> b on foot: 400 m at the builder's 1.2 m/s = 333.3 s.
    assert walk.link_travel_time_s[walk_links[("a", "b")]] == pytest.approx(400 / 1.2, rel=REL)


def test_lanes_per_direction(ascii_network) -> None:
    drawn = ascii_network(
        "a b c d e f",
        [
            ("ab", {"highway": "secondary", "lanes": "4"}),  # two-way 4 lanes -> 2 each way
            ("bc", {"highway": "residential"}),  # untagged -> 1
            ("cd", {"highway": "trunk"}),  # untagged trunk -> 2
            ("de", {"highway": "residential", "lanes": "2;3"}),  # first value: 2 -> 1 each way
            ("ef", {"highway": "residential", "lanes": "many"}),  # unreadable -> 1
        ],
    )
    network = load_network(drawn.path, use_cache=False)
    links = links_by_letters(network, drawn)
    expected = {"ab": 2.0, "bc": 1.0, "cd": 2.0, "de": 1.0, "ef": 1.0}
    for (tail, head), k in links.items():
        key = "".join(sorted(tail + head))
        assert network.link_lanes[k] == expected[key], (tail, head)


@pytest.mark.parametrize(
    ("tags", "speed_kmh"),
    [
        ({"highway": "residential", "maxspeed": "50"}, 50.0),
        ({"highway": "residential", "maxspeed": "30 mph"}, 30 * 1.609344),
        ({"highway": "residential", "maxspeed": "50 km/h"}, 50.0),
        ({"highway": "residential", "maxspeed": "FI:urban"}, 50.0),
        ({"highway": "residential", "maxspeed": "UA:rural"}, 90.0),
        ({"highway": "residential", "maxspeed": "walk"}, 6.0),
        ({"highway": "residential", "maxspeed": "60;40"}, 60.0),
        ({"highway": "residential", "maxspeed": "signals"}, 30.0),  # unreadable -> class default
        ({"highway": "primary"}, 50.0),
        ({"highway": "primary_link"}, 50.0),  # *_link roads take their road's class
        ({"highway": "tertiary"}, 40.0),
        ({"highway": "living_street"}, 10.0),
    ],
)
def test_maxspeed_parsing_sets_travel_time(ascii_network, tags: dict[str, str], speed_kmh: float) -> None:
    drawn = ascii_network("a-b", [("ab", tags)])  # 2 cells = 200 m
    network = load_network(drawn.path, use_cache=False)
    assert network.link_count == 2
    assert network.link_speed_kmh == pytest.approx([speed_kmh, speed_kmh])
    assert network.link_travel_time_s == pytest.approx([200 / (speed_kmh / 3.6)] * 2, rel=REL)


def test_largest_strongly_connected_part_is_kept_and_reported(ascii_network) -> None:
    # b -> d is one-way into a dead end: d can be reached but not left, so it is dropped.
    # e-f is a separate street with no link to the rest: dropped too.
    drawn = ascii_network(
        """
        a-b-c
          |
          d   e-f
        """,
        [
            ("abc", {"highway": "residential"}),
            ("bd", {"highway": "residential", "oneway": "yes"}),
            ("ef", {"highway": "residential"}),
        ],
    )
    network = load_network(drawn.path, use_cache=False)
    links = links_by_letters(network, drawn)
    assert set(links) == {("a", "b"), ("b", "a"), ("b", "c"), ("c", "b")}
    report = network.report
    assert (report.ways_read, report.nodes_kept, report.links_kept) == (3, 3, 4)
    assert (report.nodes_dropped, report.links_dropped) == (3, 3)  # d, e, f; b->d, e->f, f->e
    assert report.components == 3  # {a, b, c}, {d}, {e, f}
    assert report.describe() == (
        "3 nodes and 4 links from 3 ways; dropped 3 nodes and 3 links outside the largest strongly "
        "connected part (3 parts in all)"
    )


def test_drive_uses_only_public_roads_walk_uses_paths(ascii_network) -> None:
    drawn = ascii_network(
        """
        a-b-c-d-e
        | | | | |
        f g h i j
        """,
        [
            ("abcde", {"highway": "residential"}),
            ("af", {"highway": "footway"}),
            ("bg", {"highway": "service"}),
            ("ch", {"highway": "residential", "access": "private"}),
            ("di", {"highway": "residential", "motor_vehicle": "no"}),
            ("ej", {"highway": "cycleway"}),
        ],
    )
    drive = load_network(drawn.path, TravelMode.DRIVE, use_cache=False)
    assert drive.report.ways_read == 1
    # Only a-e is drivable, and with no drivable side street b, c, d are not intersections.
    assert sorted(chr(int(o)) for o in drive.node_osm_id) == ["a", "e"]
    assert set(links_by_letters(drive, drawn)) == {("a", "e"), ("e", "a")}
    walk = load_network(drawn.path, TravelMode.WALK, use_cache=False)
    # Walking takes the footway, the service road and the motor_vehicle=no street; not a private
    # road nor a cycleway (so c is no intersection on foot either).
    assert walk.report.ways_read == 4
    assert sorted(chr(int(o)) for o in walk.node_osm_id) == ["a", "b", "d", "e", "f", "g", "i"]


def test_parallel_ways_fastest_link_and_matrix_minimum(ascii_network) -> None:
    # Two ways from a to c: straight residential (400 m at 30 km/h = 48 s) and a primary detour
    # through b (200 m up, 400 m across, 200 m down = 800 m at 50 km/h = 57.6 s); and a fast
    # straight secondary from c to d (200 m at 50 km/h = 14.4 s).
    drawn = ascii_network(
        """
        b---e
        |   |
        a---c-d
        """,
        [
            ("ac", {"highway": "residential"}),
            ("abec", {"highway": "primary"}),
            ("cd", {"highway": "secondary"}),
        ],
        grid_m=100.0,
    )
    network = load_network(drawn.path, use_cache=False)
    a, c, d = (network.node_index(drawn.osm_id(x)) for x in "acd")
    fastest = network.find_link(a, c)
    assert network.road_class(fastest) == "residential"
    assert network.link_travel_time_s[fastest] == pytest.approx(48.0, rel=REL)
    times = dijkstra(network.matrix(network.link_travel_time_s), indices=a)
    assert times[d] == pytest.approx(48.0 + 14.4, rel=REL)
    # Closing the residential street (infinite weight) leaves the detour.
    closed = network.link_travel_time_s.copy()
    closed[fastest] = np.inf
    detour = dijkstra(network.matrix(closed), indices=a)
    assert detour[d] == pytest.approx(57.6 + 14.4, rel=REL)


def test_capacity_per_step_by_hand(ascii_network) -> None:
    # Secondary, 4 lanes two-way = 2 per direction: 900 veh/h/lane * 2 lanes * 2.5 people per
    # car = 4,500 people/h = 75 people per 60 s step.
    drawn = ascii_network("a-b", [("ab", {"highway": "secondary", "lanes": "4"})])
    drive = load_network(drawn.path, use_cache=False)
    per_step = drive.capacity_people_per_step(CapacityModel(), 60)
    assert per_step == pytest.approx([75.0, 75.0])
    # On foot: 1.25 people per metre per second over a 2 m walkway = 150 people per 60 s step.
    walk = load_network(drawn.path, TravelMode.WALK, use_cache=False)
    assert walk.capacity_people_per_step(CapacityModel(), 60) == pytest.approx([150.0, 150.0])
    # The scenario's walking speed wins: 200 m at 1.0 m/s = 200 s.
    assert walk.travel_time_s(CapacityModel(walking_speed_mps=1.0)) == pytest.approx([200.0, 200.0], rel=REL)


def test_pbf_and_xml_of_the_same_drawing_build_the_same_network(ascii_network) -> None:
    node_map = """
        a-b-c
        |   |
        d---e
        """
    ways = [
        ("abc", {"highway": "residential"}),
        ("ce", {"highway": "primary"}),
        ("eda", {"highway": "tertiary"}),
    ]
    xml = load_network(ascii_network(node_map, ways, suffix=".osm").path, use_cache=False)
    pbf = load_network(ascii_network(node_map, ways, suffix=".osm.pbf").path, use_cache=False)
    np.testing.assert_array_equal(xml.node_osm_id, pbf.node_osm_id)
    np.testing.assert_array_equal(xml.link_tail, pbf.link_tail)
    np.testing.assert_array_equal(xml.link_head, pbf.link_head)
    np.testing.assert_allclose(xml.link_travel_time_s, pbf.link_travel_time_s, rtol=1e-6)


def test_footways_only_raise_no_roads(ascii_network) -> None:
    drawn = ascii_network(
        """
        a-b-c
        """,
        [("abc", {"highway": "footway"}), ("ab", {"highway": "steps"})],
        suffix=".osm",
    )
    with pytest.raises(NoRoadsError) as info:
        load_network(drawn.path, TravelMode.DRIVE, use_cache=False)
    assert str(info.value) == (
        f"{drawn.path.name}: the extract has no roads usable for drive; "
        "expected highway ways (e.g. highway=residential) inside the extract"
    )
    assert info.value.exit_code == 2
    assert info.value.code == "NO_ROADS"
    # The same paths are a fine walking network.
    assert load_network(drawn.path, TravelMode.WALK, use_cache=False).link_count > 0


def test_single_one_way_street_raises_no_roads(ascii_network) -> None:
    drawn = ascii_network("a-b", [("ab", {"highway": "residential", "oneway": "yes"})])
    with pytest.raises(NoRoadsError):
        load_network(drawn.path, use_cache=False)
