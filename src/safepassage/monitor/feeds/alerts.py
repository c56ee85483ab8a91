"""Air-raid (and other threat) alerts by region: the siren CSV and the alerts.in.ua API JSON.

Three shapes, one format name ``alerts``:

- **Siren CSV, volunteer layout** as in ``../shared/data/alerts/`` (columns ``region``,
  ``started_at``, ``finished_at``, ``naive``; ``naive`` = True when the end time was estimated). The
  rows carry no id, so the report id is ``region|started_at`` (stable, hence idempotent on re-ingest).
- **Siren CSV, official layout** (the state alert system's records as published with the same
  dataset: ``oblast``, ``raion``, ``hromada``, ``level``, ``started_at``, ``finished_at``,
  ``source``; ``level`` is oblast, raion or hromada, names in English or Ukrainian). The report id
  is ``oblast|raion|hromada|started_at``. Some rows of the published files have the oblast and the
  raion swapped; the column that names an oblast is taken as the oblast.
- **alerts.in.ua API JSON**: ``{"alerts": [...]}`` (or a bare list) of objects with ``id``,
  ``location_title``, ``location_type`` (oblast, raion, hromada, city), ``started_at``,
  ``finished_at``, ``alert_type`` (air_raid, artillery_shelling, urban_fights, chemical,
  nuclear) and, for sub-oblast locations, ``location_oblast``. The array is the **top-level**
  ``alerts`` key (``{"meta": {"alerts": []}, "alerts": [...]}`` reads the second); an empty
  ``{"alerts": []}`` is a valid response with no alert in force.

Placement: an alert names a region, not a point. Oblasts (and Kyiv city) are placed with the
offline gazetteer (:func:`safepassage.monitor.gazetteer.oblast_area`: the population-weighted centre
of the oblast's settlements, radius holding 90 % of them, about 65-110 km; Kyiv city 12 km). A city (or
an official hromada named "m. <city> ta ...") is placed at the matching settlement of its oblast with
a 15 km radius. A raion or other hromada, for which we have no boundaries offline, is given its
oblast's circle: wider than the truth, never narrower. An alert that cannot be placed is a row error
(a report with no place cannot be judged).

Time: an alert starts at a known second, so ``time_uncertainty_s`` is 60; ``ended_at`` is the end
(None while the alert is active); both must lie in 1900-2100. Kind: air_raid -> air_raid_alert,
artillery_shelling -> shelling, urban_fights -> fighting, another type by the event vocabulary
(:mod:`safepassage.monitor.feeds.event_kinds`), else other. Source: the state alert system, relayed
by a volunteer dataset or alerts.in.ua; type ``official``, verification ``verified`` (the alert
certainly sounded; that it was sounded is all the report claims).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from safepassage.bounds import MAX_TEXT_ID_CHARS, show_value
from safepassage.errors import FeedError
from safepassage.json_input import iter_array_items, load_json
from safepassage.monitor.feeds._csvrows import CsvRow, iter_csv_records
from safepassage.monitor.feeds._fields import parse_source_id
from safepassage.monitor.feeds._time import parse_time_field
from safepassage.monitor.feeds.event_kinds import event_kind
from safepassage.monitor.gazetteer import Area, Place, find_places, oblast_area, oblast_code
from safepassage.monitor.report import IncidentReport, RowError
from safepassage.scenario.vocabulary import HazardKind, SourceType, Verification

__all__ = ["ALERT_KIND", "CITY_RADIUS_M", "OFFICIAL_SIREN_COLUMNS", "SIREN_COLUMNS", "iter_alerts"]

SIREN_COLUMNS = frozenset({"region", "started_at", "finished_at"})
OFFICIAL_SIREN_COLUMNS = frozenset({"oblast", "level", "started_at", "finished_at"})
CITY_RADIUS_M = 15_000.0
_START_UNCERTAINTY_S = 60.0
_CITY_HROMADA = re.compile(r"^(?:m\.|м\.)\s*(.+?)\s+(?:ta|та)\s", re.IGNORECASE)
ALERT_KIND: Mapping[str, HazardKind] = {
    "air_raid": HazardKind.AIR_RAID_ALERT,
    "artillery_shelling": HazardKind.SHELLING,
    "urban_fights": HazardKind.FIGHTING,
}


def iter_alerts(path: Path) -> Iterator[IncidentReport | RowError]:
    """Reports from a siren CSV or an alerts.in.ua JSON file (told apart by the first character)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(256)
    except OSError as exc:
        raise FeedError(f"{path}: cannot open the feed file ({exc.strerror or exc})") from exc
    first = head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1]
    if first in (b"{", b"["):
        yield from _iter_api_json(path)
    else:
        yield from iter_csv_records(
            path, (SIREN_COLUMNS, OFFICIAL_SIREN_COLUMNS), "air-raid siren CSV", _siren_report
        )


