"""Every point and area a coordinator typed, checked against the road network it is planned on.

A coordinate typed wrong (latitude and longitude swapped, a digit dropped) puts a hazard, a zone or
a pickup point off the map: nothing it should close is closed and the plan silently ignores it.
``safepassage validate`` reports these, and ``plan`` and ``route`` refuse them
(``safepassage.validation.require_ready``). The rules:

- **Points** (origins, destinations, corridor waypoints, a circle's centre, a polygon's corner)
  farther than :data:`~safepassage.network.snap.EXTRACT_MARGIN_M` (2 km) outside the bounding box
  of the network's nodes lie off the map: error (for origins and destinations the
  ``OUTSIDE_EXTRACT`` error snapping has always raised). When the point with lat and lon swapped
  lies on the map, the message asks "did you swap lat and lon?".
- **Areas** may reach beyond the map (a 30 km zone around a plant outside a city extract), so a
  circle or polygon is an error only when it does not reach the map at all, or when its centre
  (a corner) is off the map and lies on it with lat and lon swapped. An area on the map that touches
  no road link closes nothing and adds no risk: warning. The same for a corridor whose buffer
  touches no road.
- **Polygons** whose edges cross (shapely's ``is_valid_reason``): error naming where.
- **Blockage links** ``[u, v]``: both must be road intersections of the network, and one road
  segment must join them (in either direction); otherwise the blockage closes nothing: error.

Distances to the map are geodesic (``pyproj.Geod``), so a point on the far side of the world is
measured correctly whatever the network's metric projection.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from safepassage.errors import OutsideExtractError
from safepassage.finding import Finding
from safepassage.hazards import area_shape, link_index, route_shape
from safepassage.network import RoadNetwork
from safepassage.network.projection import Projector
from safepassage.network.snap import EXTRACT_MARGIN_M
from safepassage.scenario.model import Area, Scenario
from safepassage.scenario.vocabulary import TravelMode

__all__ = ["MapExtent", "geometry_findings", "require_places_on_map"]

_GEOD = Geod(ellps="WGS84")
_METRES_PER_DEGREE = 111_320.0
_SHOWN_NEIGHBOURS = 8


@dataclass(frozen=True)
class _Box:
    projector: Projector
    min_x: float
    min_y: float
    max_x: float
    max_y: float


@dataclass(frozen=True)
class MapExtent:
    """Where the road networks lie: the bounding box of their nodes, in degrees and per network in
    metres (the projected box is the one ``snap_points`` uses)."""

    south: float
    north: float
    west: float
    east: float
    boxes: tuple[_Box, ...]

    @classmethod
    def of(cls, networks: Iterable[RoadNetwork]) -> MapExtent:
        nets = list(networks)
        boxes = tuple(
            _Box(
                Projector(n.crs),
                float(n.node_x_m.min()),
                float(n.node_y_m.min()),
                float(n.node_x_m.max()),
                float(n.node_y_m.max()),
            )
            for n in nets
        )
        return cls(
            south=min(float(n.node_lat.min()) for n in nets),
            north=max(float(n.node_lat.max()) for n in nets),
            west=min(float(n.node_lon.min()) for n in nets),
            east=max(float(n.node_lon.max()) for n in nets),
            boxes=boxes,
        )

    def describe(self) -> str:
        return f"lat {self.south:.4f}..{self.north:.4f}, lon {self.west:.4f}..{self.east:.4f}"

    def distance_m(self, lat: float, lon: float) -> float:
        """Geodesic metres from (lat, lon) to the nearest point of the box (0 inside)."""
        near_lat = min(max(lat, self.south), self.north)
        near_lon = min(max(lon, self.west), self.east)
        if (near_lat, near_lon) == (lat, lon):
            return 0.0
        _, _, metres = _GEOD.inv(lon, lat, near_lon, near_lat)
        return float(metres)

    def holds(self, lat: float, lon: float) -> bool:
        """Whether the point lies on the map (within the margin of the box, and of a network's
        projected box, as snapping requires)."""
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            return False
        if self.distance_m(lat, lon) > EXTRACT_MARGIN_M:
            return False
        for box in self.boxes:
            x, y = box.projector.to_xy([lon], [lat])
            px, py = float(x[0]), float(y[0])
            m = EXTRACT_MARGIN_M
            if box.min_x - m <= px <= box.max_x + m and box.min_y - m <= py <= box.max_y + m:
                return True
        return False

    def reaches_polygon(self, corners: list[tuple[float, float]]) -> bool:
        """Whether a polygon of (lat, lon) corners meets the box widened by the margin."""
        if not all(-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0 for lat, lon in corners):
            return False
        widest = max(abs(self.south), abs(self.north))
        d_lat = EXTRACT_MARGIN_M / _METRES_PER_DEGREE
        d_lon = EXTRACT_MARGIN_M / (_METRES_PER_DEGREE * max(math.cos(math.radians(widest)), 0.01))
        box = shapely.box(self.west - d_lon, self.south - d_lat, self.east + d_lon, self.north + d_lat)
        polygon = shapely.make_valid(shapely.Polygon([(lon, lat) for lat, lon in corners]))
        return bool(box.intersects(polygon))


def require_places_on_map(scenario: Scenario, networks: Mapping[TravelMode, RoadNetwork]) -> None:
    """Raise :class:`OutsideExtractError` naming every origin and destination off the map.

    The message is the one snapping gives (``origins[1] at (47.09570, 37.54920): outside the road
    network's extract; expected points within lat ..., lon ...``), plus "did you swap lat and lon?"
    naming the points that would lie on the map with them swapped.
    """
    extent = MapExtent.of(networks.values())
    places = [(f"origins[{i}]", o.lat, o.lon) for i, o in enumerate(scenario.origins)]
    places += [(f"destinations[{i}]", d.lat, d.lon) for i, d in enumerate(scenario.destinations)]
    off = [(field, lat, lon) for field, lat, lon in places if not extent.holds(lat, lon)]
    if not off:
        return
    names = "; ".join(f"{field} at ({lat:.5f}, {lon:.5f})" for field, lat, lon in off)
    swapped = [f"{field} at ({lon:.5f}, {lat:.5f})" for field, lat, lon in off if extent.holds(lon, lat)]
    hint = f"; did you swap lat and lon? {'; '.join(swapped)} would lie on the map" if swapped else ""
    raise OutsideExtractError(
        f"{names}: outside the road network's extract; expected points within {extent.describe()}{hint}"
    )


def geometry_findings(scenario: Scenario, networks: Mapping[TravelMode, RoadNetwork]) -> list[Finding]:
    """Every finding about the scenario's areas, corridors and blockage links (module docstring);
    origins and destinations are checked by :func:`require_places_on_map`."""
    extent = MapExtent.of(networks.values())
    out: list[Finding] = []
    for ci, corridor in enumerate(scenario.corridors):
        waypoints: list[Finding] = []
        for wi, w in enumerate(corridor.route):
            what = f"waypoint {wi + 1} of corridor {corridor.id}"
            waypoints += _point(extent, f"corridors[{ci}].route[{wi}]", what, w.lat, w.lon)
        out += waypoints
        buffered = partial(route_shape, corridor.route, corridor.buffer_m)
        if not waypoints and not _touches_road(networks, buffered):
            out.append(
                Finding(
                    "warning",
                    f"corridors[{ci}]",
                    f"corridor {corridor.id}: no road lies within its buffer of {corridor.buffer_m:,.0f} m "
                    "of the route, so it can never be used; expected waypoints along roads",
                )
            )
    for field, what, area in _areas(scenario):
        found = _area(extent, field, what, area)
        out += found
        if not found and not _touches_road(networks, partial(area_shape, area)):
            out.append(Finding("warning", field, f"{what}: the area touches no road, so it closes nothing"))
    out += _blockage_links(scenario, networks)
    return out


def _areas(scenario: Scenario) -> list[tuple[str, str, Area]]:
    areas: list[tuple[str, str, Area]] = []
    areas += [(f"hazards[{i}].area", f"hazard {h.id}", h.area) for i, h in enumerate(scenario.hazards)]
    areas += [
        (f"exclusion_zones[{i}].area", f"exclusion zone {z.id}", z.area)
        for i, z in enumerate(scenario.exclusion_zones)
    ]
    areas += [
        (f"restricted_areas[{i}].area", f"restricted area {r.id}", r.area)
        for i, r in enumerate(scenario.restricted_areas)
    ]
    areas += [
        (f"blockages[{i}].area", f"blockage {b.id}", b.area)
        for i, b in enumerate(scenario.blockages)
        if b.area is not None
    ]
    areas += [
        (f"curfews[{i}].area", f"curfew {c.id}", c.area)
        for i, c in enumerate(scenario.curfews)
        if c.area is not None
    ]
    return areas


def _far(metres: float) -> str:
    return f"{metres / 1000:,.0f} km" if metres >= 10_000 else f"{metres:,.0f} m"


def _at(lat: float, lon: float) -> str:
    return f"lat {lat:.5f}, lon {lon:.5f}"


def _swap_hint(extent: MapExtent, lat: float, lon: float) -> str:
    if extent.holds(lon, lat):
        return f"; did you swap lat and lon? ({_at(lon, lat)} lies on the map)"
    return f"; expected a point on the map or within {EXTRACT_MARGIN_M:,.0f} m of it"


def _point(extent: MapExtent, field: str, what: str, lat: float, lon: float) -> list[Finding]:
    if extent.holds(lat, lon):
        return []
    message = (
        f"{what} at {_at(lat, lon)} lies off the map: {_far(extent.distance_m(lat, lon))} from the road "
        f"network, which covers {extent.describe()}" + _swap_hint(extent, lat, lon)
    )
    return [Finding("error", field, message)]


def _area(extent: MapExtent, field: str, what: str, area: Area) -> list[Finding]:
    if area.polygon is None:
        assert area.lat is not None
        assert area.lon is not None
        assert area.radius_m is not None
        lat, lon, radius = area.lat, area.lon, area.radius_m
        centre_off = not extent.holds(lat, lon)
        swapped = centre_off and extent.holds(lon, lat)
        if not swapped and extent.distance_m(lat, lon) <= EXTRACT_MARGIN_M + radius:
            return []
        return [
            Finding(
                "error",
                field,
                f"{what}: the circle at {_at(lat, lon)} (radius {radius:,.0f} m) lies off the map: its "
                f"centre is {_far(extent.distance_m(lat, lon))} from the road network, which covers "
                f"{extent.describe()}" + _swap_hint(extent, lat, lon),
            )
        ]
    return _polygon(extent, field, what, list(area.polygon))


def _polygon(extent: MapExtent, field: str, what: str, corners: list[tuple[float, float]]) -> list[Finding]:
    out: list[Finding] = []
    reason = shapely.is_valid_reason(shapely.Polygon([(lon, lat) for lat, lon in corners]))
    if reason != "Valid Geometry":
        out.append(Finding("error", f"{field}.polygon", f"{what}: {_invalid(reason)}"))
    if not extent.reaches_polygon(corners):
        nearest = min(extent.distance_m(lat, lon) for lat, lon in corners)
        swapped = extent.reaches_polygon([(lon, lat) for lat, lon in corners])
        hint = (
            "; did you swap lat and lon? (with them swapped the polygon lies on the map)"
            if swapped
            else "; expected corners around an area on the map"
        )
        out.append(
            Finding(
                "error",
                f"{field}.polygon",
                f"{what}: the polygon lies off the map: its nearest corner is {_far(nearest)} from the road "
                f"network, which covers {extent.describe()}" + hint,
            )
        )
        return out
    for j, (lat, lon) in enumerate(corners):
        if not extent.holds(lat, lon) and extent.holds(lon, lat):
            out += _point(extent, f"{field}.polygon[{j}]", f"{what}: corner {j + 1}", lat, lon)
    return out


def _invalid(reason: str) -> str:
    where = re.search(r"\[\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\]", reason)
    place = f" near {_at(float(where.group(2)), float(where.group(1)))}" if where else ""
    kind = reason.split("[", 1)[0].strip()
    if "Self-intersection" in kind:
        what = f"the polygon's edges cross{place}"
    else:
        what = f"the polygon is not a simple area ({kind}{place})"
    return f"{what}; expected corners listed in order around the area, no two edges crossing"


def _touches_road(
    networks: Mapping[TravelMode, RoadNetwork], shape_of: Callable[[Projector], BaseGeometry]
) -> bool:
    for network in networks.values():
        index = link_index(network)
        if index.links_touching(shape_of(index.projector)).any():
            return True
    return False


def _blockage_links(scenario: Scenario, networks: Mapping[TravelMode, RoadNetwork]) -> list[Finding]:
    findings: list[Finding] = []
    nets = list(networks.values())
    for bi, blockage in enumerate(scenario.blockages):
        for li, (u, v) in enumerate(blockage.links):
            field = f"blockages[{bi}].links[{li}]"
            missing = [n for n in (u, v) if not any(_has_node(net, n) for net in nets)]
            if missing:
                findings.append(
                    Finding(
                        "error",
                        field,
                        f"OSM node(s) {', '.join(map(str, missing))} are not intersections of the road "
                        "network; expected ids of nodes where the blocked road segment starts and ends",
                    )
                )
            elif not any(_joined(net, u, v) for net in nets):
                findings.append(
                    Finding(
                        "error",
                        field,
                        f"[{u}, {v}]: no road segment joins OSM nodes {u} and {v}, so the blockage closes "
                        "nothing; expected the two ends of one segment (intersections next to each other "
                        f"along one road); node {u} is joined to {_neighbours(nets, u)}",
                    )
                )
    return findings


def _has_node(network: RoadNetwork, osm_id: int) -> bool:
    try:
        network.node_index(osm_id)
    except KeyError:
        return False
    return True


def _joined(network: RoadNetwork, u_osm: int, v_osm: int) -> bool:
    if not (_has_node(network, u_osm) and _has_node(network, v_osm)):
        return False
    u, v = network.node_index(u_osm), network.node_index(v_osm)
    return network.find_link(u, v) >= 0 or network.find_link(v, u) >= 0


def _neighbours(networks: list[RoadNetwork], osm_id: int) -> str:
    found: set[int] = set()
    for network in networks:
        if not _has_node(network, osm_id):
            continue
        node = network.node_index(osm_id)
        heads = network.link_head[network.indptr[node] : network.indptr[node + 1]]
        tails = network.link_tail[network.link_head == node]
        found |= {int(network.node_osm_id[n]) for n in np.concatenate([heads, tails]).tolist()}
    shown = sorted(found)
    text = ", ".join(map(str, shown[:_SHOWN_NEIGHBOURS]))
    return (text + ", ...") if len(shown) > _SHOWN_NEIGHBOURS else (text or "no other node")
