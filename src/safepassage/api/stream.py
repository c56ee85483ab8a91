"""The stream of changes (server-sent events): new reports, reviews, verdicts, corridor status
changes, finished plans and schedules, read from the store's hash-chained event log by sequence number.

Works across processes (any writer's change is in the log); ``Last-Event-ID`` (each event's id is
its log sequence number) resumes after a disconnect without losing or repeating events. Every
event's data goes through :func:`safepassage.api.redaction.redact`. Reports and reviews are
announced by id and kind only to viewers and reporters (their content is read through the
endpoints, which apply who-may-see-what); reviewers and coordinators get the rows.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Header, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from safepassage.api.auth import require_role
from safepassage.api.deps import get_store
from safepassage.api.redaction import redact
from safepassage.services import api_support
from safepassage.services.users import Role, UserRecord
from safepassage.store import Store

__all__ = ["EVENT_TYPES", "router"]

router = APIRouter(prefix="/api", tags=["stream"])

#: Store table -> event type on the stream.
EVENT_TYPES = {
    "reports": "report",
    "reviews": "review",
    "verdicts": "verdict",
    "corridor_status": "status",
    "plans": "plan",
    "schedules": "schedule",
}
SUMMARY_ONLY = frozenset({"reports", "reviews"})
ROW_SUMMARY = ("id", "kind", "state", "report_id", "incident_id", "observed_at", "reviewed_at")


def event_data(event: api_support.LoggedEvent, role: Role) -> dict[str, Any]:
    """The JSON data of one stream event for ``role`` (redacted)."""
    row = event.row
    if event.table_name in ("plans", "schedules"):
        row = {k: v for k, v in row.items() if k != "document"}  # read it at /api/plans/{id} (schedules/{id})
    if event.table_name in SUMMARY_ONLY and not role.allows(Role.REVIEWER):
        row = {k: v for k, v in row.items() if k in ROW_SUMMARY}
    data = {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "table": event.table_name,
        "id": event.row_id,
        "row": row,
    }
    return dict(redact(data, role))


async def _events(
    request: Request, store: Store, role: Role, after: int, poll_s: float
) -> AsyncIterator[ServerSentEvent]:
    tables = frozenset(EVENT_TYPES)
    seq = after
    while not await request.is_disconnected():
        seq, found = await anyio.to_thread.run_sync(api_support.events_after, store, seq, tables)
        for event in found:
            data = json.dumps(event_data(event, role), ensure_ascii=False)
            yield ServerSentEvent(data=data, event=EVENT_TYPES[event.table_name], id=str(event.seq))
        if not found:
            await asyncio.sleep(poll_s)


@router.get("/stream", response_class=EventSourceResponse)
async def stream(
    request: Request,
    user: Annotated[UserRecord, Depends(require_role(Role.VIEWER))],
    store: Annotated[Store, Depends(get_store)],
    last_event_id: Annotated[str | None, Header()] = None,
) -> EventSourceResponse:
    """Server-sent events of changes from now on (or after ``Last-Event-ID``)."""
    if last_event_id is not None and last_event_id.strip().isdigit():
        after = int(last_event_id.strip())
    else:
        after = await anyio.to_thread.run_sync(api_support.last_event_seq, store)
    poll_s = float(request.app.state.settings.stream_poll_s)
    return EventSourceResponse(_events(request, store, user.role, after, poll_s), ping=15)
