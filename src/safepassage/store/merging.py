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
from safepassage.store import queries
from safepassage.store.repository import Store
from safepassage.store.schema import IncidentReportLink, Report

__all__ = ["MergeOutcome", "merge_pending", "pending_merge"]


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

    Returns None when nothing was pending and ``force`` is false. The reports are read in one snapshot
    (:meth:`Store.reading`) and the incidents written in one transaction by ``actor``: a crash
    before the commit leaves the reports pending, to be merged by the next call. Reports stored by
    another process meanwhile stay pending too. Raises
    :class:`~safepassage.errors.StoreError` when the database refuses the write.
    """
    with store.reading() as session:
        pending = pending_merge(session)
        if pending == 0 and not force:
            return None
        reports = queries.incident_reports(session)
    incidents = merge_reports(reports)
    with store.writing(actor) as writer:
        added = writer.add_incidents(incidents)
    return MergeOutcome(
        reports=len(reports),
        incidents=len(incidents),
        several_feeds=sum(1 for i in incidents if len(i.feeds) > 1),
        new_incidents=added.new,
        pending_before=pending,
    )
