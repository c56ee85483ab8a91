"""Vehicle travel times between fleet places, with hazards applied at the time of travel.

Places are depots, pickup points (origins), destinations and stations, snapped to the road
network. For one vehicle class the closures come from ``safepassage.hazards.link_closures`` (curfews
unless exempt, corridor windows and classes, restricted areas, blockages, credible reports,
exclusion zones). Three views of the same data:

- :meth:`TravelTimes.matrix` -- seconds between every two places for a departure in a time
  *epoch* (the closures change only at epoch boundaries): Dijkstra on the links open at the epoch's
  start. The solvers plan with it.
- :meth:`TravelTimes.leg` -- the real leg for a departure at one instant: a path walked link by
  link, repaired until no link is entered while closed (as ``safepassage.routing`` does for one
  route), through the corridor that obliges the group (``hazards.corridor_rule``) when one does,
  and spaced behind the vehicles already on its links (:class:`RoadOccupancy`). The schedule is
  built from these legs only.
- :meth:`TravelTimes.lower_bound_matrix` -- free-flow seconds over every link not closed for the
  whole horizon: no leg of any schedule is quicker (the bound's input, ``fleet.bound``).
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import dijkstra

from safepassage.hazards import LinkClosures, binding_corridor, corridor_links, link_closures
from safepassage.network import RoadNetwork, snap_points
from safepassage.network.road_classes import ROAD_CLASSES
from safepassage.scenario.model import Scenario
from safepassage.scenario.vocabulary import Cargo, VehicleClass

__all__ = ["PASSENGER_CAR_EQUIVALENT", "Leg", "Place", "RoadOccupancy", "TravelTimes"]

FloatArray = npt.NDArray[np.float64]

#: How many cars one vehicle counts for in a lane's capacity (HCM: a bus is about 2 passenger cars).
PASSENGER_CAR_EQUIVALENT: dict[VehicleClass, float] = {
    VehicleClass.BUS: 2.0,
    VehicleClass.TRUCK: 2.0,
    VehicleClass.AID_CONVOY: 2.0,
    VehicleClass.CAR: 1.0,
    VehicleClass.AMBULANCE: 1.0,
}
_MAX_REPAIRS = 100


@dataclass(frozen=True)
class Place:
    """A place vehicles stop at: ``kind`` is depot, pickup, destination or station."""

    id: str
    kind: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Leg:
    """One drive between two places: internal node and link indices, the time each node is reached."""

    origin: str
    destination: str
    nodes: tuple[int, ...]
    links: tuple[int, ...]
    times_s: tuple[float, ...]
    corridor: str | None

    @property
    def depart_s(self) -> float:
        return self.times_s[0]

    @property
    def arrive_s(self) -> float:
        return self.times_s[-1]


@dataclass
class RoadOccupancy:
    """When vehicles enter each link: a vehicle enters a link no sooner than one headway after the
    one before it and no later than one headway before the next, so a column of vehicles moves at the
    pace the road lets through (``3600 / (vehicles per hour per lane x lanes)`` seconds per car,
    times :data:`PASSENGER_CAR_EQUIVALENT`)."""

    headway_s: FloatArray  # per link, for one passenger car
    entries: dict[int, list[tuple[float, float]]] = field(default_factory=dict)  # link -> (t, h)

    def earliest_entry(self, link: int, t_s: float, headway_s: float) -> float:
        """The earliest time at or after ``t_s`` at which a vehicle with ``headway_s`` may enter."""
        taken = self.entries.get(link)
        if not taken:
            return t_s
        pos = bisect.bisect_left(taken, (t_s, -math.inf))
        if pos > 0:
            before, h_before = taken[pos - 1]
            t_s = max(t_s, before + max(h_before, headway_s))
        while pos < len(taken) and taken[pos][0] < t_s + max(taken[pos][1], headway_s):
            t_s = max(t_s, taken[pos][0] + max(taken[pos][1], headway_s))
            pos += 1
        return t_s

    def book(self, links: Sequence[int], times_s: Sequence[float], pce: float) -> None:
        for link, t_s in zip(links, times_s, strict=False):
            bisect.insort(self.entries.setdefault(link, []), (t_s, float(self.headway_s[link]) * pce))


class TravelTimes:
    """Travel between ``places`` for vehicles of one class on ``network`` under ``scenario``'s hazards."""

    def __init__(
        self,
        network: RoadNetwork,
        scenario: Scenario,
        places: Sequence[Place],
        vehicle: VehicleClass,
        *,
        closures: LinkClosures | None = None,
    ) -> None:
        self.network = network
        self.scenario = scenario
        self.vehicle = vehicle
        self.places = list(places)
        self.index = {p.id: k for k, p in enumerate(self.places)}
        snaps = snap_points(network, [(p.id, p.lat, p.lon) for p in self.places])
        self.nodes = np.array([s.node for s in snaps], dtype=np.int64)
        self.closures = closures or link_closures(network, scenario, vehicle=vehicle, cargo=Cargo.PEOPLE)
        self.travel_s = network.travel_time_s(scenario.capacity)
        bounds = np.concatenate([self.closures.from_s, self.closures.to_s])
        inside = bounds[(bounds > 0) & (bounds < scenario.horizon_s)]
        self.epoch_starts = np.unique(np.concatenate([[0.0], inside]))
        self._matrices: dict[int, FloatArray] = {}
        self._corridor_masks: dict[str, npt.NDArray[np.bool_]] | None = None
        self._trees: dict[tuple[int, int], npt.NDArray[np.int32]] = {}
        self._tree_weights: dict[int, FloatArray] = {}
        self._by_link: dict[int, list[tuple[float, float]]] | None = None

    # --- planning views -------------------------------------------------------------------------

    def epoch(self, t_s: float) -> int:
        """Index of the epoch holding ``t_s`` (closures are constant inside one)."""
        return max(0, int(np.searchsorted(self.epoch_starts, t_s, side="right")) - 1)

    def next_epoch_start(self, t_s: float) -> float | None:
        """The start of the epoch after the one holding ``t_s`` (None: no later change)."""
        k = self.epoch(t_s) + 1
        return float(self.epoch_starts[k]) if k < len(self.epoch_starts) else None

    def matrix(self, t_s: float) -> FloatArray:
        """Seconds between places (rows: from, columns: to) leaving at ``t_s``'s epoch; inf: no route."""
        k = self.epoch(t_s)
        if k not in self._matrices:
            open_links = self.closures.open_at(float(self.epoch_starts[k]))
            self._matrices[k] = self._place_matrix(np.where(open_links, self.travel_s, np.inf))
        return self._matrices[k]

    def lower_bound_matrix(self) -> FloatArray:
        """Free-flow seconds over links not closed for the whole horizon: no real leg is quicker."""
        closed = self.closures.closed_throughout(0.0, self.scenario.horizon_s)
        return self._place_matrix(np.where(closed, np.inf, self.travel_s))

    def _place_matrix(self, weights: FloatArray) -> FloatArray:
        dist = dijkstra(self.network.matrix(weights), indices=self.nodes)
        return np.asarray(dist[:, self.nodes], dtype=np.float64)

    # --- real legs ------------------------------------------------------------------------------

    def leg(
        self,
        origin: str,
        destination: str,
        depart_s: float,
        *,
        occupancy: RoadOccupancy | None = None,
        corridor_origin: str | None = None,
    ) -> Leg | None:
        """The quickest open leg leaving ``origin`` at ``depart_s``; None when none is open then.

        ``corridor_origin``: the pickup (origin id) whose evacuees the vehicle carries, so that the
        corridor obliging them is followed. With ``occupancy`` each link is entered no sooner than
        the road lets the vehicle in behind the others (the leg is not booked; call ``book``).
        """
        source, target = int(self.nodes[self.index[origin]]), int(self.nodes[self.index[destination]])
        corridor = None
        if corridor_origin is not None:
            corridor = binding_corridor(self.scenario, corridor_origin, self.vehicle, Cargo.PEOPLE)
        stops = [source]
        allowed: list[npt.NDArray[np.bool_] | None] = [None]
        if corridor is not None:
            ends = snap_points(
                self.network,
                [
                    ("entry", corridor.route[0].lat, corridor.route[0].lon),
                    ("exit", corridor.route[-1].lat, corridor.route[-1].lon),
                ],
            )
            if self._corridor_masks is None:
                self._corridor_masks = corridor_links(self.network, self.scenario)
            stops += [ends[0].node, ends[1].node]
            allowed = [None, self._corridor_masks[corridor.id], None]
        stops.append(target)
        nodes, links, times = [source], [], [depart_s]
        for k, mask in enumerate(allowed):
            if stops[k] == stops[k + 1]:
                continue
            part = self._timed_path(stops[k], stops[k + 1], times[-1], mask, occupancy)
            if part is None:
                return None
            nodes += part[0][1:]
            links += part[1]
            times += part[2][1:]
        return Leg(
            origin, destination, tuple(nodes), tuple(links), tuple(times), corridor.id if corridor else None
        )

    def _timed_path(
        self,
        source: int,
        target: int,
        depart_s: float,
        allowed: npt.NDArray[np.bool_] | None,
        occupancy: RoadOccupancy | None,
    ) -> tuple[list[int], list[int], list[float]] | None:
        pce = PASSENGER_CAR_EQUIVALENT.get(self.vehicle, 1.0)
        if allowed is None:  # first try the epoch's shortest-path tree (one Dijkstra per place)
            quick = self._tree_path(source, target, depart_s)
            if quick is not None:
                timed = self._timed(quick[1], depart_s, occupancy, pce)
                if timed is not None:
                    return quick[0], quick[1], timed
        forbidden = ~self.closures.open_at(depart_s)
        if allowed is not None:
            forbidden |= ~allowed
        for _ in range(_MAX_REPAIRS):
            weights = np.where(forbidden, np.inf, self.travel_s)
            _, pred = dijkstra(self.network.matrix(weights), indices=source, return_predecessors=True)
            if pred[target] < 0:
                return None
            path = [target]
            while path[-1] != source:
                path.append(int(pred[path[-1]]))
            path.reverse()
            links = [self._fastest_link(weights, u, v) for u, v in itertools.pairwise(path)]
            times = [depart_s]
            for link in links:
                enter = times[-1]
                if occupancy is not None:
                    enter = occupancy.earliest_entry(link, enter, float(occupancy.headway_s[link]) * pce)
                    times[-1] = enter
                times.append(enter + float(self.travel_s[link]))
            blocked = next(
                (ln for ln, t in zip(links, times, strict=False) if self.closed(ln, t)),
                None,
            )
            if blocked is None:
                return path, links, times
            forbidden[blocked] = True
        return None

    def closed(self, link: int, t_s: float) -> bool:
        """Whether ``link`` may not be entered at ``t_s`` (closures indexed by link once)."""
        if self._by_link is None:
            by_link: dict[int, list[tuple[float, float]]] = {}
            for i, ln in enumerate(self.closures.link.tolist()):
                by_link.setdefault(ln, []).append(
                    (float(self.closures.from_s[i]), float(self.closures.to_s[i]))
                )
            self._by_link = by_link
        return any(b <= t_s < e for b, e in self._by_link.get(link, ()))

    def _tree_path(self, source: int, target: int, depart_s: float) -> tuple[list[int], list[int]] | None:
        """The path of the epoch's shortest-path tree from ``source`` (a place's node), if any."""
        k = self.epoch(depart_s)
        key = (k, source)
        if key not in self._trees:
            open_links = self.closures.open_at(float(self.epoch_starts[k]))
            weights = np.where(open_links, self.travel_s, np.inf)
            self._tree_weights[k] = weights
            _, pred = dijkstra(self.network.matrix(weights), indices=source, return_predecessors=True)
            self._trees[key] = pred
        pred = self._trees[key]
        if pred[target] < 0:
            return None
        path = [target]
        while path[-1] != source:
            path.append(int(pred[path[-1]]))
        path.reverse()
        weights = self._tree_weights[k]
        return path, [self._fastest_link(weights, u, v) for u, v in itertools.pairwise(path)]

    def _timed(
        self, links: list[int], depart_s: float, occupancy: RoadOccupancy | None, pce: float
    ) -> list[float] | None:
        """Entry times along ``links`` (behind the column when ``occupancy``); None if one is closed."""
        times = [depart_s]
        for link in links:
            enter = times[-1]
            if occupancy is not None:
                enter = occupancy.earliest_entry(link, enter, float(occupancy.headway_s[link]) * pce)
                times[-1] = enter
            if self.closed(link, enter):
                return None
            times.append(enter + float(self.travel_s[link]))
        return times

    def _fastest_link(self, weights: FloatArray, tail: int, head: int) -> int:
        lo, hi = int(self.network.indptr[tail]), int(self.network.indptr[tail + 1])
        candidates = lo + np.flatnonzero(self.network.link_head[lo:hi] == head)
        return int(candidates[np.argmin(weights[candidates])])


def link_headway_s(network: RoadNetwork, scenario: Scenario) -> FloatArray:
    """Seconds between two passenger cars entering each link at the road's capacity."""
    table = scenario.capacity.vehicles_per_hour_per_lane
    fallback = min(table.values()) if table else 300.0
    per_class = np.array([table.get(name, fallback) for name in ROAD_CLASSES])
    vph = per_class[network.link_road_class] * np.maximum(network.link_lanes, 1.0)
    return np.asarray(3600.0 / vph, dtype=np.float64)
