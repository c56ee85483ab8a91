"""Monitoring use cases: judge stored corridors and notify; replay feeds against a scenario and store
the run (reports, scenario, every plan with why, verdicts, notifications).

The rules are the monitor's (:mod:`safepassage.monitor.verdict`, :mod:`safepassage.monitor.replay`);
these functions read the store, call them and keep what they decide.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from safepassage.errors import UnknownIdError
from safepassage.local_time import iso_text
from safepassage.monitor.corridors import announcement_window
from safepassage.monitor.feeds import iter_feed
from safepassage.monitor.merge import merge_reports
from safepassage.monitor.records import Verdict, VerdictOutcome
from safepassage.monitor.replay import ReplayResult, replay_feeds
from safepassage.monitor.report import IncidentReport, RowError
from safepassage.monitor.verdict import DEFAULT_BUFFER_M, index_incidents, judge_corridor
from safepassage.planner.problem import load_networks
from safepassage.scenario import Scenario
from safepassage.services.corridors import COORDINATORS
from safepassage.services.records import CorridorJudgement, JudgedCorridor, MonitorRun, ReplayStored
from safepassage.store import NotificationRecord, Store, queries
from safepassage.store.documents import notification_records

__all__ = [
    "DEFAULT_BUFFER_M",
    "UKRAINE_CENTRE_LONLAT",
    "judge_corridors",
    "list_notifications",
    "read_feeds",
    "replay_and_store",
    "violation_message",
    "window_text",
]

#: Centre (lon, lat) of the metric plane incidents are judged in.
UKRAINE_CENTRE_LONLAT = (31.0, 48.5)


def window_text(start: dt.datetime, end: dt.datetime) -> str:
    """A verdict window for a person: ``2022-03-05 10:00-17:00`` (one day) or ``... to ...`` (UTC)."""
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}-{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}"


def violation_message(corridor_id: int, verdict: Verdict) -> str:
    """The coordinators' notification of a violated corridor (database id, key, window, why)."""
    return (
        f"corridor {corridor_id} ({verdict.corridor_id}) violated in "
        f"{window_text(verdict.window_start, verdict.window_end)} UTC, "
        f"confidence {verdict.confidence:.2f}: {verdict.reason}"
    )


class _ReportCoverage:
    """When the stored reports happened: whether any overlaps a window, and their span (computed once).

    A report covers ``observed_at`` to ``ended_at`` (or just ``observed_at``), UTC.
    """

    def __init__(self, reports: Sequence[IncidentReport]) -> None:
        spans = sorted((r.observed_at, r.ended_at or r.observed_at) for r in reports)
        self._starts = [s for s, _ in spans]
        self._latest_end: list[dt.datetime] = []
        for _, e in spans:
            self._latest_end.append(max(e, self._latest_end[-1]) if self._latest_end else e)
        if spans:
            first, last = self._starts[0].date(), self._latest_end[-1].date()
            stored = f"stored reports span {first.isoformat()}\u2013{last.isoformat()} UTC"
        else:
            stored = "no reports are stored"
        #: The reason of a verdict whose window no stored report overlaps.
        self.uncovered_reason = f"no stored report covers this window ({stored})"

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        """Whether any stored report overlaps ``start`` to ``end`` (UTC, inclusive)."""
        before_end = bisect.bisect_right(self._starts, end)
        return before_end > 0 and self._latest_end[before_end - 1] >= start


def judge_corridors(
    store: Store,
    actor: str,
    corridor_ids: Sequence[int] = (),
    *,
    buffer_m: float = DEFAULT_BUFFER_M,
) -> CorridorJudgement:
    """Judge imported corridors (``corridor_ids``; default every one) over their ceasefire windows.

    Uses every stored report with its latest review, merged into incidents, and the rule in
    docs/verdicts.md (incidents within ``buffer_m`` metres of the route); a corridor whose window no
    stored report overlaps in time says so, with the span the stored reports cover. Stores each
    verdict with its evidence and notifies the coordinators of each violation, by ``actor``, in one
    transaction.
    Raises :class:`~safepassage.errors.UnknownIdError` when no corridor is stored or an id is unknown.
    """
    with store.reading() as session:
        announcements = queries.corridor_announcements(session)
        reports = queries.incident_reports(session)
        ids_by_key = queries.corridor_ids_by_key(session, [f"peacerep:{a.hc_id}" for a in announcements])
    if not announcements:
        raise UnknownIdError("no corridors stored; import them first: safepassage corridors import FILE")
    wanted = set(corridor_ids)
    chosen = [a for a in announcements if not wanted or ids_by_key[f"peacerep:{a.hc_id}"] in wanted]
    unknown = sorted(wanted - {ids_by_key[f"peacerep:{a.hc_id}"] for a in chosen})
    if unknown:
        raise UnknownIdError(
            f"no imported corridor with id {', '.join(map(str, unknown))} (see corridors list)"
        )
    index = index_incidents(merge_reports(reports), UKRAINE_CENTRE_LONLAT)
    coverage = _ReportCoverage(reports)
    judged = []
    for a in chosen:
        start, end = announcement_window(a)
        key = f"peacerep:{a.hc_id}"
        verdict = judge_corridor(key, a.route_lonlat, start, end, index, buffer_m)
        if verdict.outcome is VerdictOutcome.INSUFFICIENT_EVIDENCE and not coverage.overlaps(start, end):
            verdict = dataclasses.replace(verdict, reason=coverage.uncovered_reason)
        judged.append(JudgedCorridor(ids_by_key[key], a, verdict))
    violated = [j for j in judged if j.verdict.outcome is VerdictOutcome.VIOLATED]
    with store.writing(actor) as writer:
        writer.add_verdicts([j.verdict for j in judged])
        for j in violated:
            writer.add_notification("corridor_violated", COORDINATORS, violation_message(j.id, j.verdict))
    return CorridorJudgement(tuple(judged), len(reports), buffer_m, len(violated))


