"""The corridor monitor: incident feeds in, verdicts per corridor and window out, re-plans."""

from safepassage.monitor.feeds import FORMATS, guess_format, iter_feed
from safepassage.monitor.records import (
    CorridorAnnouncement,
    CorridorOutcome,
    CountMethod,
    Evidence,
    FigureClaim,
    FigureKind,
    Incident,
    IncidentSource,
    PlacedWaypoint,
    Proposer,
    ReportKey,
    Verdict,
    VerdictOutcome,
)
from safepassage.monitor.report import IncidentReport, RowError

__all__ = [
    "FORMATS",
    "CorridorAnnouncement",
    "CorridorOutcome",
    "CountMethod",
    "Evidence",
    "FigureClaim",
    "FigureKind",
    "Incident",
    "IncidentReport",
    "IncidentSource",
    "PlacedWaypoint",
    "Proposer",
    "ReportKey",
    "RowError",
    "Verdict",
    "VerdictOutcome",
    "guess_format",
    "iter_feed",
]
