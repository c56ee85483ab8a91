"""GeoJSON (RFC 7946, lon/lat WGS84) of a scenario, its plan and routes: the one writer of map layers.

:func:`map_features` gives every layer of a scenario, in this order: ``closure`` (each road closure
interval), ``hazard``, ``corridor``, ``exclusion_zone``, ``restricted_area``, ``origin``,
``destination`` and, with a plan, ``movement`` (each group's path along the real roads); each
feature's ``properties.layer`` names its layer. ``safepassage demo`` and ``safepassage plan
--geojson`` both write these with :func:`write_map`; ``route --geojson`` writes one ``route``
feature. Circles (hazard radii, exclusion zones) are written as polygons, since GeoJSON has no
circle; the radius is kept in the feature's properties. Every time is ISO 8601 in the scenario's
zone with the offset in force at that instant (``safepassage.local_time``). Files are written
atomically, with the user's umask (``safepassage.atomic_file``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from safepassage.atomic_file import atomic_text_output
from safepassage.hazards import LinkClosures, area_shape, credibility, link_closures, route_shape
from safepassage.local_time import iso_text
from safepassage.network import Projector, RoadNetwork
from safepassage.scenario.model import Area, Scenario
from safepassage.scenario.vocabulary import TravelMode

if TYPE_CHECKING:
    from safepassage.planner.plan_file import Plan

__all__ = [
    "Feature",
    "area_features",
    "closure_features",
    "feature_collection",
    "hazard_features",
    "map_features",
    "movement_features",
    "path_feature",
    "write_geojson",
    "write_map",
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
    zone = scenario.zone()
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
                    "from": iso_text(scenario.at(begin), zone) if np.isfinite(begin) else None,
                    "to": iso_text(scenario.at(end), zone) if np.isfinite(end) else None,
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
                "observed_at": iso_text(h.observed_at, scenario.zone()),
                "fatalities": h.fatalities,
                **_area_props(h.area),
            },
        )
        for h in scenario.hazards
    ]


def area_features(scenario: Scenario, projector: Projector) -> list[Feature]:
    """Corridors (buffered routes), exclusion zones, restricted areas and curfew areas."""
    features: list[Feature] = []
    zone = scenario.zone()
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
                    "windows": [
                        [iso_text(w.start, zone), iso_text(w.end, zone)] for w in c.ceasefire_windows
                    ],
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


def movement_features(
    plan: Plan, networks: Mapping[TravelMode, RoadNetwork], zone: dt.tzinfo | None = None
) -> list[Feature]:
    """One LineString per movement, with who, how many, when (ISO, in ``zone``) and the exposure.

    ``zone``: the scenario's (``Scenario.zone()``); default the offset of the plan's start.
    """
    local = zone or plan.start.tzinfo or dt.UTC
    features: list[Feature] = []
    for index, movement in enumerate(plan.movements):
        network = networks[movement.mode]
        nodes = [network.node_index(n) for n in movement.path]
        links = [network.find_link(u, v) for u, v in itertools.pairwise(nodes)]
        features.append(
            path_feature(
                network,
                links,
                {
                    "layer": "movement",
                    "movement": index,
                    "origin": movement.origin,
                    "destination": movement.destination,
                    "people": movement.people,
                    "mode": movement.mode.value,
                    "departure": iso_text(movement.departure, local),
                    "arrival": iso_text(plan.at(movement.arrival_s), local),
                    "exposure": round(movement.exposure, 4),
                },
            )
        )
    return features


def _main_network(networks: Mapping[TravelMode, RoadNetwork]) -> RoadNetwork:
    return networks[TravelMode.DRIVE] if TravelMode.DRIVE in networks else next(iter(networks.values()))


def map_features(
    scenario: Scenario,
    networks: Mapping[TravelMode, RoadNetwork],
    plan: Plan | None = None,
    *,
    closures: LinkClosures | None = None,
) -> list[Feature]:
    """Every layer of the scenario (and of ``plan``, when given), in the order the module lists.

    Closures are those of the driving network (else the only one); pass ``closures`` when they
    are computed already (``link_closures(network, scenario)``).
    """
    network = _main_network(networks)
    projector = Projector(network.crs)
    if closures is None:
        closures = link_closures(network, scenario)
    features = closure_features(network, closures, scenario)
    features += hazard_features(scenario, projector)
    features += area_features(scenario, projector)
    if plan is not None:
        features += movement_features(plan, networks, scenario.zone())
    return features


def write_map(
    path: Path,
    scenario: Scenario,
    networks: Mapping[TravelMode, RoadNetwork],
    plan: Plan | None = None,
    *,
    closures: LinkClosures | None = None,
) -> int:
    """Write :func:`map_features` to ``path`` (see :func:`write_geojson`); returns the feature count."""
    features = map_features(scenario, networks, plan, closures=closures)
    write_geojson(path, features)
    return len(features)


def feature_collection(features: Iterable[Feature]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of ``features``."""
    return {"type": "FeatureCollection", "features": list(features)}


def write_geojson(path: Path, features: Iterable[Feature]) -> None:
    """Write a FeatureCollection atomically (folders created; file mode from the user's umask)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_text_output(path) as handle:
        json.dump(feature_collection(features), handle)
