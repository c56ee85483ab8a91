"""Snap points (origins, destinations, waypoints) to the nearest network node, in metres."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from safepassage.errors import OutsideExtractError
from safepassage.network.model import RoadNetwork
from safepassage.network.projection import Projector

__all__ = ["EXTRACT_MARGIN_M", "Snap", "snap_points"]

#: A point farther than this outside the bounding box of the network's nodes is "outside the
#: extract" (an error); closer points snap, and validate warns above 500 m.
EXTRACT_MARGIN_M = 2_000.0


@dataclass(frozen=True)
class Snap:
    """Where a point landed on the network and how far it had to move."""

    label: str
    node: int  # internal node index
    osm_id: int
    distance_m: float


def snap_points(network: RoadNetwork, points: list[tuple[str, float, float]]) -> list[Snap]:
    """Snap ``(label, lat, lon)`` points to their nearest nodes.

    Raises :class:`OutsideExtractError` naming every point that lies outside the extract.
    """
    if not points:
        return []
    projector = Projector(network.crs)
    lats = np.array([p[1] for p in points])
    lons = np.array([p[2] for p in points])
    x, y = projector.to_xy(lons, lats)
    outside = (
        (x < network.node_x_m.min() - EXTRACT_MARGIN_M)
        | (x > network.node_x_m.max() + EXTRACT_MARGIN_M)
        | (y < network.node_y_m.min() - EXTRACT_MARGIN_M)
        | (y > network.node_y_m.max() + EXTRACT_MARGIN_M)
    )
    if outside.any():
        south, north = float(network.node_lat.min()), float(network.node_lat.max())
        west, east = float(network.node_lon.min()), float(network.node_lon.max())
        names = "; ".join(
            f"{points[i][0]} at ({lats[i]:.5f}, {lons[i]:.5f})" for i in np.flatnonzero(outside)
        )
        raise OutsideExtractError(
            f"{names}: outside the road network's extract; expected points within "
            f"lat {south:.4f}..{north:.4f}, lon {west:.4f}..{east:.4f}"
        )
    tree = cKDTree(np.column_stack([network.node_x_m, network.node_y_m]))
    distance, node = tree.query(np.column_stack([x, y]))
    return [
        Snap(label, int(n), int(network.node_osm_id[n]), float(d))
        for (label, _, _), n, d in zip(points, node.tolist(), distance.tolist(), strict=True)
    ]
