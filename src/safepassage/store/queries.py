"""Read-side queries: current states (latest row of a history), listings, records for the monitor.

Everything here only reads. Current values are derived from insert-only histories: a corridor's
status is its newest ``corridor_status`` row, a report's review state its newest ``reviews`` row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from safepassage.errors import UnknownIdError
from safepassage.monitor.records import (
    CorridorAnnouncement,
    CorridorOutcome,
    CountMethod,
    FigureClaim,
    FigureKind,
    PlacedWaypoint,
    Proposer,
)
from safepassage.monitor.report import IncidentReport
from safepassage.scenario.vocabulary import CorridorStatus, HazardKind, SourceType, Verification
from safepassage.store.review_workflow import ReviewState, verification_after_review
from safepassage.store.schema import (
    Corridor,
    CorridorStatusChange,
    Event,
    FigureClaimRow,
    Incident,
    IncidentReportLink,
    Report,
    Review,
    Source,
)

__all__ = [
    "CorridorSummary",
    "ReportSummary",
    "corridor_announcements",
    "corridor_history",
    "corridor_ids_by_key",
    "corridor_summaries",
    "current_corridor_status",
    "current_incident",
    "current_review",
    "figure_claim_records",
    "figure_claims",
    "find_incident",
    "find_report",
    "incident_reports",
    "latest_review_states",
    "recent_events",
    "report_count",
    "report_ids_by_key",
    "report_source",
    "report_summaries",
    "review_history",
    "with_latest_reviews",
]


def report_ids_by_key(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Database ids of reports by ``(feed, source_id)`` (unknown keys are left out)."""
    by_feed: dict[str, list[str]] = {}
    for feed, source_id in set(keys):
        by_feed.setdefault(feed, []).append(source_id)
    found: dict[tuple[str, str], int] = {}
    for feed, source_ids in by_feed.items():
        for start in range(0, len(source_ids), 500):
            chunk = source_ids[start : start + 500]
            for row in session.execute(
                select(Report.id, Report.source_id).where(Report.feed == feed, Report.source_id.in_(chunk))
            ):
                found[(feed, row.source_id)] = row.id
    return found


def recent_events(session: Session, limit: int, table: str | None = None) -> list[Event]:
    """The newest ``limit`` entries of the event log (optionally about one table), oldest first."""
    query = select(Event).order_by(Event.seq.desc()).limit(limit)
    if table is not None:
        query = query.where(Event.table_name == table)
    return list(reversed(session.scalars(query).all()))


def report_count(session: Session) -> int:
    """How many reports are stored."""
    return int(session.scalar(select(func.count()).select_from(Report)) or 0)


def find_report(session: Session, ref: str) -> Report:
    """A report by database id (``42``) or by ``feed:source_id`` (``acled:UKR52664``)."""
    report: Report | None
    if ref.isdigit():
        report = session.get(Report, int(ref))
    elif ":" in ref:
        feed, source_id = ref.split(":", 1)
        report = session.scalar(select(Report).where(Report.feed == feed, Report.source_id == source_id))
    else:
        report = None
    if report is None:
        raise UnknownIdError(
            f"no report {ref!r}; expected a report id (42) or FEED:SOURCE_ID (acled:UKR52664)"
        )
    return report


def report_source(session: Session, report: Report) -> Source:
    """Who reported ``report``."""
    source = session.get(Source, report.reported_by_id)
    if source is None:  # impossible with foreign keys on; named rather than crashed on
        raise UnknownIdError(f"report {report.id}: its source {report.reported_by_id} is missing")
    return source


def current_incident(session: Session, report_id: int) -> tuple[Incident, list[str]] | None:
    """The newest incident a report was merged into, and the ``feed:source_id`` of all its reports."""
    incident = session.scalar(
        select(Incident)
        .join(IncidentReportLink, IncidentReportLink.incident_id == Incident.id)
        .where(IncidentReportLink.report_id == report_id)
        .order_by(Incident.id.desc())
        .limit(1)
    )
    if incident is None:
        return None
    members = session.execute(
        select(Report.feed, Report.source_id)
        .join(IncidentReportLink, IncidentReportLink.report_id == Report.id)
        .where(IncidentReportLink.incident_id == incident.id)
        .order_by(Report.id)
    )
    return incident, [f"{feed}:{source_id}" for feed, source_id in members]


