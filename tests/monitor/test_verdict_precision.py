"""Events located only to a region or the country, or dated only to a week or worse, are never
evidence on a route - real ACLED and UCDP rows, and siblings made from them by changing one code.

The reported case: ``corridors judge`` listed UCDP event 448455 ("Ukraine lost 9,000 defenders",
where_prec 6 = the country, 24 February - 23 September 2022, placed at 49 N 32 E, 264 km from the
Mariupol -> Zaporizhzhia route) as evidence on that route.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pytest

from safepassage.monitor import IncidentReport, VerdictOutcome, iter_feed
from safepassage.monitor.feeds.acled import GEO_PRECISION_RADIUS_M, TIME_PRECISION_S
from safepassage.monitor.feeds.ucdp import DATE_PRECISION_S, WHERE_PRECISION_RADIUS_M
from safepassage.monitor.merge import incident_from_reports
from safepassage.monitor.verdict import (
    MAX_EVIDENCE_RADIUS_M,
    MAX_EVIDENCE_TIME_UNCERTAINTY_S,
    is_precise,
    judge_corridor,
)

from ._factories import report
from ._shared import ACLED, UCDP, shared_file

MARIUPOL_ZAPORIZHZHIA = ((37.5413, 47.0951), (36.82, 47.35), (35.8728, 47.5653), (35.1171, 47.8517))
SUMY_POLTAVA = ((34.7981, 50.9077), (34.5514, 49.5883))


def _window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(7, 0), tzinfo=dt.UTC)
    return start, start + dt.timedelta(hours=7)


def _real_row(relative: str, id_column: str, row_id: str) -> tuple[list[str], dict[str, str]]:
    with shared_file(relative).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            if row[id_column] == row_id:
                return list(reader.fieldnames or ()), row
    raise AssertionError(f"row {row_id} not in {relative}")


def _read(
    tmp_path: Path, fmt: str, header: list[str], row: Mapping[str, str], **changes: str
) -> IncidentReport:
    """The row (with ``changes``) written as a one-row feed file and read by the real parser."""
    path = tmp_path / f"{fmt}-{len(list(tmp_path.iterdir()))}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerow({**row, **changes})
    (item,) = list(iter_feed(path, fmt))
    assert isinstance(item, IncidentReport), item
    return item


def test_the_reported_ucdp_country_total_is_neither_evidence_nor_coverage(tmp_path: Path) -> None:
    header, row = _real_row(UCDP, "id", "448455")
    country = _read(tmp_path, "ucdp", header, row)
    assert (row["where_prec"], row["date_prec"]) == ("6", "5")
    assert not is_precise(incident_from_reports([country]))
    start, end = _window(dt.date(2022, 3, 5))
    incidents = [incident_from_reports([country])]
    verdict = judge_corridor("peacerep:1", MARIUPOL_ZAPORIZHZHIA, start, end, incidents, 10_000.0)
    assert verdict.evidence == ()
    assert verdict.violation_score == 0.0
    # the whole country is no sign that the feeds were live around this route either
    assert verdict.outcome is VerdictOutcome.INSUFFICIENT_EVIDENCE


@pytest.mark.parametrize(
    ("where_prec", "date_prec", "date_start", "date_end", "is_evidence"),
    [
        ("1", "1", "2022-03-05", "2022-03-05", True),  # placed and dated: a sibling on the route
        ("2", "1", "2022-03-05", "2022-03-05", True),  # within 25 km of a known point
        ("3", "1", "2022-03-05", "2022-03-05", True),  # the raion
        ("4", "1", "2022-03-05", "2022-03-05", False),  # the oblast
        ("5", "1", "2022-03-05", "2022-03-05", False),  # a road's length or an area between places
        ("6", "1", "2022-03-05", "2022-03-05", False),  # the country, on the very day
        ("7", "1", "2022-03-05", "2022-03-05", False),  # sea or airspace
        ("1", "2", "2022-03-04", "2022-03-06", False),  # exact place, "within 2-6 days"
        ("1", "5", "2022-02-24", "2022-09-23", False),  # exact place, February to September
    ],
)
def test_ucdp_siblings_on_the_route_count_only_when_placed_and_dated(
    tmp_path: Path, where_prec: str, date_prec: str, date_start: str, date_end: str, is_evidence: bool
) -> None:
    header, row = _real_row(UCDP, "id", "448455")
    sibling = _read(
        tmp_path, "ucdp", header, row,
        where_prec=where_prec, date_prec=date_prec, date_start=date_start, date_end=date_end,
        latitude="47.35", longitude="36.82",  # on the route, at Rozivka
    )  # fmt: skip
    start, end = _window(dt.date(2022, 3, 5))
    incident = incident_from_reports([sibling])
    verdict = judge_corridor("peacerep:1", MARIUPOL_ZAPORIZHZHIA, start, end, [incident], 10_000.0)
    assert [e.incident_id for e in verdict.evidence] == ([incident.id] if is_evidence else [])
    assert (verdict.violation_score > 0.0) is is_evidence


@pytest.mark.parametrize(
    ("geo_precision", "time_precision", "is_evidence"),
    [("3", "1", False), ("2", "1", True), ("1", "1", True), ("1", "2", False), ("1", "3", False)],
)
def test_acled_region_level_shelling_of_sumy_is_no_evidence_on_a_route_through_sumy(
    tmp_path: Path, geo_precision: str, time_precision: str, is_evidence: bool
) -> None:
    header, row = _real_row(ACLED, "event_id_cnty", "UKR52713")  # "shelling the Sumy region"
    assert row["geo_precision"] == "3"
    event = _read(tmp_path, "acled", header, row, geo_precision=geo_precision, time_precision=time_precision)
    start, end = _window(dt.date(2022, 3, 4))
    incidents = [incident_from_reports([event])]
    verdict = judge_corridor("sumy-poltava", SUMY_POLTAVA, start, end, incidents, 10_000.0)
    assert (len(verdict.evidence) == 1) is is_evidence
    assert (verdict.violation_score > 0.0) is is_evidence


def test_precision_follows_the_feed_codebooks() -> None:
    """Every code of both codebooks, through the radii and time uncertainties the parsers give."""
    acled_places = {code: r <= MAX_EVIDENCE_RADIUS_M for code, r in GEO_PRECISION_RADIUS_M.items()}
    ucdp_places = {code: r <= MAX_EVIDENCE_RADIUS_M for code, r in WHERE_PRECISION_RADIUS_M.items()}
    acled_times = {code: u <= MAX_EVIDENCE_TIME_UNCERTAINTY_S for code, u in TIME_PRECISION_S.items()}
    ucdp_times = {code: u <= MAX_EVIDENCE_TIME_UNCERTAINTY_S for code, u in DATE_PRECISION_S.items()}
    assert acled_places == {"1": True, "2": True, "3": False}
    assert ucdp_places == {"1": True, "2": True, "3": True, "4": False, "5": False, "6": False, "7": False}
    assert acled_times == {"1": True, "2": False, "3": False}
    assert ucdp_times == {"1": True, "2": False, "3": False, "4": False, "5": False}


def test_a_merged_incident_takes_its_most_precise_report() -> None:
    """An oblast-level row merged with a precise one is evidence at the precise one's place."""
    oblast = report("ucdp", "u1", source_name="Ukrinform", radius_m=100_000.0, lat=47.5, lon=36.0)
    precise = report("geojson", "g1", source_name="Telegram", radius_m=1_000.0, lat=47.48, lon=36.25)
    assert not is_precise(incident_from_reports([oblast]))
    assert is_precise(incident_from_reports([oblast, precise]))
