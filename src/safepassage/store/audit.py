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
- a **truncated tail**: the head names an event that is gone;
- an **unreadable row** (``lat = 'abc'``, ``observed_at = 'garbage'``): a value its column cannot
  hold was written behind Safe Passage's back; named with the column and the value.

What a hash chain cannot do on its own: someone able to cut the newest events and their rows and
move the head back, or rewrite the whole log *and* the head consistently, would not be caught. An
:class:`Anchor` - a head recorded somewhere else (``safepassage audit anchor``) - closes that gap up
to the anchor: :func:`verify_chain` with it fails when the anchored entry is gone or has another hash.

Because every audited table is insert-only, one event per row is enough: a row is never legitimately
changed after its event was written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import Boolean, Date, Float, Integer, String, Table, insert, select, update
from sqlalchemy.orm import Session

from safepassage.errors import AuditError, StoreError
from safepassage.store.schema import AUDITED_TABLES, Base, ChainHead, Event, UtcDateTime
from safepassage.store.stored_rows import READ_ERRORS, Unreadable, stored_rows

__all__ = [
    "GENESIS_SHA256",
    "Anchor",
    "AuditSummary",
    "append_events",
    "canonical_json",
    "canonical_row",
    "envelope_text",
    "lock_chain_head",
    "table_of",
    "verify_chain",
]

GENESIS_SHA256 = "0" * 64
_HEX64 = re.compile(r"[0-9a-f]{64}")
_json_string = json.encoder.encode_basestring  # the encoder json.dumps uses with ensure_ascii=False
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


@cache
def _converters(table: type[Base]) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    """Per column, the function giving a value the form it has after a round trip through either
    database (None: the value as it is)."""
    converters: list[tuple[str, Callable[[Any], Any] | None]] = []
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
            converters.append((column.name, None))
    return tuple(converters)


def canonical_row(table: type[Base], values: Mapping[str, Any]) -> dict[str, Any]:
    """Every column of ``table`` (missing ones as null) in canonical form, keyed by column name."""
    get = values.get
    return {name: get(name) if conv is None else conv(get(name)) for name, conv in _converters(table)}


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
    seq, sha = row[0], row[1]
    if isinstance(seq, bool) or not isinstance(seq, int) or not isinstance(sha, str):
        raise AuditError(
            f"chain_head: unreadable (seq {_short_repr(seq)}, sha256 {_short_repr(sha)}): the log's head was "
            "edited behind Safe Passage's back; nothing was written (run 'safepassage audit verify')"
        )
    return seq, sha


def append_events(
    session: Session,
    head: tuple[int, str],
    actor: str,
    at: dt.datetime,
    table: type[Base],
    rows: Sequence[tuple[int, Mapping[str, Any]]],
    actors: Sequence[str] | None = None,
) -> tuple[int, str]:
    """Append one ``insert`` event per ``(row_id, canonical payload)``; return the new head.

    Every event names ``actor``, or with ``actors`` (one per row) its own row's actor: several
    users' writes committed in one transaction (:mod:`safepassage.store.group_commit`). The caller
    holds the head lock (:func:`lock_chain_head`) and commits rows and events together. Each payload
    is encoded to canonical JSON once; each event's hash is taken over the same text
    :meth:`_Envelope.sha256` builds (see :func:`envelope_text`), spelled from parts encoded once per
    actor.
    """
    if actors is not None and len(actors) != len(rows):
        raise StoreError(f"{len(actors)} actors for {len(rows)} rows")
    seq, prev = head
    table_name = table.__tablename__
    middles: dict[str, str] = {}
    events: list[dict[str, Any]] = []
    for k, (row_id, payload) in enumerate(rows):
        seq += 1
        who = actor if actors is None else actors[k]
        middle = middles.get(who)
        if middle is None:
            middle = middles[who] = _envelope_middle(at, who, "insert", table_name)
        payload_text = canonical_json(payload)
        payload_sha = _sha256(payload_text)
        sha = _sha256(envelope_text(seq, middle, int(row_id), payload_sha, prev))
        events.append(
            {
                "seq": seq,
                "at": at,
                "actor": who,
                "action": "insert",
                "table_name": table_name,
                "row_id": row_id,
                "payload": payload_text,
                "payload_sha256": payload_sha,
                "prev_sha256": prev,
                "sha256": sha,
            }
        )
        prev = sha
    if events:
        session.execute(insert(table_of(Event)), events)
        session.execute(update(ChainHead).where(ChainHead.id == 1).values(seq=seq, sha256=prev))
    return seq, prev