def find_incident(session: Session, ref: str) -> Incident:
    """An incident by database id (``12``) or by the monitor's key (``inc-6af695fbbbdf53f7``)."""
    incident = (
        session.get(Incident, int(ref))
        if ref.isdigit()
        else session.scalar(select(Incident).where(Incident.key == ref))
    )
    if incident is None:
        raise UnknownIdError(f"no incident {ref!r}; expected an incident id (12) or key (inc-...)")
    return incident


def current_review(
    session: Session, *, report_id: int | None = None, incident_id: int | None = None
) -> Review | None:
    """The newest review of a report or incident, or None when it was never reviewed (a draft)."""
    condition = Review.report_id == report_id if report_id is not None else Review.incident_id == incident_id
    return session.scalar(select(Review).where(condition).order_by(Review.id.desc()).limit(1))


def review_history(
    session: Session, *, report_id: int | None = None, incident_id: int | None = None
) -> list[Review]:
    """Every review of a report or incident, oldest first: conflicting claims side by side."""
    condition = Review.report_id == report_id if report_id is not None else Review.incident_id == incident_id
    return list(session.scalars(select(Review).where(condition).order_by(Review.id)))


def current_corridor_status(session: Session, corridor_id: int) -> CorridorStatus | None:
    """The corridor's latest lifecycle status (None before any)."""
    status = session.scalar(
        select(CorridorStatusChange.status)
        .where(CorridorStatusChange.corridor_id == corridor_id)
        .order_by(CorridorStatusChange.id.desc())
        .limit(1)
    )
    return CorridorStatus(status) if status is not None else None


def corridor_history(session: Session, corridor_id: int) -> list[CorridorStatusChange]:
    """Every lifecycle step of a corridor, oldest first."""
    if session.get(Corridor, corridor_id) is None:
        raise UnknownIdError(f"no corridor with id {corridor_id}")
    return list(
        session.scalars(
            select(CorridorStatusChange)
            .where(CorridorStatusChange.corridor_id == corridor_id)
            .order_by(CorridorStatusChange.id)
        )
    )


def corridor_ids_by_key(session: Session, refs: Sequence[str]) -> dict[str, int]:
    """Map corridor keys (``peacerep:12``) or database ids given as text to database ids."""
    wanted = set(refs)
    found = {
        row.key: row.id
        for row in session.execute(select(Corridor.id, Corridor.key).where(Corridor.key.in_(wanted)))
    }
    numeric = [int(r) for r in wanted - set(found) if r.isdigit()]
    if numeric:
        found.update(
            {str(i): i for i in session.scalars(select(Corridor.id).where(Corridor.id.in_(numeric)))}
        )
    return found


@dataclass(frozen=True)
class CorridorSummary:
    """One line of ``safepassage corridors list``."""

    id: int
    key: str
    from_name: str
    to_name: str
    announced_on: dt.date | None
    proposed_by: str
    recorded_outcome: str
    status: str
    status_reason: str
    waypoints: int
    waypoints_unplaced: tuple[str, ...]


def corridor_summaries(session: Session, status: CorridorStatus | None = None) -> list[CorridorSummary]:
    """Every corridor with its current status (optionally only those in ``status``), by id."""
    newest = (
        select(CorridorStatusChange.corridor_id, func.max(CorridorStatusChange.id).label("last_id"))
        .group_by(CorridorStatusChange.corridor_id)
        .subquery()
    )
    step = aliased(CorridorStatusChange)
    query = (
        select(Corridor, step.status, step.reason)
        .outerjoin(newest, newest.c.corridor_id == Corridor.id)
        .outerjoin(step, step.id == newest.c.last_id)
        .order_by(Corridor.id)
    )
    if status is not None:
        query = query.where(step.status == status.value)
    return [
        CorridorSummary(
            id=c.id,
            key=c.key,
            from_name=c.from_name,
            to_name=c.to_name,
            announced_on=c.announced_on,
            proposed_by=c.proposed_by,
            recorded_outcome=c.recorded_outcome,
            status=s or "",
            status_reason=reason or "",
            waypoints=len(c.waypoints),
            waypoints_unplaced=tuple(str(w) for w in c.waypoints_unplaced),
        )
        for c, s, reason in session.execute(query)
    ]


