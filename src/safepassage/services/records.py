"""The records the use cases return: frozen dataclasses holding plain values and domain objects.

No ORM row or session ever leaves :mod:`safepassage.services`; a shell (cli, api, web) reads these.
Times are timezone-aware UTC unless a field says otherwise. Every annotation resolves at run time
(``typing.get_type_hints``), so a shell can derive its schemas from these classes.
:class:`CorridorSummary` and :class:`ReportSummary` (one line of a corridor or report listing),
:class:`StoredScenario`, :class:`StoredPlan`, :class:`StoredVerdict` and :class:`NotificationRecord`
are the store's read records, re-exported here so a shell needs nothing from the store's query
modules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from safepassage.finding import Finding
from safepassage.monitor.figures import FigureComparison
from safepassage.monitor.records import CorridorAnnouncement, Verdict
from safepassage.monitor.replay import ReplayResult
from safepassage.monitor.report import IncidentReport, RowError
from safepassage.network import RoadNetwork
from safepassage.planner import Plan
from safepassage.routing import Route
from safepassage.scenario import Scenario
from safepassage.scenario.vocabulary import TravelMode, Verification
from safepassage.store import (
    Added,
    AuditSummary,
    FeedTally,
    MergeOutcome,
    NotificationRecord,
    StoredPlan,
    StoredScenario,
    StoredVerdict,
)
from safepassage.store.queries import CorridorSummary, ReportSummary

__all__ = [
    "AnchorTaken",
    "CorridorImport",
    "CorridorJudgement",
    "CorridorSummary",
    "DemoRun",
    "EventRecord",
    "FigureImport",
    "FigureTable",
    "IncidentLink",
    "IngestRun",
    "JudgedCorridor",
    "MonitorRun",
    "NotificationRecord",
    "PlannedScenario",
    "ReadyScenario",
    "ReplayStored",
    "ReportAdded",
    "ReportDetail",
    "ReportSummary",
    "ReviewOutcome",
    "ReviewRecord",
    "RouteFound",
    "StatusChange",
    "StoredPlan",
    "StoredScenario",
    "StoredVerdict",
]


# -- scenarios and planning ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadyScenario:
    """A scenario with its road networks (one per travel mode) and what validation found."""

    scenario: Scenario
    networks: dict[TravelMode, RoadNetwork]
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The findings that must be fixed before planning."""
        return tuple(f for f in self.findings if f.severity == "error")

    def network_descriptions(self) -> list[tuple[TravelMode, str]]:
        """(mode, one-line description of its network) for each mode, in load order."""
        return [(mode, network.report.describe()) for mode, network in self.networks.items()]


@dataclass(frozen=True)
class RouteFound:
    """The best open route from ``origin`` to ``destination`` (ids) on ``network``."""

    scenario: Scenario
    network: RoadNetwork
    origin: str
    destination: str
    route: Route


@dataclass(frozen=True)
class PlannedScenario:
    """A plan with the scenario and networks it was made on."""

    scenario: Scenario
    networks: dict[TravelMode, RoadNetwork]
    plan: Plan


@dataclass(frozen=True)
class DemoRun:
    """The demo end to end: the ready scenario, closures counted by reason, the checked plan and the
    files written (``plan_file``, ``map_file`` holding ``map_features`` features) in ``seconds``."""

    ready: ReadyScenario
    closures_by_reason: dict[str, int]
    plan: Plan
    plan_file: Path
    map_file: Path
    map_features: int
    seconds: float


# -- reports ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IngestRun:
    """What ingesting feed files did: one tally per file (in order), the merge (None: nothing was
    pending; ``merged`` false: not asked for) and how many reports the store holds afterwards."""

    tallies: tuple[tuple[Path, FeedTally], ...]
    merged: bool
    merge: MergeOutcome | None
    reports_stored: int

    @property
    def malformed(self) -> int:
        """Malformed rows over every file."""
        return sum(len(t.malformed) for _, t in self.tallies)


@dataclass(frozen=True)
class ReportAdded:
    """Outcome of adding one report: its database id (None when it was already stored) and key."""

    report_id: int | None
    feed: str
    source_id: str

    @property
    def key(self) -> str:
        """``feed:source_id``."""
        return f"{self.feed}:{self.source_id}"


@dataclass(frozen=True)
class ReviewRecord:
    """One review decision about a report or an incident."""

    reviewed_at: dt.datetime
    state: str
    published: bool
    reviewer: str
    reason: str
    claim: str


