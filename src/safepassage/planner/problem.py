"""The planning problem on real roads: layers of usable links, origins, destinations, closures.

A *layer* is one road network (one travel mode) seen by one group of evacuees. Usually there is
one layer per travel mode. A corridor the evacuees of an origin must use (the rule is
``safepassage.hazards.corridor_rule``, shared with ``route`` and ``check-plan``) restricts them to
the corridor and the streets that lead to and from it. The planner models that rule as follows
(simple, and always on the safe side):

- the corridor's entry (first waypoint) and exit (last waypoint) are snapped to the network, and
  every node is put on the *entry side* or the *exit side*, whichever end is nearer in free-flow
  travel time (ties go to the entry side);
- the restricted people may use the corridor's links (inside its buffer), the links joining two
  entry-side nodes (streets leading to it) and the links joining two exit-side nodes (streets
  leading from it) — never a link that jumps from one side to the other outside the corridor —
  and may end only at destinations on the exit side. Every route from an entry-side origin
  therefore takes at least one corridor link, which is what ``check-plan`` verifies. People of an
  origin that lies on the exit side cannot take the corridor at all: they are listed unserved with
  that reason rather than planned against the rule.

With single-commodity max-flow two groups with different rules cannot share one link's capacity
exactly. When restricted and unrestricted people (or two corridors' groups) share a network, each
group's layer gets a share of every link's capacity proportional to its people; the plan is then
feasible, and the lower bound is computed with the full capacity in every layer (a relaxation), so
the reported gap stays honest. When all people of a mode fall under the same rule there is one
layer and nothing is split.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import dijkstra

from safepassage.hazards import (
    EVACUEE_VEHICLE,
    LinkClosures,
    binding_corridor,
    corridor_links,
    link_closures,
)
from safepassage.network import RoadNetwork, load_scenario_networks, snap_points
from safepassage.scenario.model import Corridor, Scenario
from safepassage.scenario.vocabulary import Cargo, TravelMode

__all__ = [
    "EVACUEE_VEHICLE",
    "Layer",
    "PlanningProblem",
    "build_problem",
    "load_networks",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Layer:
    """One group's view of one road network."""

    name: str
    network: RoadNetwork
    closures: LinkClosures
    usable: BoolArray  # links this group may use at all
    capacity_share: float  # fraction of each link's capacity this group may use
    node_offset: int  # global node index of the layer's node 0
    destination_node: IntArray  # per destination: layer-local node, -1 where this group may not end
    corridor: str | None  # the corridor this group must use, if any


@dataclass(frozen=True, eq=False)
class PlanningProblem:
    """Everything the solver needs, in arrays; built once per scenario by :func:`build_problem`."""

    scenario: Scenario
    layers: tuple[Layer, ...]
    origin_ids: tuple[str, ...]
    origin_people: IntArray
    origin_layer: IntArray
    origin_node: IntArray  # layer-local node
    destination_ids: tuple[str, ...]
    destination_capacity: IntArray
    step_s: float
    horizon_s: float
    origin_excluded: tuple[str, ...]  # per origin: why its people cannot be planned ("" if they can)

    @property
    def plannable_people(self) -> IntArray:
        """People per origin the flow may move (0 for excluded origins)."""
        excluded = np.array([bool(r) for r in self.origin_excluded], dtype=bool)
        out: IntArray = np.where(excluded, 0, self.origin_people)
        return out

    @property
    def node_count(self) -> int:
        last = self.layers[-1]
        return last.node_offset + last.network.node_count

    @property
    def people_total(self) -> int:
        return int(self.origin_people.sum())

    def origin_global_node(self) -> IntArray:
        offsets = np.array([layer.node_offset for layer in self.layers], dtype=np.int64)
        return offsets[self.origin_layer] + self.origin_node


def load_networks(scenario: Scenario) -> dict[TravelMode, RoadNetwork]:
    """The road network of every mode the scenario's origins travel by."""
    return load_scenario_networks(scenario, {o.mode for o in scenario.origins})


