"""Re-verify a vehicle schedule against its scenario and the real road network, independently.

The checker shares no code with the fleet solver: it rebuilds every fact it needs from the
scenario (networks from the OSM extract, places snapped by itself, closures, curfews and corridor
windows from ``safepassage.hazards.link_closures`` for each vehicle's class, the corridor a group
must use from the one rule of ``safepassage.hazards.corridor_rule``) and trusts nothing the
schedule says about roads or times. Its rules (``docs/schedule-format.md``, "How check-schedule
verifies a schedule"), each a :class:`Violation` kind:

- ``scenario``: made for this scenario file (SHA-256) and its ``start``;
- ``places``: vehicles, depots, pickup points, destinations, stations exist; each leg starts at its
  ``from_place``'s snapped node and ends at its ``to_place``'s; a vehicle starts at its depot;
- ``vehicle``: seats and places for needs no more than its type has; no more vehicles of a type at
  a depot than the scenario has there;
- ``timeline``: one vehicle is never in two places at once: each trip starts where and after the
  previous one ended, legs, stops and unloading follow one another in time;
- ``seats``: on every trip, people without a need fit the seats, people with a need their places;
- ``road``: consecutive path nodes are joined by a link of the leg's network (one-way streets
  included), and each hop takes at least the link's free-flow travel time;
- ``closed``: no link is entered while closed (exclusion zones, blockages, credible hazards,
  restricted areas, curfew, corridor links outside their windows), for the vehicle's class carrying
  people; ``corridor``: loaded legs from a pickup point whose evacuees must use a corridor use it;
- ``reception``: a destination receives at most its capacity; a station sends on by train no more
  people than buses brought there, and only after the transfer time;
- ``people``: every person waiting at a pickup point is picked up once or listed unserved with a
  reason, never before they are there; ``horizon``: every arrival within the horizon;
- ``summary``: the summary and the solver's bound and gap agree with the trips.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from safepassage.errors import ScheduleRejectedError
from safepassage.fleet.schedule import Leg, Schedule, Trip, VehicleSchedule, schedule_gap
from safepassage.hazards import LinkClosures, binding_corridor, corridor_links, link_closures
from safepassage.network import RoadNetwork, load_scenario_networks, snap_points
from safepassage.scenario.model import Scenario
from safepassage.scenario.vocabulary import TravelMode, VehicleClass

__all__ = ["MESSAGES_PER_KIND", "TIME_TOLERANCE_S", "Violation", "check_schedule", "validate_schedule"]

#: Slack (s) when comparing times that went through JSON and float sums.
TIME_TOLERANCE_S = 1e-3

#: At most this many sentences per kind; the rest is counted in one closing sentence.
MESSAGES_PER_KIND = 20

#: The network each leg mode runs on (rail legs need a network under the mode ``rail``, when the
#: scenario's travel modes have one; otherwise only their times and places are checked).
_LEG_NETWORK = {"road": "drive", "walk": "walk", "rail": "rail"}


@dataclass(frozen=True)
class Violation:
    """One broken rule: its ``kind`` (see the module docstring) and a sentence a coordinator can act on."""

    kind: str
    message: str

    def __str__(self) -> str:
        return self.message


def validate_schedule(
    scenario: Scenario, networks: Mapping[TravelMode, RoadNetwork] | None, schedule: Schedule
) -> None:
    """Raise :class:`ScheduleRejectedError` listing every violation if the schedule breaks a rule."""
    violations = check_schedule(scenario, networks, schedule)
    if violations:
        raise ScheduleRejectedError([str(v) for v in violations])


def check_schedule(
    scenario: Scenario, networks: Mapping[TravelMode, RoadNetwork] | None, schedule: Schedule
) -> list[Violation]:
    """Every rule ``schedule`` breaks (empty: valid). ``networks`` gives networks per travel mode
    directly (tests, generated instances); the modes not given are loaded from the extract."""
    out = _Out()
    world = _World.of(scenario, networks, schedule)
    _check_header(scenario, schedule, out)
    _check_vehicles(world, schedule, out)
    for vehicle in schedule.vehicles:
        _check_timeline(vehicle, out)
        for trip in vehicle.trips:
            _check_seats(vehicle, trip, out)
            for leg in _legs(trip):
                _check_leg(world, vehicle, trip, leg, out)
            _check_corridor(world, vehicle, trip, out)
    _check_people(world, schedule, out)
    _check_summary(world, schedule, out)
    return out.finish()


# --- collecting sentences ---------------------------------------------------------------------


@dataclass
class _Out:
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


def _num(value: float) -> str:
    return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.0f}"


def _where(vehicle: VehicleSchedule, trip: Trip | None = None) -> str:
    return f"vehicle {vehicle.vehicle!r}" + (f" trip {trip.number}" if trip else "")


def _legs(trip: Trip) -> Iterator[Leg]:
    yield from trip.legs
    if trip.return_leg is not None:
        yield trip.return_leg


# --- what the scenario says, rebuilt here -----------------------------------------------------


@dataclass
class _World:
    """Facts rebuilt from the scenario: places, networks (lazily), closures per (mode, class)."""

    scenario: Scenario
    schedule: Schedule
    given: dict[TravelMode, RoadNetwork]
    places: dict[str, tuple[float, float]]
    kinds: dict[str, str]  # place id -> depot / pickup / destination / station
    fleet: Any
    _networks: dict[str, RoadNetwork | None] = field(default_factory=dict)
    _snapped: dict[tuple[str, str], int] = field(default_factory=dict)
    _closures: dict[tuple[str, str], _ClosuresByLink] = field(default_factory=dict)
    _corridors: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(
        cls, scenario: Scenario, networks: Mapping[TravelMode, RoadNetwork] | None, schedule: Schedule
    ) -> _World:
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
        name = _LEG_NETWORK[leg_mode]
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

    def closures(self, network: RoadNetwork, vehicle_class: str) -> _ClosuresByLink:
        key = (network.mode.value, vehicle_class)
        if key not in self._closures:
            found = link_closures(network, self.scenario, vehicle=_vehicle_class(vehicle_class, network))
            self._closures[key] = _ClosuresByLink.of(found)
        return self._closures[key]

    def corridor_mask(self, network: RoadNetwork, corridor_id: str) -> Any:
        mode = network.mode.value
        if mode not in self._corridors:
            self._corridors[mode] = corridor_links(network, self.scenario)
        return self._corridors[mode].get(corridor_id)


@dataclass(frozen=True)
class _ClosuresByLink:
    """The closure intervals of each link, for a quick "is it closed at t" per hop."""

    by_link: dict[int, list[tuple[float, float, str]]]

    @classmethod
    def of(cls, closures: LinkClosures) -> _ClosuresByLink:
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


# --- rules without the network ------------------------------------------------------------------


def _check_header(scenario: Scenario, schedule: Schedule, out: _Out) -> None:
    if scenario.content_sha256 and schedule.scenario.sha256 != scenario.content_sha256:
        out.add(
            "scenario",
            f"the schedule was made for scenario content {schedule.scenario.sha256 or '(none)'!r} but this "
            f"scenario file's SHA-256 is {scenario.content_sha256!r}; the scenario changed, schedule again",
        )
    if schedule.start != scenario.start:
        out.add(
            "scenario",
            f"the schedule starts at {schedule.start.isoformat()} but the scenario at "
            f"{scenario.start.isoformat()}; expected the same start",
        )


def _check_vehicles(world: _World, schedule: Schedule, out: _Out) -> None:
    fleet = world.fleet
    if fleet is None:
        if schedule.vehicles:
            out.add("places", "the schedule has vehicles but the scenario has no fleet section")
        return
    available: dict[tuple[str, str], int] = defaultdict(int)
    for group in fleet.vehicles:
        available[(group.type, group.depot)] += group.count
    used: dict[tuple[str, str], int] = defaultdict(int)
    for vehicle in schedule.vehicles:
        used[(vehicle.type, vehicle.depot)] += 1
        if world.kinds.get(vehicle.depot) not in ("depot", "station"):
            out.add("places", f"{_where(vehicle)}: depot {vehicle.depot!r} is not a depot of the scenario")
        if vehicle.type == "train":
            _check_train(world, vehicle, out)
            continue
        try:
            vtype = fleet.vehicle_type(vehicle.type)
        except KeyError:
            if vehicle.type != "train":
                out.add(
                    "vehicle",
                    f"{_where(vehicle)}: type {vehicle.type!r} is not a vehicle type of the scenario",
                )
            continue
        places = {"reduced_mobility": int(vtype.reduced_mobility_places)}
        if vehicle.seats > vtype.seats or any(
            n > places.get(k, 0) for k, n in vehicle.needs_capacity.items()
        ):
            out.add(
                "vehicle",
                f"{_where(vehicle)}: claims {vehicle.seats} seats and places {vehicle.needs_capacity} but a "
                f"{vehicle.type!r} has {vtype.seats} seats and places {places}",
            )
    for (type_id, depot), count in used.items():
        if type_id != "train" and count > available[(type_id, depot)]:
            out.add(
                "vehicle",
                f"{count} vehicles of type {type_id!r} leave depot {depot!r}, but the scenario has "
                f"{available[(type_id, depot)]} there",
            )


def _check_train(world: _World, vehicle: VehicleSchedule, out: _Out) -> None:
    """Each trip of a train is a departure of the scenario's timetable, with its seats at most."""
    departures = {
        (t.station, round(world.scenario.seconds_since_start(t.departs))): t for t in world.fleet.trains
    }
    for trip in vehicle.trips:
        rail = [leg for leg in trip.legs if leg.mode == "rail"]
        depart_s = rail[0].depart_s if rail else trip.leave_at_s
        train = departures.get((trip.leave_from, round(depart_s)))
        if train is None:
            out.add(
                "vehicle",
                f"{_where(vehicle, trip)}: no train of the scenario leaves station {trip.leave_from!r} at "
                f"{_num(depart_s)} s",
            )
        elif trip.people > train.seats or vehicle.seats > train.seats:
            out.add(
                "vehicle",
                f"{_where(vehicle, trip)}: train {train.id!r} has {train.seats} seats, not "
                f"{max(vehicle.seats, trip.people)}",
            )


