"""The rail network of an OSM extract: ``railway=rail`` lines and ``railway=station`` stations.

Read with pyosmium in two passes like the road reader (``network.osm_reader``): the railway ways
(``railway=rail``, service sidings included) and the station nodes, then the locations of the
nodes the lines use. The result is a small undirected graph in metres (lengths from the UTM
projection of ``network.projection``) with the stations snapped to their nearest rail node, enough
to say which station of the extract a scenario's station is and how far along the rails two
stations are. Trains leave the map (their destinations are places off the extract), so the fleet
solver uses the timetable's times for the run itself (``fleet.rail``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import osmium
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from safepassage.errors import OsmFileError
from safepassage.network.projection import Projector, utm_crs_for

__all__ = ["RailNetwork", "RailStation", "read_rail"]


@dataclass(frozen=True)
class RailStation:
    """A ``railway=station`` node: OSM id, name (``name`` tag, else empty), position, rail node."""

    osm_id: int
    name: str
    lat: float
    lon: float
    rail_node: int  # index into RailNetwork.node_*; -1 when no rail line is near


@dataclass(frozen=True, eq=False)
class RailNetwork:
    """Rail nodes (OSM ids, lat/lon, metres) and undirected track segments with lengths."""

    node_osm_id: npt.NDArray[np.int64]
    node_lat: npt.NDArray[np.float64]
    node_lon: npt.NDArray[np.float64]
    node_xy_m: npt.NDArray[np.float64]
    edge_u: npt.NDArray[np.int64]
    edge_v: npt.NDArray[np.int64]
    edge_length_m: npt.NDArray[np.float64]
    stations: tuple[RailStation, ...]

    def station_near(
        self, lat: float, lon: float, within_m: float = 500.0
    ) -> tuple[RailStation, float] | None:
        """The station nearest to (lat, lon) and its distance in metres, if within ``within_m``."""
        if not self.stations or not len(self.node_osm_id):
            return None
        projector = Projector(utm_crs_for(lon, lat))
        x, y = projector.to_xy(np.array([lon]), np.array([lat]))
        sx, sy = projector.to_xy(
            np.array([s.lon for s in self.stations]), np.array([s.lat for s in self.stations])
        )
        d = np.hypot(sx - x[0], sy - y[0])
        k = int(np.argmin(d))
        return (self.stations[k], float(d[k])) if d[k] <= within_m else None

    def track_distance_m(self, a: RailStation, b: RailStation) -> float:
        """Metres along the tracks between two stations; inf when no track joins them."""
        if a.rail_node < 0 or b.rail_node < 0:
            return math.inf
        n = len(self.node_osm_id)
        w = np.maximum(self.edge_length_m, 1e-9)
        graph = sp.csr_matrix(
            (
                np.concatenate([w, w]),
                (np.concatenate([self.edge_u, self.edge_v]), np.concatenate([self.edge_v, self.edge_u])),
            ),
            shape=(n, n),
        )
        return float(dijkstra(graph, indices=a.rail_node)[b.rail_node])


class _Collect(osmium.SimpleHandler):
    def __init__(self) -> None:
        super().__init__()
        self.ways: list[list[int]] = []
        self.stations: list[tuple[int, str, float, float]] = []

    def way(self, w: osmium.osm.Way) -> None:
        if w.tags.get("railway") == "rail":
            self.ways.append([n.ref for n in w.nodes])

    def node(self, n: osmium.osm.Node) -> None:
        if n.tags.get("railway") in ("station", "halt") and n.location.valid():
            self.stations.append((n.id, str(n.tags.get("name") or ""), n.location.lat, n.location.lon))


def read_rail(path: Path) -> RailNetwork:
    """The rail network of the OSM file at ``path`` (OsmFileError if it cannot be read)."""
    collect = _Collect()
    try:
        collect.apply_file(str(path), locations=True)
    except RuntimeError as exc:
        raise OsmFileError(f"{path}: cannot read the rail network: {exc}") from None
    locations: dict[int, tuple[float, float]] = {}
    wanted = {ref for way in collect.ways for ref in way}
    for obj in osmium.FileProcessor(str(path), osmium.osm.NODE):
        if isinstance(obj, osmium.osm.Node) and obj.id in wanted and obj.location.valid():
            locations[obj.id] = (obj.location.lat, obj.location.lon)
    ids = sorted(locations)
    index = {osm: k for k, osm in enumerate(ids)}
    lat = np.array([locations[i][0] for i in ids], dtype=np.float64)
    lon = np.array([locations[i][1] for i in ids], dtype=np.float64)
    projector = Projector(utm_crs_for(float(np.mean(lon)), float(np.mean(lat)))) if ids else None
    xy = np.column_stack(projector.to_xy(lon, lat)) if projector is not None else np.zeros((0, 2))
    us: list[int] = []
    vs: list[int] = []
    for way in collect.ways:
        for a, b in itertools.pairwise(way):
            if a in index and b in index:
                us.append(index[a])
                vs.append(index[b])
    u, v = np.array(us, dtype=np.int64), np.array(vs, dtype=np.int64)
    length = np.hypot(*(xy[u] - xy[v]).T) if len(us) else np.zeros(0)
    stations = []
    tree = cKDTree(xy) if len(ids) else None
    for osm_id, name, s_lat, s_lon in collect.stations:
        node = -1
        if tree is not None and projector is not None:
            sx, sy = projector.to_xy(np.array([s_lon]), np.array([s_lat]))
            dist, k = tree.query([sx[0], sy[0]])
            node = int(k) if dist <= 500.0 else -1
        stations.append(RailStation(int(osm_id), str(name), float(s_lat), float(s_lon), node))
    return RailNetwork(
        np.array(ids, dtype=np.int64),
        lat,
        lon,
        xy,
        u,
        v,
        np.asarray(length, dtype=np.float64),
        tuple(stations),
    )
