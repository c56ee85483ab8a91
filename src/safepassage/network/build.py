"""Build a :class:`RoadNetwork` from OSM ways: split at intersections, orient, keep the largest
strongly connected part, sort into CSR arrays. Vectorised with numpy where the work is per point.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from safepassage.errors import NoRoadsError
from safepassage.network.access import oneway_direction
from safepassage.network.model import BuildReport, RoadNetwork
from safepassage.network.osm_reader import OsmExtract
from safepassage.network.projection import Projector, utm_crs_for
from safepassage.network.road_classes import ROAD_CLASSES, lanes_per_direction, way_speed_kmh
from safepassage.scenario.vocabulary import TravelMode

__all__ = ["WALKING_SPEED_KMH", "build_network"]

#: Speed used for the stored walking travel time (the scenario's walking speed overrides it).
WALKING_SPEED_KMH = 1.2 * 3.6
_CLASS_INDEX = {name: i for i, name in enumerate(ROAD_CLASSES)}


def build_network(
    extract: OsmExtract, mode: TravelMode, *, source_sha256: str, source_label: str
) -> RoadNetwork:
    """Turn usable ways into a directed, strongly connected road network for ``mode``.

    Pieces of one way cut at missing nodes stay apart (nothing joins the two sides of a gap).
    Raises :class:`NoRoadsError` when nothing usable by ``mode`` is left.
    """
    ways = extract.ways
    if not ways:
        raise NoRoadsError(
            f"{source_label}: the extract has no roads usable for {mode.value}; "
            "expected highway ways (e.g. highway=residential) inside the extract"
        )
    uses = Counter(n for way in ways for n in way.node_ids)
    for way in ways:  # way ends are always graph nodes
        uses[way.node_ids[0]] += 2
        uses[way.node_ids[-1]] += 2

    seg_tail: list[int] = []
    seg_head: list[int] = []
    seg_way: list[int] = []
    seg_class: list[int] = []
    seg_oneway: list[int] = []
    seg_speed: list[float] = []
    seg_lanes: list[float] = []
    seg_name: list[str] = []
    geom_lon: list[float] = []
    geom_lat: list[float] = []
    geom_len: list[int] = []
    for way in ways:
        oneway = oneway_direction(way.road_class, way.tags, mode)
        speed = WALKING_SPEED_KMH if mode is TravelMode.WALK else way_speed_kmh(way.road_class, way.tags)
        lanes = lanes_per_direction(way.tags, oneway, way.road_class)
        name = way.tags.get("name") or way.tags.get("ref") or ""
        start = 0
        for i in range(1, len(way.node_ids)):
            if uses[way.node_ids[i]] < 2 and i < len(way.node_ids) - 1:
                continue
            if way.node_ids[start] != way.node_ids[i]:
                seg_tail.append(way.node_ids[start])
                seg_head.append(way.node_ids[i])
                seg_way.append(way.way_id)
                seg_class.append(_CLASS_INDEX[way.road_class])
                seg_oneway.append(oneway)
                seg_speed.append(speed)
                seg_lanes.append(lanes)
                seg_name.append(name)
                geom_lon.extend(way.lons[start : i + 1])
                geom_lat.extend(way.lats[start : i + 1])
                geom_len.append(i + 1 - start)
            start = i
    if not seg_tail:
        raise NoRoadsError(f"{source_label}: the extract's roads form no links for {mode.value}")

    lon = np.asarray(geom_lon)
    lat = np.asarray(geom_lat)
    crs = utm_crs_for(float(np.median(lon)), float(np.median(lat)))
    projector = Projector(crs)
    x, y = projector.to_xy(lon, lat)
    geom_indptr = np.zeros(len(geom_len) + 1, dtype=np.int64)
    np.cumsum(geom_len, out=geom_indptr[1:])
    # Length of segment k (points a..b-1) = sum of steps a..b-2, via a running sum.
    running = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])
    seg_length = running[geom_indptr[1:] - 1] - running[geom_indptr[:-1]]
    seg_length = np.maximum(seg_length, 0.1)

    oneway_arr = np.asarray(seg_oneway)
    fwd = np.flatnonzero(oneway_arr >= 0)
    bwd = np.flatnonzero(oneway_arr <= 0)
    seg_of_link = np.concatenate([fwd, bwd])
    reversed_link = np.concatenate([np.zeros(fwd.size, bool), np.ones(bwd.size, bool)])
    tails_osm = np.asarray(seg_tail, dtype=np.int64)
    heads_osm = np.asarray(seg_head, dtype=np.int64)
    link_tail_osm = np.where(reversed_link, heads_osm[seg_of_link], tails_osm[seg_of_link])
    link_head_osm = np.where(reversed_link, tails_osm[seg_of_link], heads_osm[seg_of_link])

    node_osm, inverse = np.unique(np.concatenate([link_tail_osm, link_head_osm]), return_inverse=True)
    m = link_tail_osm.shape[0]
    tail, head = inverse[:m], inverse[m:]
    n = node_osm.shape[0]

    graph = csr_matrix((np.ones(m), (tail, head)), shape=(n, n))
    n_parts, labels = connected_components(graph, directed=True, connection="strong")
    largest = np.bincount(labels).argmax()
    keep_node = labels == largest
    keep_link = keep_node[tail] & keep_node[head]
    if not keep_link.any():
        raise NoRoadsError(
            f"{source_label}: no two places on the {mode.value} roads can reach each other both ways "
            "(e.g. only one-way streets); expected a connected road network"
        )
    new_index = np.cumsum(keep_node) - 1
    tail = new_index[tail[keep_link]]
    head = new_index[head[keep_link]]
    seg_of_link = seg_of_link[keep_link]
    reversed_link = reversed_link[keep_link]
    node_osm = node_osm[keep_node]

    order = np.lexsort((head, tail))
    tail, head = tail[order], head[order]
    seg_of_link, reversed_link = seg_of_link[order], reversed_link[order]

    # Link geometry: the segment's points, reversed for backward links.
    counts = np.diff(geom_indptr)[seg_of_link]
    link_geom_indptr = np.zeros(seg_of_link.size + 1, dtype=np.int64)
    np.cumsum(counts, out=link_geom_indptr[1:])
    point_link = np.repeat(np.arange(seg_of_link.size), counts)
    offset = np.arange(link_geom_indptr[-1]) - link_geom_indptr[point_link]
    src_start = geom_indptr[seg_of_link][point_link]
    src_offset = np.where(reversed_link[point_link], counts[point_link] - 1 - offset, offset)
    src = src_start + src_offset

    node_lonlat: dict[int, int] = {}
    ends = np.concatenate([geom_indptr[:-1], geom_indptr[1:] - 1])
    for osm_id, idx in zip(np.concatenate([tails_osm, heads_osm]).tolist(), ends.tolist(), strict=True):
        node_lonlat.setdefault(osm_id, idx)
    node_point = np.array([node_lonlat[int(o)] for o in node_osm.tolist()], dtype=np.int64)

    n_kept = node_osm.shape[0]
    indptr = np.searchsorted(tail, np.arange(n_kept + 1)).astype(np.int64)

    speed = np.asarray(seg_speed)[seg_of_link]
    length = seg_length[seg_of_link]
    return RoadNetwork(
        mode=mode,
        source_sha256=source_sha256,
        crs=crs,
        node_osm_id=node_osm.astype(np.int64),
        node_lat=lat[node_point],
        node_lon=lon[node_point],
        node_x_m=x[node_point],
        node_y_m=y[node_point],
        indptr=indptr,
        link_tail=tail.astype(np.int64),
        link_head=head.astype(np.int64),
        link_way_id=np.asarray(seg_way, dtype=np.int64)[seg_of_link],
        link_length_m=length,
        link_travel_time_s=length / (speed / 3.6),
        link_speed_kmh=speed,
        link_lanes=np.asarray(seg_lanes)[seg_of_link],
        link_road_class=np.asarray(seg_class, dtype=np.int64)[seg_of_link],
        link_name=np.asarray(seg_name, dtype=np.str_)[seg_of_link]
        if seg_name
        else np.asarray([], dtype=np.str_),
        geom_indptr=link_geom_indptr,
        geom_lat=lat[src],
        geom_lon=lon[src],
        report=BuildReport(
            ways_read=len({way.way_id for way in ways}),
            nodes_kept=int(n_kept),
            links_kept=int(tail.shape[0]),
            nodes_dropped=int(n - n_kept),
            links_dropped=int(m - tail.shape[0]),
            components=int(n_parts),
            ways_cut=extract.ways_cut,
            ways_reversible=extract.ways_reversible,
        ),
    )
