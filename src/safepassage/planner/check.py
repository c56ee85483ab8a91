"""Re-verify a plan against its scenario and the real road network, independently of the planner.

The checker shares nothing with the solver: it rebuilds every fact it needs from the scenario (the
network from the OSM extract, capacities from the scenario's capacity model, closures, curfews and
ceasefire windows from ``safepassage.hazards``, snapped origins and destinations) and trusts nothing
the plan says about links, capacities or closures. Its rules, in the plan's time model (see
``docs/plan-format.md``, "How check-plan verifies a plan"):

- **header**: ``format`` (the reader checks it), the scenario's content hash, ``start``,
  ``people_total``, ``evacuated``, ``departure == start + entry_times_s[0]``;
- **places**: every origin / destination id exists, a movement's mode is its origin's mode, its path
  starts at the origin's snapped node and ends at the destination's snapped node;
- **roads**: every consecutive pair of path nodes is a real link of that mode's network, taken in an
  allowed direction (one-way streets); where parallel links join the pair, the fastest one, or the
  fastest one open at entry when the fastest is closed; the plan's ``edges`` list each such link
  with the network's travel time and at most its capacity;
- **time**: a group cannot reach the next node sooner than the link's free-flow travel time
  (``entry_times_s[i+1] - entry_times_s[i] >= travel_time_s - 1 ms``), and may not wait on the way
  (the difference is at most the travel time plus one time step, the rounding of the time-expanded
  model; waiting is allowed only at origins); every arrival lies within the horizon;
- **capacity**: in every time step ``s`` (entries in ``[s*time_step_s, (s+1)*time_step_s)``), the
  people entering a link sum to at most its capacity per step, recomputed from the network;
- **closures**: no link is entered while closed (exclusion zones, blockages, credible hazard
  reports, restricted areas, curfews, corridor links outside their ceasefire windows), recomputed
  by ``safepassage.hazards.link_closures`` for the evacuees' vehicle class; where the evacuees of
  an origin must use a corridor (the one rule of ``safepassage.hazards.corridor_rule``, which the
  planner and ``route`` also call), every movement from that origin uses at least one of its links;
- **people**: each origin's movements plus its unserved equal its people; each destination receives
  at most its reception capacity;
- **clearance**: ``clearance_time_s`` is the last arrival, ``clearance_time_s >= lower_bound_s``,
  ``gap`` is ``clearance / bound - 1``;
- **exposure**: each movement's exposure is ``people × Σ link_risk(link, entry time)`` over its links,
  and ``exposure.total`` / ``by_origin`` / ``by_destination`` add up;
- **summaries**: the ``origins`` / ``destinations`` summaries, when given, list every place once and
  agree with the movements;
- **departure slots**: ``departure_slots``, when given, hold each movement in exactly one row (same
  origin, destination, mode and path, departure within the row's slot) and each row's people,
  movement count, first and last departure and last arrival are its movements' (recomputed here).

Hops are checked with numpy over all movements at once: a plan of the 300,000-people benchmark
instance (109,315 movements, 22.7 million hops) is checked in about 13 s. Each rule reports at most
:data:`MESSAGES_PER_RULE` sentences and then a count.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from safepassage.errors import PlanRejectedError
from safepassage.hazards import (
    EVACUEE_VEHICLE,
    LinkClosures,
    area_shape,
    binding_corridor,
    corridor_links,
    link_closures,
    link_index,
    link_risk,
)
from safepassage.network import RoadNetwork, load_network, snap_points
from safepassage.planner.plan_file import TIME_TOLERANCE_S, DepartureSlot, Movement, Plan, plan_gap
from safepassage.scenario.load import resolve_network_path
from safepassage.scenario.model import Scenario
from safepassage.scenario.vocabulary import Cargo, TravelMode

__all__ = [
    "EVACUEE_VEHICLE",
    "HOP_TIME_TOLERANCE_S",
    "MESSAGES_PER_RULE",
    "check_plan",
    "validate_plan",
]

#: Slack when comparing a hop's duration with a link's travel time (JSON round trips, float sums).
HOP_TIME_TOLERANCE_S = 1e-3

#: At most this many sentences per rule; the rest is counted in one closing sentence.
MESSAGES_PER_RULE = 20

_PEOPLE_TOLERANCE = 1e-6

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def validate_plan(
    scenario: Scenario, plan: Plan, *, networks: Mapping[TravelMode, RoadNetwork] | None = None
) -> None:
    """Raise :class:`PlanRejectedError` listing every violation if the plan breaks any rule."""
    violations = check_plan(scenario, plan, networks=networks)
    if violations:
        raise PlanRejectedError(violations)


def check_plan(
    scenario: Scenario, plan: Plan, *, networks: Mapping[TravelMode, RoadNetwork] | None = None
) -> list[str]:
    """Every rule the plan breaks, as sentences a coordinator can act on (empty: the plan is valid).

    ``networks`` gives the road network per travel mode directly (e.g. a generated benchmark
    network); modes not given are loaded from the scenario's extract.
    """
    out = _Violations()
    _check_header(scenario, plan, out)
    _check_people(scenario, plan, out)
    _check_clearance(scenario, plan, out)
    _check_exposure_totals(plan, out)
    _check_summaries(scenario, plan, out)
    _check_departure_slots(plan, out)
    by_mode: dict[TravelMode, list[int]] = defaultdict(list)
    for index, movement in enumerate(plan.movements):
        by_mode[movement.mode].append(index)
    given = dict(networks or {})
    for mode, indices in by_mode.items():
        network = given.get(mode)
        if network is None:
            network = load_network(resolve_network_path(scenario), mode)
        _check_mode(scenario, plan, network, indices, out)
    return out.finish()


# --- collecting sentences ---------------------------------------------------------------------


@dataclass
class _Violations:
    messages: dict[str, list[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, rule: str, message: str) -> None:
        self.counts[rule] = self.counts.get(rule, 0) + 1
        kept = self.messages.setdefault(rule, [])
        if len(kept) < MESSAGES_PER_RULE:
            kept.append(message)

    def full(self, rule: str) -> bool:
        """Whether ``rule`` already has all the sentences it may show (further ones are only counted)."""
        return len(self.messages.get(rule, ())) >= MESSAGES_PER_RULE

    def finish(self) -> list[str]:
        lines: list[str] = []
        for rule, kept in self.messages.items():
            lines.extend(kept)
            more = self.counts[rule] - len(kept)
            if more:
                lines.append(f"... and {more} more {rule} violation(s) of the same kind")
        return lines


def _num(value: float) -> str:
    """A number for a sentence: 6 significant digits, never in scientific notation."""
    return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.0f}"


def _when(plan: Plan, t_s: float) -> str:
    return f"{_num(t_s)} s ({plan.at(t_s).isoformat(timespec='seconds')})"


def _close(a: float, b: float, tolerance: float = TIME_TOLERANCE_S) -> bool:
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


# --- rules that need no network ---------------------------------------------------------------


def _check_header(scenario: Scenario, plan: Plan, out: _Violations) -> None:
    if scenario.content_sha256 and plan.scenario.sha256 != scenario.content_sha256:
        out.add(
            "scenario",
            f"the plan was made for scenario content {plan.scenario.sha256 or '(none)'!r} but this scenario "
            f"file's SHA-256 is {scenario.content_sha256!r}; the scenario changed since planning, plan again",
        )
    if plan.start != scenario.start:
        out.add(
            "scenario",
            f"the plan starts at {plan.start.isoformat()} but the scenario at {scenario.start.isoformat()}; "
            "expected the same start",
        )
    if plan.people_total != scenario.people_total:
        out.add(
            "people",
            f"people_total is {plan.people_total} but the scenario's origins hold {scenario.people_total} "
            "people; expected equal",
        )
    moved = sum(m.people for m in plan.movements)
    if plan.evacuated != moved:
        out.add(
            "people", f"evacuated is {plan.evacuated} but the movements carry {moved} people; expected equal"
        )
    for i, movement in enumerate(plan.movements):
        expected = plan.at(movement.departure_s)
        if abs((movement.departure - expected).total_seconds()) > HOP_TIME_TOLERANCE_S:
            out.add(
                "departure",
                f"movement {i}: departure {movement.departure.isoformat()} is not start + "
                f"entry_times_s[0] = {expected.isoformat()}; expected equal",
            )


def _check_people(scenario: Scenario, plan: Plan, out: _Violations) -> None:
    origins = {o.id: o for o in scenario.origins}
    destinations = {d.id: d for d in scenario.destinations}
    moved: dict[str, int] = defaultdict(int)
    left: dict[str, int] = defaultdict(int)
    received: dict[str, int] = defaultdict(int)
    for i, movement in enumerate(plan.movements):
        if movement.origin not in origins:
            out.add("ids", f"movement {i}: origin {movement.origin!r} is not in the scenario")
        elif movement.mode is not origins[movement.origin].mode:
            out.add(
                "ids",
                f"movement {i}: travels by {movement.mode.value} but origin {movement.origin!r} "
                f"evacuates by {origins[movement.origin].mode.value}",
            )
        if movement.destination not in destinations:
            out.add("ids", f"movement {i}: destination {movement.destination!r} is not in the scenario")
        moved[movement.origin] += movement.people
        received[movement.destination] += movement.people
    for j, unserved in enumerate(plan.unserved):
        if unserved.origin not in origins:
            out.add("ids", f"unserved[{j}]: origin {unserved.origin!r} is not in the scenario")
        left[unserved.origin] += unserved.people
    for origin in scenario.origins:
        total = moved[origin.id] + left[origin.id]
        if total != origin.people:
            out.add(
                "conservation",
                f"origin {origin.id!r}: {origin.people} people wait there but the plan moves "
                f"{moved[origin.id]} and lists {left[origin.id]} as unserved ({total} in all); "
                "expected every person moved or unserved exactly once",
            )
    for dest in scenario.destinations:
        if received[dest.id] > dest.capacity:
            out.add(
                "reception",
                f"destination {dest.id!r} receives {received[dest.id]} people, more than its reception "
                f"capacity of {dest.capacity}",
            )


def _check_clearance(scenario: Scenario, plan: Plan, out: _Violations) -> None:
    last = max((m.arrival_s for m in plan.movements), default=0.0)
    if not _close(plan.clearance_time_s, last):
        out.add(
            "clearance",
            f"clearance_time_s is {_num(plan.clearance_time_s)} but the last group arrives at "
            f"{_when(plan, last)}; expected the last arrival",
        )
    if plan.clearance_time_s < plan.lower_bound_s - TIME_TOLERANCE_S:
        out.add(
            "clearance",
            f"clearance_time_s {_num(plan.clearance_time_s)} is below the claimed lower bound "
            f"lower_bound_s {_num(plan.lower_bound_s)}; a plan cannot beat a proven bound",
        )
    expected_gap = plan_gap(plan.clearance_time_s, plan.lower_bound_s)
    if (expected_gap is None) != (plan.gap is None) or (
        expected_gap is not None and plan.gap is not None and not _close(plan.gap, expected_gap)
    ):
        out.add(
            "clearance",
            f"gap is {plan.gap} but clearance / bound - 1 = {expected_gap}; expected equal",
        )
    for i, movement in enumerate(plan.movements):
        if movement.arrival_s > scenario.horizon_s + HOP_TIME_TOLERANCE_S:
            out.add(
                "horizon",
                f"movement {i}: arrives at {_when(plan, movement.arrival_s)}, after the scenario's horizon "
                f"ends ({_num(scenario.horizon_s)} s); people who cannot arrive in time are unserved",
            )


def _check_exposure_totals(plan: Plan, out: _Violations) -> None:
    total = math.fsum(m.exposure for m in plan.movements)
    if not _close(plan.exposure.total, total, 1e-6):
        out.add(
            "exposure",
            f"exposure.total is {_num(plan.exposure.total)} but the movements' exposures add up to "
            f"{_num(total)}",
        )
    for name, key, table in (
        ("by_origin", "origin", plan.exposure.by_origin),
        ("by_destination", "destination", plan.exposure.by_destination),
    ):
        if not table:
            continue
        sums: dict[str, float] = defaultdict(float)
        for m in plan.movements:
            sums[getattr(m, key)] += m.exposure
        for place in set(sums) | set(table):
            if not _close(table.get(place, 0.0), sums.get(place, 0.0), 1e-6):
                out.add(
                    "exposure",
                    f"exposure.{name}[{place!r}] is {_num(table.get(place, 0.0))} but its movements' "
                    f"exposures add up to {_num(sums.get(place, 0.0))}",
                )


def _check_summaries(scenario: Scenario, plan: Plan, out: _Violations) -> None:
    """``origins`` / ``destinations`` summaries, when given, cover every place once and add up."""
    origins = {o.id: o for o in scenario.origins}
    from_origin: dict[str, list[Movement]] = defaultdict(list)
    to_destination: dict[str, list[Movement]] = defaultdict(list)
    for m in plan.movements:
        from_origin[m.origin].append(m)
        to_destination[m.destination].append(m)
    unserved: dict[str, int] = defaultdict(int)
    for u in plan.unserved:
        unserved[u.origin] += u.people
    for i, summary in enumerate(plan.origins):
        origin = origins.get(summary.origin)
        if origin is None:
            out.add("summary", f"origins[{i}]: origin {summary.origin!r} is not in the scenario")
            continue
        mine = from_origin.get(summary.origin, [])
        expected = {
            "people": origin.people,
            "evacuated": sum(m.people for m in mine),
            "unserved": unserved[summary.origin],
            "first_departure_s": min((m.departure_s for m in mine), default=None),
            "last_departure_s": max((m.departure_s for m in mine), default=None),
            "last_arrival_s": max((m.arrival_s for m in mine), default=None),
        }
        _compare_summary(f"origins[{i}] ({summary.origin!r})", summary.model_dump(), expected, out)
    destinations = {d.id: d for d in scenario.destinations}
    for i, arrivals in enumerate(plan.destinations):
        dest = destinations.get(arrivals.destination)
        if dest is None:
            out.add(
                "summary", f"destinations[{i}]: destination {arrivals.destination!r} is not in the scenario"
            )
            continue
        mine = to_destination.get(arrivals.destination, [])
        expected = {
            "capacity": dest.capacity,
            "received": sum(m.people for m in mine),
            "first_arrival_s": min((m.arrival_s for m in mine), default=None),
            "last_arrival_s": max((m.arrival_s for m in mine), default=None),
        }
        _compare_summary(
            f"destinations[{i}] ({arrivals.destination!r})", arrivals.model_dump(), expected, out
        )
    for name, listed, known in (
        ("origins", [s.origin for s in plan.origins], list(origins)),
        ("destinations", [s.destination for s in plan.destinations], list(destinations)),
    ):
        if listed and sorted(listed) != sorted(known):
            out.add(
                "summary",
                f"the {name} summary lists {sorted(listed)}; expected each of the scenario's {name} "
                f"once: {sorted(known)}",
            )


def _compare_summary(where: str, given: dict[str, Any], expected: dict[str, Any], out: _Violations) -> None:
    for key, value in expected.items():
        got = given[key]
        same = got == value if got is None or value is None else _close(float(got), float(value))
        if not same:
            out.add("summary", f"{where}.{key} is {got} but the plan's movements give {value}")


def _check_departure_slots(plan: Plan, out: _Violations) -> None:
    """``departure_slots``, when given, sum the movements exactly: each movement in one row."""
    if not plan.departure_slots:
        return
    lengths = sorted({row.slot_s for row in plan.departure_slots})
    if len(lengths) > 1:
        out.add("slots", f"departure_slots use slot lengths {lengths} s; expected one slot length")
        return
    slot_s = lengths[0]
    expected: dict[tuple[str, str, str, tuple[int, ...], int], list[Movement]] = defaultdict(list)
    for m in plan.movements:
        expected[(m.origin, m.destination, m.mode.value, tuple(m.path), int(m.departure_s // slot_s))].append(
            m
        )
    seen: set[tuple[str, str, str, tuple[int, ...], int]] = set()
    for i, row in enumerate(plan.departure_slots):
        index = round(row.slot_start_s / slot_s)
        slot = _when(plan, row.slot_start_s)
        where = f"departure_slots[{i}] ({row.origin!r} to {row.destination!r}, slot from {slot})"
        if not _close(row.slot_start_s, index * slot_s):
            out.add("slots", f"{where}: slot_start_s {row.slot_start_s} is not a multiple of slot_s {slot_s}")
            continue
        key = (row.origin, row.destination, row.mode.value, tuple(row.path), index)
        if key in seen:
            out.add(
                "slots",
                f"{where}: listed twice; expected one row per origin, destination, mode, path and slot",
            )
            continue
        seen.add(key)
        mine = expected.get(key)
        if not mine:
            out.add(
                "slots",
                f"{where}: no movement on this path departs in this slot, yet it lists {row.people} people",
            )
            continue
        _compare_slot(where, row, mine, out)
    for key in expected.keys() - seen:
        group = expected[key]
        out.add(
            "slots",
            f"{len(group)} movement(s) from {key[0]!r} to {key[1]!r} departing at "
            f"{_when(plan, group[0].departure_s)} ({sum(m.people for m in group)} people) are in no "
            "departure slot; expected every movement in exactly one",
        )


def _compare_slot(where: str, row: DepartureSlot, mine: list[Movement], out: _Violations) -> None:
    given = row.model_dump()
    expected: dict[str, float] = {
        "people": sum(m.people for m in mine),
        "movements": len(mine),
        "first_departure_s": min(m.departure_s for m in mine),
        "last_departure_s": max(m.departure_s for m in mine),
        "last_arrival_s": max(m.arrival_s for m in mine),
    }
    for name, value in expected.items():
        if not _close(float(given[name]), float(value)):
            out.add("slots", f"{where}.{name} is {_num(given[name])} but its movements give {_num(value)}")


# --- rules on the road network ----------------------------------------------------------------


@dataclass(frozen=True)
class _Hops:
    """Every link crossing of the checked movements, flattened.

    Hop k is movement ``movement[k]`` entering ``tail[k] -> head[k]`` (internal node indices) at
    ``enter_s[k]`` and reaching the head at ``next_s[k]``.
    """

    movement: IntArray
    tail: IntArray
    head: IntArray
    enter_s: FloatArray
    next_s: FloatArray
    people: FloatArray

    def select(self, keep: BoolArray) -> _Hops:
        return _Hops(
            self.movement[keep],
            self.tail[keep],
            self.head[keep],
            self.enter_s[keep],
            self.next_s[keep],
            self.people[keep],
        )


def _check_mode(
    scenario: Scenario, plan: Plan, network: RoadNetwork, indices: list[int], out: _Violations
) -> None:
    mode = network.mode
    paths = _Paths.of(network, plan, indices)
    usable_mask = _check_nodes_and_ends(scenario, plan, network, paths, out)
    usable = paths.movement[usable_mask].tolist()
    hops = _flatten(plan, paths, usable_mask)
    if hops.movement.size == 0:
        return
    closures = link_closures(network, scenario, vehicle=EVACUEE_VEHICLE[mode], cargo=Cargo.PEOPLE)
    link, found = _links_for(network, hops, closures)
    _report_missing_links(network, hops, found, out)
    broken = set(hops.movement[~found].tolist())
    hops, link = hops.select(found), link[found]
    _check_times(plan, network, scenario, hops, link, out)
    _check_closures(plan, network, hops, link, closures, out)
    _check_capacity(plan, network, scenario, hops, link, out)
    _check_edges(plan, network, scenario, link, out)
    _check_corridor_use(plan, network, scenario, hops, link, usable, out)
    _check_exposure(plan, network, scenario, hops, link, [i for i in usable if i not in broken], out)


def _osm(network: RoadNetwork, node: int) -> int:
    return int(network.node_osm_id[node])


def _link_name(network: RoadNetwork, link: int) -> str:
    u, v = _osm(network, int(network.link_tail[link])), _osm(network, int(network.link_head[link]))
    name = str(network.link_name[link])
    return f"link {u}->{v}" + (f" ({name})" if name else "")


@dataclass(frozen=True)
class _Paths:
    """The paths of the checked movements, concatenated: movement ``movement[j]`` occupies
    positions ``start[j] : start[j] + count[j]`` of ``osm``, ``node`` and ``time_s``."""

    movement: IntArray  # plan index of each checked movement
    start: IntArray
    count: IntArray
    osm: IntArray
    node: IntArray  # internal node index; -1 where the OSM id is not a node of the network
    time_s: FloatArray

    @classmethod
    def of(cls, network: RoadNetwork, plan: Plan, indices: list[int]) -> _Paths:
        movements = [plan.movements[i] for i in indices]
        count = np.fromiter((len(m.path) for m in movements), dtype=np.int64, count=len(movements))
        total = int(count.sum())
        osm = np.fromiter(itertools.chain.from_iterable(m.path for m in movements), np.int64, total)
        time_s = np.fromiter(
            itertools.chain.from_iterable(m.entry_times_s for m in movements), np.float64, total
        )
        order = np.argsort(network.node_osm_id, kind="stable")
        sorted_ids = network.node_osm_id[order]
        where = np.minimum(np.searchsorted(sorted_ids, osm), sorted_ids.shape[0] - 1)
        node = np.where(sorted_ids[where] == osm, order[where], -1).astype(np.int64)
        start = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
        return cls(np.asarray(indices, dtype=np.int64), start, count, osm, node, time_s)


def _check_nodes_and_ends(
    scenario: Scenario, plan: Plan, network: RoadNetwork, paths: _Paths, out: _Violations
) -> BoolArray:
    """Per checked movement, whether all its nodes exist; also checks where paths start and end."""
    owner = np.repeat(np.arange(paths.movement.shape[0]), paths.count)
    unknown = np.flatnonzero(paths.node < 0)
    bad, first = np.unique(owner[unknown], return_index=True)
    for j, position in zip(bad.tolist(), unknown[first].tolist(), strict=True):
        out.add(
            "links",
            f"movement {int(paths.movement[j])}: node {int(paths.osm[position])} of its path is not a node "
            f"of the {network.mode.value} road network; expected OSM node ids of road intersections",
        )
    usable = np.ones(paths.movement.shape[0], dtype=bool)
    usable[bad] = False

    origins = [o for o in scenario.origins if o.mode is network.mode]
    points = [(f"origin {o.id}", o.lat, o.lon) for o in origins] + [
        (f"destination {d.id}", d.lat, d.lon) for d in scenario.destinations
    ]
    snaps = snap_points(network, points)
    origin_node = {o.id: s.osm_id for o, s in zip(origins, snaps[: len(origins)], strict=True)}
    dest_node = {d.id: s.osm_id for d, s in zip(scenario.destinations, snaps[len(origins) :], strict=True)}
    first_osm, last_osm = paths.osm[paths.start], paths.osm[paths.start + paths.count - 1]
    for j, i in enumerate(paths.movement.tolist()):
        if not usable[j]:
            continue
        movement = plan.movements[i]
        begin = origin_node.get(movement.origin)
        if begin is not None and first_osm[j] != begin:
            out.add(
                "ends",
                f"movement {i}: starts at node {first_osm[j]} but origin {movement.origin!r} is at node "
                f"{begin}",
            )
        end = dest_node.get(movement.destination)
        if end is not None and last_osm[j] != end:
            out.add(
                "ends",
                f"movement {i}: ends at node {last_osm[j]} but destination {movement.destination!r} is at "
                f"node {end}",
            )
    return usable


def _flatten(plan: Plan, paths: _Paths, usable: BoolArray) -> _Hops:
    """Hops of the usable movements: position p joins node p to node p + 1 of the same path."""
    people = np.fromiter((plan.movements[i].people for i in paths.movement.tolist()), np.float64)
    hop_count = np.where(usable, paths.count - 1, 0)
    owner = np.repeat(np.arange(paths.movement.shape[0]), hop_count)
    first_hop = np.concatenate([[0], np.cumsum(hop_count)[:-1]]).astype(np.int64)
    position = paths.start[owner] + np.arange(int(hop_count.sum())) - first_hop[owner]
    return _Hops(
        paths.movement[owner],
        paths.node[position],
        paths.node[position + 1],
        paths.time_s[position],
        paths.time_s[position + 1],
        people[owner],
    )


def _links_for(network: RoadNetwork, hops: _Hops, closures: LinkClosures) -> tuple[IntArray, BoolArray]:
    """The link each hop takes: the fastest ``tail -> head`` link, or the fastest one open at entry
    when parallel links exist and the fastest is closed. Second value: whether a link exists."""
    # One table row per (tail, head) pair: its fastest link and how many parallel links it has.
    n = network.node_count
    travel = network.link_travel_time_s
    link_key = network.link_tail * n + network.link_head
    order = np.lexsort((travel, link_key))
    sorted_keys = link_key[order]
    first = np.ones(sorted_keys.shape[0], dtype=bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    pair_key, fastest = sorted_keys[first], order[first]
    parallel_count = np.diff(np.append(np.flatnonzero(first), sorted_keys.shape[0]))
    hop_key = hops.tail * n + hops.head
    row = np.minimum(np.searchsorted(pair_key, hop_key), pair_key.shape[0] - 1)
    found = pair_key[row] == hop_key
    link = np.where(found, fastest[row], -1).astype(np.int64)
    matches = np.where(found, parallel_count[row], 0)
    parallel = np.flatnonzero(matches > 1)
    if parallel.size:
        closed = ~_open_for(closures, link[parallel], hops.enter_s[parallel])
        for k in parallel[closed].tolist():
            tail, head = int(hops.tail[k]), int(hops.head[k])
            links = range(int(network.indptr[tail]), int(network.indptr[tail + 1]))
            options = sorted((x for x in links if network.link_head[x] == head), key=lambda x: travel[x])
            for option in options:
                if closures.closure_at(option, float(hops.enter_s[k])) is None:
                    link[k] = option
                    break
    return link, found


def _report_missing_links(network: RoadNetwork, hops: _Hops, found: BoolArray, out: _Violations) -> None:
    for k in np.flatnonzero(~found).tolist():
        tail, head = int(hops.tail[k]), int(hops.head[k])
        u, v = _osm(network, tail), _osm(network, head)
        i = int(hops.movement[k])
        if network.find_link(head, tail) >= 0:
            out.add(
                "links",
                f"movement {i}: goes from node {u} to node {v} against the one-way direction; the "
                f"{network.mode.value} network only allows {v}->{u}",
            )
        else:
            out.add(
                "links",
                f"movement {i}: no road link from node {u} to node {v} in the {network.mode.value} network "
                "(consecutive path nodes must be joined by a road)",
            )


def _check_times(
    plan: Plan, network: RoadNetwork, scenario: Scenario, hops: _Hops, link: IntArray, out: _Violations
) -> None:
    travel = network.travel_time_s(scenario.capacity)[link]
    took = hops.next_s - hops.enter_s
    for k in np.flatnonzero(took < travel - HOP_TIME_TOLERANCE_S).tolist():
        out.add(
            "travel time",
            f"movement {int(hops.movement[k])}: enters {_link_name(network, int(link[k]))} at "
            f"{_when(plan, float(hops.enter_s[k]))} and reaches its end {_num(took[k])} s later, but the "
            f"link takes {travel[k]:.1f} s; a group cannot travel faster than the road allows",
        )
    slack = plan.time_step_s + HOP_TIME_TOLERANCE_S
    for k in np.flatnonzero(took > travel + slack).tolist():
        out.add(
            "waiting",
            f"movement {int(hops.movement[k])}: takes {_num(took[k])} s on "
            f"{_link_name(network, int(link[k]))} "
            f"entered at {_when(plan, float(hops.enter_s[k]))}, which takes {travel[k]:.1f} s; waiting on "
            f"the way (more than one {_num(plan.time_step_s)} s step) is not allowed, only at origins",
        )


def _open_for(closures: LinkClosures, link: IntArray, t_s: FloatArray) -> BoolArray:
    """Whether each ``link[k]`` may be entered at ``t_s[k]`` (vectorised ``LinkClosures.open_at``)."""
    if closures.link.size == 0 or link.size == 0:
        return np.ones(link.shape[0], dtype=bool)
    order = np.argsort(closures.link, kind="stable")
    c_link = closures.link[order]
    lo = np.searchsorted(c_link, link, side="left")
    counts = np.searchsorted(c_link, link, side="right") - lo
    hop = np.repeat(np.arange(link.shape[0]), counts)
    offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    which = order[np.repeat(lo, counts) + offset]
    t = t_s[hop]
    closed_pair = (closures.from_s[which] <= t) & (t < closures.to_s[which])
    closed = np.zeros(link.shape[0], dtype=bool)
    closed[hop[closed_pair]] = True
    return ~closed


def _check_closures(
    plan: Plan, network: RoadNetwork, hops: _Hops, link: IntArray, closures: LinkClosures, out: _Violations
) -> None:
    closed = np.flatnonzero(~_open_for(closures, link, hops.enter_s))
    # per movement and closure reason: one sentence naming the first such link and counting the rest
    for i in np.unique(hops.movement[closed]).tolist():
        if out.full("closure"):
            out.add("closure", "")
            continue
        by_reason: dict[str, list[int]] = {}
        for k in closed[hops.movement[closed] == i].tolist():
            reason = closures.closure_at(int(link[k]), float(hops.enter_s[k])) or "closed"
            by_reason.setdefault(reason, []).append(k)
        for reason, ks in by_reason.items():
            k, t = ks[0], float(hops.enter_s[ks[0]])
            more = (
                f" (and {len(ks) - 1} more link(s) of its path closed by the same rule)"
                if len(ks) > 1
                else ""
            )
            out.add(
                "closure",
                f"movement {i}: enters {_link_name(network, int(link[k]))} at {_when(plan, t)} while it is "
                f"closed: {reason}{more}",
            )


def _check_capacity(
    plan: Plan, network: RoadNetwork, scenario: Scenario, hops: _Hops, link: IntArray, out: _Violations
) -> None:
    capacity = network.capacity_people_per_step(scenario.capacity, plan.time_step_s)
    step = np.floor(hops.enter_s / plan.time_step_s + 1e-9).astype(np.int64)
    steps = int(step.max()) + 1
    key = link * steps + step
    if network.link_count * steps <= 50_000_000:  # dense count: one pass, no sort
        entering_all = np.bincount(key, weights=hops.people, minlength=network.link_count * steps)
        keys = np.flatnonzero(entering_all > capacity.repeat(steps) + _PEOPLE_TOLERANCE)
        entering = entering_all[keys]
    else:
        unique_keys, inverse = np.unique(key, return_inverse=True)
        sums = np.bincount(inverse, weights=hops.people)
        over = sums > capacity[unique_keys // steps] + _PEOPLE_TOLERANCE
        keys, entering = unique_keys[over], sums[over]
    for key_value, people in zip(keys.tolist(), entering.tolist(), strict=True):
        if out.full("capacity"):
            out.add("capacity", "")
            continue
        over_link, s = divmod(key_value, steps)
        who = sorted(set(hops.movement[key == key_value].tolist()))
        shown = ", ".join(str(i) for i in who[:8]) + (", ..." if len(who) > 8 else "")
        out.add(
            "capacity",
            f"{_link_name(network, over_link)} is entered by {_num(people)} people in step {s} "
            f"({_when(plan, s * plan.time_step_s)} to {_num((s + 1) * plan.time_step_s)} s), more than its "
            f"capacity of {capacity[over_link]:.2f} people per step (movements {shown})",
        )


def _check_edges(
    plan: Plan, network: RoadNetwork, scenario: Scenario, link: IntArray, out: _Violations
) -> None:
    # An entry names its mode; one without (plans written before modes were recorded) stands for all.
    listed = {(e.mode, e.u, e.v): e for e in plan.edges}
    capacity = network.capacity_people_per_step(scenario.capacity, plan.time_step_s)
    travel = network.travel_time_s(scenario.capacity)
    for l_index in np.unique(link).tolist():
        u, v = _osm(network, int(network.link_tail[l_index])), _osm(network, int(network.link_head[l_index]))
        edge = listed.get((network.mode, u, v)) or listed.get((None, u, v))
        if edge is None:
            out.add("edges", f"{_link_name(network, l_index)} is used by a movement but missing from edges")
            continue
        if edge.capacity_per_step > capacity[l_index] + _PEOPLE_TOLERANCE:
            out.add(
                "edges",
                f"edges: {_link_name(network, l_index)} claims capacity_per_step "
                f"{_num(edge.capacity_per_step)} but the scenario's capacity model gives "
                f"{capacity[l_index]:.2f}",
            )
        if abs(edge.travel_time_s - travel[l_index]) > HOP_TIME_TOLERANCE_S * max(1.0, travel[l_index]):
            out.add(
                "edges",
                f"edges: {_link_name(network, l_index)} claims travel_time_s {_num(edge.travel_time_s)} but "
                f"the network gives {travel[l_index]:.3f}",
            )


def _check_corridor_use(
    plan: Plan,
    network: RoadNetwork,
    scenario: Scenario,
    hops: _Hops,
    link: IntArray,
    usable: Iterable[int],
    out: _Violations,
) -> None:
    """Movements whose group must use a corridor (``safepassage.hazards.corridor_rule``) take one of
    its links."""
    vehicle = EVACUEE_VEHICLE[network.mode]
    binding = {o.id: binding_corridor(scenario, o.id, vehicle, Cargo.PEOPLE) for o in scenario.origins}
    if not any(binding.values()):
        return
    masks = corridor_links(network, scenario)
    used: dict[str, set[int]] = {}
    for i in usable:
        movement = plan.movements[i]
        corridor = binding.get(movement.origin)
        if corridor is None or len(movement.path) <= 1:
            continue
        if corridor.id not in used:
            used[corridor.id] = set(hops.movement[masks[corridor.id][link]].tolist())
        if i not in used[corridor.id]:
            out.add(
                "corridor",
                f"movement {i}: from origin {movement.origin!r} never uses corridor {corridor.id!r}, "
                "which evacuees must use",
            )


def _check_exposure(
    plan: Plan,
    network: RoadNetwork,
    scenario: Scenario,
    hops: _Hops,
    link: IntArray,
    usable: Iterable[int],
    out: _Violations,
) -> None:
    risk_per_hop = np.zeros(link.shape[0])
    if scenario.hazards:
        # Risk is non-zero only on links some report's area touches: evaluate link_risk only at the
        # distinct times such links are entered (a plan has thousands of distinct entry times).
        index = link_index(network)
        touched = np.zeros(network.link_count, dtype=bool)
        for hazard in scenario.hazards:
            touched |= index.links_touching(area_shape(hazard.area, index.projector))
        risky = np.flatnonzero(touched[link])
        times, inverse = np.unique(hops.enter_s[risky], return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(times.shape[0] + 1))
        for j, t in enumerate(times.tolist()):
            at = risky[order[bounds[j] : bounds[j + 1]]]
            risk_per_hop[at] = link_risk(network, scenario, t)[link[at]]
    per_movement = np.bincount(
        hops.movement, weights=risk_per_hop * hops.people, minlength=len(plan.movements)
    )
    for i in usable:
        claimed = plan.movements[i].exposure
        if not _close(claimed, float(per_movement[i]), 1e-6):
            out.add(
                "exposure",
                f"movement {i}: exposure is {_num(claimed)} but people × risk of its links at their entry "
                f"times is {_num(per_movement[i])}",
            )
