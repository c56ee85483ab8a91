"""The independent schedule checker on hand-made schedules: each violation kind caught, good ones pass."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from asciimap import AsciiNetwork
from safepassage.errors import ScheduleRejectedError
from safepassage.fleet.check import Violation, check_schedule, validate_schedule
from safepassage.fleet.schedule import (
    Boarding,
    Leg,
    PrivateCarSlot,
    Schedule,
    Trip,
    Unserved,
    VehicleSchedule,
)
from safepassage.network import RoadNetwork, load_network
from safepassage.scenario import Scenario, TravelMode

from .hand_schedules import (
    MAP,
    WAYS,
    Round,
    assemble,
    build_trips,
    bus,
    drive,
    good_schedule,
    make_scenario,
)


@pytest.fixture
def drawn(ascii_network: Callable[..., AsciiNetwork]) -> AsciiNetwork:
    return ascii_network(MAP, WAYS, grid_m=50.0)


@pytest.fixture
def network(drawn: AsciiNetwork) -> RoadNetwork:
    return load_network(drawn.path, TravelMode.DRIVE, use_cache=False)


def check(scenario: Scenario, network: RoadNetwork, schedule: Schedule) -> list[Violation]:
    return check_schedule(scenario, {TravelMode.DRIVE: network}, schedule)


def kinds(violations: list[Violation]) -> set[str]:
    return {v.kind for v in violations}


def test_correct_schedule_passes(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    schedule = good_schedule(drawn, network, scenario)
    assert check(scenario, network, schedule) == []
    validate_schedule(scenario, {TravelMode.DRIVE: network}, schedule)  # does not raise
    assert schedule.summary.people_moved == 60
    assert schedule.vehicles[0].trips[1].return_leg is not None


def test_the_network_loaded_from_the_extract_gives_the_same_answer(
    drawn: AsciiNetwork, network: RoadNetwork
) -> None:
    scenario = make_scenario(drawn)
    assert check_schedule(scenario, None, good_schedule(drawn, network, scenario)) == []


def test_a_vehicle_in_two_places_at_once(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    trips = build_trips(network, drawn, [Round("g", 0.0, 50, "gp"), Round("e", 60.0, 10, "exp")])
    found = check(scenario, network, assemble(scenario, [bus("bus-1", trips)]))
    assert kinds(found) == {"timeline"}
    assert "trip 2: leaves at 60 s while still busy until" in found[0].message


def test_a_trip_starting_where_the_vehicle_is_not(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    trips = build_trips(network, drawn, [Round("p", 0.0, 50, "")])
    found = check(scenario, network, assemble(scenario, [bus("bus-1", trips)], unserved=[_left(10)]))
    assert [v.message for v in found] == ["vehicle 'bus-1' trip 1: leaves from 'p' but the vehicle is at 'g'"]


def test_seats_exceeded(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    trips = build_trips(network, drawn, [Round("g", 0.0, 60, "gp")])
    found = check(scenario, network, assemble(scenario, [bus("bus-1", trips)]))
    assert [v.message for v in found] == ["vehicle 'bus-1' trip 1: carries 60 people on 50 seats"]


def test_reduced_mobility_needs_a_place_for_it(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    trips = build_trips(network, drawn, [Round("g", 0.0, 50, "gp", needs=(("reduced_mobility", 2),))])
    found = check(scenario, network, assemble(scenario, [bus("bus-1", trips)], unserved=[_left(10)]))
    assert [v.message for v in found] == [
        "vehicle 'bus-1' trip 1: carries 2 people needing reduced_mobility but has 0 places for them"
    ]


def test_a_vehicle_claiming_more_seats_than_its_type(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    trips = build_trips(network, drawn, [Round("g", 0.0, 60, "gp")])
    found = check(scenario, network, assemble(scenario, [bus("bus-1", trips, seats=60)]))
    assert kinds(found) == {"vehicle"}
    assert "claims 60 seats" in found[0].message
    assert "has 50 seats" in found[0].message


def test_more_vehicles_than_the_depot_has(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    one = build_trips(network, drawn, [Round("g", 0.0, 20, "gp")])
    vehicles = [bus(f"bus-{i}", one) for i in range(3)]
    found = check(scenario, network, assemble(scenario, vehicles))
    assert "3 vehicles of type 'bus' leave depot 'g', but the scenario has 2 there" in [
        v.message for v in found
    ]


def _replace_leg(trip: Trip, index: int, **changes: Any) -> Trip:
    legs = list(trip.legs)
    legs[index] = legs[index].model_copy(update=changes)
    return trip.model_copy(update={"legs": legs})


def test_a_hop_that_is_no_road(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    trip = build_trips(network, drawn, [Round("g", 0.0, 50, "gp")])[0]
    ids = [drawn.osm_id(c) for c in "pe"]
    leg = trip.legs[1]
    trip = _replace_leg(trip, 1, path=ids, entry_times_s=[leg.depart_s, leg.arrive_s])
    found = check(scenario, network, assemble(scenario, [bus("bus-1", [trip])], unserved=[_left(10)]))
    assert [v.message for v in found] == [
        f"vehicle 'bus-1' trip 1 leg 'p' -> 'e': no drive road link from node {ord('p')} to node {ord('e')}"
    ]


def test_a_one_way_street_taken_backwards(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    trip = build_trips(network, drawn, [Round("g", 0.0, 50, "gp", to_destination="pxe")])[0]
    back = drive(network, drawn, "esxpg", trip.unloaded_at_s, "e", "g")
    trip = trip.model_copy(update={"return_leg": back})
    found = check(scenario, network, assemble(scenario, [bus("bus-1", [trip])], unserved=[_left(10)]))
    assert [v.kind for v in found] == ["road"]
    assert f"no drive road link from node {ord('s')} to node {ord('x')}" in found[0].message


def test_faster_than_the_road_allows(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    trip = build_trips(network, drawn, [Round("g", 0.0, 50, "gp")])[0]
    leg = trip.legs[1]
    times = [leg.depart_s, leg.depart_s + 1.0, leg.arrive_s]
    trip = _replace_leg(trip, 1, entry_times_s=times)
    found = check(scenario, network, assemble(scenario, [bus("bus-1", [trip])], unserved=[_left(10)]))
    assert [v.kind for v in found] == ["road"]
    assert f"drives {ord('p')}->{ord('x')} in 1 s but the link takes" in found[0].message


def test_a_leg_that_does_not_start_at_its_place(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    trip = build_trips(network, drawn, [Round("g", 0.0, 50, "gp", to_destination="pxs")])[0]
    found = check(scenario, network, assemble(scenario, [bus("bus-1", [trip])], unserved=[_left(10)]))
    assert [v.message for v in found] == [
        f"vehicle 'bus-1' trip 1 leg 'p' -> 'e': ends at node {ord('s')} but 'e' is at node {ord('e')}"
    ]


def test_a_closed_road_entered(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    blockage = {
        "id": "crater",
        "links": [[ord("x"), ord("e")]],
        "reason": "shell crater",
        "from": "2022-03-05T08:00:00+02:00",
        "until": "2022-03-05T09:00:00+02:00",
    }
    scenario = make_scenario(drawn, blockages=[blockage])
    found = check(scenario, network, good_schedule(drawn, network, scenario))
    assert kinds(found) == {"closed"}
    assert f"enters link {ord('x')}->{ord('e')}" in found[0].message
    assert "while it is closed: blockage crater (shell crater)" in found[0].message


def test_curfew(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    curfew = {"id": "night", "from": "07:00", "to": "09:00"}
    scenario = make_scenario(drawn, curfews=[curfew])
    found = check(scenario, network, good_schedule(drawn, network, scenario))
    assert kinds(found) == {"closed"}
    assert all("curfew night" in v.message for v in found if not v.message.startswith("..."))


def test_corridor_outside_its_window_and_a_corridor_not_used(
    drawn: AsciiNetwork, network: RoadNetwork
) -> None:
    corridor = {
        "id": "m14",
        "name": "M14 corridor",
        "status": "agreed",
        "purpose": "evacuation",
        "route": [_between(drawn, "x", "e", 0.3), _between(drawn, "x", "e", 0.7)],  # the middle of x-e
        "buffer_m": 10,
        "ceasefire_windows": [{"start": "2022-03-05T10:00:00+02:00", "end": "2022-03-05T12:00:00+02:00"}],
        "allowed_vehicle_classes": ["bus"],
        "evacuees_must_use": True,
    }
    scenario = make_scenario(drawn, corridors=[corridor])
    found = check(scenario, network, good_schedule(drawn, network, scenario))
    assert "closed" in kinds(found)
    assert any("corridor m14" in v.message for v in found)
    # through the one-way side street the bus avoids the corridor it must use
    trips = build_trips(network, drawn, [Round("g", 7200.0, 50, "gp", to_destination="pxse")])
    found = check(scenario, network, assemble(scenario, [bus("bus-1", trips)], unserved=[_left(10)]))
    assert "corridor" in kinds(found)


def _between(drawn: AsciiNetwork, a: str, b: str, share: float) -> dict[str, float]:
    (lat_a, lon_a), (lat_b, lon_b) = drawn.lat_lon[a], drawn.lat_lon[b]
    return {"lat": lat_a + share * (lat_b - lat_a), "lon": lon_a + share * (lon_b - lon_a)}


def test_reception_capacity(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    data_destinations = [
        {"id": "e", "name": "E", "lat": drawn.lat("e"), "lon": drawn.lon("e"), "capacity": 55}
    ]
    scenario = make_scenario(drawn, destinations=data_destinations)
    found = check(scenario, network, good_schedule(drawn, network, scenario))
    assert [v.message for v in found] == [
        "destination 'e' receives 60 people, more than its reception capacity of 55"
    ]


def _left(people: int) -> Unserved:
    return Unserved(point="p", people=people, reason="the only bus is busy until the horizon ends")


def test_every_person_picked_up_once_or_unserved(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    trips = build_trips(network, drawn, [Round("g", 0.0, 50, "gp")])
    missing = check(scenario, network, assemble(scenario, [bus("bus-1", trips)]))
    assert [v.kind for v in missing] == ["people"]
    assert (
        "60 people wait for vehicles but the schedule picks up 50 and lists 0 as unserved"
        in missing[0].message
    )
    assert check(scenario, network, assemble(scenario, [bus("bus-1", trips)], unserved=[_left(10)])) == []
    twice = check(scenario, network, assemble(scenario, [bus("bus-1", trips)], unserved=[_left(20)]))
    assert [v.kind for v in twice] == ["people"]


def test_picked_up_before_they_arrive(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    fleet = {
        "depots": [{"id": "g", "name": "G", "lat": drawn.lat("g"), "lon": drawn.lon("g")}],
        "vehicles": [{"id": "buses", "type": "bus", "count": 2, "depot": "g"}],
        "arrivals": [{"origin": "p", "at": "2022-03-05T10:00:00+02:00", "people": 30}],
    }
    scenario = make_scenario(drawn, fleet=fleet)
    found = check(scenario, network, good_schedule(drawn, network, scenario))
    assert [v.kind for v in found] == ["people"]
    assert "50 people picked up by" in found[0].message
    assert "only 30 are there by then" in found[0].message


def test_summary_and_bound(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    good = good_schedule(drawn, network, scenario)
    last = good.summary.last_arrival_s
    beaten = good.model_copy(
        update={
            "solver": good.solver.model_copy(update={"lower_bound_s": last + 60, "gap": -60 / (last + 60)})
        }
    )
    assert [v.kind for v in check(scenario, network, beaten)] == ["summary"]
    wrong = good.model_copy(update={"summary": good.summary.model_copy(update={"last_arrival_s": last - 1})})
    assert "summary" in kinds(check(scenario, network, wrong))


def test_another_scenario_version_and_unknown_places(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    good = good_schedule(drawn, network, scenario)
    other = make_scenario(drawn, start="2022-03-05T09:00:00+02:00")
    assert "scenario" in kinds(check(other, network, good))
    moved = good.model_copy(update={"vehicles": [good.vehicles[0].model_copy(update={"depot": "nowhere"})]})
    found = check(scenario, network, moved)
    assert "places" in kinds(found)


def test_validate_raises_with_every_violation(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    trips = build_trips(network, drawn, [Round("g", 0.0, 60, "gp")])
    schedule = assemble(scenario, [bus("bus-1", trips)])
    with pytest.raises(ScheduleRejectedError) as info:
        validate_schedule(scenario, {TravelMode.DRIVE: network}, schedule)
    assert info.value.exit_code == 5
    assert str(info.value).splitlines() == [
        "schedule rejected: 1 violation(s)",
        "- vehicle 'bus-1' trip 1: carries 60 people on 50 seats",
    ]


def _train_world(drawn: AsciiNetwork, network: RoadNetwork, transfer_s: float) -> tuple[Scenario, Schedule]:
    """50 people by bus from p to the station at s, then on the 09:00 train to Tampere; 10 unserved."""
    fleet = {
        "depots": [{"id": "g", "name": "G", "lat": drawn.lat("g"), "lon": drawn.lon("g")}],
        "vehicles": [{"id": "buses", "type": "bus", "count": 2, "depot": "g"}],
        "stations": [
            {
                "id": "st",
                "name": "Station",
                "lat": drawn.lat("s"),
                "lon": drawn.lon("s"),
                "transfer_s": transfer_s,
            }
        ],
        "trains": [
            {
                "id": "t1",
                "station": "st",
                "departs": "2022-03-05T09:00:00+02:00",
                "arrives": "2022-03-05T11:00:00+02:00",
                "to": "Tampere",
                "cars": 1,
                "seats_per_car": 80,
            }
        ],
    }
    scenario = make_scenario(drawn, fleet=fleet)
    to_station = build_trips(network, drawn, [Round("g", 0.0, 50, "gp", to_destination="pxs")])[0]
    legs = list(to_station.legs)
    legs[-1] = legs[-1].model_copy(update={"to_place": "st"})
    to_station = to_station.model_copy(update={"legs": legs, "destination": "st"})
    rail = Leg(from_place="st", to_place="Tampere", mode="rail", depart_s=3600.0, arrive_s=10800.0)
    boarding = Boarding(point="st", people=50, arrive_s=3000.0, depart_s=3600.0)
    train_trip = Trip(
        number=1,
        leave_from="st",
        leave_at_s=3000.0,
        legs=[rail],
        pickups=[boarding],
        destination="Tampere",
        people=50,
        arrive_destination_s=10800.0,
        unloaded_at_s=11400.0,
    )
    train = VehicleSchedule(
        vehicle="train-t1", type="train", vehicle_class="train", seats=80, depot="st", trips=[train_trip]
    )
    return scenario, assemble(scenario, [bus("bus-1", [to_station]), train], unserved=[_left(10)])


def test_bus_to_the_station_then_the_train(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario, schedule = _train_world(drawn, network, transfer_s=600.0)
    assert check(scenario, network, schedule) == []
    assert schedule.summary.last_arrival_s == 3600.0  # delivered when the train leaves


def test_the_train_leaves_before_the_transfer_is_done(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario, schedule = _train_world(drawn, network, transfer_s=7200.0)
    found = check(scenario, network, schedule)
    assert [v.message for v in found] == [
        "station 'st': 50 people have left by train at 3600 s but only 0 were brought there "
        "at least 7200 s before"
    ]


def test_a_train_not_in_the_timetable(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario, schedule = _train_world(drawn, network, transfer_s=600.0)
    train = schedule.vehicles[1]
    trip = train.trips[0]
    moved = trip.model_copy(
        update={
            "legs": [trip.legs[0].model_copy(update={"depart_s": 3660.0})],
            "pickups": [trip.pickups[0].model_copy(update={"depart_s": 3660.0})],
        }
    )
    edited = schedule.model_copy(
        update={"vehicles": [schedule.vehicles[0], train.model_copy(update={"trips": [moved]})]}
    )
    found = check(scenario, network, edited)
    assert "vehicle 'train-t1' trip 1: no train of the scenario leaves station 'st' at 3660 s" in [
        v.message for v in found
    ]


def test_street_names_must_be_those_of_the_path(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    good = good_schedule(drawn, network, scenario)
    trip = _replace_leg(good.vehicles[0].trips[0], 1, streets=["Khreshchatyk"])
    vehicle = good.vehicles[0].model_copy(update={"trips": [trip, good.vehicles[0].trips[1]]})
    found = check(scenario, network, good.model_copy(update={"vehicles": [vehicle]}))
    assert [v.message for v in found] == [
        "vehicle 'bus-1' trip 1 leg 'p' -> 'e': streets ['Khreshchatyk'] but the path runs along "
        "['Prospekt Myru', 'M14']"
    ]


def test_private_cars_count_in_cars_and_in_reception(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    fleet = {
        "depots": [{"id": "g", "name": "G", "lat": drawn.lat("g"), "lon": drawn.lon("g")}],
        "vehicles": [{"id": "buses", "type": "bus", "count": 2, "depot": "g"}],
        "private_cars": {"share_leaving_alone": 0.5, "people_per_car": 2.5},
    }
    origins = [{"id": "p", "name": "P", "lat": drawn.lat("p"), "lon": drawn.lon("p"), "people": 70}]
    scenario = make_scenario(drawn, fleet=fleet, origins=origins)
    good = good_schedule(drawn, network, scenario)
    good = good.model_copy(
        update={
            "pickups": [good.pickups[0].model_copy(update={"people": 60})],
            "summary": good.summary.model_copy(update={"people_total": 60}),
        }
    )
    slot = PrivateCarSlot(
        origin="p", destination="e", slot_start_s=0.0, slot_end_s=600.0, vehicles=4, people=10, streets=[]
    )
    assert check(scenario, network, good.model_copy(update={"private_cars": [slot]})) == []
    wrong = slot.model_copy(update={"vehicles": 3})
    found = check(scenario, network, good.model_copy(update={"private_cars": [wrong]}))
    assert [v.message for v in found] == [
        "private_cars[0] ('p' -> 'e'): 10 people at 2.5 a car are 4 cars, not 3"
    ]
    small = [{"id": "e", "name": "E", "lat": drawn.lat("e"), "lon": drawn.lon("e"), "capacity": 65}]
    tight = make_scenario(drawn, fleet=fleet, origins=origins, destinations=small)
    found = check(tight, network, good.model_copy(update={"private_cars": [slot]}))
    assert [v.message for v in found] == [
        "destination 'e' receives 70 people (10 of them by private car), more than its reception "
        "capacity of 65"
    ]