@dataclass(frozen=True)
class ReviewOutcome:
    """A review recorded: its subject (exactly one of report or incident id) and its full history."""

    report_id: int | None
    incident_id: int | None
    history: tuple[ReviewRecord, ...]

    @property
    def subject(self) -> str:
        """``report 3`` or ``incident 7``."""
        return f"report {self.report_id}" if self.report_id is not None else f"incident {self.incident_id}"


@dataclass(frozen=True)
class IncidentLink:
    """The newest incident a report was merged into and the ``feed:source_id`` of all its reports."""

    id: int
    key: str
    corroboration: int
    members: tuple[str, ...]


@dataclass(frozen=True)
class ReportDetail:
    """One stored report as stored, with its source, incident, reviews and what it counts as."""

    id: int
    feed: str
    source_id: str
    file_name: str
    line: int
    kind: str
    observed_at: dt.datetime
    time_uncertainty_s: float
    lat: float | None
    lon: float | None
    radius_m: float
    source_name: str
    source_type: str
    verification: str
    location_name: str
    description: str
    incident: IncidentLink | None
    reviews: tuple[ReviewRecord, ...]
    counts_as: Verification

    @property
    def key(self) -> str:
        """``feed:source_id``."""
        return f"{self.feed}:{self.source_id}"


# -- corridors, verdicts, monitoring ------------------------------------------------------------------


@dataclass(frozen=True)
class StatusChange:
    """One step of a corridor's lifecycle."""

    changed_at: dt.datetime
    status: str
    changed_by: str
    reason: str


@dataclass(frozen=True)
class CorridorImport:
    """Outcome of importing an announcements file: corridors read, written, and rows set aside."""

    announcements: tuple[CorridorAnnouncement, ...]
    problems: tuple[RowError, ...]
    added: Added
    #: HC_IDs that were stored before this import (their corridors are counted, not written again).
    already_stored: frozenset[int] = frozenset()

    @property
    def rows_read(self) -> int:
        """Rows of the file, good and malformed."""
        return len(self.announcements) + len(self.problems)

    @property
    def unplaced(self) -> tuple[CorridorAnnouncement, ...]:
        """Corridors newly imported with waypoints the gazetteer could not place."""
        known = self.already_stored
        return tuple(a for a in self.announcements if a.waypoints_unplaced and a.hc_id not in known)

    @property
    def unplaced_already_stored(self) -> int:
        """Corridors already stored before this import that have unplaced waypoints."""
        return sum(1 for a in self.announcements if a.waypoints_unplaced and a.hc_id in self.already_stored)

    @property
    def waypoints_placed(self) -> int:
        """Waypoints placed with the gazetteer, over every corridor."""
        return sum(len(a.waypoints) for a in self.announcements)


@dataclass(frozen=True)
class JudgedCorridor:
    """A stored corridor (database ``id``, its announcement) and its verdict."""

    id: int
    announcement: CorridorAnnouncement
    verdict: Verdict


@dataclass(frozen=True)
class CorridorJudgement:
    """Verdicts of the corridors judged, from ``reports_used`` stored reports, evidence within
    ``buffer_m`` of each route; ``notifications``: violations the coordinators were told of."""

    judged: tuple[JudgedCorridor, ...]
    reports_used: int
    buffer_m: float
    notifications: int


@dataclass(frozen=True)
class ReplayStored:
    """What a stored replay added: new reports, plans, verdicts and notifications."""

    new_reports: int
    plans: int
    verdicts: int
    notifications: int


@dataclass(frozen=True)
class MonitorRun:
    """A replay of feeds against a scenario: the rows set aside, the replay, what was stored
    (None when not stored)."""

    scenario: Scenario
    skipped: tuple[RowError, ...]
    reports: tuple[IncidentReport, ...]
    result: ReplayResult
    stored: ReplayStored | None


# -- figures ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureImport:
    """Outcome of importing a figures file: claims read and written, rows set aside."""

    claims_read: int
    added: Added
    problems: tuple[RowError, ...]


@dataclass(frozen=True)
class FigureTable:
    """Claims side by side (never averaged); ``stored``: how many claims the store holds of the kind
    asked for, before any date filter (0: nothing imported yet)."""

    stored: int
    comparisons: tuple[FigureComparison, ...]


# -- audit --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRecord:
    """One entry of the hash-chained event log."""

    seq: int
    at: dt.datetime
    actor: str
    action: str
    table_name: str
    row_id: int
    sha256: str


@dataclass(frozen=True)
class AnchorTaken:
    """The verified log's head (``summary``), as the JSON ``document`` to keep elsewhere, and the
    file it was written to (None: not written)."""

    summary: AuditSummary
    document: str
    written_to: Path | None
