"""The scenario's ``fleet`` section: vehicles, depots, pickups, trains, private cars, walking groups.

Documented in ``docs/scenario-format.md`` ("Fleet"). The section is optional and read only by the
fleet solver (``safepassage.fleet``): the flow planner (``safepassage.planner``) ignores it, so a
scenario plans the same with or without it.

Every number is strict (a YAML ``true`` or ``"50"`` is refused) and checked against a range of
:mod:`safepassage.bounds` or of this module's table below; pydantic puts the field path in the
error (``fleet.vehicles.0.count``).

Vehicle types: ``bus`` (50 seats), ``minibus`` (18), ``ambulance`` (2 stretchers + 4 seats) and
``car`` (4) are built in; ``vehicle_types`` adds or overrides types. Places for people with reduced
mobility (``reduced_mobility_places``: stretchers, wheelchair spaces) are separate from seats: a
person listed under an origin's ``needs.reduced_mobility`` travels only in such a place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Self

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, Strict, model_validator

from safepassage.bounds import PEOPLE, Quantity, check_instant
from safepassage.scenario.vocabulary import VehicleClass

__all__ = [
    "BUILTIN_VEHICLE_TYPES",
    "REDUCED_MOBILITY",
    "Arrival",
    "Depot",
    "Fleet",
    "PrivateCars",
    "Station",
    "TrainDeparture",
    "VehicleGroup",
    "VehicleType",
    "fleet_reference_problems",
]

#: The key of ``Origin.needs`` that only vehicles with reduced-mobility places can take.
REDUCED_MOBILITY = "reduced_mobility"

SEATS = Quantity("seats", 0, 2_000, whole=True)
VEHICLE_COUNT = Quantity("vehicle count", 0, 10_000, whole=True)
HANDLING_S = Quantity("handling time", 0.0, 3_600.0, "s")
TRANSFER_S = Quantity("transfer time", 0.0, 86_400.0, "s")
SHARE = Quantity("share", 0.0, 1.0)
OCCUPANCY = Quantity("people per car", 1.0, 9.0)
GROUP_SIZE = Quantity("group size", 1, 10_000, whole=True)
TRAIN_CARS = Quantity("train cars", 1, 100, whole=True)
SLOT_S = Quantity("departure slot", 60.0, 86_400.0, "s")

Seats = Annotated[int, Strict(), AfterValidator(SEATS.check_int)]
VehicleCount = Annotated[int, Strict(), AfterValidator(VEHICLE_COUNT.check_int)]
People = Annotated[int, Strict(), AfterValidator(PEOPLE.check_int)]
HandlingS = Annotated[float, AfterValidator(HANDLING_S.check)]
TransferS = Annotated[float, AfterValidator(TRANSFER_S.check)]
Share = Annotated[float, AfterValidator(SHARE.check)]
Occupancy = Annotated[float, AfterValidator(OCCUPANCY.check)]
GroupSize = Annotated[int, Strict(), AfterValidator(GROUP_SIZE.check_int)]
TrainCars = Annotated[int, Strict(), AfterValidator(TRAIN_CARS.check_int)]
SlotS = Annotated[float, AfterValidator(SLOT_S.check)]
Instant = Annotated[AwareDatetime, AfterValidator(check_instant)]
Latitude = Annotated[float, Field(ge=-90.0, le=90.0)]
Longitude = Annotated[float, Field(ge=-180.0, le=180.0)]
Identifier = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False, allow_inf_nan=False)


class VehicleType(_Strict):
    """A kind of vehicle: class (for corridor, curfew and restricted-area rules), places, handling."""

    id: Identifier
    vehicle_class: VehicleClass = Field(alias="class")
    seats: Seats
    reduced_mobility_places: Seats = 0
    board_s_per_person: HandlingS = 6.0
    alight_s_per_person: HandlingS = 3.0
    stop_s: HandlingS = Field(default=60.0, description="fixed time per stop: doors, parking, counting")

    @model_validator(mode="after")
    def _carries_someone(self) -> Self:
        if self.seats + self.reduced_mobility_places == 0:
            raise ValueError("a vehicle type needs seats or reduced_mobility_places")
        if self.vehicle_class is VehicleClass.PEDESTRIAN:
            raise ValueError("pedestrian is not a vehicle class; expected bus, car, ambulance, ...")
        return self


def _builtin(type_id: str, cls: VehicleClass, seats: int, rm: int, board: float) -> VehicleType:
    return VehicleType.model_validate(
        {
            "id": type_id,
            "class": cls,
            "seats": seats,
            "reduced_mobility_places": rm,
            "board_s_per_person": board,
        }
    )


#: Built-in types (Bish 2011 uses bus seats; boarding times after TCQSM ch. 6: 2-4 s per person on a
#: city bus with payment, longer with luggage; stretchers take minutes each).
BUILTIN_VEHICLE_TYPES: dict[str, VehicleType] = {
    "bus": _builtin("bus", VehicleClass.BUS, 50, 0, 6.0),
    "minibus": _builtin("minibus", VehicleClass.BUS, 18, 0, 6.0),
    "ambulance": _builtin("ambulance", VehicleClass.AMBULANCE, 4, 2, 60.0),
    "car": _builtin("car", VehicleClass.CAR, 4, 0, 10.0),
}


class Depot(_Strict):
    """Where vehicles wait before their first trip."""

    id: Identifier
    name: str = Field(max_length=200)
    lat: Latitude
    lon: Longitude


class VehicleGroup(_Strict):
    """``count`` vehicles of one type starting at one depot, available from an instant."""

    id: Identifier
    type: Identifier
    count: VehicleCount
    depot: Identifier
    available_from: Instant | None = None


class Arrival(_Strict):
    """``people`` of the origin's people reach the pickup only at ``at`` (the rest wait from the start)."""

    origin: Identifier
    at: Instant
    people: People


