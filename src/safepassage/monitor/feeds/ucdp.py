"""UCDP GED CSV (Uppsala Conflict Data Program, Georeferenced Event Dataset): one event per row.

Columns used: ``id``, ``date_start``, ``date_end`` ("2/24/2022 12:00:00 AM" or ISO), ``date_prec``,
``latitude``, ``longitude``, ``where_prec``, ``where_coordinates``, ``source_office``,
``source_original``, ``source_headline``, ``best`` (best estimate of deaths).

Precision to uncertainty (UCDP GED codebook definitions):

==========  ========================================================  ==========
where_prec  UCDP meaning                                              radius_m
==========  ========================================================  ==========
1           exact location of the event                               5,000
2           within ~25 km of a known point                            25,000
3           a second-order administrative division (raion; since       40,000
            2020 Ukrainian raions are 3,000-8,000 km²)
4           a first-order division (oblast; our computed oblast        100,000
            radii are 65-110 km)
5           a linear feature or an area between places                 100,000
6           the country only                                           500,000
7           international waters or airspace                           500,000
==========  ========================================================  ==========

==========  ==============================  ==========================
date_prec   UCDP meaning                    time_uncertainty_s (floor)
==========  ==============================  ==========================
1           the exact day                   ±12 h
2           a span of 2-6 days              ±3 days
3           a week                          ±3.5 days
4           8-30 days (a month)             ±15 days
5           more than a month               ±90 days
==========  ==============================  ==========================

The event is placed at the middle of ``date_start``..``date_end`` (noon, Kyiv time) and its
uncertainty is the larger of the table's floor and half the span plus 12 hours: UCDP gives the
interval explicitly, so the interval wins when it is wider.

Kind: UCDP codes organised violence, not weapons; we read the headline for the weapon with the
event vocabulary (:mod:`safepassage.monitor.feeds.event_kinds`: shelling, artillery, Grad ->
shelling; missile, rocket -> missile; air strike, bomb, drone -> air_strike; mine -> mines; in
English, Ukrainian or Russian) and call the rest fighting. Numbers (coordinates, ``best`` 0 to
1,000,000) and dates (1900-2100) are checked against :mod:`safepassage.bounds`. Source type: the
most credible of the outlets in ``source_office`` and the original source in ``source_original``
(see ``_sources``); verification ``unverified`` (as for ACLED: curated, not reviewed by us).
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
from safepassage.monitor.feeds._time import HALF_DAY_S, local_noon_utc
from safepassage.monitor.feeds.event_kinds import event_kind
from safepassage.monitor.report import IncidentReport, RowError
from safepassage.scenario.vocabulary import HazardKind, Verification

__all__ = ["DATE_PRECISION_S", "REQUIRED_COLUMNS", "WHERE_PRECISION_RADIUS_M", "iter_ucdp"]

REQUIRED_COLUMNS = frozenset({"id", "date_start", "date_end", "latitude", "longitude", "where_prec"})
WHERE_PRECISION_RADIUS_M: Mapping[str, float] = {
    "1": 5_000.0,
    "2": 25_000.0,
    "3": 40_000.0,
    "4": 100_000.0,
    "5": 100_000.0,
    "6": 500_000.0,
    "7": 500_000.0,
}
DATE_PRECISION_S: Mapping[str, float] = {
    "1": HALF_DAY_S,
    "2": 3 * 86_400.0,
    "3": 3.5 * 86_400.0,
    "4": 15 * 86_400.0,
    "5": 90 * 86_400.0,
}


def iter_ucdp(path: Path) -> Iterator[IncidentReport | RowError]:
    """Reports from a UCDP GED CSV file; malformed rows come out as RowError and are skipped."""
    yield from iter_csv_records(path, REQUIRED_COLUMNS, "UCDP GED", _report)


def _report(row: CsvRow) -> IncidentReport:
    f = row.fields
    source_id = parse_source_id(f["id"], "id")
    start, end = _date(f["date_start"], "date_start"), _date(f["date_end"], "date_end")
    if end < start:
        raise ValueError(
            f"date_end {show_value(f['date_end'])} is before date_start {show_value(f['date_start'])}"
        )
    where = f["where_prec"].strip()
    if where not in WHERE_PRECISION_RADIUS_M:
        raise ValueError(f"where_prec {show_value(where)} is not 1..7")
    date_code = f.get("date_prec", "1").strip() or "1"
    if date_code not in DATE_PRECISION_S:
        raise ValueError(f"date_prec {show_value(date_code)} is not 1..5")
    first, last = local_noon_utc(start), local_noon_utc(end)
    middle = first + (last - first) / 2
    half_span_s = (last - first).total_seconds() / 2 + HALF_DAY_S
    outlets = split_outlets(f.get("source_office", ""))
    originals = split_outlets(f.get("source_original", "").replace(",", ";"))
    headline = f.get("source_headline", "")
    return IncidentReport(
        feed="ucdp",
        source_id=source_id,
        kind=event_kind(headline, default=HazardKind.FIGHTING),
        observed_at=middle,
        lat=parse_coordinate(f["latitude"], "latitude", 90.0),
        lon=parse_coordinate(f["longitude"], "longitude", 180.0),
        radius_m=WHERE_PRECISION_RADIUS_M[where],
        time_uncertainty_s=max(DATE_PRECISION_S[date_code], half_span_s),
        source_name="; ".join(outlets) or "UCDP",
        source_type=row_source_type((*outlets, *originals)),
        verification=Verification.UNVERIFIED,
        fatalities=parse_count(f.get("best", ""), "best", FATALITIES),
        location_name=f.get("where_coordinates", "").strip(),
        description=headline.strip(),
        line=row.line,
        raw=dict(f),
    )


@lru_cache(maxsize=16384)
def _date(text: str, name: str) -> dt.date:
    """A UCDP date in either layout the files use (month first); cached, dates repeat."""
    stripped = text.strip()
    for fmt in (
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %H:%M",
        "%Y-%m-%d %H:%M:%S.%f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d",
    ):
        try:
            return dt.datetime.strptime(stripped, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{name} {show_value(text)} is not a date like '2/24/2022 12:00:00 AM' or 2022-02-24")
