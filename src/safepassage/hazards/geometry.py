"""Scenario areas and corridor routes as metric shapes, and which links they touch.

Links are tested with their real geometry (all shape points), through a shapely STRtree built once
per network, so a shelling radius that covers the middle of a long road closes that road.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from safepassage.network.model import RoadNetwork
from safepassage.network.projection import Projector
from safepassage.scenario.model import Area, Waypoint

__all__ = ["LinkIndex", "area_shape", "link_index", "route_shape"]

BoolArray = npt.NDArray[np.bool_]


def area_shape(area: Area, projector: Projector) -> BaseGeometry:
    """The area as a shapely geometry in the projector's metric CRS."""
    if area.polygon is not None:
        lats = [p[0] for p in area.polygon]
        lons = [p[1] for p in area.polygon]
        x, y = projector.to_xy(lons, lats)
        return shapely.make_valid(shapely.Polygon(np.column_stack([x, y])))
    assert area.lat is not None
    assert area.lon is not None
    assert area.radius_m is not None
    x, y = projector.to_xy([area.lon], [area.lat])
    return shapely.Point(float(x[0]), float(y[0])).buffer(area.radius_m, quad_segs=16)


def route_shape(route: list[Waypoint], buffer_m: float, projector: Projector) -> BaseGeometry:
    """A corridor: the polyline through its waypoints, widened by ``buffer_m`` on each side."""
    x, y = projector.to_xy([w.lon for w in route], [w.lat for w in route])
    return shapely.LineString(np.column_stack([x, y])).buffer(buffer_m)


class LinkIndex:
    """Links and nodes of one network in metric coordinates, with a spatial index."""

    def __init__(self, network: RoadNetwork) -> None:
        self.network = network
        self.projector = Projector(network.crs)
        gx, gy = self.projector.to_xy(network.geom_lon, network.geom_lat)
        counts = np.diff(network.geom_indptr)
        owner = np.repeat(np.arange(network.link_count), counts)
        self.lines = shapely.linestrings(np.column_stack([gx, gy]), indices=owner)
        self.tree = shapely.STRtree(self.lines)

    def links_touching(self, shape: BaseGeometry) -> BoolArray:
        """Mask of links whose geometry intersects ``shape``."""
        mask = np.zeros(self.network.link_count, dtype=bool)
        mask[self.tree.query(shape, predicate="intersects")] = True
        return mask

    def nodes_inside(self, shape: BaseGeometry) -> BoolArray:
        """Mask of nodes lying inside (or on the edge of) ``shape``."""
        return np.asarray(
            shapely.intersects_xy(shape, self.network.node_x_m, self.network.node_y_m), dtype=bool
        )


@lru_cache(maxsize=8)
def link_index(network: RoadNetwork) -> LinkIndex:
    """The (cached) spatial index of a network's links."""
    return LinkIndex(network)
