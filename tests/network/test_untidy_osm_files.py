"""Real OSM files are not tidy: ways before nodes (Overpass), nodes cut off at the extract's edge,
reversible lanes. Each case is a real file read by the real pipeline (pyosmium reader -> builder).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from asciimap import AsciiNetwork, write_ascii_network
from safepassage.errors import NoRoadsError
from safepassage.network import RoadNetwork, load_network
from safepassage.scenario import TravelMode

REL = 1e-3  # UTM scale near Helsinki vs true metres


def letters(network: RoadNetwork, drawn: AsciiNetwork) -> set[tuple[str, str]]:
    """Every link as (tail letter, head letter)."""
    return {
        (chr(int(network.node_osm_id[t])), chr(int(network.node_osm_id[h])))
        for t, h in zip(network.link_tail.tolist(), network.link_head.tolist(), strict=True)
    }


def link_length(network: RoadNetwork, drawn: AsciiNetwork, tail: str, head: str) -> float:
    k = network.find_link(network.node_index(drawn.osm_id(tail)), network.node_index(drawn.osm_id(head)))
    assert k >= 0, f"no link {tail}->{head}"
    return float(network.link_length_m[k])


# --- 5. unsorted files ----------------------------------------------------------------------------

BLOCK = """
    a-b-c
    |   |
    d---e
    """
BLOCK_WAYS = [
    ("abc", {"highway": "residential"}),
    ("ce", {"highway": "primary"}),
    ("eda", {"highway": "tertiary", "oneway": "yes"}),
]


@pytest.mark.parametrize("suffix", [".osm", ".osm.pbf"])
def test_ways_before_nodes_read_like_a_sorted_file(tmp_path: Path, suffix: str) -> None:
    tidy = write_ascii_network(tmp_path, BLOCK, BLOCK_WAYS, filename=f"tidy{suffix}")
    untidy = write_ascii_network(tmp_path, BLOCK, BLOCK_WAYS, filename=f"overpass{suffix}", ways_first=True)
    assert untidy.path.read_bytes() != tidy.path.read_bytes()
    expected = load_network(tidy.path, use_cache=False)
    network = load_network(untidy.path, use_cache=False)
    assert letters(network, untidy) == {
        ("a", "c"), ("c", "a"), ("c", "e"), ("e", "c"), ("e", "a"),
    }  # fmt: skip
    # e -> a runs through d: 4 cells west then 2 north = 600 m, one way.
    assert link_length(network, untidy, "e", "a") == pytest.approx(600.0, rel=REL)
    for name in ("node_osm_id", "link_tail", "link_head", "link_way_id", "geom_indptr"):
        np.testing.assert_array_equal(getattr(network, name), getattr(expected, name), err_msg=name)
    np.testing.assert_allclose(network.link_travel_time_s, expected.link_travel_time_s)


OVERPASS_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="Overpass API 0.7.62">
  <way id="100">
    <nd ref="3"/><nd ref="2"/><nd ref="1"/>
    <tag k="highway" v="secondary"/><tag k="name" v="Khreshchatyk"/>
  </way>
  <way id="101">
    <nd ref="1"/><nd ref="4"/><nd ref="3"/>
    <tag k="highway" v="residential"/>
  </way>
  <node id="1" lat="50.4470" lon="30.5220"/>
  <node id="2" lat="50.4480" lon="30.5220"/>
  <node id="3" lat="50.4490" lon="30.5220"/>
  <node id="4" lat="50.4480" lon="30.5250"/>
</osm>
"""


def test_overpass_output_is_read(tmp_path: Path) -> None:
    """Overpass ``out body; >; out skel qt;`` writes the ways first, then their nodes."""
    path = tmp_path / "kyiv.osm"
    path.write_text(OVERPASS_XML)
    network = load_network(path, use_cache=False)
    assert network.report.ways_read == 2
    assert sorted(network.node_osm_id.tolist()) == [1, 3]
    assert network.link_count == 4  # 3<->1 on Khreshchatyk, 1<->3 through 4
    assert set(network.link_name.tolist()) == {"Khreshchatyk", ""}
    # 3 -> 1 is 0.002 deg of latitude: about 222.6 m.
    k = network.find_link(network.node_index(3), network.node_index(1))
    assert network.link_length_m[k] == pytest.approx(222.6, rel=5e-3)


