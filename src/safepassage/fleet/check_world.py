"""What the schedule checker rebuilds from the scenario, and how it collects violations.

Shared by ``fleet/check.py`` (vehicles, time line, seats, roads, closures, corridors) and
``fleet/check_people.py`` (people, reception, stations, summary); nothing here comes from the solver.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from safepassage.fleet.schedule import Leg, Schedule, Trip, VehicleSchedule
from safepassage.hazards import LinkClosures, corridor_links, link_closures
from safepassage.network import RoadNetwork, load_scenario_networks, snap_points
from safepassage.scenario.model import Scenario
from safepassage.scenario.vocabulary import TravelMode, VehicleClass

__all__ = [
    "LEG_NETWORK",
    "MESSAGES_PER_KIND",
    "TIME_TOLERANCE_S",
    "ClosuresByLink",
    "Violation",
    "ViolationLog",
    "World",
    "num_text",
    "trip_legs",
    "where_text",
]

#: Slack (s) when comparing times that went through JSON and float sums.
TIME_TOLERANCE_S = 1e-3

#: At most this many sentences per kind; the rest is counted in one closing sentence.
MESSAGES_PER_KIND = 20

#: The network each leg mode runs on (rail legs need a network under the mode ``rail``, when the
#: scenario's travel modes have one; otherwise only their times and places are checked).
LEG_NETWORK = {"road": "drive", "walk": "walk", "rail": "rail"}


@dataclass(frozen=True)
class Violation:
    """One broken rule: its ``kind`` (see the module docstring) and a sentence a coordinator can act on."""

    kind: str
    message: str

    def __str__(self) -> str:
        return self.message


# --- collecting sentences ---------------------------------------------------------------------


@dataclass
class ViolationLog:
    kept: dict[str, list[Violation]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, message: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        kept = self.kept.setdefault(kind, [])
        if len(kept) < MESSAGES_PER_KIND:
            kept.append(Violation(kind, message))

    def finish(self) -> list[Violation]:
        result: list[Violation] = []
        for kind, kept in self.kept.items():
            result.extend(kept)
            more = self.counts[kind] - len(kept)
            if more:
                result.append(Violation(kind, f"... and {more} more {kind} violation(s) of the same kind"))
        return result


def num_text(value: float) -> str:
    return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.0f}"


def where_text(vehicle: VehicleSchedule, trip: Trip | None = None) -> str:
    return f"vehicle {vehicle.vehicle!r}" + (f" trip {trip.number}" if trip else "")


def trip_legs(trip: Trip) -> Iterator[Leg]:
    yield from trip.legs
    if trip.return_leg is not None:
        yield trip.return_leg


# --- what the scenario says, rebuilt here -----------------------------------------------------


@dataclass
class World:
    """Facts rebuilt from the scenario: places, networks (lazily), closures per (mode, class)."""

    scenario: Scenario
    schedule: Schedule
    given: dict[TravelMode, RoadNetwork]
    places: dict[str, tuple[float, float]]
    kinds: dict[str, str]  # place id -> depot / pickup / destination / station
    fleet: Any
    _networks: dict[str, RoadNetwork | None] = field(default_factory=dict)
    _snapped: dict[tuple[str, str], int] = field(default_factory=dict)
    _closures: dict[tuple[str, str], ClosuresByLink] = field(default_factory=dict)
    _corridors: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(
        cls, scenario: Scenario, networks: Mapping[TravelMode, RoadNetwork] | None, schedule: Schedule
    ) -> World:
        places: dict[str, tuple[float, float]] = {}
        kinds: dict[str, str] = {}
        fleet = getattr(scenario, "fleet", None)
        groups: list[tuple[str, list[Any]]] = [
            ("destination", list(scenario.destinations)),
            ("pickup", list(scenario.origins)),
        ]
        if fleet is not None:
            groups += [("station", list(fleet.stations)), ("depot", list(fleet.depots))]
        for kind, items in groups:
            for item in items:
                places[item.id] = (float(item.lat), float(item.lon))
                kinds[item.id] = kind
        return cls(scenario, schedule, dict(networks or {}), places, kinds, fleet)

    def network(self, leg_mode: str) -> RoadNetwork | None:
        name = LEG_NETWORK[leg_mode]
        if name not in self._networks:
            mode = next((m for m in TravelMode if m.value == name), None)
            found = None
            if mode is not None:
                found = self.given.get(mode) or load_scenario_networks(self.scenario, [mode])[mode]
            self._networks[name] = found
        return self._networks[name]

    def node_of(self, place: str, network: RoadNetwork) -> int | None:
        key = (place, network.mode.value)
        if key not in self._snapped:
            if place not in self.places:
                return None
            lat, lon = self.places[place]
            self._snapped[key] = snap_points(network, [(place, lat, lon)])[0].osm_id
        return self._snapped[key]

    def closures(self, network: RoadNetwork, vehicle_class: str) -> ClosuresByLink:
        key = (network.mode.value, vehicle_class)
        if key not in self._closures:
            found = link_closures(network, self.scenario, vehicle=_vehicle_class(vehicle_class, network))
            self._closures[key] = ClosuresByLink.of(found)
        return self._closures[key]

    def corridor_mask(self, network: RoadNetwork, corridor_id: str) -> Any:
        mode = network.mode.value
        if mode not in self._corridors:
            self._corridors[mode] = corridor_links(network, self.scenario)
        return self._corridors[mode].get(corridor_id)


@dataclass(frozen=True)
class ClosuresByLink:
    """The closure intervals of each link, for a quick "is it closed at t" per hop."""

    by_link: dict[int, list[tuple[float, float, str]]]

    @classmethod
    def of(cls, closures: LinkClosures) -> ClosuresByLink:
        by_link: dict[int, list[tuple[float, float, str]]] = defaultdict(list)
        for i, link in enumerate(closures.link.tolist()):
            by_link[link].append((float(closures.from_s[i]), float(closures.to_s[i]), closures.reason[i]))
        return cls(dict(by_link))

    def closure_at(self, link: int, t_s: float) -> str | None:
        """Why ``link`` may not be entered at ``t_s`` (the first reason), or None when it is open."""
        return next((r for begin, end, r in self.by_link.get(link, ()) if begin <= t_s < end), None)


def _vehicle_class(name: str, network: RoadNetwork) -> VehicleClass:
    if network.mode is TravelMode.WALK:
        return VehicleClass.PEDESTRIAN
    return next((c for c in VehicleClass if c.value == name), VehicleClass.BUS)
