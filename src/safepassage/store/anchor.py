"""Anchors of the event log: its head, recorded outside the database, to check the log against later.

A hash chain shows any change *inside* the log, but someone holding the database can cut the newest
entries (and the rows they wrote) and move the head back: what is left is a valid, shorter chain.
An anchor taken earlier and kept elsewhere (a file sent by e-mail, the hash in a report) names an
entry and its hash; :func:`safepassage.store.audit.verify_chain` then fails if that entry is gone or
has another hash.

The anchor file is JSON::

    {"format": "safepassage-audit-anchor/1", "head_seq": 1234, "head_sha256": "9f...",
     "events": 1234, "taken_at": "2026-11-30T12:00:00+00:00"}

On the command line an anchor is given as that file or as the bare head hash (64 hex digits).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from safepassage.errors import InputError
from safepassage.store.audit import Anchor, AuditSummary, canonical_json

__all__ = ["ANCHOR_FORMAT", "anchor_document", "parse_anchor", "read_anchor"]

ANCHOR_FORMAT = "safepassage-audit-anchor/1"
MAX_ANCHOR_FILE_BYTES = 64 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")


def anchor_document(summary: AuditSummary, taken_at: dt.datetime) -> str:
    """The anchor file's text for the head a verification ended at (one line of canonical JSON)."""
    return (
        canonical_json(
            {
                "format": ANCHOR_FORMAT,
                "head_seq": summary.head_seq,
                "head_sha256": summary.head_sha256,
                "events": summary.events,
                "taken_at": taken_at.astimezone(dt.UTC).isoformat(),
            }
        )
        + "\n"
    )


def parse_anchor(value: str) -> Anchor:
    """An anchor from ``value``: the path of an anchor file, or a head hash (64 hex digits).

    Raises :class:`InputError` naming the value (or the file and field) and what is expected.
    """
    text = value.strip()
    if _SHA256.fullmatch(text.lower()):
        return Anchor(head_seq=None, head_sha256=text.lower())
    path = Path(text)
    if path.is_file():
        return read_anchor(path)
    shown = text if len(text) <= 70 else text[:67] + "..."
    raise InputError(
        f"--anchor {shown!r}: no such file, and not a head hash; expected an anchor file written by "
        "'safepassage audit anchor -o FILE' or the 64 hex digits of a head sha256"
    )


def read_anchor(path: Path) -> Anchor:
    """Read an anchor file (see the module docstring); :class:`InputError` naming what is wrong."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_ANCHOR_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"anchor file {path}: cannot be read ({exc.strerror})") from None
    if len(data) > MAX_ANCHOR_FILE_BYTES:
        raise InputError(f"anchor file {path}: over {MAX_ANCHOR_FILE_BYTES // 1024} KiB; not an anchor file")
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InputError(
            f"anchor file {path}: not JSON; expected a file written by 'audit anchor -o'"
        ) from None
    if not isinstance(document, dict) or document.get("format") != ANCHOR_FORMAT:
        raise InputError(f"anchor file {path}: field 'format' is not {ANCHOR_FORMAT!r}")
    seq = document.get("head_seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq < 2**63:
        raise InputError(
            f"anchor file {path}: field 'head_seq' must be a whole number from 0, got {seq!r:.40}"
        )
    sha = document.get("head_sha256")
    if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
        raise InputError(f"anchor file {path}: field 'head_sha256' must be 64 lowercase hex digits")
    return Anchor(head_seq=seq, head_sha256=sha)
