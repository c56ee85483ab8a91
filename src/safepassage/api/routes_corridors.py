"""Corridors: list with current status, status history, set status (coordinators), verdicts with
evidence; figures, notifications and the audit check."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from safepassage.api.auth import require_role
from safepassage.api.deps import RowId, get_store, one_writer
from safepassage.api.models import AuditOut, CorridorOut, NotificationOut, StatusIn, StatusOut, VerdictOut
from safepassage.monitor.records import FigureKind
from safepassage.scenario.vocabulary import CorridorStatus
from safepassage.services import api_support
from safepassage.services import audit as audit_service
from safepassage.services import corridors as corridor_service
from safepassage.services.figures import figures_side_by_side
from safepassage.services.users import Role, UserRecord
from safepassage.store import Store

__all__ = ["router"]

router = APIRouter(prefix="/api")


@router.get("/corridors", response_model=list[CorridorOut], tags=["corridors"])
def list_corridors(
    _user: Annotated[UserRecord, Depends(require_role(Role.VIEWER))],
    store: Annotated[Store, Depends(get_store)],
    status: CorridorStatus | None = None,
) -> list[CorridorOut]:
    """Every corridor with its current status and why (optionally only those in ``status``)."""
    return [CorridorOut.model_validate(c) for c in corridor_service.list_corridors(store, status=status)]


@router.get("/corridors/{corridor_id}/history", response_model=list[StatusOut], tags=["corridors"])
def corridor_history(
    corridor_id: RowId,
    _user: Annotated[UserRecord, Depends(require_role(Role.VIEWER))],
    store: Annotated[Store, Depends(get_store)],
) -> list[StatusOut]:
    """Every status the corridor went through, who changed it, when and why."""
    return [StatusOut.model_validate(h) for h in corridor_service.corridor_history(store, corridor_id)]


@router.post(
    "/corridors/{corridor_id}/status", response_model=list[StatusOut], status_code=201, tags=["corridors"]
)
def set_status(
    corridor_id: RowId,
    body: StatusIn,
    user: Annotated[UserRecord, Depends(require_role(Role.COORDINATOR))],
    store: Annotated[Store, Depends(get_store)],
) -> list[StatusOut]:
    """Move the corridor along its lifecycle (coordinators only); returns the whole history."""
    with one_writer():
        history = corridor_service.set_corridor_status(
            store, corridor_id, body.status, body.reason, user.name
        )
    return [StatusOut.model_validate(h) for h in history]


@router.get("/corridors/{corridor_id}/verdicts", response_model=list[VerdictOut], tags=["corridors"])
def corridor_verdicts(
    corridor_id: RowId,
    _user: Annotated[UserRecord, Depends(require_role(Role.VIEWER))],
    store: Annotated[Store, Depends(get_store)],
) -> list[VerdictOut]:
    """Stored verdicts of the corridor, newest first, each with the evidence it rests on."""
    return [VerdictOut.model_validate(v) for v in api_support.list_verdicts(store, corridor_id)]


@router.get("/figures", response_model=dict, tags=["figures"])
def figures(
    _user: Annotated[UserRecord, Depends(require_role(Role.VIEWER))],
    store: Annotated[Store, Depends(get_store)],
    what: FigureKind | None = None,
) -> dict[str, Any]:
    """Claimed counts by source side by side with their range; never averaged."""
    return dataclasses.asdict(figures_side_by_side(store, what=what))


@router.get("/notifications", response_model=list[NotificationOut], tags=["notifications"])
def notifications(
    _user: Annotated[UserRecord, Depends(require_role(Role.COORDINATOR))],
    store: Annotated[Store, Depends(get_store)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[NotificationOut]:
    """The newest notifications owed to coordinators (coordinators only)."""
    return [NotificationOut.model_validate(n) for n in api_support.list_notifications(store, limit)]


@router.get("/audit/verify", response_model=AuditOut, tags=["audit"])
def audit_verify(
    _user: Annotated[UserRecord, Depends(require_role(Role.COORDINATOR))],
    store: Annotated[Store, Depends(get_store)],
) -> AuditOut:
    """Recompute the hash-chained event log; 409 ``AUDIT_BROKEN`` naming what was tampered with."""
    summary = audit_service.verify_log(store)
    return AuditOut(ok=True, summary=_jsonable(dataclasses.asdict(summary)))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
