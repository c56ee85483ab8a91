"""The circle (centre, radius in metres) that covers a feed's shapes: points, polygons, circles.

A report carries one location and one radius; CAP and GeoJSON may give polygons. We place the
report at the centroid of the shapes' convex hull and take as radius the geodesic distance to the
farthest vertex (or circle edge): the circle covers the whole area, never less.
"""

from __future__ import annotations

from collections.abc import Sequence

import shapely
from pyproj import Geod

__all__ = ["covering_circle"]

_GEOD = Geod(ellps="WGS84")


def covering_circle(
    vertices_lonlat: Sequence[tuple[float, float]],
    circles: Sequence[tuple[float, float, float]] = (),
    min_radius_m: float = 0.0,
) -> tuple[float, float, float]:
    """(lat, lon, radius_m) of a circle covering the vertices and the (lon, lat, radius_m) circles.

    Raises ValueError when given nothing to cover.
    """
    points = [*vertices_lonlat, *((lon, lat) for lon, lat, _ in circles)]
    if not points:
        raise ValueError("no coordinates to place the report")
    centre = shapely.convex_hull(shapely.multipoints(points)).centroid
    lon0, lat0 = float(centre.x), float(centre.y)
    radius = min_radius_m
    for lon, lat in vertices_lonlat:
        radius = max(radius, _distance_m(lon0, lat0, lon, lat))
    for lon, lat, circle_radius_m in circles:
        radius = max(radius, _distance_m(lon0, lat0, lon, lat) + circle_radius_m)
    return lat0, lon0, radius


def _distance_m(lon0: float, lat0: float, lon1: float, lat1: float) -> float:
    _, _, distance = _GEOD.inv(lon0, lat0, lon1, lat1)
    return float(distance)
