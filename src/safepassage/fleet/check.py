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
  included), and each hop takes at least the link's free-flow travel time; ``streets``: a leg's
  street names are those of its links (name, else ref; blanks dropped, repeats collapsed);
- ``closed``: no link is entered while closed (exclusion zones, blockages, credible hazards,
  restricted areas, curfew, corridor links outside their windows), for the vehicle's class carrying
  people; ``corridor``: loaded legs from a pickup point whose evacuees must use a corridor use it;
- ``reception``: a destination receives at most its capacity, people by bus and by private car
  together; ``cars``: private-car slots count ceil(people / people per car) cars; a station
  sends on by train no more people than buses brought there, and only after the transfer time;
- ``people``: every person waiting at a pickup point is picked up once or listed unserved with a
  reason, never before they are there; ``horizon``: every arrival within the horizon;
- ``summary``: the summary and the solver's bound and gap agree with the trips.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from safepassage.errors import ScheduleRejectedError
from safepassage.fleet.check_people import check_people, check_summary
from safepassage.fleet.check_world import (
    MESSAGES_PER_KIND,
    TIME_TOLERANCE_S,
    Violation,
    ViolationLog,
    World,
    num_text,
    trip_legs,
    where_text,
)
from safepassage.fleet.schedule import Leg, Schedule, Trip, VehicleSchedule
from safepassage.hazards import binding_corridor
from safepassage.network import RoadNetwork
from safepassage.scenario.model import Scenario
from safepassage.scenario.vocabulary import TravelMode, VehicleClass

FloatArray = npt.NDArray[np.float64]

__all__ = ["MESSAGES_PER_KIND", "TIME_TOLERANCE_S", "Violation", "check_schedule", "validate_schedule"]


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
    out = ViolationLog()
    world = World.of(scenario, networks, schedule)
    _check_header(scenario, schedule, out)
    _check_vehicles(world, schedule, out)
    for vehicle in schedule.vehicles:
        _check_timeline(vehicle, out)
        for trip in vehicle.trips:
            _check_seats(vehicle, trip, out)
            for leg in trip_legs(trip):
                _check_leg(world, vehicle, trip, leg, out)
            _check_corridor(world, vehicle, trip, out)
    check_people(world, schedule, out)
    check_summary(world, schedule, out)
    return out.finish()


# --- rules without the network ------------------------------------------------------------------


def _check_header(scenario: Scenario, schedule: Schedule, out: ViolationLog) -> None:
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


def _check_vehicles(world: World, schedule: Schedule, out: ViolationLog) -> None:
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
            out.add(
                "places", f"{where_text(vehicle)}: depot {vehicle.depot!r} is not a depot of the scenario"
            )
        if vehicle.type == "train":
            _check_train(world, vehicle, out)
            continue
        try:
            vtype = fleet.vehicle_type(vehicle.type)
        except KeyError:
            if vehicle.type != "train":
                out.add(
                    "vehicle",
                    f"{where_text(vehicle)}: type {vehicle.type!r} is not a vehicle type of the scenario",
                )
            continue
        places = {"reduced_mobility": int(vtype.reduced_mobility_places)}
        if vehicle.seats > vtype.seats or any(
            n > places.get(k, 0) for k, n in vehicle.needs_capacity.items()
        ):
            out.add(
                "vehicle",
                f"{where_text(vehicle)}: claims {vehicle.seats} seats and places {vehicle.needs_capacity} "
                "but a "
                f"{vehicle.type!r} has {vtype.seats} seats and places {places}",
            )
    for (type_id, depot), count in used.items():
        if type_id != "train" and count > available[(type_id, depot)]:
            out.add(
                "vehicle",
                f"{count} vehicles of type {type_id!r} leave depot {depot!r}, but the scenario has "
                f"{available[(type_id, depot)]} there",
            )


def _check_train(world: World, vehicle: VehicleSchedule, out: ViolationLog) -> None:
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
                f"{where_text(vehicle, trip)}: no train of the scenario leaves station "
                f"{trip.leave_from!r} at {num_text(depart_s)} s",
            )
        elif trip.people > train.seats or vehicle.seats > train.seats:
            out.add(
                "vehicle",
                f"{where_text(vehicle, trip)}: train {train.id!r} has {train.seats} seats, not "
                f"{max(vehicle.seats, trip.people)}",
            )


def _check_timeline(vehicle: VehicleSchedule, out: ViolationLog) -> None:
    """One place at a time: the trips, legs and stops of a vehicle follow one another."""
    place, free_s = vehicle.depot, -math.inf
    for trip in vehicle.trips:
        where = where_text(vehicle, trip)
        if trip.leave_from != place:
            out.add("timeline", f"{where}: leaves from {trip.leave_from!r} but the vehicle is at {place!r}")
        if trip.leave_at_s < free_s - TIME_TOLERANCE_S:
            out.add(
                "timeline",
                f"{where}: leaves at {num_text(trip.leave_at_s)} s while still busy until "
                f"{num_text(free_s)} s (a vehicle cannot be in two places at once)",
            )
        _check_trip_times(vehicle, trip, out)
        place, free_s = trip.end_place, trip.end_s


