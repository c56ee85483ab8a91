"""What a coordinator must fix before planning: ``safepassage validate SCENARIO``.

Loading a scenario already rejects malformed input (``safepassage.scenario.load``). This goes
further, with the road network and the closures in force:

- origins that cannot reach any destination once closures apply (over the whole horizon, and at
  the start);
- total reception capacity below the people waiting;
- ceasefire windows and blockages partly outside the horizon (they are clipped);
- points snapped more than :data:`MAX_SNAP_M` from the road network;
- origins or destinations inside an exclusion zone;
- points and areas off the map (did you swap lat and lon?), areas touching no road, polygons whose
  edges cross, and blockage links that are not one road segment (``safepassage.geometry_checks``);
- origins no route leaves at the start: when the earliest route opens and which closure holds it;
- origins that several corridors oblige (only the first is applied).

``plan`` and ``route`` call :func:`require_ready`, which raises on the same errors, so they refuse
exactly what ``validate`` rejects.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.sparse.csgraph import breadth_first_order

from safepassage.errors import OutsideExtractError, Problem, ScenarioError
from safepassage.finding import Finding
from safepassage.geometry_checks import geometry_findings, require_places_on_map
from safepassage.hazards import EVACUEE_VEHICLE, area_shape, binding_corridors, link_closures, link_index
from safepassage.network import RoadNetwork, Snap, load_scenario_networks, snap_points
from safepassage.routing import describe_opening, earliest_opening
from safepassage.scenario.model import Origin, Scenario
from safepassage.scenario.vocabulary import Cargo, TravelMode

__all__ = ["MAX_SNAP_M", "Finding", "require_ready", "validate_scenario"]

#: Points farther than this from the nearest road node are reported.
MAX_SNAP_M = 500.0


def require_ready(
    scenario: Scenario, networks: Mapping[TravelMode, RoadNetwork] | None = None
) -> list[Finding]:
    """Refuse a scenario that ``safepassage validate`` rejects; return its warnings otherwise.

    ``networks`` may give some or all modes' networks; the others are loaded. Raises
    :class:`ScenarioError` (exit 2) listing every error finding, each naming its field.
    """
    label = scenario.source_path.name if scenario.source_path else "scenario"
    findings = validate_scenario(scenario, load_scenario_networks(scenario, given=networks))
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise ScenarioError(
            [Problem(label, f.field, f.message) for f in errors]
            + [Problem(label, "", "run `safepassage validate` on it to see every finding")]
        )
    return findings


def validate_scenario(
    scenario: Scenario, networks: dict[TravelMode, RoadNetwork] | None = None
) -> list[Finding]:
    """Every finding for ``scenario``; an empty list means ready to plan."""
    label = scenario.source_path.name if scenario.source_path else "scenario"
    try:
        return _validate(scenario, networks)
    except OutsideExtractError as exc:
        raise OutsideExtractError(f"{label}: {exc.message}") from None


def _validate(scenario: Scenario, networks: dict[TravelMode, RoadNetwork] | None) -> list[Finding]:
    findings: list[Finding] = []
    if networks is None:
        networks = load_scenario_networks(scenario)

    waiting, capacity = scenario.people_total, scenario.reception_capacity_total
    if capacity < waiting:
        findings.append(
            Finding(
                "error",
                "destinations",
                f"reception capacity {capacity:,} is below the {waiting:,} people waiting; "
                f"{waiting - capacity:,} people would have nowhere to go",
            )
        )
    findings += _windows_clipped(scenario)
    require_places_on_map(scenario, networks)
    findings += geometry_findings(scenario, networks)
    for mode, network in networks.items():
        origins = [(i, o) for i, o in enumerate(scenario.origins) if o.mode is mode]
        if not origins:
            continue
        findings += _reachability(scenario, network, origins)
    findings += _corridors_in_conflict(scenario)
    return findings


def _reachability(
    scenario: Scenario, network: RoadNetwork, origins: list[tuple[int, Origin]]
) -> list[Finding]:
    findings: list[Finding] = []
    points = [(f"origins[{i}]", o.lat, o.lon) for i, o in origins]
    points += [(f"destinations[{i}]", d.lat, d.lon) for i, d in enumerate(scenario.destinations)]
    snaps = snap_points(network, points)
    for snap in snaps:
        if snap.distance_m > MAX_SNAP_M:
            findings.append(
                Finding(
                    "error",
                    snap.label,
                    f"is {snap.distance_m:,.0f} m from the nearest {network.mode.value} road "
                    f"(OSM node {snap.osm_id}); expected at most {MAX_SNAP_M:,.0f} m — move the point "
                    "onto a road or use a larger extract",
                )
            )
    findings += _inside_exclusion(scenario, network, snaps)

    vehicle = EVACUEE_VEHICLE[network.mode]
    closures = link_closures(network, scenario, vehicle=vehicle, cargo=Cargo.PEOPLE)
    never_open = closures.closed_throughout(0.0, scenario.horizon_s)
    open_at_start = closures.open_at(0.0)
    origin_snaps = snaps[: len(origins)]
    dest_nodes = np.array([s.node for s in snaps[len(origins) :]])
    for (index, origin), snap in zip(origins, origin_snaps, strict=True):
        reach_ever = _reachable(network, snap.node, ~never_open)
        if not reach_ever[dest_nodes].any():
            findings.append(
                Finding(
                    "error",
                    f"origins[{index}]",
                    f"{origin.name} ({origin.id}, {origin.people:,} people) cannot reach any "
                    "destination: every way out is closed for the whole horizon",
                )
            )
            continue
        if not _reachable(network, snap.node, open_at_start)[dest_nodes].any():
            opening = earliest_opening(
                network,
                scenario,
                origin.id,
                [d.id for d in scenario.destinations],
                vehicle=vehicle,
                closures=closures,
            )
            later = (
                describe_opening(scenario, opening, name_destination=True)
                if opening
                else "roads to a destination open later in the horizon, but no route is open end to "
                "end at any moment a closure ends"
            )
            findings.append(
                Finding(
                    "warning",
                    f"origins[{index}]",
                    f"{origin.name} ({origin.id}) cannot reach any destination at the start "
                    f"({scenario.start.isoformat()}); {later}",
                )
            )
    return findings


def _corridors_in_conflict(scenario: Scenario) -> list[Finding]:
    findings: list[Finding] = []
    for i, origin in enumerate(scenario.origins):
        binding = binding_corridors(scenario, origin.id, EVACUEE_VEHICLE[origin.mode], Cargo.PEOPLE)
        if len(binding) > 1:
            others = ", ".join(c.id for c in binding[1:])
            findings.append(
                Finding(
                    "warning",
                    f"origins[{i}]",
                    f"{origin.id}: corridors {binding[0].id}, {others} all oblige its evacuees; only the "
                    f"first, {binding[0].id}, is applied (by route, plan and check-plan alike)",
                )
            )
    return findings


def _reachable(network: RoadNetwork, source: int, usable: np.ndarray) -> np.ndarray:
    weights = np.where(usable, 1.0, np.inf)
    order = breadth_first_order(network.matrix(weights), source, directed=True, return_predecessors=False)
    mask = np.zeros(network.node_count, dtype=bool)
    mask[order] = True
    return mask


def _inside_exclusion(scenario: Scenario, network: RoadNetwork, snaps: list[Snap]) -> list[Finding]:
    index = link_index(network)
    findings: list[Finding] = []
    for zone in scenario.exclusion_zones:
        inside = index.nodes_inside(area_shape(zone.area, index.projector))
        for snap in snaps:
            if inside[snap.node]:
                findings.append(
                    Finding(
                        "error",
                        snap.label,
                        f"lies inside exclusion zone {zone.id} ({zone.name}), which is never entered",
                    )
                )
    return findings


def _windows_clipped(scenario: Scenario) -> list[Finding]:
    findings: list[Finding] = []
    start, end = scenario.start, scenario.end
    for ci, corridor in enumerate(scenario.corridors):
        for wi, window in enumerate(corridor.ceasefire_windows):
            if window.start < start or window.end > end:
                findings.append(
                    Finding(
                        "warning",
                        f"corridors[{ci}].ceasefire_windows[{wi}]",
                        f"{window.start.isoformat()} to {window.end.isoformat()} reaches outside the "
                        f"horizon ({start.isoformat()} to {end.isoformat()}); only the part inside "
                        "is planned",
                    )
                )
    return findings
