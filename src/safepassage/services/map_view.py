"""The live map's data: one JSON-ready dict (``safepassage-map/1``) built from domain objects.

:func:`map_bundle` gathers what the map page (``safepassage.web``) and the offline HTML file draw:

- ``basemap``: the scenario's own road network (not tiles): one polyline per OSM way and class,
  both directions merged, simplified to about 2 m and rounded to 5 decimals (about 1 m);
- ``corridors``: each corridor's buffered area and route, its status (the latest lifecycle status
  when given, else the scenario's) and ceasefire windows, and its verdicts with their evidence;
- ``incidents``: the stored incidents with their reports side by side by source, each report's
  review state, the incident's credibility (the highest of its reports' after review) and its
  observation time (for its age); the scenario's own hazard reports are included as one-report
  incidents (feed ``scenario``);
- ``origins`` (people, people planned to leave, by when) and ``destinations`` (capacity, planned
  arrivals, by when): the page computes people still waiting and capacity left at any time;
- ``routes`` (distinct planned paths) and ``movements`` (groups on them, with entry times at each
  node so that a time slider can place the groups);
- ``closures``: road closures grouped by (reason, interval), one MultiLineString each;
- ``vehicles`` (coordinators only, with a vehicle schedule ``safepassage-schedule/1``): each road
  vehicle's legs on the road (trip number, from and to places, the path's nodes and the entry time
  at each node), so that the time slider can place the vehicle: a vehicle is on the road at ``t``
  when one of its legs has ``entry_times_s[0] <= t < entry_times_s[-1]``;
- ``start``, ``end``, ``horizon_s`` and ``timezone``; every time is ISO 8601 in the scenario's
  zone with the offset in force (``safepassage.local_time``) and also in seconds after ``start``.

Convoy details reach coordinators only (issue 9; the ICRC withheld them for the convoys' safety):
for any other viewer there is no ``vehicles`` layer, a movement carries no vehicle count, no exact
departure and arrival and no entry times -- only its route, its people and the hour it leaves in
(``departure_hour_s``) -- and an aid corridor carries no ceasefire windows (when its convoys move),
the API's redaction rule (``safepassage.api.redaction``), which the API's gate applies again to
every response.
Coordinates are [lat, lon] (Leaflet's order) except inside GeoJSON geometries ([lon, lat]).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import shapely

from safepassage.fleet.schedule import Schedule  # at run time: the shape test reads the type hints
from safepassage.geojson import area_features, closure_features
from safepassage.hazards import LinkClosures, credibility, link_closures
from safepassage.local_time import iso_text
from safepassage.monitor.records import Evidence, Incident, Verdict
from safepassage.monitor.report import IncidentReport
from safepassage.network import Projector, RoadNetwork
from safepassage.network.road_classes import ROAD_CLASSES
from safepassage.planner.plan_file import Plan  # at run time: the shape test reads the type hints
from safepassage.scenario.model import Scenario
from safepassage.scenario.vocabulary import (
    CorridorPurpose,
    CorridorStatus,
    HazardKind,
    SourceType,
    TravelMode,
)
from safepassage.store.review_workflow import ReviewState, verification_after_review

__all__ = ["MAP_FORMAT", "RESTRICTED_MOVEMENT_FIELDS", "map_bundle"]

MAP_FORMAT = "safepassage-map/1"
#: Movement fields only a coordinator receives (vehicle counts, exact times of the movement).
RESTRICTED_MOVEMENT_FIELDS = ("vehicles", "departure", "arrival", "entry_times_s")
_SIMPLIFY_DEG = 0.00002  # about 2 m at the latitudes of Ukraine
_DIGITS = 5  # about 1 m
_HOUR_S = 3600.0

Json = dict[str, Any]


def map_bundle(
    scenario: Scenario,
    networks: Mapping[TravelMode, RoadNetwork],
    plan: Plan | None = None,
    *,
    incidents: Sequence[Incident] = (),
    reports: Sequence[IncidentReport] = (),
    review_states: Mapping[tuple[str, str], ReviewState] | None = None,
    corridor_statuses: Mapping[str, CorridorStatus] | None = None,
    verdicts: Sequence[Verdict] = (),
    withheld_incident_ids: Collection[str] = (),
    coordinator: bool = False,
    closures: LinkClosures | None = None,
    schedule: Schedule | None = None,
) -> Json:
    """Everything the map draws, as plain JSON values (see the module docstring for the layers).

    ``reports``: the reports behind ``incidents`` (matched by ``(feed, source_id)``);
    ``review_states``: the latest review state per report key (absent: not reviewed);
    ``corridor_statuses``: the latest lifecycle status per corridor id (absent: the scenario's);
    ``withheld_incident_ids``: incidents behind ``verdicts`` resting on reports the viewer may not
    see: their evidence items keep kind, time and how sure only (``"withheld": true``);
    ``coordinator``: whether the viewer may see convoy details (else they are left out);
    ``schedule``: the vehicle schedule whose vehicles the map moves (coordinators only).
    """
    network = networks[TravelMode.DRIVE] if TravelMode.DRIVE in networks else next(iter(networks.values()))
    zone = scenario.zone()
    if closures is None:
        closures = link_closures(network, scenario)
    bundle: Json = {
        "format": MAP_FORMAT,
        "name": scenario.name,
        "timezone": scenario.timezone or iso_text(scenario.start, zone)[-6:],
        "start": iso_text(scenario.start, zone),
        "end": iso_text(scenario.end, zone),
        "horizon_s": scenario.horizon_s,
        "viewer": "coordinator" if coordinator else "public",
        "bounds": _bounds(network),
        "basemap": _basemap(network),
        "corridors": _corridors(
            scenario,
            network,
            corridor_statuses or {},
            verdicts,
            coordinator,
            frozenset(withheld_incident_ids),
        ),
        "incidents": _incidents(scenario, incidents, reports, review_states or {}),
        "origins": _origins(scenario, plan, coordinator),
        "destinations": _destinations(scenario, plan, coordinator),
        **_plan_layers(scenario, networks, plan, coordinator),
        "closures": _closures(scenario, network, closures),
        "vocabulary": {
            "kinds": [k.value for k in HazardKind],
            "source_types": [t.value for t in SourceType],
        },
    }
    if coordinator and schedule is not None:
        bundle["vehicles"] = _vehicles(network, schedule)
    return bundle


def _bounds(network: RoadNetwork) -> list[list[float]]:
    return [
        [float(network.node_lat.min()), float(network.node_lon.min())],
        [float(network.node_lat.max()), float(network.node_lon.max())],
    ]


def _latlon(coords: Sequence[Sequence[float]]) -> list[list[float]]:
    """GeoJSON (lon, lat) points as rounded [lat, lon] pairs."""
    return [[round(float(p[1]), _DIGITS), round(float(p[0]), _DIGITS)] for p in coords]


def _basemap(network: RoadNetwork) -> Json:
    """Roads by class with names: one simplified polyline per way and connected piece."""
    by_way: dict[int, list[int]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    for link in range(network.link_count):
        u, v = int(network.link_tail[link]), int(network.link_head[link])
        if (min(u, v), max(u, v)) in seen:
            continue
        seen.add((min(u, v), max(u, v)))
        by_way[int(network.link_way_id[link])].append(link)
    roads: list[Json] = []
    for way, links in sorted(by_way.items()):
        lines = shapely.MultiLineString([network.link_coords(k) for k in links])
        merged = shapely.simplify(shapely.line_merge(lines), _SIMPLIFY_DEG)
        parts = list(getattr(merged, "geoms", [merged]))
        first = links[0]
        roads.append(
            {
                "way": way,
                "class": network.road_class(first),
                "name": str(network.link_name[first]),
                "lines": [_latlon(part.coords) for part in parts],
            }
        )
    return {"classes": list(ROAD_CLASSES), "roads": roads}


def _corridors(
    scenario: Scenario,
    network: RoadNetwork,
    statuses: Mapping[str, CorridorStatus],
    verdicts: Sequence[Verdict],
    coordinator: bool,
    withheld: frozenset[str] = frozenset(),
) -> list[Json]:
    """Each corridor; an aid corridor's windows (when its convoys move) for coordinators only."""
    zone = scenario.zone()
    areas = {
        f["properties"]["id"]: f["geometry"]
        for f in area_features(scenario, Projector(network.crs))
        if f["properties"]["layer"] == "corridor"
    }
    result = []
    for c in scenario.corridors:
        result.append(
            {
                "id": c.id,
                "name": c.name,
                "status": statuses.get(c.id, c.status).value,
                "purpose": c.purpose.value,
                "buffer_m": c.buffer_m,
                "route": [[w.lat, w.lon] for w in c.route],
                "area": areas[c.id],
                "ceasefire_windows": [
                    {
                        "start": iso_text(w.start, zone),
                        "end": iso_text(w.end, zone),
                        "start_s": scenario.seconds_since_start(w.start),
                        "end_s": scenario.seconds_since_start(w.end),
                    }
                    for w in c.ceasefire_windows
                ],
                "verdicts": [_verdict(scenario, v, withheld) for v in verdicts if v.corridor_id == c.id],
            }
        )
        if c.purpose is CorridorPurpose.AID and not coordinator:
            del result[-1]["ceasefire_windows"]
            for verdict in result[-1]["verdicts"]:
                del verdict["window_start"], verdict["window_end"]
    return result


def _verdict(scenario: Scenario, v: Verdict, withheld: frozenset[str] = frozenset()) -> Json:
    """One verdict: its structured fields (the page words it from these through its catalogues),
    the rule's English ``reason`` and its evidence; an item on a ``withheld`` incident keeps kind,
    time and how sure only."""
    zone = scenario.zone()
    return {
        "window_start": iso_text(v.window_start, zone),
        "window_end": iso_text(v.window_end, zone),
        "outcome": v.outcome.value,
        "violation_score": round(v.violation_score, 3),
        "confidence": round(v.confidence, 3),
        "rule_version": v.rule_version,
        "reason": v.reason,
        "evidence_count": len(v.evidence),
        "decisive_count": sum(1 for e in v.evidence if e.decisive),
        "withheld_count": sum(1 for e in v.evidence if e.incident_id in withheld),
        "evidence": [_evidence(e, zone, e.incident_id in withheld) for e in v.evidence],
    }


def _evidence(e: Evidence, zone: dt.tzinfo, withheld: bool) -> Json:
    """One evidence item; ``withheld`` (a report the viewer may not see): kind, time, how sure."""
    if withheld:
        return {
            "withheld": True,
            "kind": e.kind.value,
            "observed_at": iso_text(e.observed_at, zone),
            "weight": round(e.weight, 3),
            "decisive": e.decisive,
        }
    return {
        "withheld": False,
        "incident_id": e.incident_id,
        "sources": list(e.sources),
        "kind": e.kind.value,
        "distance_to_route_m": round(e.distance_to_route_m, 1),
        "observed_at": iso_text(e.observed_at, zone),
        "weight": round(e.weight, 3),
        "decisive": e.decisive,
    }


def _incidents(
    scenario: Scenario,
    incidents: Sequence[Incident],
    reports: Sequence[IncidentReport],
    review_states: Mapping[tuple[str, str], ReviewState],
) -> list[Json]:
    zone = scenario.zone()
    by_key = {r.key: r for r in reports}
    result = [_scenario_hazard(scenario, h) for h in scenario.hazards]
    for incident in incidents:
        if incident.lat is None or incident.lon is None:
            continue  # placed nowhere: listed by the API, not drawn
        keys = [k for k in incident.report_keys if k in by_key]
        rows = [_report(scenario, by_key[k], review_states.get(k)) for k in keys]
        result.append(
            {
                "id": incident.id,
                "kind": incident.kind.value,
                "lat": incident.lat,
                "lon": incident.lon,
                "radius_m": incident.radius_m,
                "observed_at": iso_text(incident.last_observed_at, zone),
                "observed_s": scenario.seconds_since_start(incident.last_observed_at),
                "credibility": max((r["credibility"] for r in rows), default=0.0),
                "review_state": _incident_review(rows),
                "corroboration": incident.corroboration,
                "reports": rows,
            }
        )
    return result


def _report(scenario: Scenario, report: IncidentReport, state: ReviewState | None) -> Json:
    believed = verification_after_review(report.verification, state)
    return {
        "feed": report.feed,
        "source_id": report.source_id,
        "source_name": report.source_name,
        "source_type": report.source_type.value,
        "verification": believed.value,
        "review_state": state.value if state else ReviewState.DRAFT.value,
        "credibility": round(credibility(report.source_type, believed), 3),
        "observed_at": iso_text(report.observed_at, scenario.zone()),
        "fatalities": report.fatalities,
        "description": report.description,
    }


_REVIEW_ORDER = ("verified", "disputed", "rejected", "unverifiable", "on_hold", "draft")


def _incident_review(rows: Sequence[Json]) -> str:
    """An incident's review state: the most decisive of its reports' (verified first)."""
    states = {r["review_state"] for r in rows}
    return next((s for s in _REVIEW_ORDER if s in states), ReviewState.DRAFT.value)


def _scenario_hazard(scenario: Scenario, h: Any) -> Json:
    zone = scenario.zone()
    if h.area.is_circle:
        lat, lon, radius_m = h.area.lat, h.area.lon, h.area.radius_m
    else:
        polygon = shapely.Polygon([(p[1], p[0]) for p in h.area.polygon])
        centre = polygon.centroid
        lat, lon, radius_m = centre.y, centre.x, 0.0
    row = {
        "feed": "scenario",
        "source_id": h.id,
        "source_name": h.source.name,
        "source_type": h.source.type.value,
        "verification": h.verification.value,
        "review_state": h.verification.value,
        "credibility": round(credibility(h.source.type, h.verification), 3),
        "observed_at": iso_text(h.observed_at, zone),
        "fatalities": h.fatalities,
        "description": h.description,
    }
    return {
        "id": h.id,
        "kind": h.kind.value,
        "lat": lat,
        "lon": lon,
        "radius_m": radius_m,
        "observed_at": row["observed_at"],
        "observed_s": scenario.seconds_since_start(h.observed_at),
        "credibility": row["credibility"],
        "review_state": h.verification.value,
        "corroboration": 1,
        "reports": [row],
    }


def _hour_s(seconds: float) -> float:
    return math.floor(seconds / _HOUR_S) * _HOUR_S


def _origins(scenario: Scenario, plan: Plan | None, coordinator: bool) -> list[Json]:
    """Each origin with its people and the planned departures ([seconds, people], sorted)."""
    leaving: dict[str, list[list[float]]] = defaultdict(list)
    for m in plan.movements if plan else []:
        at_s = m.entry_times_s[0]
        leaving[m.origin].append([at_s if coordinator else _hour_s(at_s), m.people])
    return [
        {
            "id": o.id,
            "name": o.name,
            "lat": o.lat,
            "lon": o.lon,
            "people": o.people,
            "planned_out": sum(int(p) for _, p in leaving[o.id]),
            "departures": sorted(leaving[o.id]),
        }
        for o in scenario.origins
    ]


def _destinations(scenario: Scenario, plan: Plan | None, coordinator: bool) -> list[Json]:
    """Each destination with its capacity and the planned arrivals ([seconds, people], sorted)."""
    arriving: dict[str, list[list[float]]] = defaultdict(list)
    for m in plan.movements if plan else []:
        at_s = m.entry_times_s[-1]
        arriving[m.destination].append([at_s if coordinator else _hour_s(at_s) + _HOUR_S, m.people])
    return [
        {
            "id": d.id,
            "name": d.name,
            "lat": d.lat,
            "lon": d.lon,
            "capacity": d.capacity,
            "planned_in": sum(int(p) for _, p in arriving[d.id]),
            "arrivals": sorted(arriving[d.id]),
        }
        for d in scenario.destinations
    ]


def _plan_layers(
    scenario: Scenario, networks: Mapping[TravelMode, RoadNetwork], plan: Plan | None, coordinator: bool
) -> Json:
    """Distinct planned paths (``routes``) and the groups moving on them (``movements``)."""
    if plan is None:
        return {"routes": [], "movements": [], "plan": None}
    zone = scenario.zone()
    route_index: dict[tuple[str, tuple[int, ...]], int] = {}
    routes: list[Json] = []
    movements: list[Json] = []
    per_vehicle = scenario.capacity.people_per_vehicle
    for m in plan.movements:
        key = (m.mode.value, tuple(m.path))
        if key not in route_index:
            route_index[key] = len(routes)
            routes.append(_route(networks[m.mode], m.path, m.origin, m.destination, m.mode.value))
        routes[route_index[key]]["people"] += m.people
        row: Json = {
            "route": route_index[key],
            "origin": m.origin,
            "destination": m.destination,
            "people": m.people,
            "mode": m.mode.value,
            "departure_hour_s": _hour_s(m.entry_times_s[0]),
        }
        if coordinator:
            row["vehicles"] = math.ceil(m.people / per_vehicle) if m.mode is TravelMode.DRIVE else 0
            row["departure"] = iso_text(m.departure, zone)
            row["arrival"] = iso_text(plan.at(m.entry_times_s[-1]), zone)
            row["entry_times_s"] = [round(t, 3) for t in m.entry_times_s]
        movements.append(row)
    summary = {"movements": len(movements), "people": sum(m.people for m in plan.movements)}
    return {"routes": routes, "movements": movements, "plan": summary}


def _vehicles(network: RoadNetwork, schedule: Schedule) -> list[Json]:
    """Each road vehicle with its legs on the road (``nodes`` [lat, lon] with ``entry_times_s``)."""
    vehicles: list[Json] = []
    for vehicle in schedule.vehicles:
        legs: list[Json] = []
        for trip in vehicle.trips:
            for leg in [*trip.legs, *([trip.return_leg] if trip.return_leg is not None else [])]:
                if leg.mode != "road" or len(leg.path) < 2:
                    continue
                legs.append(
                    {
                        "trip": trip.number,
                        "from": leg.from_place,
                        "to": leg.to_place,
                        "nodes": [_point(network, network.node_index(n)) for n in leg.path],
                        "entry_times_s": [round(t, 3) for t in leg.entry_times_s],
                    }
                )
        if legs:
            vehicles.append(
                {"vehicle": vehicle.vehicle, "type": vehicle.type, "seats": vehicle.seats, "legs": legs}
            )
    return vehicles


def _route(network: RoadNetwork, path: Sequence[int], origin: str, destination: str, mode: str) -> Json:
    nodes = [network.node_index(n) for n in path]
    points = [_point(network, i) for i in nodes]
    line: list[list[float]] = []
    for u, v in itertools.pairwise(nodes):
        coords = _latlon(network.link_coords(network.find_link(u, v)))
        line.extend(coords if not line else coords[1:])
    return {
        "origin": origin,
        "destination": destination,
        "mode": mode,
        "nodes": points,
        "line": line or points,
        "people": 0,
    }


def _point(network: RoadNetwork, node: int) -> list[float]:
    return [round(float(network.node_lat[node]), _DIGITS), round(float(network.node_lon[node]), _DIGITS)]


def _closures(scenario: Scenario, network: RoadNetwork, closures: LinkClosures) -> list[Json]:
    """Closures grouped by (reason, interval): one MultiLineString of the closed roads each."""
    groups: dict[tuple[str, str | None, str | None], list[list[list[float]]]] = defaultdict(list)
    for feature in closure_features(network, closures, scenario):
        p = feature["properties"]
        groups[(p["reason"], p["from"], p["to"])].append(_latlon(feature["geometry"]["coordinates"]))
    result = []
    for (reason, begin, end), lines in groups.items():
        result.append(
            {
                "reason": reason,
                "from": begin,
                "to": end,
                "from_s": _seconds(scenario, begin),
                "to_s": _seconds(scenario, end),
                "links": len(lines),
                "lines": lines,
            }
        )
    return result


def _seconds(scenario: Scenario, text: str | None) -> float | None:
    """Seconds after the start of an ISO time; None (open-ended) when there is none."""
    if text is None:
        return None
    return scenario.seconds_since_start(dt.datetime.fromisoformat(text))
