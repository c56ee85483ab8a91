"""Apply the cancellations and updates a feed carries: a cancelled alert ends when it was cancelled.

A CAP *Cancel* or *Update* names earlier alerts in ``<references>`` (see :mod:`.cap`); the reader
keeps it as a report whose ``raw`` holds ``msgType``, ``sender``, ``sent`` and ``references``. The
store keeps reports append-only and keyed by ``(feed, source_id)``, so a cancellation is never an
edit of the earlier row: it is its own report, and :func:`resolve_references` works out its effect
whenever reports are used (merging them into incidents, replaying them against a scenario), whether
the alert and its cancellation came in one file or two.

Rule, for each report R whose alert is referenced by a Cancel or an Update from the same sender
sent at time T (the earliest such T when there are several):

- R ends at T: ``ended_at`` becomes T when R had no end or a later one (a road it closed reopens at
  T, and no later);
- when T is at or before R's start, R never applied: it is marked ``rejected`` by its own issuer
  (so it closes nothing and is never evidence) and ends at its start;
- the Cancel itself stays as it was read (no place, kind ``other``: inert), so every stored report
  still ends in exactly one incident; an Update is a report of its own.

Applying the rule twice gives the same result as once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from safepassage.monitor.report import IncidentReport
from safepassage.scenario.vocabulary import Verification

__all__ = ["ENDING_MESSAGE_TYPES", "referenced_alerts", "resolve_references"]

#: Message types whose ``references`` end the alerts they name.
ENDING_MESSAGE_TYPES = frozenset({"Cancel", "Update"})

_AlertKey = tuple[str, str, str]  # (feed, sender, identifier)


def referenced_alerts(references: str) -> list[tuple[str, str]]:
    """(sender, identifier) of each "sender,identifier,sent" triple of a CAP ``<references>`` text."""
    named: list[tuple[str, str]] = []
    for triple in references.split():
        parts = triple.split(",")
        if len(parts) >= 2 and parts[1]:
            named.append((parts[0], parts[1]))
    return named


def resolve_references(reports: Iterable[IncidentReport]) -> list[IncidentReport]:
    """``reports`` (same order) with the cancellations and updates among them applied (module doc)."""
    items = list(reports)
    ends: dict[_AlertKey, dt.datetime] = {}
    for report in items:
        if report.raw.get("msgType") not in ENDING_MESSAGE_TYPES:
            continue
        at = _sent(report)
        for sender, identifier in referenced_alerts(report.raw.get("references", "")):
            key = (report.feed, sender, identifier)
            ends[key] = min(ends.get(key, at), at)
    if not ends:
        return items
    return [_ended(report, ends) for report in items]


def _ended(report: IncidentReport, ends: dict[_AlertKey, dt.datetime]) -> IncidentReport:
    key = (report.feed, report.raw.get("sender", ""), report.raw.get("identifier", report.source_id))
    at = ends.get(key)
    if at is None or report.raw.get("msgType") == "Cancel":
        return report
    if at <= report.observed_at:
        if report.verification is Verification.REJECTED and report.ended_at == report.observed_at:
            return report
        return dataclasses.replace(report, verification=Verification.REJECTED, ended_at=report.observed_at)
    if report.ended_at is not None and report.ended_at <= at:
        return report
    return dataclasses.replace(report, ended_at=at)


def _sent(report: IncidentReport) -> dt.datetime:
    text = report.raw.get("sent", "")
    try:
        sent = dt.datetime.fromisoformat(text)
    except ValueError:
        return report.observed_at
    return sent if sent.tzinfo is not None else sent.replace(tzinfo=dt.UTC)
