"""The records the monitor produces and the store keeps: incidents, corridor announcements, figures, verdicts.

All are frozen dataclasses of plain values (str, float, int, datetimes, enums, tuples) so that the
store can persist them column by column and tests can compare them. Datetimes are timezone-aware
UTC; distances are metres; durations seconds.

- :class:`Incident`: one or more :class:`~safepassage.monitor.report.IncidentReport` from different
  feeds merged because they describe the same event (see :mod:`safepassage.monitor.merge`).
- :class:`CorridorAnnouncement`: one announced humanitarian corridor of 2022 with its route placed
  on the map (see :mod:`safepassage.monitor.corridors`).
- :class:`FigureClaim`: a claimed count (killed, injured, evacuated, refugees) by one source, kept
  beside the others and never averaged (see :mod:`safepassage.monitor.figures`).
- :class:`Verdict`: honoured / violated / contested / insufficient evidence for a corridor and a
  window, with its evidence (see :mod:`safepassage.monitor.verdict` and ``docs/verdicts.md``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from safepassage.scenario.vocabulary import HazardKind, SourceType, Verification

__all__ = [
    "CorridorAnnouncement",
    "CorridorOutcome",
    "CountMethod",
    "Evidence",
    "FigureClaim",
    "FigureKind",
    "Incident",
    "IncidentSource",
    "PlacedWaypoint",
    "Proposer",
    "ReportKey",
    "Verdict",
    "VerdictOutcome",
]

#: Identity of one stored report: (feed, the feed's own id for the row).
ReportKey = tuple[str, str]


@dataclass(frozen=True)
class IncidentSource:
    """One report behind an incident, as the verdict needs it: who said it and how far it is trusted."""

    feed: str
    source_id: str
    source_name: str
    source_type: SourceType
    verification: Verification
    fatalities: int | None = None
    description: str = ""  # the feed's notes / headline, as written (any language)
    sub_kind: str = ""  # the feed's own event code (ACLED sub_event_type, UCDP type of violence...)
    actor: str = ""  # who the feed says was responsible (ACLED actor1, UCDP side_a), as written


@dataclass(frozen=True)
class Incident:
    """One event on the ground, seen by one or more feeds.

    ``lat``/``lon``/``radius_m`` is the tightest of the merged reports' locations (the one with the
    smallest uncertainty); ``first_observed_at``..``last_observed_at`` spans the reports' times,
    clamped to the interval on which all the reports' time uncertainties agree (so a report dated
    "24 Feb - 13 Oct" merged with one dated "1 March" gives 1 March), and ``time_uncertainty_s``
    is the smallest of their uncertainties. ``corroboration`` is the number of
    independent sources (distinct outlets named across the reports), not the number of rows.
    ``fatalities_claims`` keeps each source's claimed death toll side by side; it is never summed.
    """

    id: str  # stable: derived from the sorted report keys
    kind: HazardKind
    lat: float | None
    lon: float | None
    radius_m: float
    first_observed_at: dt.datetime
    last_observed_at: dt.datetime
    time_uncertainty_s: float
    report_keys: tuple[ReportKey, ...]
    sources: tuple[IncidentSource, ...]
    corroboration: int
    fatalities_claims: tuple[tuple[str, int], ...] = ()  # (source name, claimed deaths)
    location_name: str = ""
    ended_at: dt.datetime | None = None

    @property
    def feeds(self) -> tuple[str, ...]:
        """The distinct feeds the incident was seen in, sorted."""
        return tuple(sorted({feed for feed, _ in self.report_keys}))


class Proposer(StrEnum):
    """Who proposed a corridor, as recorded in the PeaceRep dataset."""

    UKRAINE = "Ukraine"
    RUSSIA = "Russia"
    AGREED = "Agreed"


class CorridorOutcome(StrEnum):
    """The recorded outcome of an announced corridor (PeaceRep ``status_extra``, normalised)."""

    SUCCESSFUL = "successful"
    UNKNOWN = "unknown"
    DISPUTED = "disputed"
    DISRUPTED = "disrupted"
    UNSUCCESSFUL = "unsuccessful"


@dataclass(frozen=True)
class PlacedWaypoint:
    """A town named in an announcement's text, placed with the offline gazetteer."""

    name: str  # as written in the announcement
    lat: float
    lon: float
    gazetteer_name: str = ""  # the GeoNames name it was matched to
    geonameid: int = 0


