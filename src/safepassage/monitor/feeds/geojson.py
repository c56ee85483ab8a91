"""GeoJSON FeatureCollections of incident reports (field teams' exports, web maps, other tools).

Each Feature is one report. Geometry: a Point, or any other geometry, which is covered by a circle
(see ``_geo``). Properties (the documented schema; unknown properties are kept in ``raw``):

=====================  ========  ===============================================================
property               required  meaning
=====================  ========  ===============================================================
``id``                 yes*      the report's id in its source, text or a whole number (0 is an
                                 id); *or the Feature's own ``id``
``kind``               yes       a :class:`HazardKind` value: shelling, air_strike, missile, ...
``observed_at``        yes       ISO-8601 time (UTC if no offset), within 1900-2100
``ended_at``           no        ISO-8601 end time
``radius_m``           no        location uncertainty, over 0 and at most 500,000 m; default
                                 1,000 for a point (a street address or GPS fix to the nearest
                                 block), the covering radius for other geometries
``time_uncertainty_s`` no        0 to 366 days in seconds; default 3,600 (a report timed
                                 "around 14:00")
``source_name``        no        default "geojson"
``source_type``        no        official, un, field_team, media, social; default social (an
                                 unattributed report is trusted least)
``verification``       no        unverified (default), verified, disputed, rejected
``fatalities``         no        claimed deaths, a whole number from 0 to 1,000,000 (not true/false)
``location_name``,     no        free text
``description``
=====================  ========  ===============================================================

Numbers are checked against :mod:`safepassage.bounds`: ``NaN``, ``Infinity``, a negative or huge
value, or ``true`` where a number belongs is an error of that feature (named ``features[i]`` with
its line), and the other features are read. The collection is the **top-level** ``features`` array;
a ``features`` key nested elsewhere (``"metadata": {"features": []}``) is not it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import shapely
import shapely.errors
import shapely.geometry

from safepassage.bounds import FATALITIES, RADIUS_M, TIME_UNCERTAINTY_S, show_value
from safepassage.errors import FeedError
from safepassage.json_input import iter_array_items, load_json
from safepassage.monitor.feeds._fields import check_quantity, parse_coordinate, parse_count, parse_source_id
from safepassage.monitor.feeds._geo import covering_circle
from safepassage.monitor.feeds._time import parse_time_field
from safepassage.monitor.report import IncidentReport, RowError
from safepassage.scenario.vocabulary import HazardKind, SourceType, Verification

__all__ = ["DEFAULT_POINT_RADIUS_M", "DEFAULT_TIME_UNCERTAINTY_S", "iter_geojson"]

DEFAULT_POINT_RADIUS_M = 1_000.0
DEFAULT_TIME_UNCERTAINTY_S = 3_600.0
_MAX_TEXT_CHARS = 10_000


def iter_geojson(path: Path) -> Iterator[IncidentReport | RowError]:
    """Reports from a GeoJSON FeatureCollection; malformed features come out as RowError."""
    document = load_json(path, expected="a GeoJSON FeatureCollection", error=FeedError)
    value = document.value
    if not (
        isinstance(value, dict)
        and value.get("type") == "FeatureCollection"
        and isinstance(value.get("features"), list)
    ):
        raise FeedError(
            f"{path}: not a GeoJSON FeatureCollection; "
            'expected {"type": "FeatureCollection", "features": [...]}'
        )
    for index, (line, feature) in enumerate(iter_array_items(document, "features")):
        try:
            yield _report(feature, line)
        except (ValueError, OverflowError) as exc:
            yield RowError(str(path), line, f"features[{index}]: {exc}")


def _report(feature: Any, line: int) -> IncidentReport:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ValueError("item is not a GeoJSON Feature")
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        raise ValueError("properties is not an object")
    source_id = _source_id(props, feature)
    kind = _enum(HazardKind, props.get("kind"), "kind", None)
    observed = parse_time_field(props.get("observed_at"), "observed_at")
    ended_value = props.get("ended_at")
    ended = parse_time_field(ended_value, "ended_at") if ended_value not in (None, "") else None
    lat, lon, covering_m = _place(feature.get("geometry"))
    given_radius = props.get("radius_m")
    radius_m = (
        check_quantity(RADIUS_M, given_radius, "radius_m")
        if given_radius is not None
        else max(covering_m, DEFAULT_POINT_RADIUS_M)
    )
    given_uncertainty = props.get("time_uncertainty_s")
    time_uncertainty_s = (
        check_quantity(TIME_UNCERTAINTY_S, given_uncertainty, "time_uncertainty_s")
        if given_uncertainty is not None
        else DEFAULT_TIME_UNCERTAINTY_S
    )
    return IncidentReport(
        feed="geojson",
        source_id=source_id,
        kind=kind,
        observed_at=observed,
        lat=lat,
        lon=lon,
        radius_m=max(radius_m, covering_m),
        time_uncertainty_s=time_uncertainty_s,
        source_name=_text(props.get("source_name"), 200) or "geojson",
        source_type=_enum(SourceType, props.get("source_type"), "source_type", SourceType.SOCIAL),
        verification=_enum(Verification, props.get("verification"), "verification", Verification.UNVERIFIED),
        ended_at=ended,
        fatalities=parse_count(props.get("fatalities"), "fatalities", FATALITIES),
        location_name=_text(props.get("location_name"), 500),
        description=_text(props.get("description"), _MAX_TEXT_CHARS),
        line=line,
        raw={str(k): _text(v, _MAX_TEXT_CHARS) for k, v in props.items()},
    )


def _source_id(props: dict[str, Any], feature: dict[str, Any]) -> str:
    """``properties.id``, else the Feature's ``id``: present means not null and not empty (0 is an id)."""
    for name, value in (("properties.id", props.get("id")), ("id", feature.get("id"))):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        return parse_source_id(value, name)
    raise ValueError("feature has no id (properties.id or the Feature id)")


def _text(value: Any, limit: int) -> str:
    """A property as text, cut to ``limit`` characters (nested values as their type name)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value[:limit]
    if isinstance(value, bool | int | float):
        return show_value(value, limit)
    return f"<{type(value).__name__}>"


def _place(geometry: Any) -> tuple[float, float, float]:
    if not isinstance(geometry, dict):
        raise ValueError("feature has no geometry")
    try:
        with np.errstate(invalid="ignore"):  # NaN coordinates are refused below, by name
            shape = shapely.geometry.shape(geometry)
        empty = bool(shape.is_empty)
        coordinates = [] if empty else shapely.get_coordinates(shape).tolist()
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, shapely.errors.ShapelyError) as exc:
        raise ValueError(f"geometry is not valid GeoJSON ({str(exc)[:120]})") from None
    if empty:
        raise ValueError("geometry is empty")
    points: list[tuple[float, float]] = []
    for x, y in coordinates:
        try:
            lat = parse_coordinate(y, "latitude", 90.0)
            lon = parse_coordinate(x, "longitude", 180.0)
        except ValueError as exc:
            raise ValueError(f"geometry coordinate: {exc}") from None
        points.append((lon, lat))
    return covering_circle(points)


_E = TypeVar("_E", HazardKind, SourceType, Verification)


def _enum(enum: type[_E], value: Any, name: str, default: _E | None) -> _E:
    if value in (None, "") and default is not None:
        return default
    try:
        if not isinstance(value, str):
            raise ValueError(name)
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ValueError(f"{name} {show_value(value)} is not one of: {allowed}") from None
