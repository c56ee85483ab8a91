"""The versioned vehicle schedule file ``safepassage-schedule/1``: pydantic models, writer and reader.

A schedule says, **per vehicle**, which round trips it drives: when it leaves its depot (or the
destination where its previous trip ended), by which roads (OSM node ids, entry times, street
names), which pickup points it loads how many people at, where it unloads them and when, and where
it goes afterwards. Per pickup point it says who is collected when and by which vehicle, and who
cannot be served and why. It is the contract between the fleet solver (which returns it), the
dispatch sheet (``fleet/sheet.py``, ``sheet_html.py``), the independent checker (``fleet/check.py``,
``safepassage check-schedule``), the demo and the API. Every field is documented in
``docs/schedule-format.md``.

Times inside the schedule are seconds after ``start`` (``_s``), like the plan file; the dispatch
sheet shows them through :mod:`safepassage.local_time` in the scenario's zone. Places on the road
are **original OSM node ids**; places of the scenario (depots, pickup points, destinations,
stations) are the scenario's ids.

The models validate what one file can check on its own (types, ranges from
:mod:`safepassage.bounds`, one entry time per path node and in order, legs chained, totals adding
up); rules that need the scenario and the network (roads, closures, windows, curfew, capacities,
seats against needs) are ``check.py``'s job.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Final, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    ValidationError,
    field_validator,
    model_validator,
)

from safepassage import bounds
from safepassage.atomic_file import write_atomically
from safepassage.errors import ScheduleFileError
from safepassage.input_problems import problems_from_validation
from safepassage.json_input import load_json, parse_json

__all__ = [
    "SCHEDULE_FORMAT",
    "Boarding",
    "Leg",
    "LegMode",
    "PickupCall",
    "PickupCalls",
    "PrivateCarSlot",
    "ScenarioRef",
    "Schedule",
    "SolverInfo",
    "Summary",
    "Trip",
    "Unserved",
    "VehicleSchedule",
    "parse_schedule",
    "read_schedule",
    "schedule_gap",
    "write_schedule",
]

#: The value of the ``format`` field this module reads and writes.
SCHEDULE_FORMAT: Final = "safepassage-schedule/1"

#: Tolerance (seconds) when comparing times that went through float arithmetic.
TIME_TOLERANCE_S = 1e-6

#: Below this many seconds a time counts as 0 in :func:`schedule_gap`.
MIN_GAP_TIME_S = 1e-3

#: Seconds after ``start`` a schedule may name: the longest horizon a scenario may have.
SCHEDULE_TIME_S = bounds.Quantity("time after start", 0.0, bounds.HORIZON_S.high, "s")
#: Seats of one vehicle (a train of 20 cars of 100 seats is 2,000).
SEATS = bounds.Quantity("seats", 0, 100_000, whole=True)
#: Solver wall time (s): at most a day.
SOLVE_TIME_S = bounds.Quantity("solve time", 0.0, 86_400.0, "s")
#: Person-seconds of waiting: people × horizon at most.
PERSON_SECONDS = bounds.Quantity("waiting", 0.0, bounds.PEOPLE.high * bounds.HORIZON_S.high, "person-s")
#: The gap: clearance / bound - 1 (negative only in a schedule that beats its own bound).
GAP = bounds.Quantity("gap", -1.0, 1e6)

_SCHEDULE_DOCS = "docs/schedule-format.md"


def _number(quantity: bounds.Quantity) -> Callable[[object], float]:
    def check(value: object) -> float:
        return quantity.check(value)

    return check


def _whole(quantity: bounds.Quantity) -> Callable[[object], int]:
    def check(value: object) -> int:
        return quantity.check_int(value)

    return check


def _text_id(value: object) -> object:
    if isinstance(value, str) and not 1 <= len(value) <= bounds.MAX_TEXT_ID_CHARS:
        raise ValueError(
            f"{bounds.show_value(value)} has {len(value)} characters; expected an id of 1 to "
            f"{bounds.MAX_TEXT_ID_CHARS} characters"
        )
    return value


TimeS = Annotated[float, BeforeValidator(_number(SCHEDULE_TIME_S))]
People = Annotated[int, BeforeValidator(_whole(bounds.PEOPLE))]
PositivePeople = Annotated[int, BeforeValidator(_whole(bounds.PEOPLE)), Field(ge=1)]
Seats = Annotated[int, BeforeValidator(_whole(SEATS))]
OsmNodeId = Annotated[int, BeforeValidator(_whole(bounds.NUMERIC_ID))]
PlaceId = Annotated[str, BeforeValidator(_text_id)]
Instant = Annotated[AwareDatetime, Field()]

#: How a leg moves: on the road network, on a rail line, or on foot.
LegMode = Literal["road", "rail", "walk"]


class _ScheduleModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScenarioRef(_ScheduleModel):
    """Which scenario the schedule was made for: its name and the SHA-256 of the file's bytes.

    ``sha256`` is empty for a scenario built in code (e.g. the scaled benchmark instance).
    """

    name: str = Field(min_length=1, max_length=bounds.MAX_TEXT_ID_CHARS)
    sha256: str = Field(pattern=r"^([0-9a-f]{64})?$")


class Leg(_ScheduleModel):
    """One drive (or train run, or walk) from one place to the next, along a path of OSM nodes.

    The leg leaves ``from_place`` at ``depart_s`` and reaches ``to_place`` at ``arrive_s``.
    ``entry_times_s[i]`` is when the vehicle enters node ``path[i]`` (seconds after ``start``), so
    ``entry_times_s[0] == depart_s`` and ``entry_times_s[-1] == arrive_s``; it enters the link
    ``path[i] -> path[i+1]`` at ``entry_times_s[i]``. ``path`` is empty only for a leg off the map
    (a train to a city beyond the extract). ``streets`` are the names of the roads driven (OSM
    ``name`` or ``ref``), consecutive duplicates collapsed, unnamed links left out
    (``fleet/street_names.py``).
    """

    from_place: PlaceId
    to_place: PlaceId
    mode: LegMode = "road"
    depart_s: TimeS
    arrive_s: TimeS
    path: list[OsmNodeId] = Field(default_factory=list)
    entry_times_s: list[TimeS] = Field(default_factory=list)
    streets: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _times_match_path(self) -> Self:
        if len(self.entry_times_s) != len(self.path):
            raise ValueError(
                f"entry_times_s has {len(self.entry_times_s)} values but path has {len(self.path)} "
                "nodes; expected one entry time per node"
            )
        if self.arrive_s < self.depart_s - TIME_TOLERANCE_S:
            raise ValueError(f"arrive_s = {self.arrive_s} is before depart_s = {self.depart_s}")
        times = self.entry_times_s
        for i in range(1, len(times)):
            if times[i] < times[i - 1] - TIME_TOLERANCE_S:
                raise ValueError(
                    f"entry_times_s[{i}] = {times[i]} is before entry_times_s[{i - 1}] = "
                    f"{times[i - 1]}; expected times in travel order"
                )
        if times and (
            abs(times[0] - self.depart_s) > TIME_TOLERANCE_S
            or abs(times[-1] - self.arrive_s) > TIME_TOLERANCE_S
        ):
            raise ValueError(
                f"entry_times_s run from {times[0]} to {times[-1]} s but the leg departs at "
                f"{self.depart_s} and arrives at {self.arrive_s} s; expected the same instants"
            )
        return self


class Boarding(_ScheduleModel):
    """People a trip loads at one pickup point (or station): the vehicle is there from
    ``arrive_s`` and leaves at ``depart_s`` once they are on board.

    ``needs`` counts, among ``people``, those with a need (``reduced_mobility``: they travel only
    in a place for it, ``VehicleSchedule.needs_capacity``); the others take ``seats``.
    """

    point: PlaceId
    people: PositivePeople
    needs: dict[str, People] = Field(default_factory=dict)
    arrive_s: TimeS
    depart_s: TimeS

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.depart_s < self.arrive_s - TIME_TOLERANCE_S:
            raise ValueError(f"depart_s = {self.depart_s} is before arrive_s = {self.arrive_s}")
        if sum(self.needs.values()) > self.people:
            raise ValueError(f"needs count {sum(self.needs.values())} people but only {self.people} board")
        return self


class Trip(_ScheduleModel):
    """One round of a vehicle: leave ``leave_from`` at ``leave_at_s``, load at the pickup points
    in order, unload at ``destination``, then (``return_leg``) drive back to the depot or on.

    ``legs`` are chained: ``legs[0].from_place == leave_from``, each leg starts where the previous
    one ended, ``pickups[k]`` happens at the end of a leg, and the last leg ends at
    ``destination``. A trip that starts where it loads (a bus already at the pickup point) has no
    leg to the pickup. The vehicle unloads from ``arrive_destination_s`` to ``unloaded_at_s``.
    ``return_leg`` is the drive after unloading when the vehicle does not start its next trip from
    the destination (back to the depot at the end of the day); None otherwise.
    """

    number: int = Field(ge=1, le=100_000)
    leave_from: PlaceId
    leave_at_s: TimeS
    legs: list[Leg] = Field(min_length=1)
    pickups: list[Boarding] = Field(min_length=1)
    destination: PlaceId
    people: PositivePeople
    arrive_destination_s: TimeS
    unloaded_at_s: TimeS
    return_leg: Leg | None = None

    @model_validator(mode="after")
    def _chained(self) -> Self:
        problems = _trip_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def end_s(self) -> float:
        """When the vehicle is free again: back from its return leg, or done unloading."""
        return self.return_leg.arrive_s if self.return_leg else self.unloaded_at_s

    @property
    def end_place(self) -> str:
        return self.return_leg.to_place if self.return_leg else self.destination


def _trip_problems(trip: Trip) -> list[str]:
    problems: list[str] = []
    if trip.legs[0].from_place != trip.leave_from:
        problems.append(
            f"legs[0] starts at {trip.legs[0].from_place!r}, not at leave_from {trip.leave_from!r}"
        )
    if trip.legs[0].depart_s < trip.leave_at_s - TIME_TOLERANCE_S:
        problems.append(
            f"legs[0] departs at {trip.legs[0].depart_s} s, before leave_at_s {trip.leave_at_s} s"
        )
    for i in range(1, len(trip.legs)):
        if trip.legs[i].from_place != trip.legs[i - 1].to_place:
            problems.append(
                f"legs[{i}] starts at {trip.legs[i].from_place!r} but legs[{i - 1}] ends at "
                f"{trip.legs[i - 1].to_place!r}"
            )
    if trip.legs[-1].to_place != trip.destination:
        problems.append(
            f"the last leg ends at {trip.legs[-1].to_place!r}, not at destination {trip.destination!r}"
        )
    stops = {trip.leave_from, *(leg.to_place for leg in trip.legs)}
    for k, pickup in enumerate(trip.pickups):
        if pickup.point not in stops:
            problems.append(f"pickups[{k}] is at {pickup.point!r}, where no leg of the trip stops")
    total = sum(p.people for p in trip.pickups)
    if total != trip.people:
        problems.append(f"people = {trip.people} but the pickups load {total}")
    if trip.unloaded_at_s < trip.arrive_destination_s - TIME_TOLERANCE_S:
        problems.append(f"unloaded_at_s = {trip.unloaded_at_s} is before arrive_destination_s")
    if trip.return_leg is not None and trip.return_leg.from_place != trip.destination:
        problems.append(f"return_leg starts at {trip.return_leg.from_place!r}, not at {trip.destination!r}")
    return problems


class VehicleSchedule(_ScheduleModel):
    """One vehicle and its trips in order.

    ``type`` is the scenario's vehicle type id (``bus``, ``minibus``, ``ambulance``, ``train``...),
    ``vehicle_class`` the class corridors and restricted areas name (``bus``, ``car``,
    ``ambulance``; ``train`` for trains), ``seats`` the people without a need it carries at once,
    and ``needs_capacity`` its places for people with each need, separate from the seats
    (``{"reduced_mobility": 2}``: two stretchers or wheelchair spaces; absent: none).
    """

    vehicle: PlaceId
    type: PlaceId
    vehicle_class: PlaceId
    seats: Seats
    needs_capacity: dict[str, Seats] = Field(default_factory=dict)
    depot: PlaceId
    trips: list[Trip] = Field(default_factory=list)

    @field_validator("trips")
    @classmethod
    def _numbered_in_order(cls, trips: list[Trip]) -> list[Trip]:
        for i, trip in enumerate(trips):
            if trip.number != i + 1:
                raise ValueError(
                    f"trip {i} has number {trip.number}; expected trips numbered 1, 2, ... in order"
                )
        return trips


class PickupCall(_ScheduleModel):
    """One collection at a pickup point: ``people`` board ``vehicle``'s trip ``trip`` at ``at_s``."""

    vehicle: PlaceId
    trip: int = Field(ge=1, le=100_000)
    at_s: TimeS
    people: PositivePeople
    needs: dict[str, People] = Field(default_factory=dict)


