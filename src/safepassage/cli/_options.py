"""The one parser of every command-line value that is a time, a delay or a bounded number.

Every command with such an option uses these, so ``route --at`` and ``report add --at`` accept the
same text and refuse the same mistakes, with one wording:

- **times** are ISO 8601 *with* a UTC offset (``2022-03-05T10:00:00+02:00``, ``...Z``): a time
  without one names no instant (the scenario's zone, the reporter's or UTC?) and is refused;
  instants outside 1900-2100 are refused (``safepassage.bounds.check_instant``); a time outside
  the scenario's horizon says so (:func:`check_within_horizon`);
- **delays** are ``10%`` or the fraction ``0.1``: a bare number above 1 (``10``) could mean 10 % or
  1000 % and is refused naming both readings;
- **choices** (a status, a kind, a state) are one of an enumeration's values, refused naming the
  value and every choice: ``'agred' is not a corridor status; expected one of: proposed, ...``;
- **numbers** are checked against their quantity in ``safepassage.bounds`` (finite, in range, whole
  where a count is meant): ``--fatalities 9223372036854775808`` is a clear error, exit 2.

Each ``read_*`` function raises :class:`ValueError` with a message that names the value and what is
expected; :func:`as_parser` turns one into a typer ``parser=`` (the message then follows
"Invalid value for '--at':", exit 2) and :func:`parse_option` into an :class:`InputError` naming
the option, for values read inside a command.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

import typer

from safepassage.bounds import (
    EARLIEST_INSTANT,
    LATEST_INSTANT,
    MAX_DELAY,
    Quantity,
    check_instant,
    show_value,
)
from safepassage.errors import InputError
from safepassage.local_time import iso_text

if TYPE_CHECKING:
    from safepassage.scenario import Scenario

__all__ = [
    "DAY",
    "DAY_OR_INSTANT",
    "DELAY",
    "INSTANT",
    "as_parser",
    "check_within_horizon",
    "choice",
    "number",
    "parse_option",
    "read_day",
    "read_day_or_instant",
    "read_delay",
    "read_instant",
    "whole",
]

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)

TIME_EXAMPLE = "2022-03-05T10:00:00+02:00"


def read_instant(text: str) -> dt.datetime:
    """ISO 8601 text with a UTC offset -> an aware datetime between 1900 and 2100; ValueError otherwise."""
    raw = text.strip()
    try:
        moment = dt.datetime.fromisoformat(raw)
    except (ValueError, OverflowError):
        raise ValueError(
            f"{show_value(text)} is not a time; expected ISO 8601 with a UTC offset like {TIME_EXAMPLE}"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{show_value(text)} has no UTC offset; expected e.g. {TIME_EXAMPLE} (or Z for UTC)")
    try:
        return check_instant(moment)
    except ValueError:
        raise ValueError(
            f"{show_value(text)} is out of range; expected a time between "
            f"{EARLIEST_INSTANT:%Y-%m-%d} and {LATEST_INSTANT:%Y-%m-%d}"
        ) from None


def read_day(text: str) -> dt.date:
    """``YYYY-MM-DD`` -> a date between 1900 and 2100; ValueError otherwise."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{show_value(text)} is not a date; expected YYYY-MM-DD like 2022-03-05") from None
    if not EARLIEST_INSTANT.date() <= day <= LATEST_INSTANT.date():
        raise ValueError(
            f"{show_value(text)} is out of range; expected a date between "
            f"{EARLIEST_INSTANT:%Y-%m-%d} and {LATEST_INSTANT:%Y-%m-%d}"
        )
    return day


def read_day_or_instant(text: str) -> dt.datetime:
    """A bare ``YYYY-MM-DD`` as 00:00 UTC that day, else :func:`read_instant` (e.g. for ``--since``)."""
    raw = text.strip()
    if len(raw) == 10 and raw[4:5] == "-" and raw[7:8] == "-":
        return dt.datetime.combine(read_day(raw), dt.time(0, 0), tzinfo=dt.UTC)
    try:
        dt.datetime.fromisoformat(raw)
    except (ValueError, OverflowError):
        raise ValueError(
            f"{show_value(text)} is not a day or time; expected 2022-03-05 or {TIME_EXAMPLE}"
        ) from None
    return read_instant(text)