def read_feeds(
    paths: Sequence[Path], fmt: str | None = None
) -> tuple[dict[Path, list[IncidentReport]], list[RowError]]:
    """The reports of each feed file (format guessed unless ``fmt``) and the rows set aside."""
    by_file: dict[Path, list[IncidentReport]] = {}
    skipped: list[RowError] = []
    for path in paths:
        reports: list[IncidentReport] = []
        for item in iter_feed(path, fmt):
            if isinstance(item, RowError):
                skipped.append(item)
            else:
                reports.append(item)
        by_file[path] = reports
    return by_file, skipped


def replay_and_store(
    scenario: Scenario,
    feeds: Sequence[Path],
    actor: str,
    *,
    fmt: str | None = None,
    store: Store | None = None,
    scenario_file: str | None = None,
) -> MonitorRun:
    """Replay the reports of ``feeds`` in time order against ``scenario``: corridor statuses,
    verdicts and re-plans (:func:`safepassage.monitor.replay.replay_feeds`).

    With a ``store``, reports reviewed there count as reviewed (rejected: not at all), and the run
    is kept by ``actor`` in one transaction: the reports, the scenario and its corridors (recorded
    with ``scenario_file``), every plan with why it was made (a re-plan names the plan it
    replaces), the final verdicts with their evidence, and a notification per re-plan and warning.
    """
    networks = load_networks(scenario)
    by_file, skipped = read_feeds(feeds, fmt)
    everything = [r for reports in by_file.values() for r in reports]
    if store is not None:
        with store.reading() as session:
            everything = queries.with_latest_reviews(session, everything)
    result = replay_feeds(scenario, everything, networks)
    stored = None
    if store is not None:
        stored = _keep(store, scenario, scenario_file, by_file, result, actor)
    return MonitorRun(scenario, tuple(skipped), tuple(everything), result, stored)


def _keep(
    store: Store,
    scenario: Scenario,
    scenario_file: str | None,
    by_file: dict[Path, list[IncidentReport]],
    result: ReplayResult,
    actor: str,
) -> ReplayStored:
    if scenario_file is None:
        scenario_file = str(scenario.source_path) if scenario.source_path else ""
    with store.writing(actor) as writer:
        new_reports = sum(writer.add_reports(reports, str(path)).new for path, reports in by_file.items())
        scenario_id = writer.add_scenario(scenario.name, scenario.model_dump(mode="json", by_alias=True))
        keys = writer.add_scenario_corridors(scenario, scenario_file)
        previous: int | None = None
        for plan, why in result.plans:
            previous = writer.add_plan(
                plan.model_dump(mode="json"), why, scenario_id=scenario_id, replaces_plan_id=previous
            )
        writer.add_verdicts(
            [dataclasses.replace(v, corridor_id=keys[v.corridor_id]) for v in result.verdicts]
        )
        notices = [e for e in result.events if e.kind in ("replan", "warning")]
        for event in notices:
            when = iso_text(event.at, scenario.zone())
            writer.add_notification(event.kind, COORDINATORS, f"{when}: {event.message}")
    return ReplayStored(new_reports, len(result.plans), len(result.verdicts), len(notices))


def list_notifications(
    store: Store, *, since: dt.datetime | None = None, topic: str | None = None
) -> list[NotificationRecord]:
    """Notifications recorded at or after ``since`` of ``topic`` (``corridor_status``,
    ``corridor_violated``, ``replan``, ``warning``; each filter optional), oldest first."""
    with store.reading() as session:
        return notification_records(session, since, topic)