def test_hand_made_file_with_negative_ids_is_read(tmp_path: Path) -> None:
    """JOSM saves new objects with negative ids, and not sorted."""
    path = tmp_path / "josm.osm"
    path.write_text(
        OVERPASS_XML.replace('ref="', 'ref="-')
        .replace('node id="', 'node id="-')
        .replace('way id="', 'way id="-')
    )
    network = load_network(path, use_cache=False)
    assert sorted(network.node_osm_id.tolist()) == [-3, -1]
    assert network.link_count == 4


# --- 6. ways whose nodes are missing --------------------------------------------------------------

CLIPPED_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="osmium extract">
  <node id="1" lat="60.1700" lon="24.9400"/>
  <node id="2" lat="60.1700" lon="24.9525"/>
  <node id="3" lat="60.1750" lon="24.94625"/>
  <way id="10">
    <nd ref="1"/><nd ref="901"/><nd ref="902"/><nd ref="903"/><nd ref="2"/>
    <tag k="highway" v="residential"/>
  </way>
  <way id="11">
    <nd ref="1"/><nd ref="3"/><nd ref="2"/>
    <tag k="highway" v="residential"/>
  </way>
</osm>
"""


def test_missing_nodes_do_not_become_a_straight_link(tmp_path: Path) -> None:
    """The issue's case: way 10 is 1, 901, 902, 903, 2 and 901-903 are not in the file."""
    path = tmp_path / "clipped.osm"
    path.write_text(CLIPPED_XML)
    network = load_network(path, use_cache=False)
    assert sorted(network.node_osm_id.tolist()) == [1, 2]
    assert network.link_count == 2  # only way 11, through node 3
    assert set(network.link_way_id.tolist()) == {11}
    # Way 11 goes 1 -> 3 -> 2: two legs of ~0.64 km, not the 0.69 km straight line of way 10.
    k = network.find_link(network.node_index(1), network.node_index(2))
    straight_m = 0.0125 * 111_320 * np.cos(np.radians(60.17))
    assert straight_m == pytest.approx(692, abs=2)
    assert network.link_length_m[k] > 1.8 * straight_m
    assert network.report.ways_cut == 1
    assert "1 way(s) cut where their nodes are missing from the extract" in network.report.describe()


def test_a_way_cut_in_the_middle_keeps_both_sides_apart(tmp_path: Path) -> None:
    drawn = write_ascii_network(
        tmp_path,
        """
        a-b-c-d-e
        |       |
        f-------g
        """,
        [("abcde", {"highway": "residential"}), ("afge", {"highway": "residential"})],
        omit="c",
    )
    network = load_network(drawn.path, use_cache=False)
    assert letters(network, drawn) == {
        ("a", "b"), ("b", "a"), ("d", "e"), ("e", "d"), ("a", "e"), ("e", "a"),
    }  # fmt: skip
    assert link_length(network, drawn, "a", "b") == pytest.approx(200.0, rel=REL)
    assert link_length(network, drawn, "d", "e") == pytest.approx(200.0, rel=REL)
    # b to d is 200 m + the 1,200 m loop a-f-g-e + 200 m, not 400 m across the gap.
    b, d = network.node_index(drawn.osm_id("b")), network.node_index(drawn.osm_id("d"))
    assert dijkstra(network.matrix(network.link_length_m), indices=b)[d] == pytest.approx(1600.0, rel=REL)
    assert (network.report.ways_read, network.report.ways_cut) == (2, 1)


