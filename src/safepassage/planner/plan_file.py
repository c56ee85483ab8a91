"""The versioned plan file ``safepassage-plan/1``: its pydantic models, writer and reader.

A plan says who leaves from which pickup point, when, by which road links and to which destination,
how long the whole evacuation takes (``clearance_time_s``), how far that is from a proven lower bound
(``gap``), and who cannot be served and why. It is the contract between the planner (which writes
it), ``safepassage check-plan`` (which re-verifies it independently, ``planner/check.py``), the demo,
the monitor and the API. Every field is documented in ``docs/plan-format.md``.

Times inside the plan are seconds after ``start`` (``_s``); ``departure`` is also given as an
absolute, zone-aware instant for people reading the file. Paths are **original OSM node ids** in
travel order, never internal indices, so a plan stays meaningful when the network is rebuilt.

The models validate what one file can check on its own (field types, signs, list lengths, entry
times in order, ``departure == start + entry_times_s[0]``, totals adding up); rules that need the
scenario and the road network (capacities, closures, windows, curfew) are ``check.py``'s job.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Annotated, Final, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    ValidationError,
    model_validator,
)

from safepassage.atomic_file import write_atomically
from safepassage.bounds import HORIZON_S, PEOPLE
from safepassage.errors import PlanFileError
from safepassage.input_problems import problems_from_validation
from safepassage.json_input import parse_json
from safepassage.scenario.vocabulary import TravelMode

__all__ = [
    "PLAN_FORMAT",
    "Closure",
    "DepartureSlot",
    "DestinationSummary",
    "EdgeUse",
    "Exposure",
    "Movement",
    "OriginSummary",
    "Plan",
    "ScenarioRef",
    "SolverInfo",
    "Unserved",
    "parse_plan",
    "plan_gap",
    "read_plan",
    "write_plan",
]

#: The value of the ``format`` field this module reads and writes.
PLAN_FORMAT: Final = "safepassage-plan/1"

#: Plans with more path nodes than this are written without indentation.
INDENT_LIMIT_NODES = 100_000

#: Below this many seconds a clearance or bound counts as 0 in ``plan_gap`` (see there).
MIN_GAP_TIME_S = 1e-3

#: Tolerance (seconds) when comparing times that went through float arithmetic.
TIME_TOLERANCE_S = 1e-6

#: Largest plan file read (bytes): the 300,000-people benchmark plan is 680 MB written compact.
MAX_PLAN_BYTES = 2 * 1024**3
#: At most this many problems of one plan file are listed (an edited plan can have millions).
MAX_PROBLEMS_SHOWN = 20
#: Any time in a plan (seconds after its start) is at most the longest horizon a scenario may have.
MAX_PLAN_TIME_S = HORIZON_S.high

NonNegativeFloat = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
PlanTime = Annotated[float, Field(ge=0.0, le=MAX_PLAN_TIME_S, allow_inf_nan=False)]
PeopleCount = Annotated[int, Field(ge=0, le=int(PEOPLE.high), strict=True)]  # true is no count
GroupSize = Annotated[int, Field(ge=1, le=int(PEOPLE.high), strict=True)]
OsmNodeId = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]  # negative: JOSM's unsaved nodes


class _PlanModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ScenarioRef(_PlanModel):
    """Which scenario the plan was made for: its name and the SHA-256 of the scenario file's bytes.

    ``sha256`` is empty for a scenario built in code (e.g. the scaled benchmark instance).
    """

    name: str
    sha256: str = Field(pattern=r"^([0-9a-f]{64})?$")


class Unserved(_PlanModel):
    """People of one origin the plan cannot move, and why (cut off, curfew, windows, capacity, ...)."""

    origin: str
    people: GroupSize
    reason: str = Field(min_length=1)


class Movement(_PlanModel):
    """One group of people moving together from an origin to a destination along one path.

    ``entry_times_s[i]`` is when the group enters node ``path[i]`` (seconds after the plan's
    ``start``): ``entry_times_s[0]`` is the departure from the origin's node, the last value the
    arrival at the destination's node. The group enters link ``(path[i], path[i+1])`` at
    ``entry_times_s[i]``.
    """

    origin: str
    destination: str
    people: GroupSize
    mode: TravelMode
    departure: AwareDatetime
    path: list[OsmNodeId] = Field(min_length=1)
    entry_times_s: list[PlanTime] = Field(min_length=1)
    exposure: NonNegativeFloat = 0.0

    @model_validator(mode="after")
    def _times_match_path(self) -> Self:
        if len(self.entry_times_s) != len(self.path):
            raise ValueError(
                f"entry_times_s has {len(self.entry_times_s)} values but path has {len(self.path)} "
                "nodes; expected one entry time per node"
            )
        return self

    @property
    def arrival_s(self) -> float:
        """Seconds after start when the group reaches its destination's node."""
        return self.entry_times_s[-1]

    @property
    def departure_s(self) -> float:
        return self.entry_times_s[0]


