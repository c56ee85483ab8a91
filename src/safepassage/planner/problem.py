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

The side rule is narrower than ``check-plan``'s "uses at least one corridor link" (a link that
only touches the buffer counts there, and a route may come back across). Each corridor layer
records in ``rule_gap`` whether that can exclude a route ``check-plan`` accepts (a two-copy
reachability test, :func:`_side_rule_gap`); if so, exact mode reports mode ``bounded`` and its
lower bound is taken from :func:`without_side_rule` (every link and destination allowed: a
relaxation), so the bound holds for every plan ``check-plan`` accepts.

When restricted and unrestricted people (or two corridors' groups) share a network, exact mode
keeps the groups apart as commodities that share each link's capacity (``coupled``: a
multi-commodity LP / MIP); fast mode, and exact mode above the coupled LP's size budget (then
mode ``bounded``), give each group's layer a share of every link's capacity proportional to its
people (``capacity_share``): feasible, not optimal. When all people of a mode fall under the same
rule there is one layer and nothing is shared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, dijkstra

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
    "without_side_rule",
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
    rule_gap: str = ""  # why the side rule may exclude a route check-plan accepts ("" if it cannot)
    any_destination_node: IntArray | None = None  # per destination: its node before the side rule


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


def without_side_rule(problem: PlanningProblem) -> PlanningProblem:
    """``problem`` with every corridor layer free to use any link and destination: a relaxation of
    "use at least one corridor link", for lower bounds valid for every plan ``check-plan`` accepts."""
    layers = tuple(
        replace(
            layer,
            usable=np.ones_like(layer.usable),
            destination_node=layer.destination_node
            if layer.any_destination_node is None
            else layer.any_destination_node,
        )
        for layer in problem.layers
    )
    return replace(problem, layers=layers)


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
        rule_gap = ""
        any_dest = dest_nodes
        if corridor_id is not None:
            corridor = next(c for c in scenario.corridors if c.id == corridor_id)
            usable, exit_side, on_corridor = _corridor_rule(network, scenario, corridor, closures)
            rule_gap = _side_rule_gap(
                network,
                usable,
                on_corridor,
                exit_side,
                np.asarray(
                    [
                        s.node
                        for s in snap_points(
                            network,
                            [
                                (scenario.origins[i].id, scenario.origins[i].lat, scenario.origins[i].lon)
                                for i in members
                            ],
                        )
                    ],
                    dtype=np.int64,
                ),
                dest_nodes,
                corridor_id,
            )
            any_dest = dest_nodes
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
                rule_gap=rule_gap,
                any_destination_node=any_dest,
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
) -> tuple[BoolArray, BoolArray, BoolArray]:
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
    return on_corridor | same_side, exit_side, on_corridor


def _side_rule_gap(
    network: RoadNetwork,
    usable: BoolArray,
    on_corridor: BoolArray,
    exit_side: BoolArray,
    origin_nodes: IntArray,
    destination_nodes: IntArray,
    corridor_id: str,
) -> str:
    """Why the side rule may exclude a route ``check-plan`` accepts, or "" when it provably cannot.

    ``check-plan`` accepts any route that uses at least one corridor link. Its routes are exactly
    the paths of a two-copy graph (copy 0: no corridor link used yet; a corridor link leads into
    copy 1; destinations only in copy 1). Every link on some such path from these origins to a
    destination (reached forwards from the origins, backwards from the destinations; closures
    ignored, so this errs on the side of "may") must be one the side rule allows, and every
    destination reached in copy 1 must lie on the exit side; then both rules allow the same routes.
    """
    n = network.node_count
    tail, head = network.link_tail.astype(np.int64), network.link_head.astype(np.int64)
    t2 = np.concatenate([tail, tail + n])
    h2 = np.concatenate([np.where(on_corridor, head + n, head), head + n])
    graph = csr_matrix((np.ones(t2.size), (t2, h2)), shape=(2 * n, 2 * n))
    forward = _reach(graph, origin_nodes)
    backward = _reach(graph.T.tocsr(), destination_nodes + n)
    useful = forward[t2] & backward[h2]
    link = np.concatenate([np.arange(tail.size), np.arange(tail.size)])
    cut = np.flatnonzero(useful & ~usable[link])
    if cut.size:
        k = int(link[cut[0]])
        u, v = int(network.node_osm_id[tail[k]]), int(network.node_osm_id[head[k]])
        return (
            f"the planner's rule for corridor {corridor_id} (streets on its entry side, the corridor, "
            f"streets on its exit side) excludes {cut.size} link(s) on routes check-plan accepts, e.g. "
            f"{u}->{v}"
        )
    reached = destination_nodes[forward[destination_nodes + n] & ~exit_side[destination_nodes]]
    if reached.size:
        return (
            f"the planner's rule for corridor {corridor_id} excludes destination node "
            f"{int(network.node_osm_id[reached[0]])}, which routes check-plan accepts reach after "
            "the corridor"
        )
    return ""


def _reach(graph: csr_matrix, starts: IntArray) -> BoolArray:
    out = np.zeros(graph.shape[0], dtype=bool)
    for start in np.unique(starts).tolist():
        if not out[start]:
            out[breadth_first_order(graph, start, directed=True, return_predecessors=False)] = True
    return out
