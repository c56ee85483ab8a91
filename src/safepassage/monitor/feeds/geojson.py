"""GeoJSON FeatureCollections of incident reports (field teams' exports, web maps, other tools).

Each Feature is one report. Geometry: a Point, or any other geometry, which is covered by a circle
(see ``_geo``). Properties (the documented schema; unknown properties are kept in ``raw``):

=====================  ========  ===============================================================
property               required  meaning
=====================  ========  ===============================================================
``id``                 yes*      the report's id in its source (*or the Feature's own ``id``)
``kind``               yes       a :class:`HazardKind` value: shelling, air_strike, missile, ...
``observed_at``        yes       ISO-8601 time (UTC if no offset)
``ended_at``           no        ISO-8601 end time
``radius_m``           no        location uncertainty; default 1,000 for a point (a street
                                 address or GPS fix to the nearest block), the covering radius
                                 for other geometries
``time_uncertainty_s`` no        default 3,600 (a report timed "around 14:00")
``source_name``        no        default "geojson"
``source_type``        no        official, un, field_team, media, social; default social (an
                                 unattributed report is trusted least)
``verification``       no        unverified (default), verified, disputed, rejected
``fatalities``         no        claimed deaths
``location_name``,     no        free text
``description``
=====================  ========  ===============================================================
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import shapely
import shapely.geometry

from safepassage.errors import FeedError
from safepassage.monitor.feeds._geo import covering_circle
from safepassage.monitor.feeds._jsonitems import iter_json_array, load_json_text
from safepassage.monitor.feeds._time import parse_iso_utc
from safepassage.monitor.report import IncidentReport, RowError
from safepassage.scenario.vocabulary import HazardKind, SourceType, Verification

__all__ = ["DEFAULT_POINT_RADIUS_M", "DEFAULT_TIME_UNCERTAINTY_S", "iter_geojson"]

DEFAULT_POINT_RADIUS_M = 1_000.0
DEFAULT_TIME_UNCERTAINTY_S = 3_600.0


def iter_geojson(path: Path) -> Iterator[IncidentReport | RowError]:
    """Reports from a GeoJSON FeatureCollection; malformed features come out as RowError."""
    text, document = load_json_text(path, "GeoJSON")
    if not (
        isinstance(document, dict)
        and document.get("type") == "FeatureCollection"
        and isinstance(document.get("features"), list)
    ):
        raise FeedError(
            f'{path}: not a GeoJSON FeatureCollection; expected {{"type": "FeatureCollection", ...}}'
        )
    for line, feature in iter_json_array(text, "features"):
        try:
            yield _report(feature, line)
        except ValueError as exc:
            yield RowError(str(path), line, str(exc))


def _report(feature: Any, line: int) -> IncidentReport:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ValueError("item is not a GeoJSON Feature")
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        raise ValueError("properties is not an object")
    source_id = str(props.get("id") or feature.get("id") or "").strip()
    if not source_id:
        raise ValueError("feature has no id (properties.id or the Feature id)")
    kind = _enum(HazardKind, props.get("kind"), "kind", None)
    observed_text = str(props.get("observed_at") or "")
    try:
        observed = parse_iso_utc(observed_text)
    except ValueError:
        raise ValueError(f"observed_at {observed_text!r} is not an ISO-8601 timestamp") from None
    ended_text = str(props.get("ended_at") or "")
    try:
        ended = parse_iso_utc(ended_text) if ended_text else None
    except ValueError:
        raise ValueError(f"ended_at {ended_text!r} is not an ISO-8601 timestamp") from None
    lat, lon, covering_m = _place(feature.get("geometry"))
    radius_m = _non_negative(props.get("radius_m"), "radius_m", max(covering_m, DEFAULT_POINT_RADIUS_M))
    fatalities = props.get("fatalities")
    if fatalities is not None and (not isinstance(fatalities, int) or fatalities < 0):
        raise ValueError(f"fatalities {fatalities!r} is not a whole number")
    return IncidentReport(
        feed="geojson",
        source_id=source_id,
        kind=kind,
        observed_at=observed,
        lat=lat,
        lon=lon,
        radius_m=max(radius_m, covering_m),
        time_uncertainty_s=_non_negative(
            props.get("time_uncertainty_s"), "time_uncertainty_s", DEFAULT_TIME_UNCERTAINTY_S
        ),
        source_name=str(props.get("source_name") or "geojson"),
        source_type=_enum(SourceType, props.get("source_type"), "source_type", SourceType.SOCIAL),
        verification=_enum(Verification, props.get("verification"), "verification", Verification.UNVERIFIED),
        ended_at=ended,
        fatalities=fatalities,
        location_name=str(props.get("location_name") or ""),
        description=str(props.get("description") or ""),
        line=line,
        raw={str(k): "" if v is None else str(v) for k, v in props.items()},
    )


def _place(geometry: Any) -> tuple[float, float, float]:
    if not isinstance(geometry, dict):
        raise ValueError("feature has no geometry")
    try:
        shape = shapely.geometry.shape(geometry)
    except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.GeometryTypeError) as exc:
        raise ValueError(f"geometry is not valid GeoJSON ({exc})") from None
    if shape.is_empty:
        raise ValueError("geometry is empty")
    coordinates = [(float(x), float(y)) for x, y, *_ in shapely.get_coordinates(shape).tolist()]
    for lon, lat in coordinates:
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise ValueError(f"coordinate ({lon}, {lat}) is outside longitude/latitude ranges")
    return covering_circle(coordinates)


_E = TypeVar("_E", HazardKind, SourceType, Verification)


def _enum(enum: type[_E], value: Any, name: str, default: _E | None) -> _E:
    if value in (None, "") and default is not None:
        return default
    try:
        return enum(str(value))
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ValueError(f"{name} {value!r} is not one of: {allowed}") from None


def _non_negative(value: Any, name: str, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{name} {value!r} is not a non-negative number")
    return float(value)
