"""Request and response bodies of the API (pydantic), as the OpenAPI schema shows them.

A field whose value only coordinators may see is marked ``restricted(...)`` (``x-restricted`` in the
schema); its name joins :data:`safepassage.api.redaction.RESTRICTED_KEYS`, so the one redaction
function removes it from every response path for every other role.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from safepassage.api.redaction import add_restricted_keys
from safepassage.bounds import FATALITIES, LATITUDE, LONGITUDE, RADIUS_M
from safepassage.scenario.vocabulary import CorridorStatus, HazardKind, SourceType, Verification
from safepassage.store import ReviewState

__all__ = [
    "AuditOut",
    "CorridorOut",
    "IncidentOut",
    "JobOut",
    "NotificationOut",
    "PlanOut",
    "PlanRequest",
    "ReportAddedOut",
    "ReportIn",
    "ReportOut",
    "ReviewIn",
    "ReviewOut",
    "ScenarioOut",
    "ScheduleJobOut",
    "ScheduleOut",
    "ScheduleRequest",
    "StatusIn",
    "StatusOut",
    "ValidationOut",
    "VerdictOut",
    "restricted",
]


def restricted(**kwargs: Any) -> Any:
    """A pydantic ``Field`` only coordinators receive (marked ``x-restricted`` in the schema)."""
    return Field(json_schema_extra={"x-restricted": True}, **kwargs)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ReportIn(BaseModel):
    """A report from the field (a reporter's message), stored in feed ``cli`` under the token's user."""

    model_config = ConfigDict(extra="forbid")

    kind: HazardKind
    at: AwareDatetime = Field(description="When it happened, ISO 8601 with a UTC offset.")
    source: str = Field(min_length=1, max_length=500, description="Who reported it.")
    source_type: SourceType
    lat: float | None = Field(default=None, ge=LATITUDE.low, le=LATITUDE.high)
    lon: float | None = Field(default=None, ge=LONGITUDE.low, le=LONGITUDE.high)
    radius_m: float = Field(default=1000.0, ge=RADIUS_M.low, le=RADIUS_M.high)
    time_uncertainty_s: float = Field(default=900.0, ge=0, le=3660 * 86400)
    id: str | None = Field(default=None, min_length=1, max_length=200, description="Your own id.")
    location: str = Field(default="", max_length=2000)
    description: str = Field(default="", max_length=20000)
    fatalities: int | None = Field(default=None, ge=FATALITIES.low, le=FATALITIES.high)
    verification: Verification = Verification.UNVERIFIED


class ReportAddedOut(_Out):
    """A stored report's id (None when this report was already stored) and ``feed:source_id``."""

    report_id: int | None
    feed: str
    source_id: str


class ReportOut(_Out):
    """A stored report with its review state and what it counts as in verdicts."""

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
    review_state: str
    counts_as: str
    location_name: str
    description: str


class IncidentOut(_Out):
    """An incident in force: reports of several feeds merged into one event."""

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


class ReviewIn(BaseModel):
    """A review decision (the reviewer is the token's user)."""

    model_config = ConfigDict(extra="forbid")

    state: ReviewState
    reason: str = Field(min_length=1, max_length=5000)
    claim: str = Field(default="", max_length=5000)
    publish: bool | None = None


class ReviewOut(_Out):
    """One review decision."""

    reviewed_at: dt.datetime
    state: str
    published: bool
    reviewer: str
    reason: str
    claim: str


class CorridorOut(_Out):
    """A corridor with its current status."""

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


class StatusIn(BaseModel):
    """A corridor's next lifecycle status and why."""

    model_config = ConfigDict(extra="forbid")

    status: CorridorStatus
    reason: str = Field(min_length=1, max_length=5000)


class StatusOut(_Out):
    """One step of a corridor's lifecycle."""

    changed_at: dt.datetime
    status: str
    changed_by: str
    reason: str


class VerdictOut(_Out):
    """A stored verdict with its evidence."""

    id: int
    corridor_id: int
    window_start: dt.datetime
    window_end: dt.datetime
    outcome: str
    violation_score: float
    confidence: float
    evidence: list[dict[str, Any]]
    rule_version: str
    reason: str
    judged_at: dt.datetime


class NotificationOut(_Out):
    """A notification owed to someone."""

    id: int
    topic: str
    recipient: str
    message: str
    created_at: dt.datetime


class ScenarioOut(BaseModel):
    """A stored scenario (``document``: the scenario as JSON; aid convoy details are coordinators' only)."""

    id: int
    name: str
    recorded_at: dt.datetime
    document: dict[str, Any] | None = None


class ValidationOut(BaseModel):
    """What validation found: each finding's severity, code and message; ``ok`` when none is an error."""

    ok: bool
    findings: list[dict[str, str]]


class PlanRequest(BaseModel):
    """Start planning a stored scenario."""

    model_config = ConfigDict(extra="forbid")

    scenario_id: int = Field(ge=1, le=2**31 - 1)
    mode: str = Field(default="exact", pattern="^(exact|fast)$")
    max_delay: float = Field(default=0.0, ge=0.0, le=10.0)


class JobOut(BaseModel):
    """A planning run in the background: state (queued, running, done, failed), progress 0..1."""

    id: str
    scenario_id: int
    state: str
    stage: str
    progress: float
    plan_id: int | None = None
    error: dict[str, str] | None = None


class PlanOut(BaseModel):
    """A stored plan (``document``: ``safepassage-plan/1``)."""

    id: int
    scenario_id: int | None
    reason: str
    created_at: dt.datetime
    document: dict[str, Any] | None = None
    vehicles: dict[str, Any] | None = restricted(
        default=None, description="Fleet and vehicle assignment, when the plan has one (coordinators only)."
    )


class ScheduleRequest(BaseModel):
    """Start scheduling the vehicles of a stored scenario (its ``fleet`` section)."""

    model_config = ConfigDict(extra="forbid")

    scenario_id: int = Field(ge=1, le=2**31 - 1)
    method: str = Field(default="auto", pattern="^(auto|exact|heuristic)$")
    time_limit_s: float = Field(default=30.0, ge=1.0, le=3600.0, description="The solver's time limit.")


class ScheduleJobOut(BaseModel):
    """A fleet run in the background: state (queued, running, done, failed), progress 0..1."""

    id: str
    scenario_id: int
    state: str
    stage: str
    progress: float
    schedule_id: int | None = None
    error: dict[str, str] | None = None


class ScheduleOut(BaseModel):
    """A stored vehicle schedule. ``notice``: what a public notice says (per pickup point, the hours
    buses leave it); ``schedule``: the whole ``safepassage-schedule/1`` document (coordinators only)."""

    id: int
    scenario_id: int | None
    reason: str
    created_at: dt.datetime
    notice: list[dict[str, Any]] = Field(default_factory=list)
    schedule: dict[str, Any] | None = restricted(
        default=None,
        description="The safepassage-schedule/1 document: vehicles, trips, exact times (coordinators only).",
    )


class AuditOut(BaseModel):
    """The event log verified: how many events, and its head."""

    ok: bool
    summary: dict[str, Any]


def _restricted_names() -> set[str]:
    names = set()
    for model in (value for value in globals().values() if isinstance(value, type)):
        if issubclass(model, BaseModel) and model is not BaseModel:
            for name, info in model.model_fields.items():
                extra = info.json_schema_extra
                if isinstance(extra, dict) and extra.get("x-restricted"):
                    names.add(name)
    return names


add_restricted_keys(_restricted_names())
