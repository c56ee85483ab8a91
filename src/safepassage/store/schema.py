"""The tables, as typed SQLAlchemy 2 ORM classes.

Every table except ``events`` and ``chain_head`` is *insert-only*: nothing is ever updated in place.
A corridor's status, a report's review state and a figure's verification are histories - a change is
a new row (who, when, why) and the current value is the latest row. This is what lets the event log
(:mod:`safepassage.store.audit`) vouch for every row: each row is written once, together with an event
carrying its canonical content, so any later edit or deletion shows.

Times are stored as UTC (:class:`UtcDateTime`) and read back timezone-aware on both SQLite and
PostgreSQL, so a row's canonical form is the same whichever database holds it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "AUDITED_TABLES",
    "ApiUser",
    "ApiUserRevocation",
    "Base",
    "ChainHead",
    "Corridor",
    "CorridorStatusChange",
    "Event",
    "FigureClaimRow",
    "Incident",
    "IncidentReportLink",
    "Notification",
    "Plan",
    "Report",
    "Review",
    "Scenario",
    "ScheduleRow",
    "Source",
    "UtcDateTime",
    "VerdictRow",
]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every backend; naive datetimes are refused, not guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given to the store; expected UTC-aware")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:  # noqa: ARG002
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention (stable names for Alembic)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


JsonDoc = JSON(none_as_null=True)


class Scenario(Base):
    """A scenario document as loaded (YAML turned into JSON), kept so plans can name what they solved."""

    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    content_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    document: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Source(Base):
    """Who reported something (an agency, a media outlet, a field team), and what kind of source it is."""

    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("name", "source_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    source_type: Mapped[str] = mapped_column(String(20))


class Report(Base):
    """One incident report from one feed row (or typed in); ``(feed, source_id)`` is its identity."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("feed", "source_id"),
        Index("ix_reports_observed_at", "observed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[str] = mapped_column(String(200))
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    kind: Mapped[str] = mapped_column(String(30))
    observed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float)
    time_uncertainty_s: Mapped[float] = mapped_column(Float)
    verification: Mapped[str] = mapped_column(String(20))
    fatalities: Mapped[int | None] = mapped_column(Integer)
    location_name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(Text)
    line: Mapped[int] = mapped_column(Integer)
    raw_json: Mapped[str] = mapped_column(Text)  # the feed row as canonical JSON text, kept verbatim
    ingested_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Incident(Base):
    """Near-identical reports from different feeds merged into one event (see ``monitor.records``).

    ``key`` is the monitor's stable incident id (derived from its report keys). When later reports
    join an incident, the merge yields a new key and a new row; the older row stays, superseded: the
    current incident of a report is the newest one linking it.
    """

    __tablename__ = "incidents"
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    first_observed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    last_observed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float)
    time_uncertainty_s: Mapped[float] = mapped_column(Float)
    corroboration: Mapped[int] = mapped_column(Integer)
    location_name: Mapped[str] = mapped_column(Text)
    fatalities_claims: Mapped[list[Any]] = mapped_column(JsonDoc)
    merged_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class IncidentReportLink(Base):
    """Which reports an incident was merged from."""

    __tablename__ = "incident_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)


