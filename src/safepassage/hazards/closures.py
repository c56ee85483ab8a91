"""Which links are closed when, for one kind of movement, over the scenario's horizon.

This is the "customise" stage: the graph never changes; closures are intervals per link. Sources:

- exclusion zones: closed for the whole horizon;
- blockages: closed from/until (both directions of the named links, or links in the area);
- hazard reports credible enough to close roads (``safepassage.hazards.credibility``): for their
  closing interval (``safepassage.hazards.intensity``);
- curfews: every night from/to local time, in their area (or everywhere), unless exempt;
- restricted areas: links crossing into (inbound), out of (outbound) or touching (all) the area, for
  vehicles the rule does not admit;
- corridors: links inside a corridor's buffer may be used only during a ceasefire window of a
  corridor in force (agreed or open) whose purpose and vehicle classes fit the movement.

A closure forbids *entering* a link during ``[from_s, to_s)``; a group already on it finishes it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from safepassage.hazards.corridor_rule import corridor_serves
from safepassage.hazards.credibility import closes_roads, credibility
from safepassage.hazards.geometry import area_shape, link_index, route_shape
from safepassage.hazards.intensity import closing_interval_s
from safepassage.network.model import RoadNetwork
from safepassage.scenario.model import Corridor, Curfew, Scenario
from safepassage.scenario.vocabulary import Cargo, VehicleClass

__all__ = ["LinkClosures", "corridor_links", "curfew_intervals_s", "link_closures"]

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class LinkClosures:
    """Closure intervals: link ``link[i]`` may not be entered during ``[from_s[i], to_s[i])``.

    ``reason[i]`` says what closes it; ``release[i]`` says what happens when it reopens at ``to_s[i]``
    (e.g. "corridor C1's ceasefire window starts"), for "when does a route open" messages.
    """

    link_count: int
    link: npt.NDArray[np.int64]
    from_s: npt.NDArray[np.float64]
    to_s: npt.NDArray[np.float64]
    reason: tuple[str, ...]
    release: tuple[str, ...] = ()

    def release_of(self, i: int) -> str:
        """What reopens closure ``i`` (its reason when no release phrase was recorded)."""
        return self.release[i] if self.release else self.reason[i]

    def open_at(self, t_s: float) -> BoolArray:
        """Mask over links: may a group enter the link at ``t_s``?"""
        mask = np.ones(self.link_count, dtype=bool)
        active = (self.from_s <= t_s) & (t_s < self.to_s)
        mask[self.link[active]] = False
        return mask

    def closed_throughout(self, from_s: float, to_s: float) -> BoolArray:
        """Mask of links closed at every instant of ``[from_s, to_s)`` by a single closure."""
        mask = np.zeros(self.link_count, dtype=bool)
        whole = (self.from_s <= from_s) & (self.to_s >= to_s)
        mask[self.link[whole]] = True
        return mask

    def closure_at(self, link: int, t_s: float) -> str | None:
        """Why ``link`` is closed at ``t_s`` (the first reason), or None if it is open."""
        hits = np.flatnonzero((self.link == link) & (self.from_s <= t_s) & (t_s < self.to_s))
        return self.reason[int(hits[0])] if hits.size else None

    def count_by_reason(self) -> dict[str, int]:
        """How many links each reason closes (at some time)."""
        counts: dict[str, int] = {}
        for r in self.reason:
            counts[r] = counts.get(r, 0) + 1
        return counts


class _Collector:
    def __init__(self, link_count: int) -> None:
        self.link_count = link_count
        self.links: list[npt.NDArray[np.int64]] = []
        self.froms: list[float] = []
        self.tos: list[float] = []
        self.counts: list[int] = []
        self.reasons: list[str] = []
        self.releases: list[str] = []

    def add(self, mask: BoolArray, from_s: float, to_s: float, reason: str, release: str) -> None:
        links = np.flatnonzero(mask)
        if links.size == 0 or to_s <= from_s:
            return
        self.links.append(links.astype(np.int64))
        self.froms.append(from_s)
        self.tos.append(to_s)
        self.counts.append(int(links.size))
        self.reasons.append(reason)
        self.releases.append(release)

    def build(self) -> LinkClosures:
        if not self.links:
            empty_f = np.zeros(0, dtype=np.float64)
            return LinkClosures(self.link_count, np.zeros(0, dtype=np.int64), empty_f, empty_f, (), ())
        counts = np.asarray(self.counts)
        reasons: list[str] = []
        releases: list[str] = []
        for reason, release, count in zip(self.reasons, self.releases, self.counts, strict=True):
            reasons.extend([reason] * count)
            releases.extend([release] * count)
        return LinkClosures(
            self.link_count,
            np.concatenate(self.links),
            np.repeat(np.asarray(self.froms, dtype=np.float64), counts),
            np.repeat(np.asarray(self.tos, dtype=np.float64), counts),
            tuple(reasons),
            tuple(releases),
        )


def link_closures(
    network: RoadNetwork,
    scenario: Scenario,
    *,
    vehicle: VehicleClass = VehicleClass.CAR,
    cargo: Cargo = Cargo.PEOPLE,
) -> LinkClosures:
    """Every closure over the horizon for a ``vehicle`` carrying ``cargo`` (see module docstring)."""
    index = link_index(network)
    shape_of = index.projector
    out = _Collector(network.link_count)
    horizon_s = scenario.horizon_s

    for zone in scenario.exclusion_zones:
        mask = index.links_touching(area_shape(zone.area, shape_of))
        out.add(
            mask,
            -math.inf,
            math.inf,
            f"exclusion zone {zone.id} ({zone.name})",
            f"exclusion zone {zone.id} is lifted",
        )

    for blockage in scenario.blockages:
        mask = np.zeros(network.link_count, dtype=bool)
        if blockage.area is not None:
            mask |= index.links_touching(area_shape(blockage.area, shape_of))
        mask |= _named_links(network, blockage.links)
        begin = scenario.seconds_since_start(blockage.start) if blockage.start else -math.inf
        end = scenario.seconds_since_start(blockage.until) if blockage.until else math.inf
        out.add(
            mask, begin, end, f"blockage {blockage.id} ({blockage.reason})", f"blockage {blockage.id} ends"
        )

    for hazard in scenario.hazards:
        if not closes_roads(hazard.kind, hazard.source.type, hazard.verification):
            continue
        begin, end = closing_interval_s(hazard, scenario)
        mask = index.links_touching(area_shape(hazard.area, shape_of))
        cred = credibility(hazard.source.type, hazard.verification)
        out.add(
            mask,
            begin,
            end,
            f"hazard {hazard.id} ({hazard.kind.value}, {hazard.verification.value} "
            f"{hazard.source.type.value} report, credibility {cred:.1f})",
            f"hazard report {hazard.id} ({hazard.kind.value}) stops closing roads",
        )

    for curfew in scenario.curfews:
        if vehicle in curfew.exempt_vehicle_classes:
            continue
        if curfew.area is None:
            mask = np.ones(network.link_count, dtype=bool)
        else:
            mask = index.links_touching(area_shape(curfew.area, shape_of))
        for begin, end in curfew_intervals_s(curfew, scenario):
            out.add(
                mask,
                begin,
                end,
                f"curfew {curfew.id} ({curfew.start_local}-{curfew.end_local})",
                f"curfew {curfew.id} ends",
            )

    tail_of, head_of = network.link_tail, network.link_head
    for rule in scenario.restricted_areas:
        if rule.admits(vehicle, cargo):
            continue
        shape = area_shape(rule.area, shape_of)
        inside = index.nodes_inside(shape)
        if rule.applies_to == "inbound":
            mask = ~inside[tail_of] & inside[head_of]
        elif rule.applies_to == "outbound":
            mask = inside[tail_of] & ~inside[head_of]
        else:
            mask = index.links_touching(shape) | inside[tail_of] | inside[head_of]
        out.add(
            mask,
            -math.inf,
            math.inf,
            f"restricted area {rule.id} ({rule.applies_to})",
            f"restricted area {rule.id} is lifted",
        )

    masks = corridor_links(network, scenario)
    for corridor in scenario.corridors:
        if not corridor_serves(corridor, cargo):
            continue
        mask = masks[corridor.id]
        if not corridor.is_in_force or vehicle not in corridor.allowed_vehicle_classes:
            why = (
                f"corridor {corridor.id} is {corridor.status.value}"
                if not corridor.is_in_force
                else f"corridor {corridor.id} does not admit {vehicle.value}"
            )
            out.add(mask, -math.inf, math.inf, why, f"corridor {corridor.id} admits {vehicle.value}")
            continue
        for begin, end in _outside_windows_s(corridor, scenario, horizon_s):
            out.add(
                mask,
                begin,
                end,
                f"corridor {corridor.id} outside its ceasefire window",
                f"corridor {corridor.id}'s ceasefire window starts",
            )
    return out.build()


def corridor_links(network: RoadNetwork, scenario: Scenario) -> dict[str, BoolArray]:
    """For each corridor id, the mask of links inside its route's buffer."""
    index = link_index(network)
    return {
        c.id: index.links_touching(route_shape(c.route, c.buffer_m, index.projector))
        for c in scenario.corridors
    }


