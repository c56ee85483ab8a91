"""Verdicts from the real shared feeds on days they cover (24 Feb - 4 Mar 2022).

The corridors of 2022 start on 5 March, after the shared feeds end, so here the 2022 corridor routes
are judged on 1 and 3 March instead: what the rule would have said had a corridor been opened then.
Routes through the cities under bombardment that week (Mariupol, Irpin, Enerhodar on the night of the
Zaporizhzhia plant attack) come out violated; a route in the quiet west, with the siren network
live, comes out honoured.
"""

from __future__ import annotations

import datetime as dt

import pytest

from safepassage.monitor.corridors import iter_corridor_announcements
from safepassage.monitor.feeds import iter_feed
from safepassage.monitor.merge import merge_reports
from safepassage.monitor.records import CorridorAnnouncement, VerdictOutcome
from safepassage.monitor.report import IncidentReport
from safepassage.monitor.verdict import IncidentIndex, index_incidents, judge_corridor

from ._shared import ACLED, CORRIDORS, SIRENS, UCDP, shared_file


@pytest.fixture(scope="module")
def index() -> IncidentIndex:
    reports = [
        r
        for name in (ACLED, UCDP, SIRENS)
        for r in iter_feed(shared_file(name))
        if isinstance(r, IncidentReport)
    ]
    return index_incidents(merge_reports(reports), (31.0, 48.5))


@pytest.fixture(scope="module")
def routes() -> dict[int, tuple[tuple[float, float], ...]]:
    return {
        a.hc_id: a.route_lonlat
        for a in iter_corridor_announcements(shared_file(CORRIDORS))
        if isinstance(a, CorridorAnnouncement)
    }


def _kyiv_day(day: int) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(2022, 3, day, tzinfo=dt.UTC) - dt.timedelta(hours=2)
    return start, start + dt.timedelta(days=1)


@pytest.mark.parametrize(("hc_id", "day"), [(1, 1), (30, 3), (23, 3)])
def test_routes_through_bombarded_cities_are_violated(
    index: IncidentIndex, routes: dict[int, tuple[tuple[float, float], ...]], hc_id: int, day: int
) -> None:
    verdict = judge_corridor(f"hc-{hc_id}", routes[hc_id], *_kyiv_day(day), index)
    assert verdict.outcome is VerdictOutcome.VIOLATED
    assert verdict.confidence > 0.8
    assert verdict.evidence[0].distance_to_route_m <= 15_000  # the strongest lies within the buffer
    assert verdict.evidence[0].weight >= verdict.evidence[-1].weight


def test_quiet_western_route_with_sirens_live_is_honoured(index: IncidentIndex) -> None:
    lviv_uzhhorod = ((24.03, 49.84), (22.29, 48.62))
    verdict = judge_corridor("lviv-uzhhorod", lviv_uzhhorod, *_kyiv_day(1), index)
    assert verdict.outcome is VerdictOutcome.HONOURED
    assert verdict.violation_score == 0.0
    assert verdict.confidence > 0.5


def test_after_the_feeds_end_there_is_insufficient_evidence(
    index: IncidentIndex, routes: dict[int, tuple[tuple[float, float], ...]]
) -> None:
    verdict = judge_corridor("hc-1", routes[1], *_kyiv_day(6), index)
    assert verdict.outcome is VerdictOutcome.INSUFFICIENT_EVIDENCE