def _envelope_middle(at: dt.datetime, actor: str, action: str, table_name: str) -> str:
    """The JSON of an envelope's fields shared by a batch of events: ``"at","actor","action","table"``."""
    return ",".join(_json_string(v) for v in (at.astimezone(dt.UTC).isoformat(), actor, action, table_name))


def envelope_text(seq: int, middle: str, row_id: int, payload_sha256: str, prev_sha256: str) -> str:
    """The text an event's hash covers, exactly as ``json.dumps`` spells the envelope array (compact,
    ``ensure_ascii=False``): integers in decimal and hex digests need no escaping, so only ``middle``
    (:func:`_envelope_middle`) goes through the JSON encoder."""
    if not (_HEX64.fullmatch(payload_sha256) and _HEX64.fullmatch(prev_sha256)):
        raise StoreError(f"not SHA-256 hex digests: {payload_sha256!r}, {prev_sha256!r}")
    return f'[{seq},{middle},{row_id},"{payload_sha256}","{prev_sha256}"]'


@dataclass(frozen=True)
class Anchor:
    """A head of the log recorded elsewhere: ``head_seq`` (None when only the hash was kept) and its hash.

    Verifying against an anchor proves that every entry up to it is still in the log, unchanged
    (see :func:`verify_chain`). Written and read by :mod:`safepassage.store.anchor`.
    """

    head_seq: int | None
    head_sha256: str


@dataclass(frozen=True)
class AuditSummary:
    """What a successful verification covered, and the head hash to record elsewhere.

    ``anchor_seq`` is the entry the log was checked against when an anchor was given (else None).
    """

    events: int
    rows: int
    head_seq: int
    head_sha256: str
    anchor_seq: int | None = None


@dataclass
class _Walk:
    """What walking the event log found."""

    problems: list[str] = field(default_factory=list)
    vouched: dict[tuple[str, int], tuple[int, str]] = field(default_factory=dict)
    count: int = 0
    last_seq: int = 0
    prev: str = GENESIS_SHA256
    anchor_seq: int | None = None  # where the anchor's hash was found, if it was


def _expected_kind(column_type: Any) -> tuple[tuple[type, ...], str] | None:
    """The Python types a column's values read as, and their name for messages (None: anything)."""
    if isinstance(column_type, UtcDateTime):
        return (dt.datetime,), "a time"
    if isinstance(column_type, Date):
        return (dt.date,), "a date"
    if isinstance(column_type, Boolean):
        return (bool,), "true or false"
    if isinstance(column_type, Integer):
        return (int,), "a whole number"
    if isinstance(column_type, Float):
        return (int, float), "a finite number"
    if isinstance(column_type, String):  # Text is a String
        return (str,), "text"
    return None


def _unreadable_columns(table: Table, values: Mapping[str, Any]) -> list[str]:
    """``'lat holds 'abc', expected a finite number'`` for each stored value its column cannot hold."""
    found = []
    for column in table.columns:
        value = values.get(column.name)
        expected = _expected_kind(column.type)
        if value is None:
            if not column.nullable:
                found.append(f"{column.name} holds NULL, expected {expected[1] if expected else 'a value'}")
            continue
        if expected is None and not isinstance(value, Unreadable):
            continue
        wrong = isinstance(value, Unreadable) or (
            expected is not None
            and (
                not isinstance(value, expected[0])
                or (isinstance(value, bool) and bool not in expected[0])
                or (isinstance(value, float) and not math.isfinite(value))
            )
        )
        if wrong:
            shown = str(value) if isinstance(value, Unreadable) else _short_repr(value)
            found.append(f"{column.name} holds {shown}, expected {expected[1] if expected else 'a value'}")
    return found


