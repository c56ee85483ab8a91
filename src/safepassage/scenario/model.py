"""The scenario: who must be evacuated, from where, to where, under which agreement and dangers.

A scenario is read from YAML (see ``docs/scenario-format.md``) and validated by these pydantic
models. Every model forbids unknown fields, so a misspelt key is an error, not a silent default.
Coordinates are WGS84 degrees (``lat``, ``lon``); distances are metres (``_m``); durations are
seconds (``_s``) or ISO 8601 durations; instants are ISO 8601 with a zone. Every number and
instant has the bounded, strict type of :mod:`safepassage.scenario.fields` (ranges from
:mod:`safepassage.bounds`), so it is checked once, here, whoever builds the model (file or code).
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from pathlib import Path
from typing import Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from safepassage.scenario.fields import (
    BufferM,
    Fatalities,
    HalfLifeS,
    Horizon,
    Identifier,
    Instant,
    LaneCapacityVph,
    Latitude,
    LocalClock,
    Longitude,
    OsmNodeId,
    PedestrianFlow,
    PeopleCount,
    PeoplePerVehicle,
    RadiusM,
    ReceptionCapacity,
    RoadClassName,
    StrictBool,
    TimeStepS,
    WalkingSpeedMps,
    WalkwayWidthM,
)
from safepassage.scenario.fleet import Fleet
from safepassage.scenario.package_data import PACKAGE_PATH_PREFIX, split_package_path
from safepassage.scenario.vocabulary import (
    Cargo,
    CorridorPurpose,
    CorridorStatus,
    HazardKind,
    SourceType,
    TravelMode,
    VehicleClass,
    Verification,
)

__all__ = [
    "Area",
    "Blockage",
    "CapacityModel",
    "Corridor",
    "Curfew",
    "Destination",
    "ExclusionZone",
    "Hazard",
    "HazardSource",
    "NetworkSpec",
    "Origin",
    "RestrictedArea",
    "Scenario",
    "TimeWindow",
    "Waypoint",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False, allow_inf_nan=False)


class NetworkSpec(_Strict):
    """Which OSM extract to read and which travel modes to build."""

    path: str = Field(
        min_length=1,
        max_length=1024,
        description=(
            "OSM extract (.osm.pbf, .osm, .osm.bz2), relative to the scenario file, or "
            "'pkg:PACKAGE/PATH' for a file shipped inside an installed package"
        ),
    )
    modes: list[TravelMode] = Field(default_factory=lambda: [TravelMode.DRIVE], min_length=1)

    @field_validator("path")
    @classmethod
    def _package_path_form(cls, value: str) -> str:
        """A ``pkg:`` path names a top-level package (never a module to import); see package_data."""
        if value.startswith(PACKAGE_PATH_PREFIX):
            split_package_path(value)
        if "\x00" in value:
            raise ValueError("contains a NUL character; expected a file path")
        return value


class Waypoint(_Strict):
    lat: Latitude
    lon: Longitude
    name: str | None = None


class Area(_Strict):
    """A circle (``lat``, ``lon``, ``radius_m``) or a polygon (``polygon``: list of [lat, lon])."""

    lat: Latitude | None = None
    lon: Longitude | None = None
    radius_m: RadiusM | None = None
    polygon: list[tuple[Latitude, Longitude]] | None = Field(default=None, min_length=3)

    @model_validator(mode="after")
    def _one_shape(self) -> Self:
        circle = (self.lat, self.lon, self.radius_m)
        has_circle = any(v is not None for v in circle)
        if has_circle and self.polygon is not None:
            raise ValueError("give either a circle (lat, lon, radius_m) or a polygon, not both")
        if has_circle and any(v is None for v in circle):
            raise ValueError("a circle needs all of lat, lon and radius_m")
        if not has_circle and self.polygon is None:
            raise ValueError("expected a circle (lat, lon, radius_m) or a polygon of [lat, lon]")
        if self.polygon is not None and _degenerate(self.polygon):
            raise ValueError("polygon has no area; expected at least 3 corners not on one line")
        return self

    @property
    def is_circle(self) -> bool:
        return self.polygon is None


@functools.cache
def _zone_names() -> frozenset[str]:
    """Every IANA zone name known here (a lookup in a set: a name never becomes a file path)."""
    return frozenset(zoneinfo.available_timezones())


def _degenerate(corners: list[tuple[float, float]]) -> bool:
    """Whether a polygon's corners enclose no area (all on one point or one line)."""
    twice_area = 0.0
    for (y0, x0), (y1, x1) in zip(corners, corners[1:] + corners[:1], strict=True):
        twice_area += x0 * y1 - x1 * y0
    return abs(twice_area) < 1e-12