@pytest.mark.parametrize(
    ("omit", "ways_cut", "links"),
    [
        ("", 0, {("a", "e"), ("e", "a")}),  # nothing missing: one street a-e
        ("e", 1, {("a", "d"), ("d", "a")}),  # last node missing: the rest is kept
        ("a", 1, {("b", "e"), ("e", "b")}),  # first node missing
        ("bd", 1, set()),  # two gaps leave only c: nothing usable
        ("ad", 1, {("b", "c"), ("c", "b")}),  # a gap at each end of the b-c piece
    ],
)
def test_cuts_at_the_ends_and_several_gaps(
    tmp_path: Path, omit: str, ways_cut: int, links: set[tuple[str, str]]
) -> None:
    drawn = write_ascii_network(tmp_path, "a-b-c-d-e", [("abcde", {"highway": "residential"})], omit=omit)
    if not links:
        with pytest.raises(NoRoadsError):
            load_network(drawn.path, use_cache=False)
        return
    network = load_network(drawn.path, use_cache=False)
    assert letters(network, drawn) == links
    assert network.report.ways_cut == ways_cut


def test_each_cut_way_is_counted_once(tmp_path: Path) -> None:
    drawn = write_ascii_network(
        tmp_path,
        """
        a-b-c-d-e
        |   |   |
        f-g-h-i-j
        """,
        [
            ("abcde", {"highway": "residential"}),  # loses b and d: a, c, e are left alone, no piece
            ("fghij", {"highway": "residential"}),  # loses g: f alone, h-i-j kept
            ("af", {"highway": "residential"}),
            ("ch", {"highway": "residential"}),
            ("ej", {"highway": "residential"}),
        ],
        omit="bdg",
    )
    network = load_network(drawn.path, use_cache=False)
    assert network.report.ways_cut == 2
    assert network.report.ways_read == 4  # abcde has no piece of two nodes left
    # Left: a-f (its own part, dropped as the smaller one), and c-h, h-i-j, j-e joined at h and j.
    assert letters(network, drawn) == {
        ("c", "h"), ("h", "c"), ("h", "j"), ("j", "h"), ("j", "e"), ("e", "j"),
    }  # fmt: skip
    assert link_length(network, drawn, "h", "j") == pytest.approx(400.0, rel=REL)
    assert (network.report.nodes_dropped, network.report.components) == (2, 2)


# --- 8. reversible and alternating ways -----------------------------------------------------------

RING = """
    a---b
    |   |
    d---c
    """


@pytest.mark.parametrize("value", ["reversible", "alternating", "Reversible"])
def test_reversible_ways_are_not_driven(tmp_path: Path, value: str) -> None:
    drawn = write_ascii_network(
        tmp_path,
        RING,
        [("ab", {"highway": "primary", "oneway": value}), ("bcda", {"highway": "residential"})],
    )
    drive = load_network(drawn.path, TravelMode.DRIVE, use_cache=False)
    assert letters(drive, drawn) == {("a", "b"), ("b", "a")}  # the long way round only
    assert link_length(drive, drawn, "a", "b") == pytest.approx(800.0, rel=REL)  # b-c-d-a: 2 + 4 + 2 cells
    a, b = drive.node_index(drawn.osm_id("a")), drive.node_index(drawn.osm_id("b"))
    assert drive.road_class(drive.find_link(a, b)) == "residential"
    assert drive.report.ways_reversible == 1
    assert drive.report.ways_read == 1
    assert "1 reversible or alternating way(s) not used (their direction changes)" in drive.report.describe()
    # On foot the road is fine both ways.
    walk = load_network(drawn.path, TravelMode.WALK, use_cache=False)
    assert link_length(walk, drawn, "a", "b") == pytest.approx(400.0, rel=REL)
    assert walk.report.ways_reversible == 0


def test_ordinary_one_way_is_still_driven(tmp_path: Path) -> None:
    drawn = write_ascii_network(
        tmp_path,
        RING,
        [("ab", {"highway": "primary", "oneway": "yes"}), ("bcda", {"highway": "residential"})],
    )
    drive = load_network(drawn.path, TravelMode.DRIVE, use_cache=False)
    assert link_length(drive, drawn, "a", "b") == pytest.approx(400.0, rel=REL)
    assert drive.report.ways_reversible == 0
    assert "reversible" not in drive.report.describe()
