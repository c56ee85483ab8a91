"""Hand-made vehicle schedules on a drawn network, for the checker, sheet and CLI tests.

The map (50 m cells): a depot ``g`` on Depot Road, a pickup point ``p``, then Prospekt Myru
(primary) to ``x``, then a primary road tagged only ``ref=M14`` to the reception centre ``e``; a
one-way side street ``x -> s`` and an unnamed residential street ``s - e``. A bus of 50 seats waits at
``g``; 60 people wait at ``p``; ``e`` takes 100.

Each leg's entry times are the network's free-flow times rounded up to whole seconds, so a correct
schedule is correct by construction and each test breaks one rule.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from asciimap import AsciiNetwork
from safepassage.fleet.schedule import (
    Boarding,
    Leg,
    PickupCall,
    PickupCalls,
    ScenarioRef,
    Schedule,
    SolverInfo,
    Summary,
    Trip,
    Unserved,
    VehicleSchedule,
    schedule_gap,
)
from safepassage.fleet.street_names import path_street_names
from safepassage.network import RoadNetwork
from safepassage.scenario import Scenario

MAP = """
g . p . . . . x . . . . e
              |       /
              s . . .
"""
WAYS: list[tuple[str, dict[str, str]]] = [
    ("gp", {"highway": "residential", "name": "Depot Road"}),
    ("px", {"highway": "primary", "name": "Prospekt Myru"}),
    ("xe", {"highway": "primary", "ref": "M14"}),
    ("xs", {"highway": "residential", "name": "Side Street", "oneway": "yes"}),
    ("se", {"highway": "residential"}),
]
START = "2022-03-05T08:00:00+02:00"
BOARD_S_PER_PERSON = 6.0
UNLOAD_S = 120.0


def scenario_data(drawn: AsciiNetwork, **changes: Any) -> dict[str, Any]:
    """The scenario as a YAML-like dict: 60 people at p, room for 100 at e, one bus at g."""

    def place(char: str, **extra: Any) -> dict[str, Any]:
        return {"id": char, "name": char.upper(), "lat": drawn.lat(char), "lon": drawn.lon(char), **extra}

    data: dict[str, Any] = {
        "name": "line",
        "network": {"path": str(drawn.path)},
        "start": START,
        "horizon": "PT6H",
        "timezone": "Europe/Kyiv",
        "origins": [place("p", people=60)],
        "destinations": [place("e", capacity=100)],
        "fleet": {
            "depots": [place("g")],
            "vehicles": [{"id": "buses", "type": "bus", "count": 2, "depot": "g"}],
        },
    }
    data.update(changes)
    return data


def make_scenario(drawn: AsciiNetwork, **changes: Any) -> Scenario:
    return Scenario.model_validate(scenario_data(drawn, **changes))


def drive(
    network: RoadNetwork,
    drawn: AsciiNetwork,
    chars: str,
    depart_s: float,
    from_place: str,
    to_place: str,
    *,
    slower_s: float = 0.0,
) -> Leg:
    """A leg along the drawn nodes ``chars``, each hop its free-flow time rounded up (+ ``slower_s``)."""
    path = [drawn.osm_id(c) for c in chars]
    times = [depart_s]
    for u, v in itertools.pairwise(path):
        link = network.find_link(network.node_index(u), network.node_index(v))
        hop = math.ceil(float(network.link_travel_time_s[link])) if link >= 0 else 10.0
        times.append(times[-1] + hop + slower_s)
    return Leg(
        from_place=from_place,
        to_place=to_place,
        depart_s=times[0],
        arrive_s=times[-1],
        path=path,
        entry_times_s=times,
        streets=path_street_names(network, path),
    )


@dataclass(frozen=True)
class Round:
    """One round trip to build: from where, when, how many people, needs, which roads."""

    leave_from: str
    leave_at_s: float
    people: int
    to_pickup: str  # drawn nodes from leave_from to p ("" when already at p)
    to_destination: str = "pxe"
    needs: tuple[tuple[str, int], ...] = ()
    back_to_depot: bool = False


def build_trips(network: RoadNetwork, drawn: AsciiNetwork, rounds: Sequence[Round]) -> list[Trip]:
    """Trips of one vehicle, numbered in order."""
    trips: list[Trip] = []
    for number, r in enumerate(rounds, start=1):
        legs: list[Leg] = []
        at_s = r.leave_at_s
        if r.to_pickup:
            legs.append(drive(network, drawn, r.to_pickup, at_s, r.leave_from, "p"))
            at_s = legs[-1].arrive_s
        board_end = at_s + BOARD_S_PER_PERSON * r.people
        boarding = Boarding(
            point="p", people=r.people, needs=dict(r.needs), arrive_s=at_s, depart_s=board_end
        )
        legs.append(drive(network, drawn, r.to_destination, board_end, "p", "e"))
        arrive = legs[-1].arrive_s
        back = drive(network, drawn, "expg", arrive + UNLOAD_S, "e", "g") if r.back_to_depot else None
        trips.append(
            Trip(
                number=number,
                leave_from=r.leave_from,
                leave_at_s=r.leave_at_s,
                legs=legs,
                pickups=[boarding],
                destination="e",
                people=r.people,
                arrive_destination_s=arrive,
                unloaded_at_s=arrive + UNLOAD_S,
                return_leg=back,
            )
        )
    return trips


def bus(
    vehicle: str, trips: list[Trip], *, seats: int = 50, needs: dict[str, int] | None = None
) -> VehicleSchedule:
    return VehicleSchedule(
        vehicle=vehicle,
        type="bus",
        vehicle_class="bus",
        seats=seats,
        needs_capacity=needs or {},
        depot="g",
        trips=trips,
    )


def assemble(
    scenario: Scenario,
    vehicles: list[VehicleSchedule],
    *,
    unserved: Sequence[Unserved] = (),
    lower_bound_s: float | None = None,
) -> Schedule:
    """A schedule whose pickups, summary and solver figures agree with its trips."""
    calls: dict[str, list[PickupCall]] = {}
    for v in vehicles:
        for t in v.trips:
            for b in t.pickups:
                calls.setdefault(b.point, []).append(
                    PickupCall(
                        vehicle=v.vehicle, trip=t.number, at_s=b.arrive_s, people=b.people, needs=b.needs
                    )
                )
    left = {u.point: 0 for u in unserved}
    for u in unserved:
        left[u.point] += u.people
    pickups = [
        PickupCalls(
            point=o.id,
            people=o.people,
            collected=sum(c.people for c in calls.get(o.id, [])),
            unserved=left.get(o.id, 0),
            calls=calls.get(o.id, []),
        )
        for o in scenario.origins
    ]
    last = max((_delivered_s(t) for v in vehicles for t in v.trips), default=0.0)
    bound = last if lower_bound_s is None else lower_bound_s
    moved = sum(p.collected for p in pickups)
    return Schedule(
        scenario=ScenarioRef(name=scenario.name, sha256=scenario.content_sha256),
        generated_at=dt.datetime(2022, 3, 5, 7, 0, tzinfo=dt.UTC),
        start=scenario.start,
        timezone=scenario.timezone or "+02:00",
        vehicles=vehicles,
        pickups=pickups,
        unserved=list(unserved),
        summary=Summary(
            people_total=sum(o.people for o in scenario.origins),
            people_moved=moved,
            people_unserved=sum(u.people for u in unserved),
            last_arrival_s=last,
            total_waiting_person_s=sum(c.at_s * c.people for cs in calls.values() for c in cs),
            vehicles_used=sum(1 for v in vehicles if v.trips),
            trips=sum(len(v.trips) for v in vehicles),
        ),
        solver=SolverInfo(method="hand", lower_bound_s=bound, gap=schedule_gap(last, bound)),
    )


def _delivered_s(trip: Trip) -> float:
    """A train delivers its people when it leaves; a bus when it reaches the destination."""
    rail = [leg for leg in trip.legs if leg.mode == "rail"]
    if rail:
        return rail[0].depart_s
    return trip.arrive_destination_s if trip.destination == "e" else 0.0


def good_schedule(drawn: AsciiNetwork, network: RoadNetwork, scenario: Scenario) -> Schedule:
    """One bus: 50 people on trip 1, back empty for the last 10 on trip 2, then home to the depot."""
    first = build_trips(network, drawn, [Round("g", 0.0, 50, "gp")])[0]
    second_start = first.unloaded_at_s
    trips = build_trips(
        network,
        drawn,
        [Round("g", 0.0, 50, "gp"), Round("e", second_start, 10, "exp", back_to_depot=True)],
    )
    return assemble(scenario, [bus("bus-1", trips)])
