"""ACLED CSV exports (Armed Conflict Location & Event Data): one event per row.

Columns used: ``event_id_cnty`` (the id), ``event_date`` ("04 March 2022"), ``time_precision``,
``event_type``, ``sub_event_type``, ``latitude``, ``longitude``, ``geo_precision``, ``location``,
``source``, ``source_scale``, ``notes``, ``fatalities``.

Numbers and dates are checked against :mod:`safepassage.bounds` (coordinates, ``fatalities`` 0 to
1,000,000, dates 1900-2100): a row breaking one is a row error naming its line and value.

Precision to uncertainty (ACLED codebook definitions; radii sized for Ukrainian settlements):

===============  =====================================================  ================
geo_precision    ACLED meaning                                          radius_m
===============  =====================================================  ================
1                the named town itself (coordinates of the town)        5,000 (a city of
                                                                        ~200k spans ~10 km)
2                "near" a town or a part of a region: the nearest        25,000
                 named town is used
3                only the larger region is known: its centroid           75,000 (half an
                                                                        oblast's width)
===============  =====================================================  ================

===============  =====================================================  ===================
time_precision   ACLED meaning                                          time_uncertainty_s
===============  =====================================================  ===================
1                the exact day                                          ±12 h (43,200)
2                the week (the middle day is coded)                     ±3.5 days (302,400)
3                the month (the middle day is coded)                    ±15 days (1,296,000)
===============  =====================================================  ===================

Kinds (``sub_event_type`` -> :class:`HazardKind`): shelling/artillery/missile attack -> shelling;
air/drone strike -> air_strike; remote explosive/landmine/IED -> mines; armed clash, attack,
territory changes -> fighting; disrupted weapons use (interceptions) -> missile; looting/property
destruction -> looting; everything else (protests, strategic developments, abductions...) -> other.

Verification: ACLED is curated (coders check each event against its sources), but that checks what
sources said, not what happened; our review workflow has not seen the row, so reports come in
``unverified``. The outlets it names count as corroboration when incidents are merged. Source type:
see :mod:`safepassage.monitor.feeds._sources`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path

from safepassage.bounds import FATALITIES, show_value
from safepassage.monitor.feeds._csvrows import CsvRow, iter_csv_records
from safepassage.monitor.feeds._fields import parse_coordinate, parse_count, parse_source_id
from safepassage.monitor.feeds._sources import row_source_type, split_outlets
from safepassage.monitor.feeds._time import local_noon_utc
from safepassage.monitor.report import IncidentReport, RowError
from safepassage.scenario.vocabulary import HazardKind, Verification

__all__ = ["GEO_PRECISION_RADIUS_M", "REQUIRED_COLUMNS", "SUB_EVENT_KIND", "TIME_PRECISION_S", "iter_acled"]

REQUIRED_COLUMNS = frozenset(
    {"event_id_cnty", "event_date", "sub_event_type", "latitude", "longitude", "geo_precision"}
)
GEO_PRECISION_RADIUS_M: Mapping[str, float] = {"1": 5_000.0, "2": 25_000.0, "3": 75_000.0}
TIME_PRECISION_S: Mapping[str, float] = {"1": 43_200.0, "2": 302_400.0, "3": 1_296_000.0}
SUB_EVENT_KIND: Mapping[str, HazardKind] = {
    "shelling/artillery/missile attack": HazardKind.SHELLING,
    "air/drone strike": HazardKind.AIR_STRIKE,
    "remote explosive/landmine/ied": HazardKind.MINES,
    "armed clash": HazardKind.FIGHTING,
    "attack": HazardKind.FIGHTING,
    "government regains territory": HazardKind.FIGHTING,
    "non-state actor overtakes territory": HazardKind.FIGHTING,
    "disrupted weapons use": HazardKind.MISSILE,
    "looting/property destruction": HazardKind.LOOTING,
}


def iter_acled(path: Path) -> Iterator[IncidentReport | RowError]:
    """Reports from an ACLED CSV export; malformed rows come out as RowError and are skipped."""
    yield from iter_csv_records(path, REQUIRED_COLUMNS, "ACLED", _report)


def _report(row: CsvRow) -> IncidentReport:
    f = row.fields
    source_id = parse_source_id(f["event_id_cnty"], "event_id_cnty")
    day = _event_date(f["event_date"])
    lat = parse_coordinate(f["latitude"], "latitude", 90.0)
    lon = parse_coordinate(f["longitude"], "longitude", 180.0)
    geo = f["geo_precision"].strip()
    if geo not in GEO_PRECISION_RADIUS_M:
        raise ValueError(f"geo_precision {show_value(geo)} is not 1, 2 or 3")
    time_code = f.get("time_precision", "1").strip() or "1"
    if time_code not in TIME_PRECISION_S:
        raise ValueError(f"time_precision {show_value(time_code)} is not 1, 2 or 3")
    outlets = split_outlets(f.get("source", ""))
    return IncidentReport(
        feed="acled",
        source_id=source_id,
        kind=SUB_EVENT_KIND.get(f["sub_event_type"].strip().casefold(), HazardKind.OTHER),
        observed_at=local_noon_utc(day),
        lat=lat,
        lon=lon,
        radius_m=GEO_PRECISION_RADIUS_M[geo],
        time_uncertainty_s=TIME_PRECISION_S[time_code],
        source_name="; ".join(outlets) or "ACLED",
        source_type=row_source_type(outlets, f.get("source_scale", "")),
        verification=Verification.UNVERIFIED,
        fatalities=parse_count(f.get("fatalities", ""), "fatalities", FATALITIES),
        location_name=f.get("location", "").strip(),
        description=f.get("notes", "").strip(),
        line=row.line,
        raw=dict(f),
    )


@lru_cache(maxsize=4096)
def _event_date(text: str) -> dt.date:
    """ACLED's "04 March 2022" (or ISO 2022-03-04); cached, as a file repeats few dates."""
    stripped = text.strip()
    for fmt in ("%d %B %Y", "%Y-%m-%d", "%d-%B-%Y"):
        try:
            return dt.datetime.strptime(stripped, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"event_date {show_value(text)} is not a date like '04 March 2022' or 2022-03-04")