class EdgeUse(_PlanModel):
    """A road link some movement uses, as the planner modelled it (OSM node ids ``u`` -> ``v``).

    ``mode``: the travel mode whose network the link belongs to, so walking and driving on the same
    street are two entries; ``None`` (absent, plans written before modes were recorded): the entry
    stands for the link in every mode's network.
    """

    u: OsmNodeId
    v: OsmNodeId
    capacity_per_step: NonNegativeFloat
    travel_time_s: NonNegativeFloat
    mode: TravelMode | None = None


class Closure(_PlanModel):
    """A link closure the planner applied: closed from ``from_s`` until ``to_s`` (None: no end known)."""

    u: OsmNodeId
    v: OsmNodeId
    from_s: float = Field(ge=-MAX_PLAN_TIME_S, le=MAX_PLAN_TIME_S, allow_inf_nan=False)
    to_s: float | None = Field(default=None, ge=-MAX_PLAN_TIME_S, le=MAX_PLAN_TIME_S, allow_inf_nan=False)
    reason: str
    mode: TravelMode | None = None  # the travel mode it closes the link for; None: old plans, every mode

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.to_s is not None and self.to_s < self.from_s:
            raise ValueError(f"to_s = {self.to_s} is before from_s = {self.from_s}")
        return self


class Exposure(_PlanModel):
    """Risk exposure (risk cost × people) of the whole plan and per origin; per movement it is in
    ``movements[i].exposure``."""

    total: NonNegativeFloat = 0.0
    by_origin: dict[str, NonNegativeFloat] = Field(default_factory=dict)
    by_destination: dict[str, NonNegativeFloat] = Field(default_factory=dict)


class OriginSummary(_PlanModel):
    """What the plan does for one origin."""

    origin: str
    people: PeopleCount
    evacuated: PeopleCount
    unserved: PeopleCount
    first_departure_s: PlanTime | None = None
    last_departure_s: PlanTime | None = None
    last_arrival_s: PlanTime | None = None


class DestinationSummary(_PlanModel):
    """What the plan sends to one destination."""

    destination: str
    capacity: PeopleCount
    received: PeopleCount
    first_arrival_s: PlanTime | None = None
    last_arrival_s: PlanTime | None = None


class DepartureSlot(_PlanModel):
    """The dispatcher's view of the movements: all groups of one route leaving in one slot.

    One row per (origin, destination, mode, path, slot): the slot is ``[slot_start_s, slot_start_s +
    slot_s)`` with ``slot_start_s`` a whole multiple of ``slot_s``; a movement belongs to the slot its
    departure (``entry_times_s[0]``) falls in. ``people`` and ``movements`` count the groups in it;
    the ``movements`` themselves stay exact (they are what ``check-plan`` verifies), this list only
    sums them (``planner/slots.py``).
    """

    origin: str
    destination: str
    mode: TravelMode
    path: list[OsmNodeId] = Field(min_length=1)
    slot_start_s: PlanTime
    slot_s: float = Field(gt=0.0, le=MAX_PLAN_TIME_S, allow_inf_nan=False)
    people: GroupSize
    movements: GroupSize
    first_departure_s: PlanTime
    last_departure_s: PlanTime
    last_arrival_s: PlanTime

    @model_validator(mode="after")
    def _within_slot(self) -> Self:
        if not self.first_departure_s <= self.last_departure_s <= self.last_arrival_s:
            raise ValueError(
                f"first_departure_s {self.first_departure_s}, last_departure_s {self.last_departure_s} "
                f"and last_arrival_s {self.last_arrival_s} are out of order; "
                "expected first <= last <= arrival"
            )
        return self


class SolverInfo(_PlanModel):
    """How the plan was made: solver mode (e.g. ``exact``, ``fast``, ``hand``), wall time, details."""

    mode: str
    wall_time_s: NonNegativeFloat = 0.0
    details: dict[str, JsonValue] = Field(default_factory=dict)


