"""What the store checks in a report before writing it: it trusts no reader.

The feed readers check their input, but a report can come from any caller (a reader with a gap, the
HTTP API, a script). A value the database cannot hold faithfully - a NaN radius (``NOT NULL``
failed), a fatality count over the integer column, a year-9999 time, text longer than its column
(PostgreSQL refuses it), a NUL character (PostgreSQL refuses it), a raw row that is not JSON - would
make the database refuse the whole batch. :func:`report_problem` finds it first, so the store can set
that one report aside (with its file:line) and write the rest.

Ranges come from :mod:`safepassage.bounds`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from safepassage.bounds import (
    FATALITIES,
    LATITUDE,
    LONGITUDE,
    MAX_TEXT_ID_CHARS,
    RADIUS_M,
    TIME_UNCERTAINTY_S,
    Quantity,
    check_instant,
    show_value,
)
from safepassage.monitor.report import IncidentReport
from safepassage.scenario.vocabulary import HazardKind, SourceType, Verification
from safepassage.store.audit import canonical_json

__all__ = ["LINE_NUMBER", "TIME_UNCERTAINTY_S", "checked_report", "report_problem"]

#: A line number in a feed file (stored in a 32-bit integer column).
LINE_NUMBER = Quantity("line number", 0, 2**31 - 1, whole=True)

_TEXT_LIMITS = {  # field -> (column length or None for unlimited, may be empty)
    "feed": (20, False),
    "source_id": (MAX_TEXT_ID_CHARS, False),
    "source_name": (500, True),
    "location_name": (None, True),
    "description": (None, True),
}


def report_problem(report: IncidentReport) -> str | None:
    """Why the store cannot hold ``report`` faithfully, naming the field and value; None if it can."""
    return checked_report(report)[0]


def checked_report(report: IncidentReport) -> tuple[str | None, str]:
    """``(problem, raw_json)``: why the store cannot hold ``report`` (None if it can) and, when it
    can, its raw feed row as canonical JSON (computed once here, stored as is by the writer)."""
    for check in (_text_problem, _vocabulary_problem, _time_problem, _number_problem):
        problem = check(report)
        if problem is not None:
            return problem, ""
    try:
        return None, canonical_json(report.raw)
    except (TypeError, ValueError, RecursionError):
        return "raw: the feed row cannot be kept as JSON (a NaN, infinite or non-text value)", ""


def _text_problem(report: IncidentReport) -> str | None:
    for name, (limit, may_be_empty) in _TEXT_LIMITS.items():
        value = getattr(report, name)
        if not isinstance(value, str):
            return f"{name}: {show_value(value)} is not text"
        if not value.strip() and not may_be_empty:
            return f"{name}: empty; expected an identifier"
        if limit is not None and len(value) > limit:
            return f"{name}: {show_value(value)} has {len(value):,} characters; expected at most {limit}"
        if "\x00" in value:
            return f"{name}: {show_value(value)} holds a NUL character"
    return None


def _vocabulary_problem(report: IncidentReport) -> str | None:
    vocabularies = (("kind", HazardKind), ("source_type", SourceType), ("verification", Verification))
    for name, vocabulary in vocabularies:
        value = getattr(report, name)
        if not isinstance(value, vocabulary):
            return f"{name}: {show_value(value)} is not one of: {', '.join(v.value for v in vocabulary)}"
    return None


def _time_problem(report: IncidentReport) -> str | None:
    for name in ("observed_at", "ended_at"):
        value = getattr(report, name)
        if value is None and name == "ended_at":
            continue
        if not isinstance(value, dt.datetime):
            return f"{name}: {show_value(value)} is not a time"
        try:
            check_instant(value)
        except ValueError as exc:
            return f"{name}: {exc}"
    return None


def _number_problem(report: IncidentReport) -> str | None:
    checks: list[tuple[str, Quantity, bool, bool]] = [  # field, quantity, whole, may be None
        ("lat", LATITUDE, False, True),
        ("lon", LONGITUDE, False, True),
        ("radius_m", RADIUS_M, False, False),
        ("time_uncertainty_s", TIME_UNCERTAINTY_S, False, False),
        ("fatalities", FATALITIES, True, True),
        ("line", LINE_NUMBER, True, False),
    ]
    for name, quantity, whole, optional in checks:
        value: Any = getattr(report, name)
        if value is None and optional:
            continue
        if value is None:
            return f"{name}: missing; expected {quantity.expected()}"
        try:
            if whole:
                quantity.check_int(value)
            else:
                quantity.check(value)
        except ValueError as exc:
            return f"{name}: {exc}"
    return None
