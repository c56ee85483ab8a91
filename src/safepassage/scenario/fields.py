"""The bounded field types of a scenario: every number and instant checked once, against one table.

Each type here is an ``Annotated`` pydantic type built from a :class:`~safepassage.bounds.Quantity`
(``safepassage.bounds`` holds the ranges and says why), so ``walking_speed_mps: 1e-300``,
``radius_m: .inf``, ``people: true`` or ``start: 9999-12-31T20:00:00+00:00`` are input errors naming
the field path, the value and the range — never a crash in the planner. Numbers are strict: a YAML
boolean or a quoted number is refused, not read as 1 or 750.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    Strict,
    ValidationError,
    WrapValidator,
)

from safepassage.bounds import (
    CORRIDOR_BUFFER_M,
    DESTINATION_CAPACITY,
    FATALITIES,
    HALF_LIFE_S,
    HORIZON_S,
    LANE_CAPACITY_VPH,
    LATITUDE,
    LONGITUDE,
    MAX_TEXT_ID_CHARS,
    NUMERIC_ID,
    PEDESTRIAN_FLOW,
    PEOPLE,
    PEOPLE_PER_VEHICLE,
    RADIUS_M,
    TIME_STEP_S,
    WALKING_SPEED_MPS,
    WALKWAY_WIDTH_M,
    show_value,
)
from safepassage.input_problems import (
    bounds_error,
    instant_in_range,
    instant_text,
    number_in,
    whole_number_in,
)
from safepassage.scenario.vocabulary import RoadClass

__all__ = [
    "IDENTIFIER_PATTERN",
    "LOCAL_CLOCK_PATTERN",
    "BufferM",
    "Fatalities",
    "HalfLifeS",
    "Horizon",
    "Identifier",
    "Instant",
    "LaneCapacityVph",
    "Latitude",
    "LocalClock",
    "Longitude",
    "OsmNodeId",
    "PedestrianFlow",
    "PeopleCount",
    "PeoplePerVehicle",
    "RadiusM",
    "ReceptionCapacity",
    "RoadClassName",
    "StrictBool",
    "TimeStepS",
    "WalkingSpeedMps",
    "WalkwayWidthM",
]

IDENTIFIER_PATTERN = r"^[A-Za-z0-9_.:-]+$"
LOCAL_CLOCK_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"

Identifier = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_ID_CHARS, pattern=IDENTIFIER_PATTERN)]
LocalClock = Annotated[str, Field(pattern=LOCAL_CLOCK_PATTERN)]
StrictBool = Annotated[bool, Strict()]

Latitude = Annotated[float, BeforeValidator(number_in(LATITUDE))]
Longitude = Annotated[float, BeforeValidator(number_in(LONGITUDE))]
PeopleCount = Annotated[int, BeforeValidator(whole_number_in(PEOPLE))]
ReceptionCapacity = Annotated[int, BeforeValidator(whole_number_in(DESTINATION_CAPACITY))]
Fatalities = Annotated[int, BeforeValidator(whole_number_in(FATALITIES))]
OsmNodeId = Annotated[int, BeforeValidator(whole_number_in(NUMERIC_ID))]
TimeStepS = Annotated[int, BeforeValidator(whole_number_in(TIME_STEP_S))]
RadiusM = Annotated[float, BeforeValidator(number_in(RADIUS_M))]
BufferM = Annotated[float, BeforeValidator(number_in(CORRIDOR_BUFFER_M))]
HalfLifeS = Annotated[float, BeforeValidator(number_in(HALF_LIFE_S))]
LaneCapacityVph = Annotated[float, BeforeValidator(number_in(LANE_CAPACITY_VPH))]
PeoplePerVehicle = Annotated[float, BeforeValidator(number_in(PEOPLE_PER_VEHICLE))]
WalkingSpeedMps = Annotated[float, BeforeValidator(number_in(WALKING_SPEED_MPS))]
PedestrianFlow = Annotated[float, BeforeValidator(number_in(PEDESTRIAN_FLOW))]
WalkwayWidthM = Annotated[float, BeforeValidator(number_in(WALKWAY_WIDTH_M))]


_ROAD_CLASSES = frozenset(road_class.value for road_class in RoadClass)


def _road_class(value: str) -> str:
    """A key of ``capacity.vehicles_per_hour_per_lane``: one of the OSM road classes."""
    if value not in _ROAD_CLASSES:
        known = ", ".join(RoadClass)
        raise bounds_error(f"unknown road class {show_value(value)}; expected one of: {known}")
    return value


#: An OSM road class named as a key (``primary``); a misspelt class is an error, not ignored.
RoadClassName = Annotated[str, AfterValidator(_road_class)]

#: An aware instant written as ISO 8601 text, between 1900 and 2100 (``bounds.check_instant``).
Instant = Annotated[AwareDatetime, BeforeValidator(instant_text), AfterValidator(instant_in_range)]

_HORIZON_EXPECTED = (
    f'a duration above 0 and at most {HORIZON_S.high:,.0f} s (14 days), e.g. PT13H, "13:00:00" or 46800'
)


def _horizon(value: object, parse: Callable[[object], dt.timedelta]) -> dt.timedelta:
    """A wrap-validator: pydantic reads the duration; the range is the documented horizon."""
    if isinstance(value, bool) or value is None:
        shown = "null" if value is None else str(value).lower()
        raise bounds_error(f"{shown} is not a duration; expected {_HORIZON_EXPECTED}")
    if isinstance(value, str) and len(value) > 64:
        raise bounds_error(f"{show_value(value)} is too long for a duration; expected {_HORIZON_EXPECTED}")
    try:
        duration = parse(value)
    except ValidationError:
        raise bounds_error(
            f"{show_value(value)} is not a duration of at most 14 days; expected {_HORIZON_EXPECTED}"
        ) from None
    seconds = duration.total_seconds()
    if not HORIZON_S.low < seconds <= HORIZON_S.high:
        raise bounds_error(
            f"{show_value(value)} ({seconds:,.0f} s) is out of range; expected {_HORIZON_EXPECTED}"
        )
    return duration


#: How long the plan runs: an ISO 8601 duration, ``HH:MM:SS`` or seconds, over 0 and at most 14 days.
Horizon = Annotated[dt.timedelta, WrapValidator(_horizon)]