def read_delay(text: str) -> float:
    """``10%`` or ``0.1`` -> 0.1 (a fraction of the quickest clearance); ValueError otherwise.

    A bare number above 1 is refused: ``10`` could mean 10 % or 1000 %.
    """
    raw = text.strip()
    percent = raw.endswith("%")
    number_text = raw[:-1].strip() if percent else raw
    expected = f"a percentage like 10% or a fraction like 0.1 (0% to {MAX_DELAY.high:.0%})"
    try:
        value = float(number_text)
    except ValueError:
        raise ValueError(f"{show_value(text)} is not a delay; expected {expected}") from None
    if not percent and value > 1.0:
        raise ValueError(
            f"{number_text} could mean {number_text} % or {value * 100:g} %; "
            f"write {number_text}% or {value / 100:g}"
        )
    fraction = value / 100.0 if percent else value
    try:
        return MAX_DELAY.check(fraction)
    except ValueError:
        raise ValueError(f"{show_value(text)} is out of range; expected {expected}") from None


def whole(quantity: Quantity) -> Callable[[str], int]:
    """A reader of whole numbers within ``quantity``'s range (``'12'`` -> 12; ``'1.5'`` refused)."""

    def read(text: str) -> int:
        raw = text.strip()
        digits = raw.lstrip("+-")
        if not digits.isdigit():
            raise ValueError(f"{show_value(text)} is not a whole number; expected {quantity.expected()}")
        if len(digits) > 30:  # far beyond every range; int() of thousands of digits is refused anyway
            raise ValueError(f"a {len(digits)}-digit number is out of range; expected {quantity.expected()}")
        return quantity.check_int(int(raw))

    read.__name__ = f"read_{quantity.name.replace(' ', '_')}"
    return read


def number(quantity: Quantity) -> Callable[[str], float]:
    """A reader of finite numbers within ``quantity``'s range (``nan``, ``inf`` refused)."""

    def read(text: str) -> float:
        return quantity.check(text.strip())

    read.__name__ = f"read_{quantity.name.replace(' ', '_')}"
    return read


def choice(kind: type[E], noun: str) -> Callable[[str], E]:
    """A reader of one of ``kind``'s values (``'open'`` -> ``CorridorStatus.OPEN``), ``noun`` naming
    what the value is ("corridor status"); ValueError naming the value and every choice otherwise."""
    by_value = {member.value: member for member in kind}

    def read(text: str) -> E:
        member = by_value.get(text.strip())
        if member is None:
            raise ValueError(f"{show_value(text)} is not a {noun}; expected one of: {', '.join(by_value)}")
        return member

    read.__name__ = f"read_{noun.replace(' ', '_')}"
    return read


def as_parser(read: Callable[[str], T]) -> Callable[[str], T]:
    """``read`` as a typer ``parser=``: its ValueError becomes a usage error (exit 2)."""

    def parse(text: str) -> T:
        if not isinstance(text, str):  # typer passes an option's typed default through the parser
            return text
        try:
            return read(text)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None

    return parse


def parse_option(read: Callable[[str], T], text: str, option: str) -> T:
    """``read(text)``, its ValueError raised as an :class:`InputError` naming ``option``."""
    try:
        return read(text)
    except ValueError as exc:
        raise InputError(f"{option}: {exc}") from None


def check_within_horizon(moment: dt.datetime, scenario: Scenario, option: str) -> dt.datetime:
    """``moment`` if it lies within the scenario's horizon (start to end); InputError saying so otherwise."""
    if not scenario.start <= moment <= scenario.end:
        zone = scenario.zone()
        side = "before the scenario starts" if moment < scenario.start else "after the horizon ends"
        raise InputError(
            f"{option}: {iso_text(moment, zone)} is {side}; expected a time from "
            f"{iso_text(scenario.start, zone)} to {iso_text(scenario.end, zone)}"
        )
    return moment


#: typer parsers for the common kinds: ``typer.Option("--at", parser=INSTANT, metavar="TIME")``.
INSTANT = as_parser(read_instant)
DAY = as_parser(read_day)
DAY_OR_INSTANT = as_parser(read_day_or_instant)
DELAY = as_parser(read_delay)