@dataclass(frozen=True)
class CorridorAnnouncement:
    """One announced humanitarian corridor (a row of the PeaceRep 2022 dataset).

    ``waypoints`` are the towns between ``from`` and ``to`` named in the text that could be placed,
    in route order; ``waypoints_unplaced`` those that could not (listed, never silently dropped).
    ``ceasefire_start``/``ceasefire_end`` are UTC datetimes when the text gave the hours.
    """

    hc_id: int
    announced_on: dt.date
    proposed_by: Proposer
    outcome: CorridorOutcome
    from_name: str
    from_lat: float
    from_lon: float
    to_name: str
    to_lat: float
    to_lon: float
    waypoints: tuple[PlacedWaypoint, ...] = ()
    waypoints_unplaced: tuple[str, ...] = ()
    ceasefire_start: dt.datetime | None = None
    ceasefire_end: dt.datetime | None = None
    text: str = ""
    outcome_raw: str = ""  # the dataset's own words (status_extra)
    links: tuple[str, ...] = ()
    line: int = 0  # line of the row in the CSV file

    @property
    def route_lonlat(self) -> tuple[tuple[float, float], ...]:
        """The route polyline as (lon, lat) pairs: from, the placed waypoints, to."""
        inner = tuple((w.lon, w.lat) for w in self.waypoints)
        return ((self.from_lon, self.from_lat), *inner, (self.to_lon, self.to_lat))


class FigureKind(StrEnum):
    """What a figure counts."""

    KILLED = "killed"
    INJURED = "injured"
    EVACUATED = "evacuated"
    REFUGEES = "refugees"


class CountMethod(StrEnum):
    """How a figure was arrived at: counted one by one and confirmed, or estimated."""

    CONFIRMED_ONLY = "confirmed_only"
    ESTIMATE = "estimate"


@dataclass(frozen=True)
class FigureClaim:
    """A count claimed by one source at one date; kept beside disagreeing claims, never averaged.

    ``lower_bound`` marks claims phrased "more than N" or "at least N"; ``scope`` says what the count
    covers (e.g. "Ukraine", "crossed into Poland").
    """

    what: FigureKind
    count: int
    source: str
    method: CountMethod
    as_of: dt.date
    verification: Verification
    note: str = ""
    scope: str = "Ukraine"
    lower_bound: bool = False
    daily: bool = False  # True for a per-day count, False for a cumulative one


class VerdictOutcome(StrEnum):
    """The judgement on a corridor for a window."""

    HONOURED = "honoured"
    VIOLATED = "violated"
    CONTESTED = "contested"
    INSUFFICIENT_EVIDENCE = "insufficient_evidence"


@dataclass(frozen=True)
class Evidence:
    """One incident counted for (or against) a verdict, with the weight it carried."""

    incident_id: str
    sources: tuple[str, ...]
    distance_to_route_m: float
    observed_at: dt.datetime
    weight: float
    kind: HazardKind = HazardKind.OTHER
    decisive: bool = False  # a verified or corroborated source and none disputed (docs/verdicts.md)
    what: str = ""  # kind, the feeds' event codes, what the notes say (verdict/3)
    where: str = ""  # relative to the route
    when: str = ""  # relative to the window
    who: str = ""  # who says so, and whom they hold responsible
    how_sure: str = ""  # belief, decisive or not and why


@dataclass(frozen=True)
class Verdict:
    """Honoured / violated / contested / insufficient evidence for one corridor and one window.

    ``violation_score`` in [0, 1] is the belief that the corridor was violated during the window;
    ``confidence`` in [0, 1] how far the evidence supports the outcome. ``rule_version`` names the
    rule in ``docs/verdicts.md`` that produced it, so old verdicts stay explainable.
    """

    corridor_id: str
    window_start: dt.datetime
    window_end: dt.datetime
    outcome: VerdictOutcome
    violation_score: float
    confidence: float
    evidence: tuple[Evidence, ...]
    rule_version: str
    reason: str = ""