def corridor_announcements(session: Session) -> list[CorridorAnnouncement]:
    """Stored corridors as the monitor's :class:`CorridorAnnouncement` records (imported ones only)."""
    announcements = []
    for c in session.scalars(select(Corridor).where(Corridor.key.like("peacerep:%")).order_by(Corridor.id)):
        announcements.append(
            CorridorAnnouncement(
                hc_id=int(c.key.split(":", 1)[1]),
                announced_on=c.announced_on or c.recorded_at.date(),
                proposed_by=Proposer(c.proposed_by),
                outcome=CorridorOutcome(c.recorded_outcome),
                from_name=c.from_name,
                from_lat=c.from_lat,
                from_lon=c.from_lon,
                to_name=c.to_name,
                to_lat=c.to_lat,
                to_lon=c.to_lon,
                waypoints=tuple(
                    PlacedWaypoint(
                        name=w["name"],
                        lat=w["lat"],
                        lon=w["lon"],
                        gazetteer_name=w.get("gazetteer_name", ""),
                        geonameid=w.get("geonameid", 0),
                    )
                    for w in c.waypoints
                ),
                waypoints_unplaced=tuple(c.waypoints_unplaced),
                ceasefire_start=c.window_start,
                ceasefire_end=c.window_end,
                text=c.text,
                outcome_raw=c.outcome_raw,
                links=tuple(c.links),
                line=c.line,
            )
        )
    return announcements


def latest_review_states(session: Session) -> dict[int, ReviewState]:
    """The review state in force for each reviewed report, by report database id.

    A review of an incident applies to every report linked to that incident; of all the reviews
    of a report and of the incidents holding it, the newest (highest review id) wins. Reports never
    reviewed are left out (they are drafts: the feed's own verification stands).
    """
    reviews = session.execute(
        select(Review.report_id, Review.incident_id, Review.state).order_by(Review.id)
    ).all()
    incident_ids = sorted({r.incident_id for r in reviews if r.incident_id is not None})
    members: dict[int, list[int]] = {}
    for start in range(0, len(incident_ids), 500):
        chunk = incident_ids[start : start + 500]
        for link in session.execute(
            select(IncidentReportLink.incident_id, IncidentReportLink.report_id).where(
                IncidentReportLink.incident_id.in_(chunk)
            )
        ):
            members.setdefault(link.incident_id, []).append(link.report_id)
    states: dict[int, ReviewState] = {}
    for r in reviews:  # oldest first: a newer review overwrites an older one
        subjects = [r.report_id] if r.report_id is not None else members.get(r.incident_id, [])
        for report_id in subjects:
            states[report_id] = ReviewState(r.state)
    return states


def incident_reports(session: Session, report_ids: Collection[int] | None = None) -> list[IncidentReport]:
    """Every stored report (or those with the database ids ``report_ids``) as the monitor's
    :class:`IncidentReport`, in time order, with its latest review applied to ``verification``
    (:func:`latest_review_states`, :func:`~safepassage.store.review_workflow.verification_after_review`).
    This is what verdicts and merges read: a report reviewed ``rejected`` counts for nothing, one
    reviewed ``verified`` counts as verified."""
    states = latest_review_states(session)
    # plain rows of the columns a report needs, not ORM objects: merges read tens of thousands
    query = (
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
            Report.verification,
            Report.fatalities,
            Report.location_name,
            Report.description,
            Report.line,
            Report.raw_json,
            Source.name.label("source_name"),
            Source.source_type.label("source_type"),
        )
        .join(Source, Source.id == Report.reported_by_id)
        .order_by(Report.observed_at, Report.id)
    )
    if report_ids is not None:
        ids = sorted(report_ids)
        rows = [
            row
            for start in range(0, len(ids), 500)
            for row in session.execute(query.where(Report.id.in_(ids[start : start + 500])))
        ]
        rows.sort(key=lambda row: (row.observed_at, row.id))
    else:
        rows = list(session.execute(query))
    return [
        IncidentReport(
            feed=r.feed,
            source_id=r.source_id,
            kind=HazardKind(r.kind),
            observed_at=r.observed_at,
            lat=r.lat,
            lon=r.lon,
            radius_m=r.radius_m,
            time_uncertainty_s=r.time_uncertainty_s,
            source_name=r.source_name,
            source_type=SourceType(r.source_type),
            verification=verification_after_review(Verification(r.verification), states.get(r.id)),
            ended_at=r.ended_at,
            fatalities=r.fatalities,
            location_name=r.location_name,
            description=r.description,
            line=r.line,
            raw=json.loads(r.raw_json),
        )
        for r in rows
    ]


