"""Air-raid (and other threat) alerts by region: the siren CSV and the alerts.in.ua API JSON.

Two shapes, one format name ``alerts``:

- **Siren CSV** as in ``../shared/data/alerts/`` (columns ``region``, ``started_at``,
  ``finished_at``, ``naive``; ``naive`` = True when the end time was estimated). The rows carry no
  id, so the report id is ``region|started_at`` (stable, hence idempotent on re-ingest).
- **alerts.in.ua API JSON**: ``{"alerts": [...]}`` (or a bare list) of objects with ``id``,
  ``location_title``, ``location_type`` (oblast, raion, hromada, city), ``started_at``,
  ``finished_at``, ``alert_type`` (air_raid, artillery_shelling, urban_fights, chemical,
  nuclear) and, for sub-oblast locations, ``location_oblast``.

Placement: an alert names a region, not a point. Oblasts (and Kyiv city) are placed with the
offline gazetteer (:func:`safepassage.monitor.gazetteer.oblast_area`: the population-weighted centre
of the oblast's settlements, radius holding 90 % of them, about 65-110 km; Kyiv city 12 km). A city
is placed at the matching settlement of its oblast with a 15 km radius. A raion or hromada, for
which we have no boundaries offline, is given its oblast's circle: wider than the truth, never
narrower. An alert that cannot be placed is a row error (a report with no place cannot be judged).

Time: an alert starts at a known second, so ``time_uncertainty_s`` is 60; ``ended_at`` is the end
(None while the alert is active). Kind: air_raid -> air_raid_alert, artillery_shelling -> shelling,
urban_fights -> fighting, others -> other. Source: the state alert system, relayed by a volunteer
dataset or alerts.in.ua; type ``official``, verification ``verified`` (the alert certainly sounded;
that it was sounded is all the report claims).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from safepassage.errors import FeedError
from safepassage.monitor.feeds._csvrows import CsvRow, iter_csv_records
from safepassage.monitor.feeds._jsonitems import iter_json_array, load_json_text
from safepassage.monitor.feeds._time import parse_iso_utc
from safepassage.monitor.gazetteer import Area, find_places, oblast_area, oblast_code
from safepassage.monitor.report import IncidentReport, RowError
from safepassage.scenario.vocabulary import HazardKind, SourceType, Verification

__all__ = ["ALERT_KIND", "CITY_RADIUS_M", "SIREN_COLUMNS", "iter_alerts"]

SIREN_COLUMNS = frozenset({"region", "started_at", "finished_at"})
CITY_RADIUS_M = 15_000.0
_START_UNCERTAINTY_S = 60.0
ALERT_KIND: Mapping[str, HazardKind] = {
    "air_raid": HazardKind.AIR_RAID_ALERT,
    "artillery_shelling": HazardKind.SHELLING,
    "urban_fights": HazardKind.FIGHTING,
}


def iter_alerts(path: Path) -> Iterator[IncidentReport | RowError]:
    """Reports from a siren CSV or an alerts.in.ua JSON file (told apart by the first character)."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            first = handle.read(256).lstrip()[:1]
    except OSError as exc:
        raise FeedError(f"{path}: cannot open the feed file ({exc.strerror or exc})") from exc
    if first in ("{", "["):
        yield from _iter_api_json(path)
    else:
        yield from _iter_siren_csv(path)


def _iter_siren_csv(path: Path) -> Iterator[IncidentReport | RowError]:
    yield from iter_csv_records(path, SIREN_COLUMNS, "air-raid siren CSV", _siren_report)


def _siren_report(row: CsvRow) -> IncidentReport:
    f = row.fields
    region = f["region"].strip()
    area = oblast_area(region)
    if area is None:
        raise ValueError(f"region {region!r} is not a Ukrainian oblast or Kyiv city the gazetteer knows")
    started, ended = _times(f["started_at"], f["finished_at"])
    naive = f.get("naive", "").strip().casefold() == "true"
    return _alert_report(
        feed="alerts",
        source_id=f"{region}|{started.isoformat()}",
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


def _iter_api_json(path: Path) -> Iterator[IncidentReport | RowError]:
    text, document = load_json_text(path, "alerts.in.ua")
    key: str | None
    if isinstance(document, list):
        key = None
    elif isinstance(document, dict) and isinstance(document.get("alerts"), list):
        key = "alerts"
    else:
        raise FeedError(f'{path}: not an alerts.in.ua document; expected {{"alerts": [...]}} or a list')
    for line, item in iter_json_array(text, key):
        try:
            yield _api_report(item, line)
        except ValueError as exc:
            yield RowError(str(path), line, str(exc))


def _api_report(item: Any, line: int) -> IncidentReport:
    if not isinstance(item, dict):
        raise ValueError(f"alert is a {type(item).__name__}; expected an object")
    for name in ("id", "location_title", "started_at"):
        if item.get(name) in (None, ""):
            raise ValueError(f"alert has no {name}")
    title = str(item["location_title"]).strip()
    location_type = str(item.get("location_type") or "").strip()
    area = _place_api_location(title, location_type, str(item.get("location_oblast") or ""))
    started, ended = _times(str(item["started_at"]), str(item.get("finished_at") or ""))
    alert_type = str(item.get("alert_type") or "air_raid")
    return _alert_report(
        feed="alerts",
        source_id=f"alerts.in.ua:{item['id']}",
        kind=ALERT_KIND.get(alert_type, HazardKind.OTHER),
        started=started,
        ended=ended,
        area=area,
        location_name=title,
        source_name="alerts.in.ua",
        description=f"{alert_type} alert ({location_type or 'location'})",
        line=line,
        raw={k: "" if v is None else str(v) for k, v in item.items()},
    )


def _place_api_location(title: str, location_type: str, oblast: str) -> Area:
    if location_type == "oblast" or not oblast:
        area = oblast_area(title)
        if area is None:
            raise ValueError(f"location_title {title!r} is not an oblast the gazetteer knows")
        return area
    oblast_circle = oblast_area(oblast)
    if oblast_circle is None:
        raise ValueError(f"location_oblast {oblast!r} is not an oblast the gazetteer knows")
    if location_type == "city":
        name = title.removeprefix("м.").strip()
        code = oblast_code(oblast)
        in_oblast = [p for p in find_places(name) if p.admin1 == code]
        if in_oblast:
            return Area(title, in_oblast[0].lat, in_oblast[0].lon, CITY_RADIUS_M)
    return Area(title, oblast_circle.lat, oblast_circle.lon, oblast_circle.radius_m)


def _times(started_text: str, finished_text: str) -> tuple[dt.datetime, dt.datetime | None]:
    try:
        started = parse_iso_utc(started_text)
    except ValueError:
        raise ValueError(f"started_at {started_text!r} is not an ISO-8601 timestamp") from None
    if not finished_text.strip():
        return started, None
    try:
        ended = parse_iso_utc(finished_text)
    except ValueError:
        raise ValueError(f"finished_at {finished_text!r} is not an ISO-8601 timestamp") from None
    if ended < started:
        raise ValueError(f"finished_at {finished_text!r} is before started_at {started_text!r}")
    return started, ended


def _alert_report(
    *,
    feed: str,
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
        feed=feed,
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