class Station(_Strict):
    """A railway station where evacuation trains leave; snapped to the OSM ``railway=station``."""

    id: Identifier
    name: str = Field(max_length=200)
    lat: Latitude
    lon: Longitude
    transfer_s: TransferS = Field(default=600.0, description="from the bus or the street to the train")


class TrainDeparture(_Strict):
    """One train: leaves ``station`` at ``departs``, reaches ``to`` (a place off the map) at ``arrives``."""

    id: Identifier
    station: Identifier
    departs: Instant
    arrives: Instant
    to: str = Field(min_length=1, max_length=200, description="where the train goes, e.g. Lviv")
    cars: TrainCars
    seats_per_car: Seats

    @property
    def seats(self) -> int:
        return self.cars * self.seats_per_car

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.arrives <= self.departs:
            raise ValueError("arrives is not after departs")
        return self


class PrivateCars(_Strict):
    """People who leave by themselves: a share of each origin's people, of whom a share drive."""

    share_leaving_alone: Share = 0.0
    share_by_car: Share = 1.0
    people_per_car: Occupancy = 2.5
    slot_s: SlotS = 600.0


class Fleet(_Strict):
    """Vehicles, depots, who waits for them, trains, private cars and walking-group rules."""

    vehicle_types: list[VehicleType] = Field(default_factory=list)
    depots: list[Depot] = Field(min_length=1)
    vehicles: list[VehicleGroup] = Field(min_length=1)
    pickups: list[Identifier] = Field(
        default_factory=list, description="origins the fleet serves; empty means every origin"
    )
    arrivals: list[Arrival] = Field(default_factory=list)
    stations: list[Station] = Field(default_factory=list)
    trains: list[TrainDeparture] = Field(default_factory=list)
    private_cars: PrivateCars = Field(default_factory=PrivateCars)
    walking_group_max: GroupSize | None = Field(
        default=None, description="during curfew people on foot move in groups of at most this many"
    )

    def vehicle_type(self, type_id: str) -> VehicleType:
        """The type named ``type_id`` (scenario types first, then built-in); KeyError if none."""
        for vt in self.vehicle_types:
            if vt.id == type_id:
                return vt
        return BUILTIN_VEHICLE_TYPES[type_id]

    @model_validator(mode="after")
    def _references(self) -> Self:
        known_types = {vt.id for vt in self.vehicle_types} | set(BUILTIN_VEHICLE_TYPES)
        depots = {d.id for d in self.depots}
        stations = {s.id for s in self.stations}
        problems: list[str] = []
        for i, group in enumerate(self.vehicles):
            if group.type not in known_types:
                names = ", ".join(sorted(known_types))
                problems.append(f"vehicles.{i}.type: {group.type!r} is no vehicle type ({names})")
            if group.depot not in depots:
                problems.append(f"vehicles.{i}.depot: {group.depot!r} is no depot ({sorted(depots)})")
        for i, train in enumerate(self.trains):
            if train.station not in stations:
                problems.append(f"trains.{i}.station: {train.station!r} is no station")
        _unique("vehicles", [g.id for g in self.vehicles], problems)
        _unique("depots", [d.id for d in self.depots], problems)
        _unique("vehicle_types", [t.id for t in self.vehicle_types], problems)
        _unique("trains", [t.id for t in self.trains], problems)
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _unique(field: str, ids: list[str], problems: list[str]) -> None:
    seen: set[str] = set()
    for i, item in enumerate(ids):
        if item in seen:
            problems.append(f"{field}.{i}.id: {item!r} is used twice")
        seen.add(item)


def fleet_reference_problems(
    fleet: Fleet,
    origin_people: Mapping[str, int],
    start: dt.datetime,
    end: dt.datetime,
) -> list[str]:
    """What in ``fleet`` names an unknown origin, more people than wait there, or times off the horizon."""
    people = origin_people
    problems: list[str] = []
    for i, ref in enumerate(fleet.pickups):
        if ref not in people:
            problems.append(f"fleet.pickups.{i}: {ref!r} is not an origin id; expected {sorted(people)}")
    arriving: dict[str, int] = {}
    for i, arrival in enumerate(fleet.arrivals):
        if arrival.origin not in people:
            problems.append(f"fleet.arrivals.{i}.origin: {arrival.origin!r} is not an origin id")
            continue
        if not start <= arrival.at < end:
            problems.append(f"fleet.arrivals.{i}.at: {arrival.at.isoformat()} is outside the horizon")
        arriving[arrival.origin] = arriving.get(arrival.origin, 0) + arrival.people
    for origin_id, count in arriving.items():
        if count > people[origin_id]:
            problems.append(
                f"fleet.arrivals: {count} people arrive at {origin_id!r}, "
                f"more than its {people[origin_id]} people"
            )
    for i, train in enumerate(fleet.trains):
        if not start <= train.departs < end:
            problems.append(f"fleet.trains.{i}.departs: {train.departs.isoformat()} is outside the horizon")
    for i, group in enumerate(fleet.vehicles):
        if group.available_from is not None and group.available_from >= end:
            problems.append(f"fleet.vehicles.{i}.available_from: after the horizon ends")
    return problems
