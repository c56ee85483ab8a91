"""Turning a feed's calendar day or timestamp into a UTC instant (with an uncertainty).

Conflict datasets give the day of an event in local time (Ukraine: Europe/Kyiv) and say how sure
they are of it. We place the event at local noon of that day, the middle, and carry a half-width:
an event "on 4 March" is 4 March 12:00 Kyiv time, plus or minus 12 hours.

Every instant read is checked against the documented range (:func:`safepassage.bounds.check_instant`,
1900-2100) before any arithmetic, so ``9999-12-31 23:59:59-05:00`` is a row error, not an
``OverflowError``.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from safepassage.bounds import check_instant, show_value

__all__ = ["HALF_DAY_S", "KYIV", "local_noon_utc", "parse_iso_utc", "parse_time_field"]

KYIV = ZoneInfo("Europe/Kyiv")
HALF_DAY_S = 12 * 3600.0
_MAX_TIME_CHARS = 64


@lru_cache(maxsize=16384)
def local_noon_utc(day: dt.date, zone: ZoneInfo = KYIV) -> dt.datetime:
    """Noon of ``day`` in ``zone``, as a UTC datetime; ValueError outside 1900-2100."""
    return check_instant(dt.datetime.combine(day, dt.time(12, 0), tzinfo=zone)).astimezone(dt.UTC)


def parse_iso_utc(text: str) -> dt.datetime:
    """An ISO-8601 timestamp as UTC; a timestamp without offset is taken as UTC.

    Raises ValueError for text that is not ISO-8601 or an instant outside 1900-2100.
    """
    if len(text) > _MAX_TIME_CHARS:
        raise ValueError(f"{show_value(text)} is too long for a timestamp")
    value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return check_instant(value).astimezone(dt.UTC)


def parse_time_field(value: object, name: str) -> dt.datetime:
    """``parse_iso_utc`` of a feed field, with a message naming the field and the value."""
    if not isinstance(value, str):
        raise ValueError(f"{name} {show_value(value)} is not an ISO-8601 timestamp")
    try:
        return parse_iso_utc(value)
    except ValueError as exc:
        if "out of range" in str(exc):
            raise ValueError(f"{name} {exc}") from None
        raise ValueError(f"{name} {show_value(value)} is not an ISO-8601 timestamp") from None
