"""Reads of the stored scenarios, plans, schedules, verdicts and notifications, as frozen records.

Only reads; every function takes a session from :meth:`Store.reading` and returns plain records
(never ORM rows), oldest first unless said otherwise. Unknown ids raise
:class:`~safepassage.errors.UnknownIdError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepassage.errors import UnknownIdError
from safepassage.store.schema import Corridor, Notification, Plan, Scenario, ScheduleRow, VerdictRow

__all__ = [
    "NotificationRecord",
    "StoredPlan",
    "StoredScenario",
    "StoredSchedule",
    "StoredVerdict",
    "notification_records",
    "plan_document",
    "plan_records",
    "scenario_document",
    "scenario_records",
    "schedule_document",
    "schedule_records",
    "verdict_records",
]


@dataclass(frozen=True)
class StoredScenario:
    """A stored scenario: its id, name, content hash, who stored it and when (UTC)."""

    id: int
    name: str
    content_sha256: str
    recorded_by: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class StoredPlan:
    """A stored plan: the scenario it solves, the plan it replaces, why it was made, when (UTC)."""

    id: int
    scenario_id: int | None
    replaces_plan_id: int | None
    reason: str
    created_at: dt.datetime


@dataclass(frozen=True)
class StoredVerdict:
    """A stored verdict on one corridor (database id and key) for one window, with its evidence
    (one JSON object per incident: incident_id, sources, distance_to_route_m, observed_at, weight,
    kind, decisive)."""

    id: int
    corridor_id: int
    corridor_key: str
    window_start: dt.datetime
    window_end: dt.datetime
    outcome: str
    violation_score: float
    confidence: float
    evidence: tuple[dict[str, Any], ...]
    rule_version: str
    reason: str
    judged_at: dt.datetime


@dataclass(frozen=True)
class NotificationRecord:
    """A notification owed to ``recipient`` (a status change, a violation, a re-plan, a warning)."""

    id: int
    topic: str
    recipient: str
    message: str
    created_at: dt.datetime


def scenario_records(session: Session) -> list[StoredScenario]:
    """Every stored scenario, by id."""
    rows = session.scalars(select(Scenario).order_by(Scenario.id))
    return [StoredScenario(s.id, s.name, s.content_sha256, s.recorded_by, s.recorded_at) for s in rows]


def scenario_document(session: Session, scenario_id: int) -> dict[str, Any]:
    """The stored document (the scenario as JSON) of scenario ``scenario_id``."""
    row = session.get(Scenario, scenario_id)
    if row is None:
        raise UnknownIdError(f"no scenario with id {scenario_id}")
    return dict(row.document)


def plan_records(session: Session, scenario_id: int | None = None) -> list[StoredPlan]:
    """Every stored plan (of scenario ``scenario_id`` if given), by id."""
    query = select(Plan.id, Plan.scenario_id, Plan.replaces_plan_id, Plan.reason, Plan.created_at)
    if scenario_id is not None:
        query = query.where(Plan.scenario_id == scenario_id)
    return [StoredPlan(*row) for row in session.execute(query.order_by(Plan.id))]


def plan_document(session: Session, plan_id: int) -> dict[str, Any]:
    """The stored ``safepassage-plan/1`` document of plan ``plan_id``."""
    row = session.get(Plan, plan_id)
    if row is None:
        raise UnknownIdError(f"no plan with id {plan_id}")
    return dict(row.document)


def verdict_records(session: Session, corridor_id: int | None = None) -> list[StoredVerdict]:
    """Every stored verdict (on corridor ``corridor_id`` if given), by id (newest judgement last)."""
    query = select(VerdictRow, Corridor.key).join(Corridor, Corridor.id == VerdictRow.corridor_id)
    if corridor_id is not None:
        if session.get(Corridor, corridor_id) is None:
            raise UnknownIdError(f"no corridor with id {corridor_id}")
        query = query.where(VerdictRow.corridor_id == corridor_id)
    return [
        StoredVerdict(
            id=v.id,
            corridor_id=v.corridor_id,
            corridor_key=key,
            window_start=v.window_start,
            window_end=v.window_end,
            outcome=v.outcome,
            violation_score=v.violation_score,
            confidence=v.confidence,
            evidence=tuple(dict(e) for e in v.evidence),
            rule_version=v.rule_version,
            reason=v.reason,
            judged_at=v.judged_at,
        )
        for v, key in session.execute(query.order_by(VerdictRow.id))
    ]


def notification_records(
    session: Session, since: dt.datetime | None = None, topic: str | None = None
) -> list[NotificationRecord]:
    """Notifications created at or after ``since``, of ``topic`` (each filter optional), by id."""
    query = select(Notification).order_by(Notification.id)
    if since is not None:
        query = query.where(Notification.created_at >= since)
    if topic is not None:
        query = query.where(Notification.topic == topic)
    return [
        NotificationRecord(n.id, n.topic, n.recipient, n.message, n.created_at)
        for n in session.scalars(query)
    ]


@dataclass(frozen=True)
class StoredSchedule:
    """A stored vehicle schedule: the scenario it serves, why it was made, when (UTC)."""

    id: int
    scenario_id: int | None
    reason: str
    created_at: dt.datetime


def schedule_records(session: Session, scenario_id: int | None = None) -> list[StoredSchedule]:
    """Every stored schedule (of scenario ``scenario_id`` if given), by id."""
    query = select(ScheduleRow.id, ScheduleRow.scenario_id, ScheduleRow.reason, ScheduleRow.created_at)
    if scenario_id is not None:
        query = query.where(ScheduleRow.scenario_id == scenario_id)
    return [StoredSchedule(*row) for row in session.execute(query.order_by(ScheduleRow.id))]


def schedule_document(session: Session, schedule_id: int) -> tuple[StoredSchedule, dict[str, Any]]:
    """The record and the stored ``safepassage-schedule/1`` document of schedule ``schedule_id``."""
    row = session.get(ScheduleRow, schedule_id)
    if row is None:
        raise UnknownIdError(f"no schedule with id {schedule_id}")
    return StoredSchedule(row.id, row.scenario_id, row.reason, row.created_at), dict(row.document)
