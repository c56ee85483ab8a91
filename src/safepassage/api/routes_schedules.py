"""Vehicle schedules: start a fleet run for a stored scenario (a background job), follow it, list
and read schedules, the dispatch sheet (CSV, HTML) and the independent check.

Convoy details reach coordinators only: a schedule's ``schedule`` field (vehicles, trips, exact
times) is restricted, so the one redaction function drops it for every other role, who see the
public notice (pickup points and the hours buses leave them). The dispatch sheet and the check are
coordinators' only.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from safepassage.api.auth import require_role
from safepassage.api.deps import RowId, get_store
from safepassage.api.models import ScheduleJobOut, ScheduleOut, ScheduleRequest
from safepassage.api.schedule_jobs import ScheduleJobs
from safepassage.errors import UnknownIdError
from safepassage.services.users import Role, UserRecord
from safepassage.store import Store

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["schedules"])
SheetTable = Annotated[Literal["trips", "pickups"], Query(description="A row per trip or per collection.")]


def _jobs(request: Request) -> ScheduleJobs:
    jobs = request.app.state.schedule_jobs
    assert isinstance(jobs, ScheduleJobs)
    return jobs


@router.post("/schedules", response_model=ScheduleJobOut, status_code=202)
def start_schedule(
    body: ScheduleRequest,
    request: Request,
    user: Annotated[UserRecord, Depends(require_role(Role.COORDINATOR))],
) -> ScheduleJobOut:
    """Start scheduling the vehicles of a stored scenario in the background; follow
    ``/api/schedules/jobs/{id}``."""
    job = _jobs(request).start(body.scenario_id, body.method, body.time_limit_s, user.name)
    return ScheduleJobOut.model_validate(dataclasses.asdict(job))


@router.get("/schedules/jobs/{job_id}", response_model=ScheduleJobOut)
def schedule_job(
    job_id: str,
    request: Request,
    _user: Annotated[UserRecord, Depends(require_role(Role.COORDINATOR))],
) -> ScheduleJobOut:
    """A fleet run: state, stage, progress, and the schedule id when done."""
    job = _jobs(request).get(job_id)
    if job is None:
        raise UnknownIdError(f"no scheduling job {job_id!r} in this server")
    return ScheduleJobOut.model_validate(dataclasses.asdict(job))


@router.get("/schedules", response_model=list[ScheduleOut])
def list_schedules(
    _user: Annotated[UserRecord, Depends(require_role(Role.VIEWER))],
    store: Annotated[Store, Depends(get_store)],
) -> list[ScheduleOut]:
    """Every stored schedule (without documents or notices)."""
    from safepassage.services.fleet import list_schedules as stored

    return [
        ScheduleOut(id=s.id, scenario_id=s.scenario_id, reason=s.reason, created_at=s.created_at)
        for s in stored(store)
    ]


@router.get("/schedules/{schedule_id}", response_model=ScheduleOut)
def read_schedule(
    schedule_id: RowId,
    _user: Annotated[UserRecord, Depends(require_role(Role.VIEWER))],
    store: Annotated[Store, Depends(get_store)],
) -> ScheduleOut:
    """A stored schedule: its public notice, and its ``safepassage-schedule/1`` document for
    coordinators."""
    from safepassage.services.fleet import public_notice, stored_schedule

    record, schedule = stored_schedule(store, schedule_id)
    return ScheduleOut(
        id=record.id,
        scenario_id=record.scenario_id,
        reason=record.reason,
        created_at=record.created_at,
        notice=public_notice(schedule),
        schedule=schedule.model_dump(mode="json"),
    )


@router.get("/schedules/{schedule_id}/sheet.csv", response_class=PlainTextResponse)
def schedule_sheet_csv(
    schedule_id: RowId,
    _user: Annotated[UserRecord, Depends(require_role(Role.COORDINATOR))],
    store: Annotated[Store, Depends(get_store)],
    table: Annotated[
        Literal["trips", "pickups"], Query(description="One row per trip or per collection.")
    ] = "trips",
) -> PlainTextResponse:
    """The dispatch sheet's trips (or pickups) table as CSV, the columns of ``safepassage fleet --csv``."""
    from safepassage.services.fleet import sheet_csv_text, stored_schedule

    _record, schedule = stored_schedule(store, schedule_id)
    return PlainTextResponse(sheet_csv_text(schedule, table), media_type="text/csv; charset=utf-8")


@router.get("/schedules/{schedule_id}/sheet.html", response_class=HTMLResponse)
def schedule_sheet_html(
    schedule_id: RowId,
    _user: Annotated[UserRecord, Depends(require_role(Role.COORDINATOR))],
    store: Annotated[Store, Depends(get_store)],
) -> HTMLResponse:
    """The printable dispatch sheet (HTML), as ``safepassage fleet --html`` writes it."""
    from safepassage.fleet.sheet_html import sheet_html
    from safepassage.services.fleet import stored_schedule

    _record, schedule = stored_schedule(store, schedule_id)
    return HTMLResponse(sheet_html(schedule))


@router.post("/schedules/{schedule_id}/check", response_model=dict)
def check_schedule(
    schedule_id: RowId,
    _user: Annotated[UserRecord, Depends(require_role(Role.COORDINATOR))],
    store: Annotated[Store, Depends(get_store)],
) -> dict[str, Any]:
    """Re-verify a stored schedule against its scenario and the real roads (the independent
    checker); 409 ``SCHEDULE_REJECTED`` listing every violation."""
    from safepassage.services.fleet import check_stored_schedule

    check_stored_schedule(store, schedule_id)
    return {"schedule_id": schedule_id, "ok": True}
