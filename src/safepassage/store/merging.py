"""Merge stored reports into incidents, and know durably which reports still wait for it.

A report is *merged* once an incident links it (a row of ``incident_reports``). The merge writes the
incidents and their links in one transaction, so this marker is exactly as durable as the merge
itself: when an ingest is killed before or during its merge, the reports it stored have no link and
stay *pending*, and the next ``safepassage ingest`` (even one that adds nothing new) or
``safepassage merge`` merges them. Nothing else records merge progress, so it cannot disagree with
the incidents.

**Incremental.** The merge costs in proportion to the pending reports and their neighbours, not to
everything stored: it reads the pending reports, finds the stored reports that could agree with one
of them (:func:`safepassage.monitor.merge.reports_near`, a k-d tree over space-and-time cells built
in memory from the reports' place and time columns only), adds every report of those neighbours'
current incidents, and runs :func:`~safepassage.monitor.merge.merge_reports` over that
neighbourhood alone. Incidents that do not change keep their id (and are not written again); a
report joining an incident merged earlier gives a new incident row, the old one stays, superseded
(see :class:`safepassage.store.schema.Incident`). The result equals a full merge of every stored
report except when a new report would change a match two or more hops away (complete linkage is
greedy); ``force`` (``safepassage merge --all``) merges everything again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from safepassage.monitor.merge import merge_reports, reports_near
from safepassage.monitor.records import Incident
from safepassage.monitor.report import IncidentReport
from safepassage.scenario.vocabulary import HazardKind, SourceType
from safepassage.store import queries
from safepassage.store.repository import Store
from safepassage.store.schema import IncidentReportLink, Report

__all__ = ["OPTIMISTIC_TRIES", "MergeOutcome", "merge_pending", "pending_merge"]

OPTIMISTIC_TRIES = 3
#: Feeds whose reports may end earlier reports of the same feed (CAP ``<references>``).
REFERENCING_FEEDS = frozenset({"cap"})


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
    """Merge the pending reports with their neighbours into incidents (module docstring); with
    ``force``, every stored report, even when none is pending.

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
            reports = _reports_to_merge(session, force)
        incidents = merge_reports(reports)
        with store.writing(actor) as writer:
            if _reports_stamp(writer.session) == stamp:
                added = writer.add_incidents(incidents)
                return _outcome(reports, incidents, added.new, pending)
    with store.writing(actor) as writer:
        pending = pending_merge(writer.session)
        reports = _reports_to_merge(writer.session, force)
        incidents = merge_reports(reports)
        added = writer.add_incidents(incidents)
        return _outcome(reports, incidents, added.new, pending)


def _reports_to_merge(session: Session, everything: bool) -> list[IncidentReport]:
    """The pending reports, the stored reports that may agree with one of them, and every report of
    those neighbours' current incidents (all stored reports when ``everything``); latest reviews
    applied."""
    if everything:
        return queries.incident_reports(session)
    linked = exists().where(IncidentReportLink.report_id == Report.id)
    pending_ids = set(session.scalars(select(Report.id).where(~linked)))
    if not pending_ids:
        return []
    ids, places = _report_places(session)
    new = [places[k] for k, i in enumerate(ids) if i in pending_ids]
    stored_positions = [k for k, i in enumerate(ids) if i not in pending_ids]
    near = reports_near(new, [places[k] for k in stored_positions])
    neighbours = [ids[stored_positions[k]] for k in near]
    if any(r.feed in REFERENCING_FEEDS for r in new):
        # A CAP Cancel/Update may name an alert stored long before (or be stored before it): such
        # feeds are merged together with all their stored reports (few: CAP volumes are small).
        neighbours += [ids[k] for k in stored_positions if places[k].feed in REFERENCING_FEEDS]
    return queries.incident_reports(session, pending_ids | _incident_members(session, neighbours))


def _report_places(session: Session) -> tuple[list[int], list[IncidentReport]]:
    """Every stored report's id with a bare :class:`IncidentReport` of what merging compares (feed,
    kind, place, time): the in-memory space-time index is built from these columns only."""
    rows = session.execute(
        select(
            Report.id,
            Report.feed,
            Report.source_id,
            Report.kind,
            Report.observed_at,
            Report.ended_at,
            Report.lat,
            Report.lon,
            Report.radius_m,
            Report.time_uncertainty_s,
        )
    ).all()
    ids = [row[0] for row in rows]
    places = [
        IncidentReport(
            feed=row[1],
            source_id=row[2],
            kind=HazardKind(row[3]),
            observed_at=row[4],
            ended_at=row[5],
            lat=row[6],
            lon=row[7],
            radius_m=row[8],
            time_uncertainty_s=row[9],
            source_name="",
            source_type=SourceType.MEDIA,
        )
        for row in rows
    ]
    return ids, places


def _incident_members(session: Session, report_ids: list[int]) -> set[int]:
    """The reports of the current (newest) incident of each of ``report_ids``, themselves included."""
    current: dict[int, int] = {}
    for start in range(0, len(report_ids), 500):
        chunk = report_ids[start : start + 500]
        query = (
            select(IncidentReportLink.report_id, func.max(IncidentReportLink.incident_id))
            .where(IncidentReportLink.report_id.in_(chunk))
            .group_by(IncidentReportLink.report_id)
        )
        current.update({row[0]: row[1] for row in session.execute(query)})
    incidents = sorted(set(current.values()))
    members = set(report_ids)
    for start in range(0, len(incidents), 500):
        chunk = incidents[start : start + 500]
        members.update(
            session.scalars(
                select(IncidentReportLink.report_id).where(IncidentReportLink.incident_id.in_(chunk))
            )
        )
    return members


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
