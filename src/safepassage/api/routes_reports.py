"""Reports and incidents: submit, list (filters: corridor, time, state, kind, bbox), read, review.

Who sees what: a reviewer or coordinator every report; a reporter the reports they submitted and
the published ones; a viewer the published ones (a verified report may stay unpublished to protect
a source).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from safepassage.api.auth import require_role
from safepassage.api.deps import RowId, get_report_writer, get_store, one_writer
from safepassage.api.models import IncidentOut, ReportAddedOut, ReportIn, ReportOut, ReviewIn, ReviewOut
from safepassage.errors import InputError, UnknownIdError
from safepassage.scenario.vocabulary import HazardKind
from safepassage.services import api_support
from safepassage.services import reports as report_service
from safepassage.services.users import Role, UserRecord
from safepassage.store import ReviewState, Store
from safepassage.store.group_commit import ReportGroupCommit

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["reports"])

BBOX_HELP = "min_lon,min_lat,max_lon,max_lat (WGS84)"
CORRIDOR_NEAR_DEG = 0.05  # a corridor filter keeps reports within about 5 km of its endpoints' box


@router.post("/reports", response_model=ReportAddedOut, status_code=201)
async def submit_report(
    body: ReportIn,
    user: Annotated[UserRecord, Depends(require_role(Role.REPORTER))],
    writer: Annotated[ReportGroupCommit, Depends(get_report_writer)],
) -> ReportAddedOut:
    """Store one report (feed ``cli``); the token's user is its author and the actor in the log.

    Submitting the same report twice (same ``id``, or same content without one) stores it once."""
    # Reports posted at the same time are written in one transaction (group commit,
    # safepassage.store.group_commit); each answer is sent after its report is committed.
    if (body.lat is None) != (body.lon is None):
        raise InputError("lat and lon go together: give both, or neither")
    report = report_service.typed_report(
        user.name,
        kind=body.kind,
        at=body.at,
        source=body.source,
        source_type=body.source_type,
        lat=body.lat,
        lon=body.lon,
        radius_m=body.radius_m,
        time_uncertainty_s=body.time_uncertainty_s,
        report_id=body.id,
        location=body.location,
        description=body.description,
        fatalities=body.fatalities,
        verification=body.verification,
    )
    added = await asyncio.wrap_future(report_service.queue_report(writer, user.name, report))
    return ReportAddedOut(report_id=added.report_id, feed=added.feed, source_id=added.source_id)


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        west, south, east, north = (float(p) for p in text.split(","))
    except ValueError:
        raise InputError(f"bbox {text!r}: expected {BBOX_HELP}") from None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise InputError(f"bbox {text!r}: expected {BBOX_HELP} with min <= max")
    return west, south, east, north


def _corridor_box(store: Store, corridor_id: int) -> tuple[float, float, float, float]:
    points = api_support.corridor_points(store, corridor_id)
    lons = [lon for _, lon in points]
    lats = [lat for lat, _ in points]
    pad = CORRIDOR_NEAR_DEG
    return min(lons) - pad, min(lats) - pad, max(lons) + pad, max(lats) + pad


@router.get("/reports", response_model=list[ReportOut])
def list_reports(
    user: Annotated[UserRecord, Depends(require_role(Role.VIEWER))],
    store: Annotated[Store, Depends(get_store)],
    since: Annotated[dt.datetime | None, Query(description="Observed at or after (ISO 8601).")] = None,
    until: Annotated[dt.datetime | None, Query(description="Observed before (ISO 8601).")] = None,
    state: Annotated[ReviewState | None, Query(description="Latest review state.")] = None,
    kind: Annotated[HazardKind | None, Query()] = None,
    bbox: Annotated[str | None, Query(description=BBOX_HELP)] = None,
    corridor: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Near this corridor.")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[ReportOut]:
    """Stored reports in time order, filtered; only those the caller may see."""
    _need_offsets(since, until)
    box = _bbox(bbox)
    near = _corridor_box(store, corridor) if corridor is not None else None
    found = report_service.list_reports(store, since=since, state=state)
    visible = _visible_ids(store, user, [r.id for r in found])
    out = []
    for r in found:
        if r.id not in visible or (kind is not None and r.kind != kind.value):
            continue
        if until is not None and r.observed_at >= until:
            continue
        if not all(_inside(r.lat, r.lon, b) for b in (box, near) if b is not None):
            continue
        out.append(ReportOut.model_validate(dataclasses.asdict(r)))
        if len(out) >= limit:
            break
    return out


def _inside(lat: float | None, lon: float | None, box: tuple[float, float, float, float]) -> bool:
    return lat is not None and lon is not None and box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


def _visible_ids(store: Store, user: UserRecord, ids: list[int]) -> set[int]:
    if user.role.allows(Role.REVIEWER):
        return set(ids)
    visible = api_support.published_report_ids(store)
    if user.role is Role.REPORTER:
        visible |= api_support.reports_entered_by(store, user.name)
    return visible


@router.get("/incidents", response_model=list[IncidentOut])
def list_incidents(
    _user: Annotated[UserRecord, Depends(require_role(Role.VIEWER))],
    store: Annotated[Store, Depends(get_store)],
    since: Annotated[dt.datetime | None, Query(description="Last observed at or after (ISO 8601).")] = None,
    until: Annotated[dt.datetime | None, Query(description="First observed before (ISO 8601).")] = None,
    kind: Annotated[HazardKind | None, Query()] = None,
    bbox: Annotated[str | None, Query(description=BBOX_HELP)] = None,
    corridor: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Near this corridor.")] = None,
) -> list[IncidentOut]:
    """Incidents in force (reports merged across feeds), by first observation, filtered."""
    _need_offsets(since, until)
    boxes = [b for b in (_bbox(bbox), _corridor_box(store, corridor) if corridor else None) if b is not None]
    return [
        IncidentOut.model_validate(i)
        for i in api_support.current_incidents(store)
        if (kind is None or i.kind == kind.value)
        and (since is None or i.last_observed_at >= since)
        and (until is None or i.first_observed_at < until)
        and all(_inside(i.lat, i.lon, b) for b in boxes)
    ]


def _need_offsets(*times: dt.datetime | None) -> None:
    for value in times:
        if value is not None and value.tzinfo is None:
            raise InputError(f"{value.isoformat()} has no UTC offset; add one (e.g. +02:00 or Z)")


@router.get("/reports/{report_id}", response_model=dict)
def read_report(
    report_id: RowId,
    user: Annotated[UserRecord, Depends(require_role(Role.VIEWER))],
    store: Annotated[Store, Depends(get_store)],
) -> dict[str, object]:
    """One report with its source, incident and reviews (if the caller may see it)."""
    if report_id not in _visible_ids(store, user, [report_id]):
        raise UnknownIdError(f"no report with id {report_id} that you may see")
    detail = report_service.show_report(store, str(report_id))
    return dataclasses.asdict(detail)


@router.post("/reports/{report_id}/reviews", response_model=list[ReviewOut], status_code=201)
def review_report(
    report_id: RowId,
    body: ReviewIn,
    user: Annotated[UserRecord, Depends(require_role(Role.REVIEWER))],
    store: Annotated[Store, Depends(get_store)],
) -> list[ReviewOut]:
    """Record the token user's review of a report; returns every review of it, oldest first."""
    return _review(store, user, str(report_id), body, incident=False)


@router.post("/incidents/{incident_id}/reviews", response_model=list[ReviewOut], status_code=201)
def review_incident(
    incident_id: RowId,
    body: ReviewIn,
    user: Annotated[UserRecord, Depends(require_role(Role.REVIEWER))],
    store: Annotated[Store, Depends(get_store)],
) -> list[ReviewOut]:
    """Record the token user's review of an incident (it applies to every report merged into it)."""
    return _review(store, user, str(incident_id), body, incident=True)


def _review(
    store: Store, user: UserRecord, subject: str, body: ReviewIn, *, incident: bool
) -> list[ReviewOut]:
    with one_writer():
        outcome = report_service.review(
            store,
            subject,
            body.state,
            user.name,
            body.reason,
            claim=body.claim,
            publish=body.publish,
            incident=incident,
        )
    return [ReviewOut.model_validate(r) for r in outcome.history]