class TimeWindow(_Strict):
    """An interval [start, end) of absolute time, e.g. a ceasefire window."""

    start: Instant
    end: Instant

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise ValueError(f"end {self.end.isoformat()} is not after start {self.start.isoformat()}")
        return self


class Origin(_Strict):
    """A pickup point with people waiting to leave."""

    id: Identifier
    name: str
    lat: Latitude
    lon: Longitude
    people: PeopleCount
    needs: dict[Identifier, PeopleCount] = Field(
        default_factory=dict,
        description="people among `people` with special needs, e.g. reduced_mobility: 40",
    )
    mode: TravelMode = TravelMode.DRIVE


class Destination(_Strict):
    """A safe place that receives evacuees, up to its reception capacity."""

    id: Identifier
    name: str
    lat: Latitude
    lon: Longitude
    capacity: ReceptionCapacity


class Corridor(_Strict):
    """An agreed (or proposed) humanitarian corridor along waypoints, open in ceasefire windows."""

    id: Identifier
    name: str
    status: CorridorStatus
    route: list[Waypoint] = Field(min_length=2)
    buffer_m: BufferM = 300.0
    ceasefire_windows: list[TimeWindow] = Field(default_factory=list)
    purpose: CorridorPurpose = CorridorPurpose.EVACUATION
    allowed_vehicle_classes: list[VehicleClass] = Field(default_factory=lambda: list(VehicleClass))
    evacuees_must_use: StrictBool = False
    origins: list[Identifier] = Field(
        default_factory=list, description="origins this corridor serves; empty means all"
    )

    @property
    def is_in_force(self) -> bool:
        """Whether the agreement currently stands (agreed or open)."""
        return self.status in (CorridorStatus.AGREED, CorridorStatus.OPEN)


class Curfew(_Strict):
    """A daily curfew from ``from`` to ``to`` local time (may wrap midnight), optionally in an area."""

    id: Identifier
    start_local: LocalClock = Field(alias="from")
    end_local: LocalClock = Field(alias="to")
    area: Area | None = None
    exempt_vehicle_classes: list[VehicleClass] = Field(default_factory=list)


class RestrictedArea(_Strict):
    """An area where only some vehicles may move in the given direction (e.g. food inbound only)."""

    id: Identifier
    name: str
    area: Area
    applies_to: Literal["inbound", "outbound", "all"] = "inbound"
    allowed_vehicle_classes: list[VehicleClass] = Field(default_factory=list)
    allowed_cargo: list[Cargo] = Field(default_factory=list)

    def admits(self, vehicle: VehicleClass, cargo: Cargo) -> bool:
        """Whether a vehicle of this class with this cargo may move under the rule."""
        by_class = not self.allowed_vehicle_classes or vehicle in self.allowed_vehicle_classes
        by_cargo = not self.allowed_cargo or cargo in self.allowed_cargo
        return by_class and by_cargo


class Blockage(_Strict):
    """Roads closed for a time: an area, or explicit links as pairs of OSM node ids."""

    id: Identifier
    reason: str
    area: Area | None = None
    links: list[tuple[OsmNodeId, OsmNodeId]] = Field(default_factory=list)
    start: Instant | None = Field(default=None, alias="from")
    until: Instant | None = None

    @model_validator(mode="after")
    def _has_target(self) -> Self:
        if self.area is None and not self.links:
            raise ValueError("a blockage needs an area or links (pairs of OSM node ids)")
        if self.start and self.until and self.until <= self.start:
            raise ValueError("until is not after from")
        return self


class ExclusionZone(_Strict):
    """An area never entered (e.g. 30 km around a nuclear plant under fire)."""

    id: Identifier
    name: str
    area: Area
    reason: str = ""


class HazardSource(_Strict):
    name: str
    type: SourceType


class Hazard(_Strict):
    """An incident report: what, where, when, who says so and how far it is verified."""

    id: Identifier
    kind: HazardKind
    area: Area
    observed_at: Instant
    active_until: Instant | None = None
    decay_half_life_s: HalfLifeS | None = None
    source: HazardSource
    verification: Verification = Verification.UNVERIFIED
    fatalities: Fatalities | None = None
    description: str = ""

    @model_validator(mode="after")
    def _until_after_observed(self) -> Self:
        if self.active_until is not None and self.active_until <= self.observed_at:
            raise ValueError("active_until is not after observed_at")
        return self


def _default_lane_capacity() -> dict[str, float]:
    # Vehicles per hour per lane. Motorway/trunk from HCM 2010 basic-segment capacity
    # (~2,000-2,200 pc/h/ln); urban roads from the HCM signalised saturation flow of
    # 1,900 veh/h/ln times a green ratio of about 0.4-0.6, lower on minor streets.
    return {
        "motorway": 2000.0,
        "trunk": 1800.0,
        "primary": 1000.0,
        "secondary": 900.0,
        "tertiary": 800.0,
        "unclassified": 600.0,
        "residential": 500.0,
        "living_street": 300.0,
        "service": 300.0,
        "road": 500.0,
    }


