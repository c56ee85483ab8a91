"""Corridor lifecycle use cases: import announcements, list corridors, set a status, read history.

A status change notifies the coordinators (a notification row in the same transaction).
Judging corridors is in :mod:`safepassage.services.monitoring`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from safepassage.monitor.corridors import iter_corridor_announcements
from safepassage.monitor.records import CorridorAnnouncement
from safepassage.monitor.report import RowError
from safepassage.scenario.vocabulary import CorridorStatus
from safepassage.services.records import CorridorImport, StatusChange
from safepassage.store import Store, StoredVerdict, queries
from safepassage.store.documents import verdict_records
from safepassage.store.queries import CorridorSummary
from safepassage.store.schema import CorridorStatusChange

__all__ = [
    "COORDINATORS",
    "corridor_history",
    "corridor_verdicts",
    "import_corridors",
    "list_corridors",
    "set_corridor_status",
]

#: Recipient of the notifications the corridor and monitoring use cases record.
COORDINATORS = "coordinators"


def import_corridors(store: Store, path: Path, actor: str) -> CorridorImport:
    """Import the announced corridors of a PeaceRep CSV, waypoints placed with the offline gazetteer.

    Idempotent (a corridor already stored is counted, not doubled); each new corridor gets the
    status history its recorded proposer and outcome imply. Malformed rows are returned, not stored;
    the HC_IDs already stored before this import are returned too (``CorridorImport.already_stored``).
    Raises :class:`~safepassage.errors.InputError` for an unreadable file.
    """
    announcements: list[CorridorAnnouncement] = []
    problems: list[RowError] = []
    for item in iter_corridor_announcements(path):
        if isinstance(item, RowError):
            problems.append(item)
        else:
            announcements.append(item)
    with store.writing(actor) as writer:
        keys = [f"peacerep:{a.hc_id}" for a in announcements]
        known = frozenset(int(k.split(":", 1)[1]) for k in queries.corridor_ids_by_key(writer.session, keys))
        added = writer.add_corridors(announcements, str(path))
    return CorridorImport(tuple(announcements), tuple(problems), added, known)


def list_corridors(
    store: Store, *, status: CorridorStatus | None = None, since: dt.datetime | None = None
) -> list[CorridorSummary]:
    """Every corridor with its current status and why, by id: only those now in ``status`` and
    announced on ``since``'s day or later (each filter optional)."""
    with store.reading() as session:
        corridors = queries.corridor_summaries(session, status)
    if since is not None:
        corridors = [c for c in corridors if c.announced_on is not None and c.announced_on >= since.date()]
    return corridors


def _status_change(row: CorridorStatusChange) -> StatusChange:
    return StatusChange(row.changed_at, row.status, row.changed_by, row.reason)


def corridor_history(
    store: Store, corridor_id: int, *, since: dt.datetime | None = None
) -> list[StatusChange]:
    """Every status the corridor went through (at or after ``since``), oldest first.

    Raises :class:`~safepassage.errors.UnknownIdError` for an unknown corridor id.
    """
    with store.reading() as session:
        history = [_status_change(h) for h in queries.corridor_history(session, corridor_id)]
    if since is not None:
        history = [h for h in history if h.changed_at >= since]
    return history


def set_corridor_status(
    store: Store, corridor_id: int, status: CorridorStatus, reason: str, actor: str
) -> list[StatusChange]:
    """Move a corridor along its lifecycle (proposed -> agreed / disputed -> open -> suspended ->
    closed), record why and by whom, and notify the coordinators. Returns the whole history.

    Raises :class:`~safepassage.errors.UnknownIdError` for an unknown corridor and
    :class:`~safepassage.errors.InputError` for a step the lifecycle forbids.
    """
    with store.writing(actor) as writer:
        writer.set_corridor_status(corridor_id, status, reason)
        writer.add_notification(
            "corridor_status", COORDINATORS, f"corridor {corridor_id} is now {status.value}: {reason}"
        )
    return corridor_history(store, corridor_id)


def corridor_verdicts(store: Store, corridor_id: int | None = None) -> list[StoredVerdict]:
    """Every stored verdict (on corridor ``corridor_id`` if given) with its evidence, oldest first.

    Raises :class:`~safepassage.errors.UnknownIdError` for an unknown corridor id.
    """
    with store.reading() as session:
        return verdict_records(session, corridor_id)
