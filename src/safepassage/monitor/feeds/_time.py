"""Turning a feed's calendar day into a UTC instant with an uncertainty.

Conflict datasets give the day of an event in local time (Ukraine: Europe/Kyiv) and say how sure
they are of it. We place the event at local noon of that day, the middle, and carry a half-width:
an event "on 4 March" is 4 March 12:00 Kyiv time, plus or minus 12 hours.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = ["HALF_DAY_S", "KYIV", "local_noon_utc", "parse_iso_utc"]

KYIV = ZoneInfo("Europe/Kyiv")
HALF_DAY_S = 12 * 3600.0


@lru_cache(maxsize=16384)
def local_noon_utc(day: dt.date, zone: ZoneInfo = KYIV) -> dt.datetime:
    """Noon of ``day`` in ``zone``, as a UTC datetime."""
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=zone).astimezone(dt.UTC)


def parse_iso_utc(text: str) -> dt.datetime:
    """An ISO-8601 timestamp as UTC; a timestamp without offset is taken as UTC. Raises ValueError."""
    value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)