def _check_timeline(vehicle: VehicleSchedule, out: _Out) -> None:
    """One place at a time: the trips, legs and stops of a vehicle follow one another."""
    place, free_s = vehicle.depot, -math.inf
    for trip in vehicle.trips:
        where = _where(vehicle, trip)
        if trip.leave_from != place:
            out.add("timeline", f"{where}: leaves from {trip.leave_from!r} but the vehicle is at {place!r}")
        if trip.leave_at_s < free_s - TIME_TOLERANCE_S:
            out.add(
                "timeline",
                f"{where}: leaves at {_num(trip.leave_at_s)} s while still busy until {_num(free_s)} s "
                "(a vehicle cannot be in two places at once)",
            )
        _check_trip_times(vehicle, trip, out)
        place, free_s = trip.end_place, trip.end_s


def _check_trip_times(vehicle: VehicleSchedule, trip: Trip, out: _Out) -> None:
    where = _where(vehicle, trip)
    at_s = trip.leave_at_s
    pending = list(trip.pickups)
    stops = [(trip.leave_from, None), *((leg.to_place, leg) for leg in trip.legs)]
    for place, leg in stops:
        if leg is not None:
            if leg.depart_s < at_s - TIME_TOLERANCE_S:
                out.add(
                    "timeline",
                    f"{where}: leaves {leg.from_place!r} at {_num(leg.depart_s)} s, before "
                    f"it is ready there at {_num(at_s)} s",
                )
            at_s = leg.arrive_s
        while pending and pending[0].point == place:
            boarding = pending.pop(0)
            if boarding.arrive_s < at_s - TIME_TOLERANCE_S:
                out.add(
                    "timeline",
                    f"{where}: loads at {place!r} from {_num(boarding.arrive_s)} s, before it "
                    f"gets there at {_num(at_s)} s",
                )
            at_s = max(at_s, boarding.depart_s)
    for boarding in pending:
        out.add("timeline", f"{where}: loads at {boarding.point!r} out of the order its legs reach it")
    if abs(trip.arrive_destination_s - trip.legs[-1].arrive_s) > TIME_TOLERANCE_S:
        out.add(
            "timeline",
            f"{where}: arrive_destination_s is {_num(trip.arrive_destination_s)} s but the last leg arrives "
            f"at {_num(trip.legs[-1].arrive_s)} s",
        )
    if trip.return_leg is not None and trip.return_leg.depart_s < trip.unloaded_at_s - TIME_TOLERANCE_S:
        out.add(
            "timeline",
            f"{where}: drives back at {_num(trip.return_leg.depart_s)} s, before unloading "
            f"ends at {_num(trip.unloaded_at_s)} s",
        )