def curfew_intervals_s(curfew: Curfew, scenario: Scenario) -> list[tuple[float, float]]:
    """The curfew's nightly intervals, in seconds after start, that meet the horizon."""
    zone = scenario.zone()
    begin_clock = dt.time.fromisoformat(curfew.start_local)
    end_clock = dt.time.fromisoformat(curfew.end_local)
    first_day = scenario.start.astimezone(zone).date() - dt.timedelta(days=1)
    last_day = scenario.end.astimezone(zone).date()
    intervals: list[tuple[float, float]] = []
    day = first_day
    while day <= last_day:
        begin = dt.datetime.combine(day, begin_clock, tzinfo=zone)
        end_day = day if end_clock > begin_clock else day + dt.timedelta(days=1)
        end = dt.datetime.combine(end_day, end_clock, tzinfo=zone)
        b, e = scenario.seconds_since_start(begin), scenario.seconds_since_start(end)
        if e > 0 and b < scenario.horizon_s:
            intervals.append((b, e))
        day += dt.timedelta(days=1)
    return intervals


def _outside_windows_s(corridor: Corridor, scenario: Scenario, horizon_s: float) -> list[tuple[float, float]]:
    windows = sorted(
        (scenario.seconds_since_start(w.start), scenario.seconds_since_start(w.end))
        for w in corridor.ceasefire_windows
    )
    gaps: list[tuple[float, float]] = []
    cursor = -math.inf
    for begin, end in windows:
        if begin > cursor:
            gaps.append((cursor, begin))
        cursor = max(cursor, end)
    gaps.append((cursor, math.inf))
    return [(b, e) for b, e in gaps if e > b and b < horizon_s]


def _named_links(network: RoadNetwork, pairs: list[tuple[int, int]]) -> BoolArray:
    mask = np.zeros(network.link_count, dtype=bool)
    for u_osm, v_osm in pairs:
        try:
            u, v = network.node_index(u_osm), network.node_index(v_osm)
        except KeyError:
            continue
        for tail, head in ((u, v), (v, u)):
            lo, hi = int(network.indptr[tail]), int(network.indptr[tail + 1])
            mask[lo:hi] |= network.link_head[lo:hi] == head
    return mask
