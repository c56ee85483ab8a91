"""GeoJSON (RFC 7946, lon/lat WGS84) of routes, closures, hazards and scenario areas.

Circles (hazard radii, exclusion zones) are written as polygons, since GeoJSON has no circle; the
radius is kept in the feature's properties. Files are written atomically (temp file + rename).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from safepassage.hazards import LinkClosures, area_shape, credibility, route_shape
from safepassage.network import Projector, RoadNetwork
from safepassage.scenario.model import Area, Scenario

__all__ = [
    "Feature",
    "area_features",
    "closure_features",
    "feature_collection",
    "hazard_features",
    "path_feature",
    "write_geojson",
]

Feature = dict[str, Any]


def path_feature(network: RoadNetwork, links: Sequence[int], properties: dict[str, Any]) -> Feature:
    """A LineString following the real road geometry of ``links`` in order."""
    coords: list[tuple[float, float]] = []
    for link in links:
        points = network.link_coords(link)
        coords.extend(points if not coords else points[1:])
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [list(p) for p in coords]},
        "properties": properties,
    }


def closure_features(network: RoadNetwork, closures: LinkClosures, scenario: Scenario) -> list[Feature]:
    """One LineString per closure interval, with its reason and ISO from/to (null = open-ended)."""
    features: list[Feature] = []
    for i in range(closures.link.shape[0]):
        link = int(closures.link[i])
        begin, end = float(closures.from_s[i]), float(closures.to_s[i])
        features.append(
            path_feature(
                network,
                [link],
                {
                    "layer": "closure",
                    "u": int(network.node_osm_id[network.link_tail[link]]),
                    "v": int(network.node_osm_id[network.link_head[link]]),
                    "reason": closures.reason[i],
                    "from": scenario.at(begin).isoformat() if np.isfinite(begin) else None,
                    "to": scenario.at(end).isoformat() if np.isfinite(end) else None,
                },
            )
        )
    return features


def _shape_feature(shape: BaseGeometry, projector: Projector, properties: dict[str, Any]) -> Feature:
    lonlat = shapely.transform(shape, lambda xy: np.column_stack(projector.to_lonlat(xy[:, 0], xy[:, 1])))
    return {"type": "Feature", "geometry": mapping(lonlat), "properties": properties}


def _area_props(area: Area) -> dict[str, Any]:
    return {"radius_m": area.radius_m} if area.is_circle else {}


def hazard_features(scenario: Scenario, projector: Projector) -> list[Feature]:
    """Each hazard report's area, with kind, source, verification and credibility."""
    return [
        _shape_feature(
            area_shape(h.area, projector),
            projector,
            {
                "layer": "hazard",
                "id": h.id,
                "kind": h.kind.value,
                "source": h.source.name,
                "source_type": h.source.type.value,
                "verification": h.verification.value,
                "credibility": credibility(h.source.type, h.verification),
                "observed_at": h.observed_at.isoformat(),
                "fatalities": h.fatalities,
                **_area_props(h.area),
            },
        )
        for h in scenario.hazards
    ]


def area_features(scenario: Scenario, projector: Projector) -> list[Feature]:
    """Corridors (buffered routes), exclusion zones, restricted areas and curfew areas."""
    features: list[Feature] = []
    for c in scenario.corridors:
        features.append(
            _shape_feature(
                route_shape(c.route, c.buffer_m, projector),
                projector,
                {
                    "layer": "corridor",
                    "id": c.id,
                    "name": c.name,
                    "status": c.status.value,
                    "windows": [[w.start.isoformat(), w.end.isoformat()] for w in c.ceasefire_windows],
                },
            )
        )
    for z in scenario.exclusion_zones:
        features.append(
            _shape_feature(
                area_shape(z.area, projector),
                projector,
                {"layer": "exclusion_zone", "id": z.id, "name": z.name, **_area_props(z.area)},
            )
        )
    for r in scenario.restricted_areas:
        features.append(
            _shape_feature(
                area_shape(r.area, projector),
                projector,
                {
                    "layer": "restricted_area",
                    "id": r.id,
                    "name": r.name,
                    "applies_to": r.applies_to,
                    "allowed_cargo": [c.value for c in r.allowed_cargo],
                    "allowed_vehicle_classes": [v.value for v in r.allowed_vehicle_classes],
                },
            )
        )
    for o in scenario.origins:
        features.append(_point("origin", o.id, o.name, o.lon, o.lat, people=o.people))
    for d in scenario.destinations:
        features.append(_point("destination", d.id, d.name, d.lon, d.lat, capacity=d.capacity))
    return features


def _point(layer: str, ident: str, name: str, lon: float, lat: float, **extra: Any) -> Feature:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"layer": layer, "id": ident, "name": name, **extra},
    }


def feature_collection(features: Iterable[Feature]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def write_geojson(path: Path, features: Iterable[Feature]) -> None:
    """Write a FeatureCollection atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(feature_collection(features), handle)
    os.replace(tmp, path)
