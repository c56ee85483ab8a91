"""The append-only event log: every row written is vouched for by a hash-chained event.

Each write through :class:`safepassage.store.repository.Writer` inserts the row *and*, in the same
transaction, one event holding the row's canonical content (JSON, sorted keys, UTC times) and its
SHA-256. Each event's own hash covers its envelope and the hash of the event before it, so the
events form a chain; the single ``chain_head`` row names the last event::

      events                                                             chain_head
    +----------------------+    +----------------------+    +--------------------+    +---------+
    | seq 1                |    | seq 2                |    | seq n              |    | seq n   |
    | reports row 1        |    | reports row 2        |    | corridor_status 7  |    | sha(n)  |
    | payload, sha(payload)|    | payload, sha(payload)|    | payload, ...       |    +---------+
    | prev = 000...0       |<---| prev = sha(1)        |<---| prev = sha(n-1)    |<------'
    | sha(1)               |    | sha(2)               |    | sha(n)             |
    +----------------------+    +----------------------+    +--------------------+

    sha(k) = SHA-256(JSON array [seq, at, actor, action, table, row_id,
                                 payload_sha256, prev_sha256])

:func:`verify_chain` recomputes everything and names what it finds:

- an **edited row** in any audited table: its canonical content no longer matches the payload its
  event recorded; the message names the table, row id and each column that differs (now vs then);
- a **deleted row**: an event vouches for a row that is gone;
- a row **added behind the log's back** (raw SQL): a row no event vouches for;
- an **edited or deleted event**: its payload hash, its own hash or the link to its predecessor
  no longer match, or a sequence number is missing;
- a **truncated tail**: the head names an event that is gone.

What a hash chain cannot do on its own: someone able to rewrite the whole log *and* the head
consistently would not be caught. Record the head hash that ``safepassage audit verify`` prints
somewhere else (a report, an e-mail) to anchor it.

Because every audited table is insert-only, one event per row is enough: a row is never legitimately
changed after its event was written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Date, Float, Integer, Table, insert, select, update
from sqlalchemy.orm import Session

from safepassage.errors import AuditError, StoreError
from safepassage.store.schema import AUDITED_TABLES, Base, ChainHead, Event, UtcDateTime

__all__ = [
    "GENESIS_SHA256",
    "AuditSummary",
    "append_events",
    "canonical_json",
    "canonical_row",
    "lock_chain_head",
    "table_of",
    "verify_chain",
]

GENESIS_SHA256 = "0" * 64
MAX_PROBLEMS_SHOWN = 50


def canonical_json(value: Any) -> str:
    """The one JSON spelling hashed everywhere: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _as_utc_iso(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise StoreError(f"{value!r} is not a UTC-aware datetime")
    return value.astimezone(dt.UTC).isoformat()


def _as_iso_date(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _as_float(value: Any) -> Any:
    return None if value is None else float(value)


def _as_int(value: Any) -> Any:
    return None if value is None else int(value)


def _as_is(value: Any) -> Any:
    return value


@cache
def _converters(table: type[Base]) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Per column, the function giving a value the form it has after a round trip through either database."""
    converters: list[tuple[str, Callable[[Any], Any]]] = []
    for column in table.__table__.columns:
        column_type = column.type
        if isinstance(column_type, UtcDateTime):
            converters.append((column.name, _as_utc_iso))
        elif isinstance(column_type, Date):
            converters.append((column.name, _as_iso_date))
        elif isinstance(column_type, Float):
            converters.append((column.name, _as_float))
        elif isinstance(column_type, Integer):
            converters.append((column.name, _as_int))
        else:
            converters.append((column.name, _as_is))
    return tuple(converters)


def canonical_row(table: type[Base], values: Mapping[str, Any]) -> dict[str, Any]:
    """Every column of ``table`` (missing ones as null) in canonical form, keyed by column name."""
    return {name: convert(values.get(name)) for name, convert in _converters(table)}


def table_of(model: type[Base]) -> Table:
    """The Core table of an ORM class (Core inserts skip the ORM's per-row bookkeeping)."""
    return Base.metadata.tables[model.__tablename__]


@dataclass(frozen=True)
class _Envelope:
    seq: int
    at: dt.datetime
    actor: str
    action: str
    table_name: str
    row_id: int
    payload_sha256: str
    prev_sha256: str

    def sha256(self) -> str:
        # a JSON array: unambiguous, and cheaper to encode than a keyed object
        fields = [
            self.seq,
            self.at.astimezone(dt.UTC).isoformat(),
            self.actor,
            self.action,
            self.table_name,
            self.row_id,
            self.payload_sha256,
            self.prev_sha256,
        ]
        return _sha256(json.dumps(fields, separators=(",", ":"), ensure_ascii=False))


def lock_chain_head(session: Session) -> tuple[int, str]:
    """Take the writers' lock (the head row) and return the last event's ``(seq, sha256)``.

    This must be the first statement of a write transaction: on PostgreSQL it takes a row lock held
    to commit; on SQLite it starts the write transaction (other writers wait on the busy timeout).
    """
    row = session.execute(
        update(ChainHead)
        .where(ChainHead.id == 1)
        .values(seq=ChainHead.seq)
        .returning(ChainHead.seq, ChainHead.sha256)
    ).one_or_none()
    if row is None:
        raise StoreError(
            "the database has no chain_head row; it was not created by Safe Passage's migrations"
        )
    return int(row[0]), str(row[1])


def append_events(
    session: Session,
    head: tuple[int, str],
    actor: str,
    at: dt.datetime,
    table: type[Base],
    rows: Sequence[tuple[int, Mapping[str, Any]]],
) -> tuple[int, str]:
    """Append one ``insert`` event per ``(row_id, canonical payload)``; return the new head.

    The caller holds the head lock (:func:`lock_chain_head`) and commits rows and events together.
    """
    seq, prev = head
    table_name = table.__tablename__
    events: list[dict[str, Any]] = []
    for row_id, payload in rows:
        seq += 1
        payload_text = canonical_json(payload)
        envelope = _Envelope(seq, at, actor, "insert", table_name, row_id, _sha256(payload_text), prev)
        prev = envelope.sha256()
        events.append(
            {
                "seq": seq,
                "at": at,
                "actor": actor,
                "action": "insert",
                "table_name": table_name,
                "row_id": row_id,
                "payload": payload_text,
                "payload_sha256": envelope.payload_sha256,
                "prev_sha256": envelope.prev_sha256,
                "sha256": prev,
            }
        )
    if events:
        session.execute(insert(table_of(Event)), events)
        session.execute(update(ChainHead).where(ChainHead.id == 1).values(seq=seq, sha256=prev))
    return seq, prev


@dataclass(frozen=True)
class AuditSummary:
    """What a successful verification covered, and the head hash to record elsewhere."""

    events: int
    rows: int
    head_seq: int
    head_sha256: str


def _event_problems(session: Session) -> tuple[list[str], dict[tuple[str, int], tuple[int, str]], int, str]:
    """Walk the chain; return problems, vouched rows ``(table, id) -> (seq, payload sha)`` and the tail."""
    problems: list[str] = []
    vouched: dict[tuple[str, int], tuple[int, str]] = {}
    expected_seq, prev = 1, GENESIS_SHA256
    count = 0
    for event in session.scalars(select(Event).order_by(Event.seq)).yield_per(2000):
        count += 1
        where = f"events row seq {event.seq}"
        if event.seq != expected_seq:
            missing = (
                f"{expected_seq}" if event.seq == expected_seq + 1 else f"{expected_seq}-{event.seq - 1}"
            )
            problems.append(f"events: entries seq {missing} deleted (the chain jumps to seq {event.seq})")
        if event.prev_sha256 != prev:
            problems.append(f"{where}: link to the previous entry broken (prev_sha256 does not match)")
        if _sha256(event.payload) != event.payload_sha256:
            problems.append(f"{where}: payload edited (its SHA-256 no longer matches payload_sha256)")
        recomputed = _Envelope(
            event.seq,
            event.at,
            event.actor,
            event.action,
            event.table_name,
            event.row_id,
            event.payload_sha256,
            event.prev_sha256,
        ).sha256()
        if recomputed != event.sha256:
            problems.append(f"{where}: entry edited (its hash no longer matches its content)")
        earlier = vouched.get((event.table_name, event.row_id))
        if earlier is not None:
            problems.append(
                f"{where}: writes {event.table_name} row {event.row_id} again (first written by event seq "
                f"{earlier[0]}): the row was deleted behind the log's back and its id reused"
            )
        vouched[(event.table_name, event.row_id)] = (event.seq, event.payload_sha256)
        expected_seq, prev = event.seq + 1, event.sha256
    head = session.get(ChainHead, 1)
    last_seq = expected_seq - 1
    if head is None:
        problems.append("chain_head: row deleted")
    elif head.seq > last_seq:
        problems.append(
            f"chain_head: names seq {head.seq} but the log ends at seq {last_seq}: "
            "entries at the end of the log were deleted"
        )
    elif head.seq < last_seq:
        problems.append(
            f"chain_head: names seq {head.seq} but the log goes on to seq {last_seq}: "
            "entries were appended behind Safe Passage's back"
        )
    elif head.sha256 != prev:
        problems.append(
            f"chain_head: hash differs from entry seq {last_seq}'s hash: the log or the head was edited"
        )
    return problems, vouched, count, prev


def _column_differences(recorded: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    differences = []
    for name in sorted(set(recorded) | set(current)):
        before, now = recorded.get(name), current.get(name)
        if canonical_json(before) != canonical_json(now):
            differences.append(f"{name} is {_short(now)}, the log recorded {_short(before)}")
    return differences


def _short(value: Any, limit: int = 80) -> str:
    text = canonical_json(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _row_problems(
    session: Session, tables: Iterable[type[Base]], vouched: dict[tuple[str, int], tuple[int, str]]
) -> tuple[list[str], int]:
    problems: list[str] = []
    rows = 0
    remaining = dict(vouched)
    for table in tables:
        name = table.__tablename__
        columns = list(table.__table__.columns)
        for record in session.execute(select(*columns).order_by(columns[0])).yield_per(2000):
            rows += 1
            values = dict(zip((c.name for c in columns), record, strict=True))
            row_id = int(values["id"])
            payload = canonical_row(table, values)
            entry = remaining.pop((name, row_id), None)
            if entry is None:
                problems.append(
                    f"{name} row {row_id}: not written through Safe Passage (no event vouches for it)"
                )
                continue
            seq, payload_sha = entry
            if _sha256(canonical_json(payload)) != payload_sha:
                recorded_text = session.scalar(select(Event.payload).where(Event.seq == seq)) or "{}"
                differences = _column_differences(json.loads(recorded_text), payload)
                detail = "; ".join(differences) if differences else "content differs from the log"
                problems.append(
                    f"{name} row {row_id}: edited after it was written (event seq {seq}): {detail}"
                )
    for (name, row_id), (seq, _) in sorted(remaining.items()):
        problems.append(f"{name} row {row_id}: deleted (it was written by event seq {seq})")
    return problems, rows


def verify_chain(session: Session) -> AuditSummary:
    """Recompute the chain and compare every audited row with its event; raise if anything differs.

    Raises :class:`AuditError` naming every problem found (table, row id, what differs).
    """
    problems, vouched, events, head_sha = _event_problems(session)
    row_problems, rows = _row_problems(session, AUDITED_TABLES, vouched)
    problems.extend(row_problems)
    if problems:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        lines = [f"audit failed: {len(problems)} problem(s) in the event log or the rows it vouches for"]
        lines += [f"- {p}" for p in shown]
        if more:
            lines.append(f"- ... and {more} more")
        raise AuditError("\n".join(lines))
    return AuditSummary(events=events, rows=rows, head_seq=events, head_sha256=head_sha)