def _check_seats(vehicle: VehicleSchedule, trip: Trip, out: _Out) -> None:
    needs: dict[str, int] = defaultdict(int)
    for boarding in trip.pickups:
        for need, count in boarding.needs.items():
            needs[need] += count
    plain = trip.people - sum(needs.values())
    if plain > vehicle.seats:
        out.add("seats", f"{_where(vehicle, trip)}: carries {plain} people on {vehicle.seats} seats")
    for need, count in needs.items():
        places = vehicle.needs_capacity.get(need, 0)
        if count > places:
            out.add(
                "seats",
                f"{_where(vehicle, trip)}: carries {count} people needing {need} but has {places} "
                "places for them",
            )


# --- rules on the network ---------------------------------------------------------------------


def _check_leg(world: _World, vehicle: VehicleSchedule, trip: Trip, leg: Leg, out: _Out) -> None:
    where = f"{_where(vehicle, trip)} leg {leg.from_place!r} -> {leg.to_place!r}"
    for place in (leg.from_place, leg.to_place):
        if place not in world.places and not (leg.mode == "rail" and place == leg.to_place and not leg.path):
            out.add("places", f"{where}: {place!r} is no place of the scenario")
    if leg.arrive_s > world.scenario.horizon_s + TIME_TOLERANCE_S and leg.path:
        out.add(
            "horizon",
            f"{where}: arrives at {_num(leg.arrive_s)} s, after the horizon ends "
            f"({_num(world.scenario.horizon_s)} s)",
        )
    if not leg.path:
        if leg.mode != "rail":
            out.add("road", f"{where}: has no path; only a train may leave the map")
        return
    network = world.network(leg.mode)
    if network is None:
        return
    for place, node, end in ((leg.from_place, leg.path[0], "starts"), (leg.to_place, leg.path[-1], "ends")):
        expected = world.node_of(place, network)
        if expected is not None and expected != node:
            out.add("places", f"{where}: {end} at node {node} but {place!r} is at node {expected}")
    travel_s = network.travel_time_s(world.scenario.capacity)
    closures = world.closures(network, vehicle.vehicle_class)
    for i, (u, v) in enumerate(itertools.pairwise(leg.path)):
        try:
            link = network.find_link(network.node_index(u), network.node_index(v))
        except KeyError:
            link = -1
        if link < 0:
            out.add("road", f"{where}: no {network.mode.value} road link from node {u} to node {v}")
            continue
        taken_s = leg.entry_times_s[i + 1] - leg.entry_times_s[i]
        if taken_s < float(travel_s[link]) - TIME_TOLERANCE_S:
            out.add(
                "road",
                f"{where}: drives {u}->{v} in {_num(taken_s)} s but the link takes "
                f"{_num(float(travel_s[link]))} s at free flow",
            )
        reason = closures.closure_at(link, leg.entry_times_s[i])
        if reason is not None:
            at = world.schedule.at(leg.entry_times_s[i]).isoformat(timespec="seconds")
            out.add(
                "closed",
                f"{where}: enters link {u}->{v} at {_num(leg.entry_times_s[i])} s ({at}) while "
                f"it is closed: {reason}",
            )