class PickupCalls(_ScheduleModel):
    """Per pickup point: people waiting, who is collected when, and how many remain unserved."""

    point: PlaceId
    people: People
    collected: People
    unserved: People
    calls: list[PickupCall] = Field(default_factory=list)

    @model_validator(mode="after")
    def _adds_up(self) -> Self:
        total = sum(c.people for c in self.calls)
        if total != self.collected:
            raise ValueError(f"collected = {self.collected} but the calls collect {total}")
        return self


class Unserved(_ScheduleModel):
    """People of one pickup point the schedule cannot move, and why."""

    point: PlaceId
    people: PositivePeople
    needs: dict[str, People] = Field(default_factory=dict)
    reason: str = Field(min_length=1, max_length=2000)


class PrivateCarSlot(_ScheduleModel):
    """People leaving by themselves in private cars, grouped in one departure slot of one origin."""

    origin: PlaceId
    destination: PlaceId
    slot_start_s: TimeS
    slot_end_s: TimeS
    vehicles: PositivePeople
    people: PositivePeople
    streets: list[str] = Field(default_factory=list)


class Summary(_ScheduleModel):
    """Figures of the whole schedule: people waiting, moved, unserved; when the last person arrives
    (``last_arrival_s``); total waiting (person-seconds from when each person is ready until
    picked up); vehicles used; trips."""

    people_total: People
    people_moved: People
    people_unserved: People
    last_arrival_s: TimeS
    total_waiting_person_s: Annotated[float, BeforeValidator(_number(PERSON_SECONDS))]
    vehicles_used: Annotated[int, BeforeValidator(_whole(bounds.COUNT))]
    trips: Annotated[int, BeforeValidator(_whole(bounds.COUNT))]


