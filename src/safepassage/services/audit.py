"""Audit use cases: verify the hash-chained event log (optionally against an anchor), take an
anchor to keep outside the database, read the newest entries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from safepassage.atomic_file import write_atomically
from safepassage.errors import InputError
from safepassage.services.records import AnchorTaken, EventRecord
from safepassage.store import AuditSummary, Store, queries, verify_chain
from safepassage.store.anchor import anchor_document, parse_anchor

__all__ = ["audit_log", "take_anchor", "verify_log"]


def verify_log(store: Store, anchor: str | None = None) -> AuditSummary:
    """Recompute the chain and check every row against it, in one snapshot.

    ``anchor``: an anchor file's path or its head hash; then also fail when any entry up to it was
    removed or rewritten. Raises :class:`~safepassage.errors.AuditError` (exit 8) naming the table,
    row and column of what differs; :class:`~safepassage.errors.InputError` for a bad anchor.
    """
    anchored = parse_anchor(anchor) if anchor is not None else None
    with store.reading() as session:
        return verify_chain(session, anchored)


def take_anchor(store: Store, output: Path | None = None, *, now: dt.datetime | None = None) -> AnchorTaken:
    """Verify the log and return its head as an anchor document (JSON), written to ``output`` too
    when given. Raises :class:`~safepassage.errors.AuditError` when the log does not verify."""
    with store.reading() as session:
        summary = verify_chain(session)
    document = anchor_document(summary, now or dt.datetime.now(dt.UTC))
    if output is not None:
        try:
            write_atomically(output, document)
        except OSError as exc:
            raise InputError(f"-o {output}: cannot write the anchor ({exc.strerror})") from None
    return AnchorTaken(summary, document, output)


def audit_log(store: Store, limit: int = 20, table: str | None = None) -> list[EventRecord]:
    """The newest ``limit`` entries of the event log (only those about ``table`` if given), oldest
    first."""
    with store.reading() as session:
        return [
            EventRecord(e.seq, e.at, e.actor, e.action, e.table_name, e.row_id, e.sha256)
            for e in queries.recent_events(session, limit, table)
        ]