def _short_repr(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_event(event: Mapping[str, Any], walk: _Walk, anchor: Anchor | None) -> None:
    seq = int(event["seq"])
    where = f"events row seq {seq}"
    expected_seq = walk.last_seq + 1
    if seq != expected_seq:
        missing = f"{expected_seq}" if seq == expected_seq + 1 else f"{expected_seq}-{seq - 1}"
        walk.problems.append(f"events: entries seq {missing} deleted (the chain jumps to seq {seq})")
    unreadable = _unreadable_columns(table_of(Event), event)
    if unreadable:
        walk.problems.append(
            f"{where}: unreadable, edited behind Safe Passage's back: {'; '.join(unreadable)}"
        )
        sha = event.get("sha256")
        walk.prev = sha if isinstance(sha, str) else walk.prev
        walk.last_seq = seq
        return
    if event["prev_sha256"] != walk.prev:
        walk.problems.append(f"{where}: link to the previous entry broken (prev_sha256 does not match)")
    if _sha256(event["payload"]) != event["payload_sha256"]:
        walk.problems.append(f"{where}: payload edited (its SHA-256 no longer matches payload_sha256)")
    recomputed = _Envelope(
        seq,
        event["at"],
        event["actor"],
        event["action"],
        event["table_name"],
        event["row_id"],
        event["payload_sha256"],
        event["prev_sha256"],
    ).sha256()
    if recomputed != event["sha256"]:
        walk.problems.append(f"{where}: entry edited (its hash no longer matches its content)")
    row = (event["table_name"], event["row_id"])
    earlier = walk.vouched.get(row)
    if earlier is not None:
        walk.problems.append(
            f"{where}: writes {row[0]} row {row[1]} again (first written by event seq "
            f"{earlier[0]}): the row was deleted behind the log's back and its id reused"
        )
    walk.vouched[row] = (seq, event["payload_sha256"])
    if anchor is not None and event["sha256"] == anchor.head_sha256 and walk.anchor_seq is None:
        walk.anchor_seq = seq
    walk.last_seq, walk.prev = seq, event["sha256"]


def _walk_events(session: Session, anchor: Anchor | None) -> _Walk:
    """Walk the chain in seq order; return problems, vouched rows and the tail."""
    walk = _Walk()
    events = table_of(Event)
    for event in stored_rows(session, events, events.c.seq):
        walk.count += 1
        _check_event(event, walk, anchor)
    _check_head(session, walk)
    if anchor is not None:
        walk.problems.extend(_anchor_problems(anchor, walk))
    return walk


def _check_head(session: Session, walk: _Walk) -> None:
    heads = table_of(ChainHead)
    head = next((row for row in stored_rows(session, heads, heads.c.id) if row["id"] == 1), None)
    last_seq = walk.last_seq
    unreadable = _unreadable_columns(heads, head) if head is not None else []
    if head is None:
        walk.problems.append("chain_head: row deleted")
    elif unreadable:
        walk.problems.append(
            f"chain_head: unreadable, edited behind Safe Passage's back: {'; '.join(unreadable)}"
        )
    elif head["seq"] > last_seq:
        walk.problems.append(
            f"chain_head: names seq {head['seq']} but the log ends at seq {last_seq}: "
            "entries at the end of the log were deleted"
        )
    elif head["seq"] < last_seq:
        walk.problems.append(
            f"chain_head: names seq {head['seq']} but the log goes on to seq {last_seq}: "
            "entries were appended behind Safe Passage's back"
        )
    elif head["sha256"] != walk.prev:
        walk.problems.append(
            f"chain_head: hash differs from entry seq {last_seq}'s hash: the log or the head was edited"
        )


def _anchor_problems(anchor: Anchor, walk: _Walk) -> list[str]:
    """Whether the entry the anchor names is still in the log, with the anchor's hash."""
    if anchor.head_sha256 == GENESIS_SHA256 and anchor.head_seq in (None, 0):
        return []  # anchored when the log was empty: nothing to miss
    named = f"anchor (seq {anchor.head_seq}, sha256 {anchor.head_sha256[:16]}...)"
    if anchor.head_seq is None:
        if walk.anchor_seq is not None:
            return []
        return [
            f"{named}: no entry of the log has that hash (the log ends at seq {walk.last_seq}): entries "
            "up to the anchor were removed or rewritten"
        ]
    if walk.anchor_seq == anchor.head_seq:
        return []
    if walk.last_seq < anchor.head_seq:
        first = walk.last_seq + 1
        removed = f"{first}" if first == anchor.head_seq else f"{first}-{anchor.head_seq}"
        return [
            f"{named}: the log ends at seq {walk.last_seq}: entries seq {removed} (and the rows they wrote) "
            "were removed after the anchor was taken"
        ]
    return [
        f"{named}: entry seq {anchor.head_seq} no longer has the anchored hash: the log up to the anchor "
        "was removed and rewritten"
    ]


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


def _recorded_payload(session: Session, seq: int) -> dict[str, Any] | None:
    """The row content event ``seq`` recorded, or None when that payload is not a JSON object."""
    text = session.scalar(select(Event.payload).where(Event.seq == seq))
    try:
        recorded = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return recorded if isinstance(recorded, dict) else None


_PAYLOAD_ERRORS: tuple[type[Exception], ...] = (StoreError, *READ_ERRORS)


def _row_problem(
    session: Session, table: type[Base], values: Mapping[str, Any], entry: tuple[int, str] | None
) -> str | None:
    """What is wrong with one stored row given the event vouching for it (None: nothing)."""
    name = table.__tablename__
    row_id = values["id"]
    written = f" (written by event seq {entry[0]})" if entry is not None else ""
    unreadable = _unreadable_columns(table_of(table), values)
    if unreadable:
        return f"{name} row {row_id}: unreadable, edited behind Safe Passage's back{written}: " + "; ".join(
            unreadable
        )
    if entry is None:
        return f"{name} row {row_id}: not written through Safe Passage (no event vouches for it)"
    try:
        payload = canonical_row(table, values)
        payload_sha = _sha256(canonical_json(payload))
    except _PAYLOAD_ERRORS as exc:
        return f"{name} row {row_id}: unreadable, edited behind Safe Passage's back{written}: {exc}"
    seq, recorded_sha = entry
    if payload_sha == recorded_sha:
        return None
    recorded = _recorded_payload(session, seq)
    differences = _column_differences(recorded, payload) if recorded is not None else []
    detail = "; ".join(differences) if differences else "content differs from the log"
    if recorded is None:
        detail += " (whose entry cannot be read either)"
    return f"{name} row {row_id}: edited after it was written (event seq {seq}): {detail}"


def _row_problems(
    session: Session, tables: Iterable[type[Base]], vouched: dict[tuple[str, int], tuple[int, str]]
) -> tuple[list[str], int]:
    problems: list[str] = []
    rows = 0
    remaining = dict(vouched)
    for table in tables:
        core = table_of(table)
        for values in stored_rows(session, core, core.c.id):
            rows += 1
            entry = remaining.pop((table.__tablename__, values["id"]), None)
            problem = _row_problem(session, table, values, entry)
            if problem is not None:
                problems.append(problem)
    for (name, row_id), (seq, _) in sorted(remaining.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        problems.append(f"{name} row {row_id}: deleted (it was written by event seq {seq})")
    return problems, rows


def verify_chain(session: Session, anchor: Anchor | None = None) -> AuditSummary:
    """Recompute the chain and compare every audited row with its event; raise if anything differs.

    Run it in one snapshot (:meth:`safepassage.store.Store.reading`) so that writes committed
    meanwhile by other processes are either wholly seen or not at all. With ``anchor`` (a head
    recorded earlier, elsewhere) it also checks that the anchored entry is still in the log with its
    hash, which is what reveals a log cut back and continued from an earlier entry.

    Raises :class:`AuditError` naming every problem found (table, row id, what differs; a row that
    cannot be read at all is named with the column and the value it holds).
    """
    walk = _walk_events(session, anchor)
    problems = list(walk.problems)
    row_problems, rows = _row_problems(session, AUDITED_TABLES, walk.vouched)
    problems.extend(row_problems)
    if problems:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        lines = [f"audit failed: {len(problems)} problem(s) in the event log or the rows it vouches for"]
        lines += [f"- {p}" for p in shown]
        if more:
            lines.append(f"- ... and {more} more")
        raise AuditError("\n".join(lines))
    anchor_seq = None
    if anchor is not None:
        anchor_seq = anchor.head_seq if anchor.head_seq is not None else walk.anchor_seq
    return AuditSummary(walk.count, rows, walk.last_seq, walk.prev, anchor_seq)