class SolverInfo(_ScheduleModel):
    """How the schedule was made: ``exact`` (a model solved to proven optimality or with its
    bound), ``heuristic``, or ``hand`` (tests); the proven lower bound on ``last_arrival_s``, the
    gap, solve time and anything else the solver reports."""

    method: Literal["exact", "heuristic", "hand"]
    lower_bound_s: TimeS
    gap: Annotated[float, BeforeValidator(_number(GAP))] | None
    solve_time_s: Annotated[float, BeforeValidator(_number(SOLVE_TIME_S))] = 0.0
    details: dict[str, JsonValue] = Field(default_factory=dict)


def schedule_gap(last_arrival_s: float, lower_bound_s: float) -> float | None:
    """``last_arrival / bound - 1``; 0 when both are below 1 ms, None when only the bound is."""
    if lower_bound_s < MIN_GAP_TIME_S:
        return 0.0 if last_arrival_s < MIN_GAP_TIME_S else None
    return last_arrival_s / lower_bound_s - 1.0


class Schedule(_ScheduleModel):
    """A whole ``safepassage-schedule/1`` document."""

    format: Literal["safepassage-schedule/1"] = SCHEDULE_FORMAT
    scenario: ScenarioRef
    generated_at: Instant
    start: Instant
    timezone: str = Field(min_length=1, max_length=100)
    vehicles: list[VehicleSchedule] = Field(default_factory=list)
    pickups: list[PickupCalls] = Field(default_factory=list)
    unserved: list[Unserved] = Field(default_factory=list)
    private_cars: list[PrivateCarSlot] = Field(default_factory=list)
    summary: Summary
    solver: SolverInfo

    @field_validator("generated_at", "start")
    @classmethod
    def _instant_in_range(cls, value: dt.datetime) -> dt.datetime:
        return bounds.check_instant(value)

    @model_validator(mode="after")
    def _totals(self) -> Self:
        problems = _schedule_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def at(self, seconds: float) -> dt.datetime:
        """The absolute instant ``seconds`` after the schedule's start."""
        return self.start + dt.timedelta(seconds=seconds)

    def zone(self) -> dt.tzinfo:
        """The zone the schedule's times are shown in (IANA name, or the offset of ``start``)."""
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            tz = self.start.tzinfo
            assert tz is not None  # AwareDatetime
            return tz