def _check_trip_times(vehicle: VehicleSchedule, trip: Trip, out: ViolationLog) -> None:
    where = where_text(vehicle, trip)
    at_s = trip.leave_at_s
    pending = list(trip.pickups)
    stops = [(trip.leave_from, None), *((leg.to_place, leg) for leg in trip.legs)]
    for place, leg in stops:
        if leg is not None:
            if leg.depart_s < at_s - TIME_TOLERANCE_S:
                out.add(
                    "timeline",
                    f"{where}: leaves {leg.from_place!r} at {num_text(leg.depart_s)} s, before "
                    f"it is ready there at {num_text(at_s)} s",
                )
            at_s = leg.arrive_s
        while pending and pending[0].point == place:
            boarding = pending.pop(0)
            if boarding.arrive_s < at_s - TIME_TOLERANCE_S:
                out.add(
                    "timeline",
                    f"{where}: loads at {place!r} from {num_text(boarding.arrive_s)} s, before it "
                    f"gets there at {num_text(at_s)} s",
                )
            at_s = max(at_s, boarding.depart_s)
    for boarding in pending:
        out.add("timeline", f"{where}: loads at {boarding.point!r} out of the order its legs reach it")
    if abs(trip.arrive_destination_s - trip.legs[-1].arrive_s) > TIME_TOLERANCE_S:
        out.add(
            "timeline",
            f"{where}: arrive_destination_s is {num_text(trip.arrive_destination_s)} s but the last leg "
            f"arrives at {num_text(trip.legs[-1].arrive_s)} s",
        )
    if trip.return_leg is not None and trip.return_leg.depart_s < trip.unloaded_at_s - TIME_TOLERANCE_S:
        out.add(
            "timeline",
            f"{where}: drives back at {num_text(trip.return_leg.depart_s)} s, before unloading "
            f"ends at {num_text(trip.unloaded_at_s)} s",
        )


def _check_seats(vehicle: VehicleSchedule, trip: Trip, out: ViolationLog) -> None:
    needs: dict[str, int] = defaultdict(int)
    for boarding in trip.pickups:
        for need, count in boarding.needs.items():
            needs[need] += count
    plain = trip.people - sum(needs.values())
    if plain > vehicle.seats:
        out.add("seats", f"{where_text(vehicle, trip)}: carries {plain} people on {vehicle.seats} seats")
    for need, count in needs.items():
        places = vehicle.needs_capacity.get(need, 0)
        if count > places:
            out.add(
                "seats",
                f"{where_text(vehicle, trip)}: carries {count} people needing {need} but has {places} "
                "places for them",
            )


# --- rules on the network ---------------------------------------------------------------------


def _check_leg(world: World, vehicle: VehicleSchedule, trip: Trip, leg: Leg, out: ViolationLog) -> None:
    where = f"{where_text(vehicle, trip)} leg {leg.from_place!r} -> {leg.to_place!r}"
    for place in (leg.from_place, leg.to_place):
        if place not in world.places and not (leg.mode == "rail" and place == leg.to_place and not leg.path):
            out.add("places", f"{where}: {place!r} is no place of the scenario")
    if leg.arrive_s > world.scenario.horizon_s + TIME_TOLERANCE_S and leg.path:
        out.add(
            "horizon",
            f"{where}: arrives at {num_text(leg.arrive_s)} s, after the horizon ends "
            f"({num_text(world.scenario.horizon_s)} s)",
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
    names: list[str] = []
    for i, (u, v) in enumerate(itertools.pairwise(leg.path)):
        links = _links_between(network, u, v, travel_s)
        if not links:
            out.add("road", f"{where}: no {network.mode.value} road link from node {u} to node {v}")
            continue
        enter_s = leg.entry_times_s[i]
        # parallel links: the fastest one open when entered (the fastest one when none is open)
        link = next((k for k in links if closures.closure_at(k, enter_s) is None), links[0])
        names.append(str(network.link_name[link]))
        taken_s = leg.entry_times_s[i + 1] - enter_s
        if taken_s < float(travel_s[link]) - TIME_TOLERANCE_S:
            out.add(
                "road",
                f"{where}: drives {u}->{v} in {num_text(taken_s)} s but the link takes "
                f"{num_text(float(travel_s[link]))} s at free flow",
            )
        reason = closures.closure_at(link, enter_s)
        if reason is not None:
            at = world.schedule.at(enter_s).isoformat(timespec="seconds")
            out.add(
                "closed",
                f"{where}: enters link {u}->{v} at {num_text(enter_s)} s ({at}) while it is closed: {reason}",
            )
    along = _collapsed(names)
    if len(names) == len(leg.path) - 1 and leg.streets != along:
        out.add("streets", f"{where}: streets {leg.streets} but the path runs along {along}")


def _links_between(network: RoadNetwork, u: int, v: int, travel_s: FloatArray) -> list[int]:
    """Every link from OSM node ``u`` to OSM node ``v``, fastest first (empty when none)."""
    try:
        tail, head = network.node_index(u), network.node_index(v)
    except KeyError:
        return []
    lo, hi = int(network.indptr[tail]), int(network.indptr[tail + 1])
    found = [lo + int(k) for k in np.flatnonzero(network.link_head[lo:hi] == head)]
    return sorted(found, key=lambda k: float(travel_s[k]))


def _collapsed(names: list[str]) -> list[str]:
    """Link names as a dispatcher reads them: blanks dropped, consecutive repeats once (the rule of
    docs/schedule-format.md, restated here so that the checker shares no code with the solver)."""
    kept = [name.strip() for name in names if name.strip()]
    return [name for i, name in enumerate(kept) if i == 0 or kept[i - 1] != name]


def _check_corridor(world: World, vehicle: VehicleSchedule, trip: Trip, out: ViolationLog) -> None:
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
        f"{where_text(vehicle, trip)}: carries people from {first!r} without using corridor "
        f"{corridor.id!r}, which its evacuees must use",
    )