def _siren_report(row: CsvRow) -> IncidentReport:
    if "region" in row.fields:
        return _volunteer_report(row)
    return _official_report(row)


def _volunteer_report(row: CsvRow) -> IncidentReport:
    f = row.fields
    region = f["region"].strip()
    area = oblast_area(region)
    if area is None:
        raise ValueError(
            f"region {show_value(region)} is not a Ukrainian oblast or Kyiv city the gazetteer knows"
        )
    started, ended = _times(f["started_at"], f["finished_at"])
    naive = f.get("naive", "").strip().casefold() == "true"
    return _alert_report(
        source_id=_row_id(region, started),
        kind=HazardKind.AIR_RAID_ALERT,
        started=started,
        ended=ended,
        area=area,
        location_name=region,
        source_name="air-raid sirens (volunteer-collected dataset)",
        description="end time estimated" if naive else "",
        line=row.line,
        raw=dict(f),
    )


def _official_report(row: CsvRow) -> IncidentReport:
    f = row.fields
    oblast, raion = f["oblast"].strip(), f.get("raion", "").strip()
    if oblast_area(oblast) is None and raion and oblast_area(raion) is not None:
        oblast, raion = raion, oblast  # a published row with the two columns swapped
    oblast_circle = oblast_area(oblast)
    if oblast_circle is None:
        raise ValueError(
            f"oblast {show_value(oblast)} is not a Ukrainian oblast or Kyiv city the gazetteer knows"
        )
    hromada = f.get("hromada", "").strip()
    level = f["level"].strip().casefold() or "oblast"
    if level not in ("oblast", "raion", "hromada"):
        raise ValueError(f"level {show_value(level)} is not oblast, raion or hromada")
    started, ended = _times(f["started_at"], f["finished_at"])
    names = [
        n for n in (hromada if level == "hromada" else "", raion if level != "oblast" else "", oblast) if n
    ]
    area = _official_area(oblast, oblast_circle, hromada if level == "hromada" else "")
    source = f.get("source", "").strip() or "official"
    return _alert_report(
        source_id=_row_id(oblast, raion, hromada, started),
        kind=HazardKind.AIR_RAID_ALERT,
        started=started,
        ended=ended,
        area=area,
        location_name=", ".join(names)[:500],
        source_name=f"air-raid sirens ({source[:60]} records)",
        description=f"{level} alert",
        line=row.line,
        raw=dict(f),
    )


def _official_area(oblast: str, oblast_circle: Area, hromada: str) -> Area:
    """A city hromada ("m. Sumy ta Sumska ...") at its city; anything else as its oblast's circle."""
    match = _CITY_HROMADA.match(hromada)
    if match:
        city = _city_in_oblast(match.group(1), oblast)
        if city is not None:
            return Area(hromada, city.lat, city.lon, CITY_RADIUS_M)
    return Area(hromada or oblast, oblast_circle.lat, oblast_circle.lon, oblast_circle.radius_m)


def _row_id(*parts: object) -> str:
    """The parts joined by "|"; when that is over the id length limit, cut and a hash of the whole."""
    text = "|".join(p.isoformat() if isinstance(p, dt.datetime) else str(p) for p in parts)
    if len(text) > MAX_TEXT_ID_CHARS:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        text = f"{text[: MAX_TEXT_ID_CHARS - 17]}#{digest}"
    return text