def _schedule_problems(schedule: Schedule) -> list[str]:
    """What one file can check across its parts: ids unique, calls matching boardings, totals."""
    problems: list[str] = []
    ids = [v.vehicle for v in schedule.vehicles]
    if len(ids) != len(set(ids)):
        problems.append("two vehicles share one id; expected each vehicle once")
    points = [p.point for p in schedule.pickups]
    if len(points) != len(set(points)):
        problems.append("a pickup point is listed twice in pickups; expected each point once")
    problems += _call_problems(schedule, set(points))
    totals = (
        ("people_moved", sum(p.collected for p in schedule.pickups), "the pickup points' calls collect"),
        ("people_unserved", sum(u.people for u in schedule.unserved), "unserved lists"),
        ("people_total", sum(p.people for p in schedule.pickups), "the pickup points hold"),
    )
    for name, expected, what in totals:
        given = getattr(schedule.summary, name)
        if given != expected and (name != "people_total" or schedule.pickups):
            problems.append(f"summary.{name} = {given} but {what} {expected}")
    return problems


def _call_problems(schedule: Schedule, points: set[str]) -> list[str]:
    """Each boarding at a listed pickup point has exactly one call, with its people, at a time the
    vehicle is there (people arriving later board when they arrive)."""
    problems: list[str] = []
    boardings: dict[tuple[str, int, str], Boarding] = {}
    for vehicle in schedule.vehicles:
        for trip in vehicle.trips:
            for boarding in trip.pickups:
                if boarding.point in points:
                    boardings[(vehicle.vehicle, trip.number, boarding.point)] = boarding
    called: set[tuple[str, int, str]] = set()
    for calls in schedule.pickups:
        for call in calls.calls:
            key = (call.vehicle, call.trip, calls.point)
            where = f"pickups {calls.point!r}: vehicle {call.vehicle!r} trip {call.trip}"
            found = boardings.get(key)
            if key in called:
                problems.append(f"{where} is called twice; expected one call per boarding")
            elif found is None:
                problems.append(f"{where} loads nobody there")
            elif found.people != call.people:
                problems.append(f"{where} loads {found.people} there, not {call.people}")
            elif not found.arrive_s - TIME_TOLERANCE_S <= call.at_s <= found.depart_s + TIME_TOLERANCE_S:
                problems.append(
                    f"{where} is there from {found.arrive_s} s to {found.depart_s} s, not at {call.at_s} s"
                )
            called.add(key)
    for vehicle_id, number, point in sorted(set(boardings) - called):
        problems.append(
            f"pickups {point!r}: vehicle {vehicle_id!r} trip {number} loads there but has no call"
        )
    return problems