class CapacityModel(_Strict):
    """How many people a link carries per time step (documented in docs/scenario-format.md)."""

    vehicles_per_hour_per_lane: dict[RoadClassName, LaneCapacityVph] = Field(
        default_factory=_default_lane_capacity,
        description="by OSM road class (a misspelt class is an error); merged over the defaults",
    )
    people_per_vehicle: PeoplePerVehicle = 2.5

    @field_validator("vehicles_per_hour_per_lane")
    @classmethod
    def _merge_with_defaults(cls, value: dict[str, float]) -> dict[str, float]:
        """A partial table overrides only the classes it names."""
        return {**_default_lane_capacity(), **value}

    walking_speed_mps: WalkingSpeedMps = 1.2
    pedestrian_flow_per_m_per_s: PedestrianFlow = 1.25
    walkway_width_m: WalkwayWidthM = 2.0


class Scenario(_Strict):
    """A whole evacuation scenario as read from one YAML file."""

    name: str
    description: str = ""
    network: NetworkSpec
    start: Instant
    horizon: Horizon
    time_step_s: TimeStepS = 60
    timezone: str | None = Field(
        default=None,
        max_length=100,
        description="IANA zone for curfew clocks; default: the offset of `start`",
    )
    origins: list[Origin] = Field(min_length=1)
    destinations: list[Destination] = Field(min_length=1)
    corridors: list[Corridor] = Field(default_factory=list)
    curfews: list[Curfew] = Field(default_factory=list)
    restricted_areas: list[RestrictedArea] = Field(default_factory=list)
    blockages: list[Blockage] = Field(default_factory=list)
    exclusion_zones: list[ExclusionZone] = Field(default_factory=list)
    hazards: list[Hazard] = Field(default_factory=list)
    capacity: CapacityModel = Field(default_factory=CapacityModel)
    fleet: Fleet | None = Field(
        default=None,
        description="vehicles, pickups and trains for the fleet solver; the flow planner ignores it",
    )

    _source_path: Path | None = PrivateAttr(default=None)
    _content_sha256: str = PrivateAttr(default="")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None and value not in _zone_names():
            raise ValueError(f"unknown time zone {value!r}; expected an IANA zone name such as Europe/Kyiv")
        return value

    @model_validator(mode="after")
    def _fleet_references(self) -> Self:
        """Fleet pickups, arrivals and trains name origins and destinations of this scenario."""
        if self.fleet is not None:
            from safepassage.scenario.fleet import fleet_reference_problems

            problems = fleet_reference_problems(
                self.fleet, {o.id: o.people for o in self.origins}, self.start, self.end
            )
            if problems:
                raise ValueError("; ".join(problems))
        return self

    # --- derived values -------------------------------------------------------------------

    @property
    def horizon_s(self) -> float:
        return self.horizon.total_seconds()

    @property
    def end(self) -> dt.datetime:
        return self.start + self.horizon

    @property
    def people_total(self) -> int:
        return sum(o.people for o in self.origins)

    @property
    def reception_capacity_total(self) -> int:
        return sum(d.capacity for d in self.destinations)

    @property
    def source_path(self) -> Path | None:
        """The file this scenario was read from (None when built in code)."""
        return self._source_path

    @property
    def content_sha256(self) -> str:
        """SHA-256 of the scenario file's bytes (empty when built in code)."""
        return self._content_sha256

    def seconds_since_start(self, instant: dt.datetime) -> float:
        return (instant - self.start).total_seconds()

    def at(self, seconds: float) -> dt.datetime:
        return self.start + dt.timedelta(seconds=seconds)

    def zone(self) -> dt.tzinfo:
        """Zone used for local clock times (curfews)."""
        if self.timezone:
            from zoneinfo import ZoneInfo

            return ZoneInfo(self.timezone)
        tz = self.start.tzinfo
        assert tz is not None  # AwareDatetime guarantees it
        return tz

    def origin(self, origin_id: str) -> Origin:
        from safepassage.errors import UnknownIdError

        for origin in self.origins:
            if origin.id == origin_id:
                return origin
        known = ", ".join(o.id for o in self.origins)
        raise UnknownIdError(f"no origin with id {origin_id!r}; the scenario has: {known}")

    def destination(self, destination_id: str) -> Destination:
        from safepassage.errors import UnknownIdError

        for dest in self.destinations:
            if dest.id == destination_id:
                return dest
        known = ", ".join(d.id for d in self.destinations)
        raise UnknownIdError(f"no destination with id {destination_id!r}; the scenario has: {known}")
