"""The documented range of every quantity Safe Passage reads, checked once.

Every reader (scenario YAML, feeds, GeoJSON, plan files, CLI options) checks numbers and instants
against this one table, so ``fatalities=99999999999999999999`` or ``radius_m: Infinity`` is a clear
input error naming the file, line or field, never an ``OverflowError`` deep in the store or a
``std::bad_alloc`` in the solver. ``docs/scenario-format.md`` ("Bounds") lists the same table.

Why these figures:

- **Instants** 1900-01-01 to 2100-01-01 UTC: outside this no feed or plan makes sense, and
  ``datetime`` arithmetic near year 1 or 9999 overflows.
- **Horizon** up to 14 days: corridor agreements of 2022 ran for hours to days; the planner's
  time-expanded network grows with the horizon.
- **People** up to 10,000,000 at one place or in one scenario (a metropolitan region).
- **Radius** of an area or a report's uncertainty: over 0 m and at most 500 km.
- **Time uncertainty** of a report: 0 to 3,660 days (UCDP events can span several years).
- **Walking speed** 0.1 to 3 m/s (a stretcher party to a brisk walk); **road speeds** 1 to 200 km/h.
- **Capacities** (vehicles per hour per lane) 1 to 10,000; reception capacity up to 10,000,000.
- **Fatalities** 0 to 1,000,000 per event or claim; **counts** in general to 10**12.
- **Max delay** (later clearance accepted for less risk) 0 to 10, i.e. 0 % to 1000 %.
- **Ids** (text) at most 200 characters; numeric ids 0 to 2**63 - 1 (SQL BIGINT).
- **Time step** 1 to 3,600 s; **corridor buffer** over 0 m and at most 50 km; a hazard's
  **half-life** 1 s to 365 days.
- **People per vehicle** 0.1 to 200 (a long bus or a train of trucks); **pedestrian flow** 0.01 to 5
  people per metre per second (Fruin's densest crowds move about 1.3); **walkway width** 0.5 to 100 m.
- **Structure** of a file read as a tree (YAML, JSON): at most ``MAX_NESTING_DEPTH`` levels and,
  once anchors and aliases are expanded, ``MAX_TREE_VALUES`` values; a scenario file at most
  ``MAX_SCENARIO_BYTES``, 1 MiB (about 12,000 origins; the pure-Python YAML 1.2 parser reads some
  40-100 KB per second on a busy machine, so even a dense 1 MiB file is read in under a minute);
  a written number at most ``MAX_NUMBER_CHARS`` characters.

Each check raises :class:`ValueError` whose message gives the value (shortened) and what is
expected; the caller adds the file and field or line.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

__all__ = [
    "CORRIDOR_BUFFER_M",
    "COUNT",
    "DESTINATION_CAPACITY",
    "EARLIEST_INSTANT",
    "FATALITIES",
    "HALF_LIFE_S",
    "HORIZON_S",
    "LANE_CAPACITY_VPH",
    "LATEST_INSTANT",
    "LATITUDE",
    "LONGITUDE",
    "MAX_DELAY",
    "MAX_NESTING_DEPTH",
    "MAX_NUMBER_CHARS",
    "MAX_SCENARIO_BYTES",
    "MAX_TEXT_ID_CHARS",
    "MAX_TREE_VALUES",
    "NUMERIC_ID",
    "PEDESTRIAN_FLOW",
    "PEOPLE",
    "PEOPLE_PER_VEHICLE",
    "RADIUS_M",
    "ROAD_SPEED_KMH",
    "TIME_STEP_S",
    "TIME_UNCERTAINTY_S",
    "WALKING_SPEED_MPS",
    "WALKWAY_WIDTH_M",
    "Quantity",
    "check_instant",
    "show_value",
]


@dataclass(frozen=True)
class Quantity:
    """A named quantity with its inclusive range (``low_open``: the low end is excluded)."""

    name: str
    low: float
    high: float
    unit: str = ""
    whole: bool = False
    low_open: bool = False

    def expected(self) -> str:
        """``'a whole number from 0 to 10,000,000'`` and the like."""
        kind = "a whole number" if self.whole else "a number"
        unit = f" {self.unit}" if self.unit else ""
        if self.low_open:
            return f"{kind} above {_fmt(self.low)} and at most {_fmt(self.high)}{unit}"
        return f"{kind} from {_fmt(self.low)} to {_fmt(self.high)}{unit}"

    def check(self, value: object) -> float:
        """``value`` as a finite float within range; ValueError otherwise (bools are refused)."""
        number = _as_number(value, self)
        if not self.low <= number <= self.high or (self.low_open and number == self.low):
            raise ValueError(f"{show_value(value)} is out of range; expected {self.expected()}")
        return number

    def check_int(self, value: object) -> int:
        """``value`` as an int within range; ValueError for fractions, bools, text or out of range."""
        number = self.check(value)
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"{show_value(value)} is not a whole number; expected {self.expected()}")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            return int(value.strip())  # exact, even above 2**53
        return int(number)


def _as_number(value: object, quantity: Quantity) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{show_value(value)} is not a number; expected {quantity.expected()}")
    if isinstance(value, int):
        if abs(value) > 2**63:
            raise ValueError(f"{show_value(value)} is out of range; expected {quantity.expected()}")
        return float(value)
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{show_value(value)} is not a number; expected {quantity.expected()}") from None
    if not math.isfinite(number):
        raise ValueError(f"{show_value(value)} is not a finite number; expected {quantity.expected()}")
    return number


def _fmt(number: float) -> str:
    return f"{int(number):,}" if float(number).is_integer() else f"{number:g}"


def show_value(value: object, limit: int = 40) -> str:
    """A value for a message, never longer than ``limit`` characters (huge inputs are cut)."""
    text = (
        repr(value)
        if isinstance(value, str)
        else str(value)
        if isinstance(value, int | float)
        else type(value).__name__
    )
    if isinstance(value, int) and not isinstance(value, bool) and len(text) > limit:
        return f"a {len(text)}-digit number"
    return text if len(text) <= limit else text[: limit - 3] + "..."


LATITUDE = Quantity("latitude", -90.0, 90.0, "degrees")
LONGITUDE = Quantity("longitude", -180.0, 180.0, "degrees")
HORIZON_S = Quantity("horizon", 0.0, 14 * 86400.0, "s", low_open=True)
PEOPLE = Quantity("people", 0, 10_000_000, whole=True)
RADIUS_M = Quantity("radius", 0.0, 500_000.0, "m", low_open=True)
TIME_UNCERTAINTY_S = Quantity("time uncertainty", 0.0, 3660 * 86400.0, "s")  # multi-year UCDP spans
WALKING_SPEED_MPS = Quantity("walking speed", 0.1, 3.0, "m/s")
ROAD_SPEED_KMH = Quantity("road speed", 1.0, 200.0, "km/h")
LANE_CAPACITY_VPH = Quantity("lane capacity", 1.0, 10_000.0, "vehicles per hour per lane")
DESTINATION_CAPACITY = Quantity("reception capacity", 0, 10_000_000, "people", whole=True)
FATALITIES = Quantity("fatalities", 0, 1_000_000, whole=True)
COUNT = Quantity("count", 0, 10**12, whole=True)
NUMERIC_ID = Quantity("id", 0, 2**63 - 1, whole=True)
MAX_DELAY = Quantity("max delay", 0.0, 10.0, "(a fraction of the quickest clearance: 0.1 is 10 %)")
MAX_TEXT_ID_CHARS = 200
TIME_STEP_S = Quantity("time step", 1, 3600, "s", whole=True)
CORRIDOR_BUFFER_M = Quantity("corridor buffer", 0.0, 50_000.0, "m", low_open=True)
HALF_LIFE_S = Quantity("half-life", 1.0, 365 * 86400.0, "s")
PEOPLE_PER_VEHICLE = Quantity("people per vehicle", 0.1, 200.0, "people")
PEDESTRIAN_FLOW = Quantity("pedestrian flow", 0.01, 5.0, "people per metre per second")
WALKWAY_WIDTH_M = Quantity("walkway width", 0.5, 100.0, "m")

MAX_SCENARIO_BYTES = 1024 * 1024
MAX_NESTING_DEPTH = 64
MAX_TREE_VALUES = 1_000_000
MAX_NUMBER_CHARS = 100

EARLIEST_INSTANT = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST_INSTANT = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def check_instant(value: dt.datetime) -> dt.datetime:
    """An aware instant between 1900-01-01 and 2100-01-01 UTC; ValueError otherwise.

    A naive datetime is refused (a time without a zone is ambiguous in the field).
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{value.isoformat()} has no time zone; expected an instant with an offset or Z")
    try:
        utc = value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        utc = None
    if utc is None or not EARLIEST_INSTANT <= utc <= LATEST_INSTANT:
        raise ValueError(
            f"{value.isoformat()} is out of range; expected an instant between 1900-01-01 and 2100-01-01"
        )
    return value