# --- reading and writing ----------------------------------------------------------------------


def write_schedule(schedule: Schedule, path: str | Path) -> None:
    """Write ``schedule`` as indented JSON atomically (``safepassage.atomic_file``)."""
    write_atomically(Path(path), schedule.model_dump_json(indent=2) + "\n")


_EXPECTED = f"a {SCHEDULE_FORMAT} file (see {_SCHEDULE_DOCS})"


def read_schedule(path: str | Path) -> Schedule:
    """Read and validate a schedule file through :mod:`safepassage.json_input`.

    Raises :class:`ScheduleFileError` (exit 2) naming the file, the field, the value and what was
    expected: missing file, not UTF-8, not JSON, another format, a value out of range, ...
    """
    document = load_json(Path(path), expected=_EXPECTED, error=ScheduleFileError)
    return _validate(document.value, Path(path).name)


def parse_schedule(text: str, *, label: str = "schedule.json") -> Schedule:
    """Validate schedule JSON text; ``label`` names the file in error messages."""
    document = parse_json(text, label, expected=_EXPECTED, error=ScheduleFileError)
    return _validate(document.value, label)


def _validate(data: object, label: str) -> Schedule:
    if not isinstance(data, dict):
        raise ScheduleFileError(f"{label}: expected a JSON object of fields, got {type(data).__name__}")
    found = data.get("format")
    if found != SCHEDULE_FORMAT:
        raise ScheduleFileError(
            f"{label}: format: {bounds.show_value(found)} is not a supported schedule format; "
            f"expected {SCHEDULE_FORMAT!r}"
        )
    try:
        return Schedule.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(exc, label, Schedule, docs=_SCHEDULE_DOCS)
        raise ScheduleFileError("\n".join(_once(str(p)) for p in problems)) from None


_REPEATED_VALUE = re.compile(r": (.+?) is invalid: \1 ")


def _once(text: str) -> str:
    """``seats: 'abc' is invalid: 'abc' is not a number`` -> ``seats: 'abc' is not a number``."""
    return _REPEATED_VALUE.sub(lambda m: f": {m.group(1)} ", text, count=1)