class Review(Base):
    """One review decision on a report or an incident (Ushahidi / KoboToolbox style).

    States: draft -> on_hold -> verified / unverifiable / rejected. ``published`` is a separate
    decision (a verified report may stay unpublished to protect a source; an unverified one may be
    published with a warning). ``claim`` holds what this reviewer asserts, so conflicting claims
    about one incident stand side by side instead of overwriting each other.
    """

    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint("(report_id IS NULL) <> (incident_id IS NULL)", name="one_subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    published: Mapped[bool] = mapped_column(Boolean)
    claim: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    reviewed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class FigureClaimRow(Base):
    """A claimed count (killed, injured, evacuated, refugees) by one source, never merged with others.

    ``claim_key`` (SHA-256 of the claim's content) makes importing the same series twice a no-op; a
    source revising its figure, or a claim becoming verified, is a new row beside the old one.
    """

    __tablename__ = "figure_claims"
    __table_args__ = (UniqueConstraint("claim_key"), Index("ix_figure_claims_what_as_of", "what", "as_of"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_key: Mapped[str] = mapped_column(String(64))
    what: Mapped[str] = mapped_column(String(30))
    count: Mapped[int] = mapped_column(Integer)
    lower_bound: Mapped[bool] = mapped_column(Boolean)
    daily: Mapped[bool] = mapped_column(Boolean)
    scope: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(500))
    method: Mapped[str] = mapped_column(String(30))
    verification: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Corridor(Base):
    """A corridor as announced: endpoints, waypoints placed by the gazetteer, who proposed it, outcome.

    ``key`` is stable across imports (``peacerep:<HC_ID>`` for the 2022 dataset), so importing the
    same file twice adds nothing. Its lifecycle lives in :class:`CorridorStatusChange`.
    """

    __tablename__ = "corridors"
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    from_name: Mapped[str] = mapped_column(String(200))
    from_lat: Mapped[float] = mapped_column(Float)
    from_lon: Mapped[float] = mapped_column(Float)
    to_name: Mapped[str] = mapped_column(String(200))
    to_lat: Mapped[float] = mapped_column(Float)
    to_lon: Mapped[float] = mapped_column(Float)
    waypoints: Mapped[list[Any]] = mapped_column(JsonDoc)
    waypoints_unplaced: Mapped[list[Any]] = mapped_column(JsonDoc)
    announced_on: Mapped[dt.date | None] = mapped_column(Date)
    window_start: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    window_end: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    proposed_by: Mapped[str] = mapped_column(String(100))
    recorded_outcome: Mapped[str] = mapped_column(String(50))
    outcome_raw: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    links: Mapped[list[Any]] = mapped_column(JsonDoc)
    file_name: Mapped[str] = mapped_column(Text)
    line: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class CorridorStatusChange(Base):
    """One step of a corridor's lifecycle, with its reason: the history, never overwritten."""

    __tablename__ = "corridor_status"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    corridor_id: Mapped[int] = mapped_column(ForeignKey("corridors.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Plan(Base):
    """A plan document (``safepassage-plan/1``) and why it was made (first plan, re-plan after ...)."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id"))
    replaces_plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))
    reason: Mapped[str] = mapped_column(Text)
    document: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ScheduleRow(Base):
    """A vehicle schedule document (``safepassage-schedule/1``) made for a stored scenario, and why."""

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id"))
    reason: Mapped[str] = mapped_column(Text)
    document: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class VerdictRow(Base):
    """A verdict on one corridor for one window, with the evidence it rests on (as JSON)."""

    __tablename__ = "verdicts"
    __table_args__ = (Index("ix_verdicts_corridor_window", "corridor_id", "window_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    corridor_id: Mapped[int] = mapped_column(ForeignKey("corridors.id"))
    window_start: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    window_end: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(30))
    violation_score: Mapped[float] = mapped_column(Float)
    confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[Any]] = mapped_column(JsonDoc)
    rule_version: Mapped[str] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(Text)
    judged_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Notification(Base):
    """A message owed to someone (a status change, a violation, a re-plan), kept as a record."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(50))
    recipient: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ApiUser(Base):
    """A user of the HTTP API: name, role and the SHA-256 of their token (the token itself is never kept)."""

    __tablename__ = "api_users"
    __table_args__ = (UniqueConstraint("token_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    token_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ApiUserRevocation(Base):
    """A user's token revoked (insert-only: the user row stays, this row says it no longer works)."""

    __tablename__ = "api_user_revocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("api_users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    revoked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Event(Base):
    """One entry of the append-only, hash-chained event log (see :mod:`safepassage.store.audit`)."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_table_row", "table_name", "row_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(30))
    table_name: Mapped[str] = mapped_column(String(50))
    row_id: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    prev_sha256: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))


class ChainHead(Base):
    """The single row naming the last event: writers lock it, and it reveals a truncated log tail."""

    __tablename__ = "chain_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))


AUDITED_TABLES: tuple[type[Base], ...] = (
    Scenario,
    Source,
    Report,
    Incident,
    IncidentReportLink,
    Review,
    FigureClaimRow,
    Corridor,
    CorridorStatusChange,
    Plan,
    ScheduleRow,
    VerdictRow,
    Notification,
    ApiUser,
    ApiUserRevocation,
)
"""Every insert-only table whose rows the event log vouches for."""