def _check_corridor(world: _World, vehicle: VehicleSchedule, trip: Trip, out: _Out) -> None:
    first = trip.pickups[0].point
    if world.kinds.get(first) != "pickup":
        return
    klass = next((c for c in VehicleClass if c.value == vehicle.vehicle_class), None)
    corridor = binding_corridor(world.scenario, first, klass) if klass else None
    if corridor is None:
        return
    loaded = itertools.dropwhile(lambda leg: leg.from_place != first, trip.legs)
    for leg in loaded:
        network = world.network(leg.mode) if leg.path else None
        if network is None:
            continue
        mask = world.corridor_mask(network, corridor.id)
        for u, v in itertools.pairwise(leg.path):
            try:
                link = network.find_link(network.node_index(u), network.node_index(v))
            except KeyError:
                continue
            if link >= 0 and mask is not None and bool(mask[link]):
                return
    out.add(
        "corridor",
        f"{_where(vehicle, trip)}: carries people from {first!r} without using corridor "
        f"{corridor.id!r}, which its evacuees must use",
    )


# --- people, reception, summary ---------------------------------------------------------------


def _check_people(world: _World, schedule: Schedule, out: _Out) -> None:
    boarded: dict[str, list[tuple[float, int]]] = defaultdict(list)
    received: dict[str, int] = defaultdict(int)
    dropped: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for vehicle in schedule.vehicles:
        for trip in vehicle.trips:
            for b in trip.pickups:
                boarded[b.point].append((b.depart_s, b.people))
                if world.kinds.get(b.point) not in ("pickup", "station"):
                    out.add(
                        "places", f"{_where(vehicle, trip)}: loads at {b.point!r}, no pickup point or station"
                    )
            kind = world.kinds.get(trip.destination)
            if kind == "destination":
                received[trip.destination] += trip.people
                if trip.arrive_destination_s > world.scenario.horizon_s + TIME_TOLERANCE_S:
                    out.add(
                        "horizon",
                        f"{_where(vehicle, trip)}: arrives at {_num(trip.arrive_destination_s)} s, "
                        f"after the horizon ends ({_num(world.scenario.horizon_s)} s)",
                    )
            elif kind == "station":
                dropped[trip.destination].append((trip.unloaded_at_s, trip.people))
            elif not (vehicle.type == "train" or any(leg.mode == "rail" for leg in trip.legs)):
                out.add("places", f"{_where(vehicle, trip)}: unloads at {trip.destination!r}, no destination")
    for dest in world.scenario.destinations:
        if received[dest.id] > dest.capacity:
            out.add(
                "reception",
                f"destination {dest.id!r} receives {received[dest.id]} people, more than its "
                f"reception capacity of {dest.capacity}",
            )
    _check_stations(world, boarded, dropped, out)
    _check_conservation(world, schedule, boarded, out)