def with_latest_reviews(session: Session, reports: Collection[IncidentReport]) -> list[IncidentReport]:
    """``reports`` read from feed files (e.g. by ``safepassage monitor``), each with the latest
    review of the same stored report (same ``feed`` and ``source_id``) applied to ``verification``;
    reports not stored or never reviewed are returned as they are. Same order as given."""
    ids = report_ids_by_key(session, [r.key for r in reports])
    states = latest_review_states(session) if ids else {}
    reviewed = []
    for report in reports:
        state = states.get(ids[report.key]) if report.key in ids else None
        verification = verification_after_review(report.verification, state)
        reviewed.append(
            report
            if verification is report.verification
            else dataclasses.replace(report, verification=verification)
        )
    return reviewed


@dataclass(frozen=True)
class ReportSummary:
    """One line of ``safepassage report list``: a stored report, its review and what it counts as."""

    id: int
    feed: str
    source_id: str
    kind: str
    observed_at: dt.datetime
    lat: float | None
    lon: float | None
    radius_m: float
    source_name: str
    source_type: str
    feed_verification: str
    review_state: str  # the latest review applying to it (``draft`` when never reviewed)
    counts_as: str  # the verification verdicts and re-plans use (after the review)
    location_name: str
    description: str


def report_summaries(
    session: Session,
    since: dt.datetime | None = None,
    feed: str | None = None,
    state: ReviewState | None = None,
) -> list[ReportSummary]:
    """Stored reports observed at or after ``since``, of ``feed``, whose review state is ``state``
    (each filter optional), in time order, with their review state applied."""
    states = latest_review_states(session)
    query = (
        select(Report, Source.name, Source.source_type)
        .join(Source, Source.id == Report.reported_by_id)
        .order_by(Report.observed_at, Report.id)
    )
    if since is not None:
        query = query.where(Report.observed_at >= since)
    if feed is not None:
        query = query.where(Report.feed == feed)
    summaries = []
    for r, name, source_type in session.execute(query):
        review = states.get(r.id, ReviewState.DRAFT)
        if state is not None and review is not state:
            continue
        summaries.append(
            ReportSummary(
                id=r.id,
                feed=r.feed,
                source_id=r.source_id,
                kind=r.kind,
                observed_at=r.observed_at,
                lat=r.lat,
                lon=r.lon,
                radius_m=r.radius_m,
                source_name=name,
                source_type=source_type,
                feed_verification=r.verification,
                review_state=review.value,
                counts_as=verification_after_review(Verification(r.verification), states.get(r.id)).value,
                location_name=r.location_name,
                description=r.description,
            )
        )
    return summaries


def figure_claims(session: Session, what: str | None = None) -> list[FigureClaimRow]:
    """Stored figure claims ordered by what, date, scope and source (one row per claim, never merged)."""
    query = select(FigureClaimRow).order_by(
        FigureClaimRow.what,
        FigureClaimRow.as_of,
        FigureClaimRow.scope,
        FigureClaimRow.source,
        FigureClaimRow.id,
    )
    if what is not None:
        query = query.where(FigureClaimRow.what == what)
    return list(session.scalars(query))


def figure_claim_records(session: Session, what: FigureKind | None = None) -> list[FigureClaim]:
    """Stored figure claims as the monitor's :class:`FigureClaim` records (for ``side_by_side``)."""
    return [
        FigureClaim(
            what=FigureKind(r.what),
            count=r.count,
            source=r.source,
            method=CountMethod(r.method),
            as_of=r.as_of,
            verification=Verification(r.verification),
            note=r.note,
            scope=r.scope,
            lower_bound=r.lower_bound,
            daily=r.daily,
        )
        for r in figure_claims(session, what.value if what else None)
    ]
