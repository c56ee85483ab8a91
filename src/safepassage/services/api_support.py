"""Use cases the HTTP API needs that the service layer does not offer (yet): stored scenarios and
plans, verdicts and notifications as stored, report ownership, and the event log read by sequence.

Kept apart so the service layer's owner can absorb them; plain functions returning plain records.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from safepassage.errors import UnknownIdError
from safepassage.store import NotificationRecord, Store  # at run time: the shape test reads the hints

__all__ = [
    "IncidentRecord",
    "LoggedEvent",
    "StoredDocument",
    "VerdictRecord",
    "corridor_points",
    "current_incidents",
    "events_after",
    "get_plan",
    "get_scenario",
    "last_event_seq",
    "list_notifications",
    "list_plans",
    "list_scenarios",
    "list_verdicts",
    "load_demo",
    "published_report_ids",
    "reports_entered_by",
    "store_plan",
]


@dataclass(frozen=True)
class StoredDocument:
    """A stored scenario or plan: id, name or reason, when, the document (JSON-able)."""

    id: int
    label: str
    at: dt.datetime
    document: dict[str, Any]
    scenario_id: int | None = None


@dataclass(frozen=True)
class VerdictRecord:
    """A stored verdict on one corridor window, with its evidence (list of JSON objects)."""

    id: int
    corridor_id: int
    window_start: dt.datetime
    window_end: dt.datetime
    outcome: str
    violation_score: float
    confidence: float
    evidence: list[Any]
    rule_version: str
    reason: str
    judged_at: dt.datetime


@dataclass(frozen=True)
class LoggedEvent:
    """One entry of the event log with the content of the row it vouches for (parsed JSON)."""

    seq: int
    at: dt.datetime
    actor: str
    table_name: str
    row_id: int
    row: dict[str, Any]


def list_scenarios(store: Store) -> list[StoredDocument]:
    """Every stored scenario, by id (documents included)."""
    from sqlalchemy import select

    from safepassage.store.schema import Scenario

    with store.reading() as session:
        rows = session.scalars(select(Scenario).order_by(Scenario.id))
        return [StoredDocument(r.id, r.name, r.recorded_at, r.document) for r in rows]


def get_scenario(store: Store, scenario_id: int) -> StoredDocument:
    """One stored scenario; :class:`UnknownIdError` when there is none with this id."""
    from safepassage.store.schema import Scenario

    with store.reading() as session:
        r = session.get(Scenario, scenario_id)
        if r is None:
            raise UnknownIdError(f"no scenario with id {scenario_id}")
        return StoredDocument(r.id, r.name, r.recorded_at, r.document)


def store_plan(store: Store, document: dict[str, Any], reason: str, scenario_id: int, actor: str) -> int:
    """Store a plan document made for the stored scenario ``scenario_id``; returns its id."""
    with store.writing(actor) as writer:
        return writer.add_plan(document, reason, scenario_id=scenario_id)


def list_plans(store: Store) -> list[StoredDocument]:
    """Every stored plan, by id, without documents (``document`` empty)."""
    from sqlalchemy import select

    from safepassage.store.schema import Plan

    with store.reading() as session:
        rows = session.execute(
            select(Plan.id, Plan.reason, Plan.created_at, Plan.scenario_id).order_by(Plan.id)
        )
        return [StoredDocument(r.id, r.reason, r.created_at, {}, r.scenario_id) for r in rows]


def get_plan(store: Store, plan_id: int) -> StoredDocument:
    """One stored plan with its document; :class:`UnknownIdError` when there is none."""
    from safepassage.store.schema import Plan

    with store.reading() as session:
        r = session.get(Plan, plan_id)
        if r is None:
            raise UnknownIdError(f"no plan with id {plan_id}")
        return StoredDocument(r.id, r.reason, r.created_at, r.document, r.scenario_id)


def list_verdicts(store: Store, corridor_id: int | None = None) -> list[VerdictRecord]:
    """Stored verdicts (of one corridor), newest first; :class:`UnknownIdError` for an unknown corridor."""
    from sqlalchemy import select

    from safepassage.store.schema import Corridor, VerdictRow

    with store.reading() as session:
        query = select(VerdictRow).order_by(VerdictRow.id.desc())
        if corridor_id is not None:
            if session.get(Corridor, corridor_id) is None:
                raise UnknownIdError(f"no corridor with id {corridor_id}")
            query = query.where(VerdictRow.corridor_id == corridor_id)
        return [
            VerdictRecord(
                v.id,
                v.corridor_id,
                v.window_start,
                v.window_end,
                v.outcome,
                v.violation_score,
                v.confidence,
                list(v.evidence),
                v.rule_version,
                v.reason,
                v.judged_at,
            )
            for v in session.scalars(query)
        ]


def list_notifications(store: Store, limit: int = 100) -> list[NotificationRecord]:
    """The newest ``limit`` notifications, newest first."""
    from sqlalchemy import select

    from safepassage.store.schema import Notification

    with store.reading() as session:
        rows = session.scalars(select(Notification).order_by(Notification.id.desc()).limit(limit))
        return [NotificationRecord(n.id, n.topic, n.recipient, n.message, n.created_at) for n in rows]


def reports_entered_by(store: Store, actor: str) -> set[int]:
    """Ids of the reports ``actor`` wrote (from the event log: the actor of each report's event)."""
    from sqlalchemy import select

    from safepassage.store.schema import Event

    with store.reading() as session:
        return set(
            session.scalars(select(Event.row_id).where(Event.table_name == "reports", Event.actor == actor))
        )


def last_event_seq(store: Store) -> int:
    """The sequence number of the newest event (0 for an empty log)."""
    from sqlalchemy import func, select

    from safepassage.store.schema import Event

    with store.reading() as session:
        return int(session.scalar(select(func.coalesce(func.max(Event.seq), 0))) or 0)


def events_after(
    store: Store, seq: int, tables: frozenset[str], limit: int = 500
) -> tuple[int, list[LoggedEvent]]:
    """Events after ``seq`` (at most ``limit``, oldest first): the last sequence number read, and
    those about ``tables`` with the content of their rows."""
    from sqlalchemy import select

    from safepassage.store.schema import Event

    with store.reading() as session:
        rows = session.execute(
            select(Event.seq, Event.at, Event.actor, Event.table_name, Event.row_id, Event.payload)
            .where(Event.seq > seq)
            .order_by(Event.seq)
            .limit(limit)
        ).all()
    last = rows[-1].seq if rows else seq
    found = [
        LoggedEvent(r.seq, r.at, r.actor, r.table_name, r.row_id, json.loads(r.payload))
        for r in rows
        if r.table_name in tables
    ]
    return last, found


def published_report_ids(store: Store) -> set[int]:
    """Ids of the reports whose latest review (of the report itself) published it."""
    from sqlalchemy import select

    from safepassage.store.schema import Review

    latest: dict[int, bool] = {}
    with store.reading() as session:
        for report_id, published in session.execute(  # report_id is not NULL here
            select(Review.report_id, Review.published)
            .where(Review.report_id.is_not(None))
            .order_by(Review.id)
        ):
            if report_id is not None:
                latest[report_id] = bool(published)
    return {report_id for report_id, published in latest.items() if published}


def corridor_points(store: Store, corridor_id: int) -> list[tuple[float, float]]:
    """(lat, lon) of a corridor's ends and placed waypoints; :class:`UnknownIdError` if unknown."""
    from safepassage.store.schema import Corridor

    with store.reading() as session:
        c = session.get(Corridor, corridor_id)
        if c is None:
            raise UnknownIdError(f"no corridor with id {corridor_id}")
        points = [(c.from_lat, c.from_lon), (c.to_lat, c.to_lon)]
        points += [(float(w["lat"]), float(w["lon"])) for w in c.waypoints if "lat" in w and "lon" in w]
        return points


def load_demo(store: Store, actor: str) -> int:
    """Store the bundled demo scenario (src/safepassage/demo/helsinki.yaml) and ingest its incident
    feed (helsinki-incidents.geojson); returns the scenario's id. Idempotent."""
    from pathlib import Path

    from safepassage.services.planning import demo_scenario_path
    from safepassage.services.reports import ingest_feeds
    from safepassage.services.scenarios import load_scenario_file, register_scenario

    path = demo_scenario_path()
    scenario_id, _keys = register_scenario(store, load_scenario_file(path), actor)
    ingest_feeds(store, [Path(path).with_name("helsinki-incidents.geojson")], None, actor)
    return scenario_id


@dataclass(frozen=True)
class IncidentRecord:
    """A current incident (not superseded by a later merge): where, when, what, how corroborated."""

    id: int
    key: str
    kind: str
    first_observed_at: dt.datetime
    last_observed_at: dt.datetime
    lat: float | None
    lon: float | None
    radius_m: float
    corroboration: int
    location_name: str
    reports: int


def current_incidents(store: Store) -> list[IncidentRecord]:
    """The incidents in force: for each report, the newest incident linking it; by first observation."""
    from sqlalchemy import select

    from safepassage.store.schema import Incident, IncidentReportLink

    with store.reading() as session:
        newest: dict[int, int] = {}
        members: dict[int, int] = {}
        for incident_id, report_id in session.execute(
            select(IncidentReportLink.incident_id, IncidentReportLink.report_id)
        ):
            newest[report_id] = max(newest.get(report_id, 0), incident_id)
            members[incident_id] = members.get(incident_id, 0) + 1
        current = sorted(set(newest.values()))
        rows = []
        for start in range(0, len(current), 500):
            chunk = current[start : start + 500]
            rows += list(session.scalars(select(Incident).where(Incident.id.in_(chunk))))
    rows.sort(key=lambda i: (i.first_observed_at, i.id))
    return [
        IncidentRecord(
            i.id,
            i.key,
            i.kind,
            i.first_observed_at,
            i.last_observed_at,
            i.lat,
            i.lon,
            i.radius_m,
            i.corroboration,
            i.location_name,
            members.get(i.id, 0),
        )
        for i in rows
    ]