def _check_stations(
    world: _World,
    boarded: dict[str, list[tuple[float, int]]],
    dropped: dict[str, list[tuple[float, int]]],
    out: _Out,
) -> None:
    transfer = {s.id: float(s.transfer_s) for s in (world.fleet.stations if world.fleet else [])}
    for station, transfer_s in transfer.items():
        for depart_s, _ in sorted(boarded.get(station, [])):
            ready = sum(
                n for t, n in dropped.get(station, []) if t + transfer_s <= depart_s + TIME_TOLERANCE_S
            )
            gone = sum(n for t, n in boarded[station] if t <= depart_s + TIME_TOLERANCE_S)
            if gone > ready:
                out.add(
                    "reception",
                    f"station {station!r}: {gone} people have left by train at {_num(depart_s)} s "
                    f"but only {ready} were brought there at least {_num(transfer_s)} s before",
                )
                break


def _check_conservation(
    world: _World, schedule: Schedule, boarded: dict[str, list[tuple[float, int]]], out: _Out
) -> None:
    unserved: dict[str, int] = defaultdict(int)
    for u in schedule.unserved:
        unserved[u.point] += u.people
        if world.kinds.get(u.point) != "pickup":
            out.add("places", f"unserved: {u.point!r} is not a pickup point of the scenario")
    by_cars: dict[str, int] = defaultdict(int)
    for slot in schedule.private_cars:
        by_cars[slot.origin] += slot.people
    listed = {p.point: p for p in schedule.pickups}
    for origin in world.scenario.origins:
        collected = sum(n for _, n in boarded.get(origin.id, []))
        if origin.id not in listed and not collected and not unserved[origin.id]:
            continue
        waiting = listed[origin.id].people if origin.id in listed else origin.people - by_cars[origin.id]
        if waiting + by_cars[origin.id] > origin.people:
            out.add(
                "people",
                f"pickup point {origin.id!r}: the schedule has {waiting} waiting and "
                f"{by_cars[origin.id]} leaving by car, more than the {origin.people} people there",
            )
        if collected + unserved[origin.id] != waiting:
            out.add(
                "people",
                f"pickup point {origin.id!r}: {waiting} people wait for vehicles but the schedule "
                f"picks up {collected} and lists {unserved[origin.id]} as unserved; expected every person "
                "picked up once or listed unserved with a reason",
            )
        _check_arrivals(world, origin.id, origin.people, boarded.get(origin.id, []), out)