def build_problem(
    scenario: Scenario, networks: Mapping[TravelMode, RoadNetwork] | None = None
) -> PlanningProblem:
    """Snap places, compute closures and corridor rules, and group origins into layers.

    ``networks`` gives road networks per mode; modes it lacks are loaded from the scenario's extract.
    """
    networks = load_scenario_networks(scenario, {o.mode for o in scenario.origins}, given=networks)
    groups: dict[tuple[TravelMode, str | None], list[int]] = {}
    for i, origin in enumerate(scenario.origins):
        corridor = binding_corridor(scenario, origin.id, EVACUEE_VEHICLE[origin.mode], Cargo.PEOPLE)
        groups.setdefault((origin.mode, corridor.id if corridor else None), []).append(i)

    people = np.array([o.people for o in scenario.origins], dtype=np.int64)
    people_by_mode: dict[TravelMode, int] = {}
    for (mode, _), members in groups.items():
        people_by_mode[mode] = people_by_mode.get(mode, 0) + int(people[members].sum())
    groups_by_mode: dict[TravelMode, int] = {}
    for mode, _ in groups:
        groups_by_mode[mode] = groups_by_mode.get(mode, 0) + 1

    closures_by_mode = {
        mode: link_closures(net, scenario, vehicle=EVACUEE_VEHICLE[mode], cargo=Cargo.PEOPLE)
        for mode, net in networks.items()
    }
    dest_snaps = {
        mode: [s.node for s in snap_points(net, [(d.id, d.lat, d.lon) for d in scenario.destinations])]
        for mode, net in networks.items()
    }

    layers: list[Layer] = []
    excluded = [""] * len(scenario.origins)
    origin_layer = np.zeros(len(scenario.origins), dtype=np.int64)
    origin_node = np.zeros(len(scenario.origins), dtype=np.int64)
    offset = 0
    for (mode, corridor_id), members in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        network = networks[mode]
        closures = closures_by_mode[mode]
        dest_nodes = np.asarray(dest_snaps[mode], dtype=np.int64)
        usable = np.ones(network.link_count, dtype=bool)
        exit_side = np.zeros(network.node_count, dtype=bool)
        if corridor_id is not None:
            corridor = next(c for c in scenario.corridors if c.id == corridor_id)
            usable, exit_side = _corridor_rule(network, scenario, corridor, closures)
            dest_nodes = np.where(exit_side[dest_nodes], dest_nodes, -1)
        share = 1.0
        if groups_by_mode[mode] > 1 and people_by_mode[mode] > 0:
            share = float(people[members].sum()) / people_by_mode[mode]
        snaps = snap_points(
            network,
            [(scenario.origins[i].id, scenario.origins[i].lat, scenario.origins[i].lon) for i in members],
        )
        origin_layer[members] = len(layers)
        origin_node[members] = [s.node for s in snaps]
        if corridor_id is not None:
            for i, snap in zip(members, snaps, strict=True):
                if exit_side[snap.node]:
                    excluded[i] = (
                        f"beyond corridor {corridor_id}: the pickup point lies on the corridor's exit side, "
                        "so its evacuees cannot take the corridor they must use; move the pickup point "
                        "or lift the rule for this origin"
                    )
        layers.append(
            Layer(
                name=f"{mode.value}" + (f" via corridor {corridor_id}" if corridor_id else ""),
                network=network,
                closures=closures,
                usable=usable,
                capacity_share=share,
                node_offset=offset,
                destination_node=dest_nodes,
                corridor=corridor_id,
            )
        )
        offset += network.node_count

    return PlanningProblem(
        scenario=scenario,
        layers=tuple(layers),
        origin_ids=tuple(o.id for o in scenario.origins),
        origin_people=people,
        origin_layer=origin_layer,
        origin_node=origin_node,
        destination_ids=tuple(d.id for d in scenario.destinations),
        destination_capacity=np.array([d.capacity for d in scenario.destinations], dtype=np.int64),
        step_s=float(scenario.time_step_s),
        horizon_s=scenario.horizon_s,
        origin_excluded=tuple(excluded),
    )


def _corridor_rule(
    network: RoadNetwork, scenario: Scenario, corridor: Corridor, closures: LinkClosures
) -> tuple[BoolArray, BoolArray]:
    """(usable links, exit-side nodes) for people who must use ``corridor`` (see module docstring)."""
    ends = snap_points(
        network,
        [
            (f"corridor {corridor.id} entry", corridor.route[0].lat, corridor.route[0].lon),
            (f"corridor {corridor.id} exit", corridor.route[-1].lat, corridor.route[-1].lon),
        ],
    )
    never_open = closures.closed_throughout(0.0, scenario.horizon_s)
    travel = np.where(never_open, np.inf, network.travel_time_s(scenario.capacity))
    distance = dijkstra(network.matrix(travel), directed=False, indices=[ends[0].node, ends[1].node])
    exit_side = distance[1] < distance[0]
    on_corridor = corridor_links(network, scenario)[corridor.id]
    same_side = exit_side[network.link_tail] == exit_side[network.link_head]
    return on_corridor | same_side, exit_side
