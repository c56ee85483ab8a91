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

Kind: UCDP codes organised violence, not weapons; we read the headline for the weapon (shelling,
artillery, Grad, rocket -> shelling; air strike, bomb -> air_strike; missile -> missile; mine ->
mines) and call the rest fighting. Source type: the most credible of the outlets in
``source_office`` and the original source in ``source_original`` (see ``_sources``); verification
``unverified`` (as for ACLED: curated, not reviewed by us).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path

from safepassage.monitor.feeds._csvrows import CsvRow, iter_csv_records
from safepassage.monitor.feeds._fields import parse_coordinate, parse_count
from safepassage.monitor.feeds._sources import row_source_type, split_outlets
from safepassage.monitor.feeds._time import HALF_DAY_S, local_noon_utc
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
_KIND_WORDS: tuple[tuple[re.Pattern[str], HazardKind], ...] = (
    (re.compile(r"missile", re.I), HazardKind.MISSILE),
    (re.compile(r"air ?strike|air raid|bomb", re.I), HazardKind.AIR_STRIKE),
    (re.compile(r"shell|artillery|\bgrad\b|rocket|mortar", re.I), HazardKind.SHELLING),
    (re.compile(r"\bmines?\b|landmine|explosive device", re.I), HazardKind.MINES),
)


def iter_ucdp(path: Path) -> Iterator[IncidentReport | RowError]:
    """Reports from a UCDP GED CSV file; malformed rows come out as RowError and are skipped."""
    yield from iter_csv_records(path, REQUIRED_COLUMNS, "UCDP GED", _report)


def _report(row: CsvRow) -> IncidentReport:
    f = row.fields
    source_id = f["id"].strip()
    if not source_id:
        raise ValueError("id is empty; expected the UCDP event id")
    start, end = _date(f["date_start"], "date_start"), _date(f["date_end"], "date_end")
    if end < start:
        raise ValueError(f"date_end {f['date_end']!r} is before date_start {f['date_start']!r}")
    where = f["where_prec"].strip()
    if where not in WHERE_PRECISION_RADIUS_M:
        raise ValueError(f"where_prec {where!r} is not 1..7")
    date_code = f.get("date_prec", "1").strip() or "1"
    if date_code not in DATE_PRECISION_S:
        raise ValueError(f"date_prec {date_code!r} is not 1..5")
    first, last = local_noon_utc(start), local_noon_utc(end)
    middle = first + (last - first) / 2
    half_span_s = (last - first).total_seconds() / 2 + HALF_DAY_S
    outlets = split_outlets(f.get("source_office", ""))
    originals = split_outlets(f.get("source_original", "").replace(",", ";"))
    headline = f.get("source_headline", "")
    return IncidentReport(
        feed="ucdp",
        source_id=source_id,
        kind=_kind(headline),
        observed_at=middle,
        lat=parse_coordinate(f["latitude"], "latitude", 90.0),
        lon=parse_coordinate(f["longitude"], "longitude", 180.0),
        radius_m=WHERE_PRECISION_RADIUS_M[where],
        time_uncertainty_s=max(DATE_PRECISION_S[date_code], half_span_s),
        source_name="; ".join(outlets) or "UCDP",
        source_type=row_source_type((*outlets, *originals)),
        verification=Verification.UNVERIFIED,
        fatalities=parse_count(f.get("best", ""), "best"),
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
    raise ValueError(f"{name} {text!r} is not a date like '2/24/2022 12:00:00 AM' or 2022-02-24")


def _kind(headline: str) -> HazardKind:
    for pattern, kind in _KIND_WORDS:
        if pattern.search(headline):
            return kind
    return HazardKind.FIGHTING
