"""What the monitoring commands list: the columns of each list and the rows they hold.

Every list goes through :func:`safepassage.cli._lists.print_list` (``--format table|csv|json``).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence

from safepassage.cli._lists import Column, ListFormat, print_list
from safepassage.cli._output import out_console
from safepassage.monitor.figures import FigureComparison
from safepassage.monitor.records import Verdict, VerdictOutcome
from safepassage.monitor.verdict import show_km
from safepassage.services.monitoring import window_text
from safepassage.services.records import (
    CorridorJudgement,
    CorridorSummary,
    JudgedCorridor,
    ReportSummary,
    ReviewRecord,
    StatusChange,
)

__all__ = [
    "print_corridors",
    "print_evidence",
    "print_figures",
    "print_history",
    "print_reports",
    "print_reviews",
    "print_verdicts",
]


_REVIEW_COLUMNS = (
    Column("reviewed_at", "when (UTC)", whole=True, show=lambda t: f"{t:%Y-%m-%d %H:%M}"),
    Column("state", whole=True),
    Column("published", whole=True, show=lambda b: "yes" if b else "no"),
    Column("reviewer", "by"),
    Column("reason", "why"),
    Column("claim"),
)


def print_reviews(title: str, history: Sequence[ReviewRecord], fmt: ListFormat) -> None:
    rows = [dataclasses.asdict(r) for r in history]
    print_list(out_console, title, _REVIEW_COLUMNS, rows, fmt)


_REPORT_COLUMNS = (
    Column("id", whole=True, justify="right"),
    Column("feed", whole=True),
    Column("source_id", "source id", whole=True),
    Column("kind"),
    Column("observed_at", "observed (UTC)", whole=True, show=lambda t: f"{t:%Y-%m-%d %H:%M}"),
    Column("lat", in_table=False),
    Column("lon", in_table=False),
    Column("radius_m", in_table=False),
    Column("where", in_data=False),
    Column("source_name", "source"),
    Column("source_type", "type"),
    Column("feed_verification", "feed says", in_table=False),
    Column("review_state", "review", whole=True),
    Column("counts_as", "counts as", whole=True),
    Column("location_name", "place", in_table=False),
    Column("description", in_table=False),
)


def print_reports(reports: Sequence[ReportSummary], fmt: ListFormat) -> None:
    """``report list``: stored reports with their review state and what they count as."""
    rows = []
    for r in reports:
        where = f"{r.lat:.4f}, {r.lon:.4f} ± {show_km(r.radius_m)}" if r.lat is not None else "no location"
        rows.append({**dataclasses.asdict(r), "where": where})
    print_list(out_console, f"Reports ({len(rows)})", _REPORT_COLUMNS, rows, fmt)


_FIGURE_COLUMNS = (
    Column("as_of", "as of", whole=True),
    Column("what"),
    Column("daily", in_table=False),
    Column("scope"),
    Column("source"),
    Column("claimed", "count", whole=True, justify="right", in_data=False),
    Column("count", in_table=False),
    Column("at_least", in_table=False),
    Column("method"),
    Column("verification"),
    Column("note"),
    Column("sources_disagree", in_table=False),
    Column("range", in_table=False),
)


def print_figures(comparisons: list[FigureComparison], fmt: ListFormat) -> None:
    """Every claim beside the others with the range when sources disagree (never averaged)."""
    rows: list[dict[str, object]] = []
    notes: list[str] = []
    for comparison in comparisons:
        open_top = any(c.lower_bound and c.count == comparison.high for c in comparison.claims)
        spread = f"{comparison.low:,} to {'more than ' if open_top else ''}{comparison.high:,}"
        for claim in comparison.claims:
            rows.append(
                {
                    "as_of": comparison.as_of,
                    "what": f"{claim.what.value} (daily)" if claim.daily else claim.what.value,
                    "daily": claim.daily,
                    "scope": claim.scope,
                    "source": claim.source,
                    "claimed": f"more than {claim.count:,}" if claim.lower_bound else f"{claim.count:,}",
                    "count": claim.count,
                    "at_least": claim.lower_bound,
                    "method": claim.method.value,
                    "verification": claim.verification.value,
                    "note": claim.note,
                    "sources_disagree": comparison.sources_disagree,
                    "range": spread,
                }
            )
        if comparison.sources_disagree:
            what = comparison.claims[0].what.value
            notes.append(f"{comparison.as_of.isoformat()} {what}: sources disagree, {spread}")
    title = "Figures: every claim beside the others, with their range (never averaged)"
    print_list(out_console, f"{title} ({len(rows)})", _FIGURE_COLUMNS, rows, fmt, notes)


_CORRIDOR_COLUMNS = (
    Column("id", whole=True, justify="right"),
    Column("key", whole=True),
    Column("announced_on", "announced", whole=True),
    Column("from_name", "from"),
    Column("to_name", "to"),
    Column("proposed_by", "proposed by"),
    Column("status", whole=True),
    Column("status_reason", "why"),
    Column("recorded_outcome", "outcome"),
    Column("waypoints", justify="right"),
    Column("waypoints_unplaced", "unplaced"),
)


def print_corridors(corridors: Sequence[CorridorSummary], fmt: ListFormat) -> None:
    """``corridors list``: corridors with their current status and why."""
    rows = [dataclasses.asdict(c) for c in corridors]
    print_list(out_console, f"Corridors ({len(rows)})", _CORRIDOR_COLUMNS, rows, fmt)


_VERDICT_COLUMNS = (
    Column("id", whole=True, justify="right"),
    Column("key", in_table=False),
    Column("from", in_table=False),
    Column("to", in_table=False),
    Column("route", in_data=False),
    Column("window", "window (UTC)", in_data=False),
    Column("window_start", in_table=False),
    Column("window_end", in_table=False),
    Column("verdict", show=lambda v: v.replace("_", " ")),  # "insufficient evidence" may wrap
    Column("confidence", whole=True, show=lambda x: f"{x:.2f}"),
    Column("violation_score", in_table=False),  # in the reason (one corridor), csv and json
    Column("evidence", whole=True, justify="right"),
    Column("evidence_ids", in_table=False),
    Column("decisive", in_table=False),
    Column("buffer_m", in_table=False),
    Column("reason", in_table=False),
)


def _verdict_row(judged: JudgedCorridor, buffer_m: float) -> dict[str, object]:
    a, v = judged.announcement, judged.verdict
    return {
        "id": judged.id,
        "key": v.corridor_id,
        "from": a.from_name,
        "to": a.to_name,
        "route": f"{a.from_name} → {a.to_name}",
        "window": window_text(v.window_start, v.window_end),
        "window_start": v.window_start,
        "window_end": v.window_end,
        "verdict": v.outcome.value,
        "confidence": round(v.confidence, 4),
        "violation_score": round(v.violation_score, 4),
        "evidence": len(v.evidence),
        "evidence_ids": [e.incident_id for e in v.evidence],
        "decisive": [e.incident_id for e in v.evidence if e.decisive],
        "buffer_m": buffer_m,
        "reason": v.reason,
    }


def print_verdicts(judgement: CorridorJudgement, fmt: ListFormat) -> None:
    """``corridors judge``: one row per verdict; with one corridor (as a table) its evidence too."""
    buffer_m = judgement.buffer_m
    rows = [_verdict_row(j, buffer_m) for j in judgement.judged]
    verdicts = [j.verdict for j in judgement.judged]
    counts = Counter(v.outcome for v in verdicts)
    title = (
        f"Verdicts ({len(verdicts)} corridors, {judgement.reports_used} reports; "
        f"evidence within {show_km(buffer_m)} of the route)"
    )
    summary = ", ".join(f"{outcome.value}: {counts[outcome]}" for outcome in VerdictOutcome)
    print_list(out_console, title, _VERDICT_COLUMNS, rows, fmt, [summary])
    if len(verdicts) == 1 and fmt is ListFormat.TABLE:
        print_evidence(verdicts[0], buffer_m)


_EVIDENCE_COLUMNS = (
    Column("incident_id", "incident", whole=True),
    Column("kind"),
    Column("observed_at", "observed (UTC)", whole=True, show=lambda t: f"{t:%Y-%m-%d %H:%M}"),
    Column("distance_to_route_m", "distance to route", whole=True, show=show_km),
    Column("weight", whole=True, show=lambda w: f"{w:.2f}"),
    Column("decisive", whole=True, show=lambda d: "yes" if d else "no"),
    Column("sources"),
)


def print_evidence(verdict: Verdict, buffer_m: float) -> None:
    out_console.print(
        f"why: {verdict.reason} (rule {verdict.rule_version})", highlight=False, markup=False, soft_wrap=True
    )
    rows = [dataclasses.asdict(e) for e in sorted(verdict.evidence, key=lambda e: -e.weight)]
    for row in rows:
        row["kind"] = row["kind"].value
    title = f"Evidence within {show_km(buffer_m)} of the route ({len(rows)})"
    print_list(out_console, title, _EVIDENCE_COLUMNS, rows, ListFormat.TABLE)


_HISTORY_COLUMNS = (
    Column("changed_at", "when (UTC)", whole=True, show=lambda t: f"{t:%Y-%m-%d %H:%M}"),
    Column("status", whole=True),
    Column("changed_by", "by"),
    Column("reason", "why"),
)


def print_history(
    corridor_id: int, history: Sequence[StatusChange], fmt: ListFormat = ListFormat.TABLE
) -> None:
    rows = [dataclasses.asdict(h) for h in history]
    print_list(out_console, f"Corridor {corridor_id}: status history", _HISTORY_COLUMNS, rows, fmt)
