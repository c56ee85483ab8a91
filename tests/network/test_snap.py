"""Snapping points to the nearest network node, with distances checked against pyproj's Geod."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from safepassage.errors import OutsideExtractError
from safepassage.network import RoadNetwork, load_network, snap_points

GEOD = Geod(ellps="WGS84")


def geodesic_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def test_point_on_a_node_snaps_to_it_at_zero_distance(helsinki_drive: RoadNetwork) -> None:
    i = helsinki_drive.node_count // 2
    lat, lon = float(helsinki_drive.node_lat[i]), float(helsinki_drive.node_lon[i])
    (snap,) = snap_points(helsinki_drive, [("on the node", lat, lon)])
    assert snap.label == "on the node"
    assert snap.node == i
    assert snap.osm_id == int(helsinki_drive.node_osm_id[i])
    assert snap.distance_m == pytest.approx(0.0, abs=1e-6)


def test_distance_matches_the_geodesic(ascii_network) -> None:
    # A single street a-b (200 m); a point 30 m due north of a snaps to a, 30 m away.
    drawn = ascii_network("a-b", [("ab", {"highway": "residential"})])
    network = load_network(drawn.path, use_cache=False)
    lon, lat, _ = GEOD.fwd(drawn.lon("a"), drawn.lat("a"), 0.0, 30.0)
    (snap,) = snap_points(network, [("pickup", lat, lon)])
    assert snap.osm_id == drawn.osm_id("a")
    assert snap.distance_m == pytest.approx(30.0, rel=1e-3)
    # 120 m east of a (past the middle of a-b) is nearer b: 80 m.
    lon, lat, _ = GEOD.fwd(drawn.lon("a"), drawn.lat("a"), 90.0, 120.0)
    (snap,) = snap_points(network, [("pickup", lat, lon)])
    assert snap.osm_id == drawn.osm_id("b")
    assert snap.distance_m == pytest.approx(80.0, rel=1e-3)


def test_order_and_labels_are_kept(helsinki_drive: RoadNetwork) -> None:
    points = [("Senaatintori", 60.16935, 24.95150), ("Hakaniemi", 60.17870, 24.95050), ("x", 60.1700, 24.94)]
    snaps = snap_points(helsinki_drive, points)
    assert [s.label for s in snaps] == ["Senaatintori", "Hakaniemi", "x"]
    assert all(s.distance_m < 100 for s in snaps)


def test_no_points() -> None:
    assert snap_points(None, []) == []  # type: ignore[arg-type]


def test_points_outside_the_extract_are_all_named(helsinki_drive: RoadNetwork) -> None:
    points = [
        ("Senaatintori", 60.16935, 24.95150),
        ("Mariupol Drama Theatre", 47.09570, 37.54920),
        ("Espoo", 60.2055, 24.6559),
    ]
    with pytest.raises(OutsideExtractError) as info:
        snap_points(helsinki_drive, points)
    south, north = helsinki_drive.node_lat.min(), helsinki_drive.node_lat.max()
    west, east = helsinki_drive.node_lon.min(), helsinki_drive.node_lon.max()
    assert str(info.value) == (
        "Mariupol Drama Theatre at (47.09570, 37.54920); Espoo at (60.20550, 24.65590): outside the road "
        f"network's extract; expected points within lat {south:.4f}..{north:.4f}, lon {west:.4f}..{east:.4f}"
    )
    assert info.value.exit_code == 2
    assert info.value.code == "OUTSIDE_EXTRACT"


def test_a_point_just_beyond_the_last_road_still_snaps(helsinki_drive: RoadNetwork) -> None:
    # 1 km north of the northernmost node: outside the roads but within the 2 km margin.
    i = int(np.argmax(helsinki_drive.node_lat))
    lon, lat, _ = GEOD.fwd(float(helsinki_drive.node_lon[i]), float(helsinki_drive.node_lat[i]), 0.0, 1000.0)
    (snap,) = snap_points(helsinki_drive, [("north", lat, lon)])
    assert snap.distance_m == pytest.approx(1000.0, rel=2e-3)


@settings(max_examples=60, deadline=None)
@given(
    u=st.floats(min_value=0.0, max_value=1.0),
    v=st.floats(min_value=0.0, max_value=1.0),
)
def test_snap_is_the_geodesically_nearest_node(helsinki_drive: RoadNetwork, u: float, v: float) -> None:
    """Brute force over every node with pyproj's Geod: no node is nearer than the snapped one."""
    net = helsinki_drive
    lat = float(net.node_lat.min() + u * (net.node_lat.max() - net.node_lat.min()))
    lon = float(net.node_lon.min() + v * (net.node_lon.max() - net.node_lon.min()))
    (snap,) = snap_points(net, [("p", lat, lon)])
    _, _, all_m = GEOD.inv(
        np.full(net.node_count, lon), np.full(net.node_count, lat), net.node_lon, net.node_lat
    )
    nearest_m = float(np.min(all_m))
    to_snapped_m = float(all_m[snap.node])
    # UTM distances differ from geodesic ones by < 0.05 % here; allow that, not more.
    assert to_snapped_m <= nearest_m * 1.001 + 0.01
    assert snap.distance_m == pytest.approx(to_snapped_m, rel=1e-3, abs=0.01)
