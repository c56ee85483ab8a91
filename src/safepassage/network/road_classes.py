"""OSM ``highway`` classes: which modes may use them, default speeds, and tag parsing.

The drive and walk filters follow osmnx's ``network_type`` filters ("drive": public roads for cars,
no service roads; "walk": everything but motorways and roads under construction). Default speeds
are the usual urban limits in Europe; a way's own ``maxspeed`` tag wins when it can be read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from safepassage.scenario.vocabulary import TravelMode

__all__ = [
    "DEFAULT_SPEED_KMH",
    "ROAD_CLASSES",
    "base_class",
    "is_usable",
    "lanes_per_direction",
    "oneway_direction",
    "parse_maxspeed_kmh",
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

_DRIVE = frozenset(
    {
        "motorway",
        "trunk",
        "primary",
        "secondary",
        "tertiary",
        "unclassified",
        "residential",
        "living_street",
        "road",
    }
)
_WALK_EXCLUDED = frozenset({"motorway", "cycleway"})
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
_NO = frozenset({"no", "private"})

# Implicit limits used in maxspeed tags (country:zone), km/h.
_ZONE_SPEED_KMH = {
    "urban": 50.0,
    "rural": 90.0,
    "motorway": 110.0,
    "trunk": 90.0,
    "living_street": 20.0,
    "walk": 6.0,
    "zone30": 30.0,
    "zone20": 20.0,
}


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


def is_usable(road_class: str, tags: Mapping[str, str], mode: TravelMode) -> bool:
    """Whether a way of this class and tags is usable by ``mode`` (osmnx-style filters)."""
    if tags.get("area") == "yes":
        return False
    if tags.get("access") in _NO and mode is TravelMode.DRIVE:
        return False
    if mode is TravelMode.DRIVE:
        if road_class not in _DRIVE:
            return False
        return tags.get("motor_vehicle") not in _NO and tags.get("motorcar") not in _NO
    if road_class in _WALK_EXCLUDED or tags.get("foot") in _NO:
        return False
    return tags.get("access") not in _NO or tags.get("foot") in {"yes", "designated"}


def oneway_direction(road_class: str, tags: Mapping[str, str], mode: TravelMode) -> int:
    """+1 forward only, -1 backward only, 0 both ways. Walking ignores one-way rules."""
    if mode is TravelMode.WALK:
        return 0
    value = tags.get("oneway", "").lower()
    if value in {"yes", "true", "1"}:
        return 1
    if value in {"-1", "reverse"}:
        return -1
    if value in {"no", "false", "0"}:
        return 0
    if tags.get("junction") in {"roundabout", "circular"} or road_class == "motorway":
        return 1
    return 0


_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$")


def parse_maxspeed_kmh(value: str | None) -> float | None:
    """Read an OSM ``maxspeed`` value ('50', '30 mph', 'FI:urban', 'walk'); None if unreadable."""
    if not value:
        return None
    value = value.split(";")[0].strip().lower()
    match = _NUMBER.match(value)
    if match:
        speed = float(match.group(1))
        return speed * 1.609344 if match.group(2) == "mph" else speed
    zone = value.split(":")[-1]
    return _ZONE_SPEED_KMH.get(zone)


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
