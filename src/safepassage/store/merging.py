"""Merge stored reports into incidents, and know durably which reports still wait for it.

A report is *merged* once an incident links it (a row of ``incident_reports``). The merge writes the
incidents and their links in one transaction, so this marker is exactly as durable as the merge
itself: when an ingest is killed before or during its merge, the reports it stored have no link and
stay *pending*, and the next ``safepassage ingest`` (even one that adds nothing new) or
``safepassage merge`` merges them. Nothing else records merge progress, so it cannot disagree with
the incidents.

The merge itself is :func:`safepassage.monitor.merge.merge_reports` over every stored report (a new
report may join an incident merged earlier: the result is a new incident row, the old one stays,
superseded - see :class:`safepassage.store.schema.Incident`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from safepassage.monitor.merge import merge_reports
from safepassage.monitor.records import Incident
from safepassage.monitor.report import IncidentReport
from safepassage.store import queries
from safepassage.store.repository import Store
from safepassage.store.schema import IncidentReportLink, Report

__all__ = ["OPTIMISTIC_TRIES", "MergeOutcome", "merge_pending", "pending_merge"]

OPTIMISTIC_TRIES = 3


@dataclass(frozen=True)
class MergeOutcome:
    """What one merge did: reports read, incidents they form, how many of those several feeds saw,
    how many incident records were new, and how many reports were pending before it."""

    reports: int
    incidents: int
    several_feeds: int
    new_incidents: int
    pending_before: int


def pending_merge(session: Session) -> int:
    """How many stored reports no incident links yet (0 when every report is merged)."""
    linked = exists().where(IncidentReportLink.report_id == Report.id)
    return int(session.scalar(select(func.count()).select_from(Report).where(~linked)) or 0)


def merge_pending(store: Store, actor: str, *, force: bool = False) -> MergeOutcome | None:
    """Merge every stored report into incidents when some report is pending (or ``force``).

    Returns None when nothing was pending and ``force`` is false. The reports are read and merged in
    one snapshot (:meth:`Store.reading`), outside the writers' lock, and the incidents written in one
    transaction by ``actor`` - only if no report was stored meanwhile (else an incident merged from
    fewer reports could supersede a newer one); after :data:`OPTIMISTIC_TRIES` such races the merge
    runs under the lock. A crash before the commit leaves the reports pending, to be merged by the
    next call. Raises :class:`~safepassage.errors.StoreError` when the database refuses the write.
    """
    for _ in range(OPTIMISTIC_TRIES):
        with store.reading() as session:
            pending = pending_merge(session)
            if pending == 0 and not force:
                return None
            stamp = _reports_stamp(session)
            reports = queries.incident_reports(session)
        incidents = merge_reports(reports)
        with store.writing(actor) as writer:
            if _reports_stamp(writer.session) == stamp:
                added = writer.add_incidents(incidents)
                return _outcome(reports, incidents, added.new, pending)
    with store.writing(actor) as writer:
        pending = pending_merge(writer.session)
        reports = queries.incident_reports(writer.session)
        incidents = merge_reports(reports)
        added = writer.add_incidents(incidents)
        return _outcome(reports, incidents, added.new, pending)


def _reports_stamp(session: Session) -> tuple[int, int]:
    """(count, highest id) of the reports: the table is insert-only, so equal stamps, equal reports."""
    row = session.execute(select(func.count(), func.coalesce(func.max(Report.id), 0))).one()
    return int(row[0]), int(row[1])


def _outcome(
    reports: list[IncidentReport], incidents: list[Incident], new: int, pending: int
) -> MergeOutcome:
    return MergeOutcome(
        reports=len(reports),
        incidents=len(incidents),
        several_feeds=sum(1 for i in incidents if len(i.feeds) > 1),
        new_incidents=new,
        pending_before=pending,
    )
