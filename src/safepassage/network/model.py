"""The road network as compact arrays: nodes, directed links in CSR order, link geometry.

A :class:`RoadNetwork` is what the extract stage produces and the cache stores. It never changes
after it is built: hazards, closures and curfews change *weights and availability per time*
(``safepassage.hazards``), never the graph (the OSRM split between extract and customise).

Nodes are OSM intersection nodes (where ways meet or end). Each directed link follows one OSM way
from one such node to the next; its intermediate shape points are kept as geometry so that an
incident's radius is tested against the real road, not a straight line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from safepassage.network.road_classes import ROAD_CLASSES
from safepassage.scenario.model import CapacityModel
from safepassage.scenario.vocabulary import TravelMode

__all__ = ["BuildReport", "RoadNetwork"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class BuildReport:
    """What building the network kept and dropped, for a coordinator to see.

    ``ways_read``: usable ways read (a way cut in pieces counts once). ``ways_cut``: ways with nodes
    missing from the extract, split at each gap (no link crosses a gap). ``ways_reversible``:
    ``oneway=reversible``/``alternating`` ways left out of the drive network (their direction
    changes, so no plan can rely on it).
    """

    ways_read: int
    nodes_kept: int
    links_kept: int
    nodes_dropped: int
    links_dropped: int
    components: int
    ways_cut: int = 0
    ways_reversible: int = 0

    def describe(self) -> str:
        text = f"{self.nodes_kept} nodes and {self.links_kept} links from {self.ways_read} ways"
        if self.nodes_dropped or self.links_dropped:
            text += (
                f"; dropped {self.nodes_dropped} nodes and {self.links_dropped} links outside the "
                f"largest strongly connected part ({self.components} parts in all)"
            )
        if self.ways_cut:
            text += (
                f"; {self.ways_cut} way(s) cut where their nodes are missing from the extract "
                "(clipped at its edge)"
            )
        if self.ways_reversible:
            text += (
                f"; {self.ways_reversible} reversible or alternating way(s) not used "
                "(their direction changes)"
            )
        return text


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """Directed road graph for one travel mode; links sorted by tail node (CSR)."""

    mode: TravelMode
    source_sha256: str
    crs: str  # metric projection used for x/y (UTM zone of the extract)
    node_osm_id: IntArray
    node_lat: FloatArray
    node_lon: FloatArray
    node_x_m: FloatArray
    node_y_m: FloatArray
    indptr: IntArray  # CSR: links of node i are indptr[i]:indptr[i+1]
    link_tail: IntArray
    link_head: IntArray
    link_way_id: IntArray
    link_length_m: FloatArray
    link_travel_time_s: FloatArray
    link_speed_kmh: FloatArray
    link_lanes: FloatArray
    link_road_class: IntArray  # index into ROAD_CLASSES
    link_name: npt.NDArray[np.str_]
    geom_indptr: IntArray  # shape points of link k are geom_*[geom_indptr[k]:geom_indptr[k+1]]
    geom_lat: FloatArray
    geom_lon: FloatArray
    report: BuildReport
    _osm_index: dict[int, int] = field(default_factory=dict, repr=False)

    @property
    def node_count(self) -> int:
        return int(self.node_osm_id.shape[0])

    @property
    def link_count(self) -> int:
        return int(self.link_tail.shape[0])

    def node_index(self, osm_id: int) -> int:
        """Internal index of an OSM node id (KeyError if the node is not in the network)."""
        if not self._osm_index:
            self._osm_index.update({int(o): i for i, o in enumerate(self.node_osm_id.tolist())})
        return self._osm_index[int(osm_id)]

    def road_class(self, link: int) -> str:
        return ROAD_CLASSES[int(self.link_road_class[link])]

    def link_coords(self, link: int) -> list[tuple[float, float]]:
        """(lon, lat) points of a link from tail to head, shape points included."""
        lo, hi = int(self.geom_indptr[link]), int(self.geom_indptr[link + 1])
        return list(zip(self.geom_lon[lo:hi].tolist(), self.geom_lat[lo:hi].tolist(), strict=True))

    def find_link(self, tail: int, head: int) -> int:
        """Fastest link from node ``tail`` to node ``head`` (internal indices); -1 if none."""
        lo, hi = int(self.indptr[tail]), int(self.indptr[tail + 1])
        candidates = np.flatnonzero(self.link_head[lo:hi] == head)
        if candidates.size == 0:
            return -1
        best = candidates[np.argmin(self.link_travel_time_s[lo + candidates])]
        return lo + int(best)

    def matrix(self, weights: FloatArray) -> sp.csr_matrix:
        """A sparse n×n matrix with ``weights`` per link (for scipy.sparse.csgraph).

        Parallel links are merged keeping the smallest weight; links with infinite weight are
        left out (closed).
        """
        keep = np.isfinite(weights)
        tails, heads, w = self.link_tail[keep], self.link_head[keep], weights[keep]
        order = np.lexsort((w, heads, tails))
        tails, heads, w = tails[order], heads[order], w[order]
        first = np.ones(tails.shape[0], dtype=bool)
        first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
        n = self.node_count
        # csgraph treats explicit zeros as missing edges; keep a tiny positive weight instead.
        w = np.maximum(w[first], 1e-9)
        return sp.csr_matrix((w, (tails[first], heads[first])), shape=(n, n))

    def travel_time_s(self, capacity: CapacityModel) -> FloatArray:
        """Free-flow travel time per link; walking uses the scenario's walking speed."""
        if self.mode is TravelMode.WALK:
            return self.link_length_m / capacity.walking_speed_mps
        return self.link_travel_time_s

    def capacity_people_per_step(self, capacity: CapacityModel, time_step_s: float) -> FloatArray:
        """People each link can take in per time step under the scenario's capacity model."""
        if self.mode is TravelMode.WALK:
            per_s = capacity.pedestrian_flow_per_m_per_s * capacity.walkway_width_m
            return np.full(self.link_count, per_s * time_step_s)
        table = capacity.vehicles_per_hour_per_lane
        fallback = min(table.values()) if table else 300.0
        per_class = np.array([table.get(name, fallback) for name in ROAD_CLASSES])
        vehicles_per_h = per_class[self.link_road_class] * self.link_lanes
        return vehicles_per_h * capacity.people_per_vehicle * time_step_s / 3600.0
