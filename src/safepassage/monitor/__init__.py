"""The corridor monitor: incident feeds in, verdicts per corridor and window out, re-plans."""

from safepassage.monitor.corridors import announcement_window, iter_corridor_announcements
from safepassage.monitor.evaluation import Evaluation, evaluate_announcements, roc_auc
from safepassage.monitor.feeds import FORMATS, guess_format, iter_feed
from safepassage.monitor.figures import FigureComparison, iter_figures, side_by_side
from safepassage.monitor.lifecycle import ALLOWED_TRANSITIONS, check_transition, outcome_history
from safepassage.monitor.merge import incident_from_reports, merge_reports
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
from safepassage.monitor.verdict import RULE_VERSION, IncidentIndex, index_incidents, judge_corridor

__all__ = [
    "ALLOWED_TRANSITIONS",
    "FORMATS",
    "RULE_VERSION",
    "CorridorAnnouncement",
    "CorridorOutcome",
    "CountMethod",
    "Evaluation",
    "Evidence",
    "FigureClaim",
    "FigureComparison",
    "FigureKind",
    "Incident",
    "IncidentIndex",
    "IncidentReport",
    "IncidentSource",
    "PlacedWaypoint",
    "Proposer",
    "ReportKey",
    "RowError",
    "Verdict",
    "VerdictOutcome",
    "announcement_window",
    "check_transition",
    "evaluate_announcements",
    "guess_format",
    "incident_from_reports",
    "index_incidents",
    "iter_corridor_announcements",
    "iter_feed",
    "iter_figures",
    "judge_corridor",
    "merge_reports",
    "outcome_history",
    "roc_auc",
    "side_by_side",
]
