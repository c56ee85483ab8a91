"""OSM ``highway`` classes, default speeds, and reading speed and lane tags.

Which mode may use which class and tags is :mod:`safepassage.network.access`. Default speeds are
the usual urban limits in Europe; a way's own speed tag wins when it can be read, implicit limits
(``RU:urban``) through the country table of :mod:`safepassage.network.speed_limits`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from safepassage.network.speed_limits import WALK_KMH, implicit_speed_kmh

__all__ = [
    "DEFAULT_SPEED_KMH",
    "ROAD_CLASSES",
    "SPEED_TAGS",
    "base_class",
    "lanes_per_direction",
    "parse_maxspeed_kmh",
    "way_speed_kmh",
]

#: Every class a link can have, in a fixed order (a link stores the index).
ROAD_CLASSES: tuple[str, ...] = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "road",
    "pedestrian",
    "footway",
    "path",
    "steps",
    "track",
    "cycleway",
)

DEFAULT_SPEED_KMH: Mapping[str, float] = {
    "motorway": 100.0,
    "trunk": 80.0,
    "primary": 50.0,
    "secondary": 50.0,
    "tertiary": 40.0,
    "unclassified": 40.0,
    "residential": 30.0,
    "living_street": 10.0,
    "service": 20.0,
    "road": 30.0,
    "track": 20.0,
}

_NOT_ROADS = frozenset(
    {
        "abandoned",
        "bus_guideway",
        "construction",
        "corridor",
        "elevator",
        "escalator",
        "no",
        "planned",
        "platform",
        "proposed",
        "raceway",
        "razed",
        "bridleway",
        "bus_stop",
        "rest_area",
        "services",
        "emergency_bay",
        "busway",
    }
)


def base_class(highway: str) -> str | None:
    """Map an OSM ``highway`` value to one of :data:`ROAD_CLASSES` (None if not a road)."""
    value = highway.removesuffix("_link")
    if value in ROAD_CLASSES:
        return value
    if value in _NOT_ROADS:
        return None
    if value in {"bridleway"}:
        return "path"
    return None


_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph|knots)?\s*$")
_UNIT_KMH = {None: 1.0, "km/h": 1.0, "kmh": 1.0, "kph": 1.0, "mph": 1.609344, "knots": 1.852}

#: Tags that may carry a way's limit, in the order they are read (``maxspeed`` first; the others
#: hold the implicit context, e.g. ``maxspeed:type=GB:nsl_single``, ``zone:maxspeed=DE:30``).
SPEED_TAGS: tuple[str, ...] = (
    "maxspeed",
    "maxspeed:type",
    "source:maxspeed",
    "zone:maxspeed",
    "zone:traffic",
)


def parse_maxspeed_kmh(value: str | None) -> float | None:
    """Read one OSM speed value in km/h: ``'50'``, ``'30 mph'``, ``'RU:urban'``, ``'DE:zone:30'``,
    ``'walk'``; None if unreadable (``'signals'``, ``'none'``, ``'0'``, an unknown country or context).

    Implicit values come from :mod:`safepassage.network.speed_limits`; of a list (``'60;40'``)
    the first value counts.
    """
    if not value:
        return None
    value = value.split(";")[0].strip()
    match = _NUMBER.match(value.lower())
    if match:
        speed = float(match.group(1)) * _UNIT_KMH[match.group(2)]
        return speed if speed > 0 else None
    if value.lower() == "walk":
        return WALK_KMH
    return implicit_speed_kmh(value)


def way_speed_kmh(road_class: str, tags: Mapping[str, str]) -> float:
    """Planned car speed on a way: the first readable of :data:`SPEED_TAGS`, else the class's
    default (:data:`DEFAULT_SPEED_KMH`; 30 km/h for a class not listed there)."""
    for key in SPEED_TAGS:
        speed = parse_maxspeed_kmh(tags.get(key))
        if speed is not None:
            return speed
    return DEFAULT_SPEED_KMH.get(road_class, 30.0)


def lanes_per_direction(tags: Mapping[str, str], oneway: int, road_class: str) -> float:
    """Lanes available in one direction of travel (at least 1)."""
    raw = tags.get("lanes", "")
    try:
        lanes = float(raw.split(";")[0])
    except ValueError:
        lanes = 0.0
    if lanes <= 0:
        return 2.0 if road_class in {"motorway", "trunk"} else 1.0
    if oneway:
        return max(1.0, lanes)
    return max(1.0, lanes / 2.0)