def _iter_api_json(path: Path) -> Iterator[IncidentReport | RowError]:
    document = load_json(
        path, expected='an alerts.in.ua document ({"alerts": [...]} or a list)', error=FeedError
    )
    value = document.value
    key: str | None
    if isinstance(value, list):
        key = None
    elif isinstance(value, dict) and isinstance(value.get("alerts"), list):
        key = "alerts"
    else:
        raise FeedError(f'{path}: not an alerts.in.ua document; expected {{"alerts": [...]}} or a list')
    for index, (line, item) in enumerate(iter_array_items(document, key)):
        try:
            yield _api_report(item, line)
        except (ValueError, OverflowError) as exc:
            yield RowError(str(path), line, f"alerts[{index}]: {exc}")


def _api_report(item: Any, line: int) -> IncidentReport:
    if not isinstance(item, dict):
        raise ValueError(f"alert is a {type(item).__name__}; expected an object")
    for name in ("id", "location_title", "started_at"):
        if item.get(name) in (None, ""):
            raise ValueError(f"alert has no {name}")
    alert_id = parse_source_id(item["id"], "id")
    title = _field_text(item, "location_title")
    location_type = _field_text(item, "location_type")
    area = _place_api_location(title, location_type, _field_text(item, "location_oblast"))
    started, ended = _times(item["started_at"], item.get("finished_at") or "")
    alert_type = _field_text(item, "alert_type") or "air_raid"
    return _alert_report(
        source_id=f"alerts.in.ua:{alert_id}",
        kind=ALERT_KIND.get(alert_type) or event_kind(alert_type.replace("_", " ")),
        started=started,
        ended=ended,
        area=area,
        location_name=title,
        source_name="alerts.in.ua",
        description=f"{alert_type} alert ({location_type or 'location'})",
        line=line,
        raw={str(k): _short_text(v) for k, v in item.items()},
    )


def _field_text(item: dict[str, Any], name: str) -> str:
    value = item.get(name)
    if value is None:
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError(f"{name} {show_value(value)} is not text")
    return str(value).strip()[:500]


def _short_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value[:10_000]
    if isinstance(value, bool | int | float):
        return show_value(value, 100)
    return f"<{type(value).__name__}>"


def _city_in_oblast(name: str, oblast: str) -> Place | None:
    code = oblast_code(oblast)
    in_oblast = [p for p in find_places(name) if p.admin1 == code]
    return in_oblast[0] if in_oblast else None


def _place_api_location(title: str, location_type: str, oblast: str) -> Area:
    if location_type == "oblast" or not oblast:
        area = oblast_area(title)
        if area is None:
            raise ValueError(f"location_title {show_value(title)} is not an oblast the gazetteer knows")
        return area
    oblast_circle = oblast_area(oblast)
    if oblast_circle is None:
        raise ValueError(f"location_oblast {show_value(oblast)} is not an oblast the gazetteer knows")
    if location_type == "city":
        city = _city_in_oblast(title.removeprefix("м.").strip(), oblast)
        if city is not None:
            return Area(title, city.lat, city.lon, CITY_RADIUS_M)
    return Area(title, oblast_circle.lat, oblast_circle.lon, oblast_circle.radius_m)


def _times(started_value: object, finished_value: object) -> tuple[dt.datetime, dt.datetime | None]:
    started = parse_time_field(started_value, "started_at")
    if isinstance(finished_value, str) and not finished_value.strip():
        return started, None
    ended = parse_time_field(finished_value, "finished_at")
    if ended < started:
        raise ValueError(
            f"finished_at {show_value(finished_value)} is before started_at {show_value(started_value)}"
        )
    return started, ended


def _alert_report(
    *,
    source_id: str,
    kind: HazardKind,
    started: dt.datetime,
    ended: dt.datetime | None,
    area: Area,
    location_name: str,
    source_name: str,
    description: str,
    line: int,
    raw: dict[str, str],
) -> IncidentReport:
    return IncidentReport(
        feed="alerts",
        source_id=source_id,
        kind=kind,
        observed_at=started,
        lat=area.lat,
        lon=area.lon,
        radius_m=area.radius_m,
        time_uncertainty_s=_START_UNCERTAINTY_S,
        source_name=source_name,
        source_type=SourceType.OFFICIAL,
        verification=Verification.VERIFIED,
        ended_at=ended,
        location_name=location_name,
        description=description,
        line=line,
        raw=raw,
    )
