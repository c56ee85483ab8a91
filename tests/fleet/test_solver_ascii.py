"""The fleet solver on drawn networks: times checkable by hand, curfews waited out, the checker agrees.

Map (100 m cells, residential streets at 30 km/h: 12 s per cell)::

    d   p     x

Depot ``d``; 15 people wait at ``p`` (400 m from the depot: 48 s); the reception centre ``x`` is
600 m further (72 s). One bus type of 10 seats, 30 s per stop, 2 s per person boarding, 1 s
alighting. Taking 10 first ends at 394 s; the optimum takes 5 first (boarding is quicker): trip 1
depot 0 -> p 48, boards 5 until 48 + 30 + 10 = 88, reaches x at 160, unloads until 160 + 30 + 5 =
195; trip 2 x -> p at 267, boards 10 until 267 + 30 + 20 = 317, reaches x at 389.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from asciimap import AsciiNetwork
from safepassage.fleet.check import check_schedule
from safepassage.fleet.solve import solve_fleet
from safepassage.network import RoadNetwork, load_network
from safepassage.scenario import TravelMode
from scenario_builder import make_scenario, point

MAP = """
d   p     x
"""
WAYS = [
    ("dp", {"highway": "residential", "name": "Depot Road"}),
    ("px", {"highway": "residential", "name": "Prospekt Myru"}),
]


@pytest.fixture
def drawn(ascii_network: Callable[..., AsciiNetwork]) -> AsciiNetwork:
    return ascii_network(MAP, WAYS, grid_m=100.0)


@pytest.fixture
def network(drawn: AsciiNetwork) -> RoadNetwork:
    return load_network(drawn.path, TravelMode.DRIVE, use_cache=False)


def fleet(**extra: Any) -> dict[str, Any]:
    return {
        "vehicle_types": [
            {
                "id": "small-bus",
                "class": "bus",
                "seats": 10,
                "board_s_per_person": 2,
                "alight_s_per_person": 1,
                "stop_s": 30,
            }
        ],
        "depots": [{"id": "d", "name": "Depot", "lat": 0.0, "lon": 0.0}],
        "vehicles": [{"id": "bus", "type": "small-bus", "count": 1, "depot": "d"}],
        **extra,
    }


def scenario(drawn: AsciiNetwork, **extra: Any) -> Any:
    f = fleet()
    f["depots"][0].update(lat=drawn.lat("d"), lon=drawn.lon("d"))
    return make_scenario(
        drawn.path,
        origins=[point(drawn.lat_lon["p"], "p", people=15)],
        destinations=[point(drawn.lat_lon["x"], "x", capacity=100)],
        fleet=f,
        **extra,
    )


def test_two_round_trips_timed_by_hand(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    sc = scenario(drawn)
    schedule = solve_fleet(sc, network=network, networks={TravelMode.DRIVE: network})
    (bus,) = schedule.vehicles
    assert [t.people for t in bus.trips] == [5, 10]
    one, two = bus.trips
    assert one.pickups[0].arrive_s == pytest.approx(48, rel=1e-3)
    assert one.pickups[0].depart_s == pytest.approx(88, rel=1e-3)
    assert one.arrive_destination_s == pytest.approx(160, rel=1e-3)
    assert one.unloaded_at_s == pytest.approx(195, rel=1e-3)
    assert two.pickups[0].arrive_s == pytest.approx(267, rel=1e-3)
    assert schedule.summary.last_arrival_s == pytest.approx(389, rel=1e-3)
    assert one.legs[0].streets == ["Depot Road"]
    assert one.legs[1].streets == ["Prospekt Myru"]
    assert schedule.solver.method == "exact"
    assert schedule.solver.details["status"] == "OPTIMAL"
    assert schedule.solver.lower_bound_s <= schedule.summary.last_arrival_s
    assert schedule.solver.gap is not None
    assert schedule.solver.gap < 0.01  # times rounded down in the model
    assert check_schedule(sc, {TravelMode.DRIVE: network}, schedule) == []


def test_a_curfew_is_waited_out_at_the_pickup(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    # curfew 08:04-08:10 local: no road may be entered from 240 s to 600 s. The second loaded drive
    # would leave p at 317 or 322 s; it waits there until 600 s and arrives at 672 s.
    sc = scenario(drawn, curfews=[{"id": "c", "from": "08:04", "to": "08:10"}], timezone="Europe/Helsinki")
    schedule = solve_fleet(sc, network=network, networks={TravelMode.DRIVE: network})
    (bus,) = schedule.vehicles
    last = bus.trips[-1]
    assert last.legs[-1].depart_s == pytest.approx(600, abs=1e-6)
    assert schedule.summary.last_arrival_s == pytest.approx(672, rel=1e-3)
    assert check_schedule(sc, {TravelMode.DRIVE: network}, schedule) == []


def test_people_with_reduced_mobility_and_no_place_are_unserved_with_a_reason(
    drawn: AsciiNetwork, network: RoadNetwork
) -> None:
    sc = scenario(drawn)
    data = sc.model_dump(by_alias=True, mode="json")
    data["origins"][0]["needs"] = {"reduced_mobility": 3}
    sc2 = type(sc).model_validate(data)
    schedule = solve_fleet(sc2, network=network, networks={TravelMode.DRIVE: network})
    (unserved,) = schedule.unserved
    assert unserved.people == 3
    assert "reduced mobility" in unserved.reason
    assert schedule.summary.people_moved == 12
    assert check_schedule(sc2, {TravelMode.DRIVE: network}, schedule) == []


def test_bus_then_train_one_plan_across_modes(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    # The reception centre x is full (capacity 5); a station at x sends a train at 08:20 with 40
    # seats, 60 s of transfer. The 10 others ride the bus to the station and leave by train.
    sc = scenario(drawn)
    data = sc.model_dump(by_alias=True, mode="json")
    data["destinations"][0]["capacity"] = 5
    data["fleet"]["stations"] = [
        {"id": "st", "name": "Station", "lat": drawn.lat("x"), "lon": drawn.lon("x"), "transfer_s": 60}
    ]
    data["fleet"]["trains"] = [
        {
            "id": "t1",
            "station": "st",
            "departs": "2022-03-05T08:20:00+02:00",
            "arrives": "2022-03-05T10:00:00+02:00",
            "to": "Lviv",
            "cars": 2,
            "seats_per_car": 20,
        }
    ]
    sc2 = type(sc).model_validate(data)
    schedule = solve_fleet(sc2, network=network, networks={TravelMode.DRIVE: network})
    trains = [v for v in schedule.vehicles if v.type == "train"]
    assert len(trains) == 1
    (ride,) = trains[0].trips
    assert ride.people == 10
    assert ride.legs[0].mode == "rail"
    assert ride.legs[0].depart_s == 1200.0
    to_station = sum(
        t.people for v in schedule.vehicles if v.type != "train" for t in v.trips if t.destination == "st"
    )
    assert to_station == 10
    assert schedule.summary.last_arrival_s == 1200.0  # the train's departure: everyone has left
    assert check_schedule(sc2, {TravelMode.DRIVE: network}, schedule) == []