def _check_arrivals(
    world: _World, origin: str, people: int, boarded: list[tuple[float, int]], out: _Out
) -> None:
    """People arriving later at a pickup point are not picked up before they are there."""
    if world.fleet is None:
        return
    later = [
        (world.scenario.seconds_since_start(a.at), a.people)
        for a in world.fleet.arrivals
        if a.origin == origin
    ]
    if not later:
        return
    for at_s, _ in sorted(boarded):
        present = people - sum(n for t, n in later if t > at_s + TIME_TOLERANCE_S)
        gone = sum(n for t, n in boarded if t <= at_s + TIME_TOLERANCE_S)
        if gone > present:
            out.add(
                "people",
                f"pickup point {origin!r}: {gone} people picked up by {_num(at_s)} s but only "
                f"{present} are there by then",
            )
            return


def _check_summary(world: _World, schedule: Schedule, out: _Out) -> None:
    summary = schedule.summary
    last = max(_deliveries_s(world, schedule), default=0.0)
    if abs(summary.last_arrival_s - last) > TIME_TOLERANCE_S:
        out.add(
            "summary",
            f"summary.last_arrival_s is {_num(summary.last_arrival_s)} s but the last people "
            f"arrive at {_num(last)} s",
        )
    if summary.last_arrival_s < schedule.solver.lower_bound_s - TIME_TOLERANCE_S:
        out.add(
            "summary",
            f"last arrival {_num(summary.last_arrival_s)} s is below the claimed lower bound "
            f"{_num(schedule.solver.lower_bound_s)} s; a schedule cannot beat a proven bound",
        )
    gap = schedule_gap(summary.last_arrival_s, schedule.solver.lower_bound_s)
    if (gap is None) != (schedule.solver.gap is None) or (
        gap is not None and schedule.solver.gap is not None and abs(gap - schedule.solver.gap) > 1e-6
    ):
        out.add("summary", f"solver.gap is {schedule.solver.gap} but last arrival / bound - 1 = {gap}")
    trips = sum(len(v.trips) for v in schedule.vehicles)
    used = sum(1 for v in schedule.vehicles if v.trips)
    if summary.trips != trips or summary.vehicles_used != used:
        out.add(
            "summary",
            f"summary counts {summary.trips} trips and {summary.vehicles_used} vehicles but the "
            f"schedule has {trips} trips by {used} vehicles",
        )


def _deliveries_s(world: _World, schedule: Schedule) -> Iterator[float]:
    """When people are delivered: a trip's arrival at a destination of the scenario, or the
    departure of a train (its rail leg leaving the station)."""
    for vehicle in schedule.vehicles:
        for trip in vehicle.trips:
            rail = [leg for leg in trip.legs if leg.mode == "rail"]
            if rail:
                yield rail[0].depart_s
            elif world.kinds.get(trip.destination) == "destination":
                yield trip.arrive_destination_s
