"""The one way Safe Passage shows an instant to a person or writes it to a file: in the scenario's zone.

An instant is shown in the scenario's time zone (``timezone:``, e.g. ``Europe/Kyiv``; without one,
the UTC offset of ``start``) **with the offset in force at that instant**: after Ukraine's switch to
summer time on 27 March 2022 that is +03:00, before it +02:00. A clock time never appears without
its offset, so 06:02+03:00 cannot be misread as 05:02 and taken for curfew.

Conversion only: never add a ``timedelta`` to a value returned by :func:`in_zone` (with an IANA
zone, ``datetime`` adds in wall-clock time, which is an hour off across a DST switch); compute on
the scenario's ``start`` or in UTC and convert at the end.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["clock_text", "in_zone", "iso_text", "offset_text", "stamp_text"]


def in_zone(instant: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """``instant`` (aware) as a local time of ``zone``, with the offset in force at that instant.

    Raises ValueError for a naive datetime (a time without a zone names no instant).
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{instant.isoformat()} has no time zone; expected an aware instant")
    return instant.astimezone(zone)


def offset_text(local: dt.datetime) -> str:
    """The UTC offset of an aware datetime as ``+03:00`` / ``-05:00`` / ``+00:00``."""
    offset = local.utcoffset()
    if offset is None:
        raise ValueError(f"{local.isoformat()} has no time zone; expected an aware instant")
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def clock_text(instant: dt.datetime, zone: dt.tzinfo) -> str:
    """``06:02+03:00``: hour and minute in ``zone`` with the offset, for tables and summaries."""
    local = in_zone(instant, zone)
    return f"{local:%H:%M}{offset_text(local)}"


def stamp_text(instant: dt.datetime, zone: dt.tzinfo) -> str:
    """``2022-03-27 06:02+03:00``: date, hour and minute in ``zone`` with the offset."""
    local = in_zone(instant, zone)
    return f"{local:%Y-%m-%d %H:%M}{offset_text(local)}"


def iso_text(instant: dt.datetime, zone: dt.tzinfo) -> str:
    """ISO 8601 in ``zone`` with the offset (``2022-03-27T06:02:00+03:00``), for files."""
    return in_zone(instant, zone).isoformat()