def plan_gap(clearance_time_s: float, lower_bound_s: float) -> float | None:
    """``clearance / bound - 1``, with explicit rules where that ratio means nothing.

    A time below :data:`MIN_GAP_TIME_S` (1 ms) counts as 0 — a bound of 4.9e-315 s is 0 for
    every purpose and would make the ratio infinite. So: 0 when both count as 0; None (undefined)
    when only the bound does; None too when the ratio is not a finite number (a clearance beyond
    1e305 s). Otherwise the ratio.
    """
    if lower_bound_s < MIN_GAP_TIME_S:
        return 0.0 if clearance_time_s < MIN_GAP_TIME_S else None
    gap = clearance_time_s / lower_bound_s - 1.0
    return gap if math.isfinite(gap) else None


class Plan(_PlanModel):
    """A whole ``safepassage-plan/1`` document."""

    format: Literal["safepassage-plan/1"] = PLAN_FORMAT
    scenario: ScenarioRef
    start: AwareDatetime
    time_step_s: float = Field(gt=0.0, allow_inf_nan=False)
    clearance_time_s: NonNegativeFloat
    lower_bound_s: NonNegativeFloat
    gap: float | None = Field(allow_inf_nan=False)
    people_total: PeopleCount
    evacuated: PeopleCount
    unserved: list[Unserved] = Field(default_factory=list)
    movements: list[Movement] = Field(default_factory=list)
    edges: list[EdgeUse] = Field(default_factory=list)
    closures: list[Closure] = Field(default_factory=list)
    exposure: Exposure = Field(default_factory=Exposure)
    origins: list[OriginSummary] = Field(default_factory=list)
    destinations: list[DestinationSummary] = Field(default_factory=list)
    departure_slots: list[DepartureSlot] = Field(default_factory=list)  # absent in older plans
    solver: SolverInfo

    def at(self, seconds: float) -> dt.datetime:
        """The absolute instant ``seconds`` after the plan's start."""
        return self.start + dt.timedelta(seconds=seconds)


# --- reading and writing ----------------------------------------------------------------------


def write_plan(plan: Plan, path: str | Path) -> None:
    """Write ``plan`` as JSON atomically (temporary file in the same directory, then ``os.replace``).

    A crash or a full disk never leaves a half-written plan where the old one was. Plans with more
    than :data:`INDENT_LIMIT_NODES` path nodes in all are written without indentation (a plan of the
    300,000-people benchmark instance is 680 MB compact, 1.1 GB indented).
    """
    path = Path(path)
    nodes = sum(len(m.path) for m in plan.movements)
    text = plan.model_dump_json(indent=2 if nodes <= INDENT_LIMIT_NODES else None) + "\n"
    write_atomically(path, text)  # mode from the user's umask, not mkstemp's 0600


def read_plan(path: str | Path) -> Plan:
    """Read and validate a plan file; raise :class:`PlanFileError` naming file, field, value, expectation."""
    path = Path(path)
    label = path.name
    try:
        size = path.stat().st_size
        if size > MAX_PLAN_BYTES:
            raise PlanFileError(
                f"{path}: {size:,} bytes is too large for a plan file; expected at most {MAX_PLAN_BYTES:,}"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PlanFileError(f"{path}: plan file not found; expected an existing JSON file") from None
    except OSError as exc:
        raise PlanFileError(f"{path}: cannot be read ({exc.strerror})") from None
    return parse_plan(raw, label=label)


def parse_plan(text: str | bytes, *, label: str = "plan.json") -> Plan:
    """Validate plan JSON text; ``label`` names the file in error messages."""
    try:  # fast path: pydantic parses and validates the JSON in one pass (3x faster on big plans)
        return Plan.model_validate_json(text)
    except ValidationError:
        pass  # read it again slowly, to say exactly what is wrong
    if isinstance(text, bytes):
        raw = text
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise PlanFileError(
                f"{label}:{line}: not UTF-8 (byte {exc.start}); expected a plan file (safepassage-plan/1)"
            ) from None
    # size was checked by read_plan; nesting depth, duplicate keys and JSON syntax here, safely
    data = parse_json(text, label, expected="a plan file (safepassage-plan/1)", error=PlanFileError).value
    if not isinstance(data, dict):
        raise PlanFileError(f"{label}: expected a JSON object of fields, got {type(data).__name__}")
    found = data.get("format")
    if found != PLAN_FORMAT:
        raise PlanFileError(
            f"{label}: format: {found!r} is not a supported plan format; expected {PLAN_FORMAT!r}"
        )
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(exc, label, Plan, docs="docs/plan-format.md")
        shown = [str(p) for p in problems[:MAX_PROBLEMS_SHOWN]]
        if len(problems) > MAX_PROBLEMS_SHOWN:
            shown.append(f"{label}: ... and {len(problems) - MAX_PROBLEMS_SHOWN:,} more problem(s)")
        raise PlanFileError("\n".join(shown)) from None
