"""The map bundle (services.map_view) on the real demo: every layer from the domain objects, people
conserved, closures grouped, incidents with their reports side by side, convoy details to
coordinators only."""

from __future__ import annotations

import json
import math
from typing import Any

from safepassage.hazards import link_closures
from safepassage.monitor.merge import merge_reports
from safepassage.monitor.verdict import judge_corridor
from safepassage.scenario.vocabulary import CorridorPurpose, CorridorStatus, HazardKind, TravelMode
from safepassage.services.map_view import MAP_FORMAT, RESTRICTED_MOVEMENT_FIELDS, map_bundle
from safepassage.store import ReviewState


def _bundle(demo: Any, reports: list[Any], *, coordinator: bool, **extra: Any) -> dict[str, Any]:
    incidents = merge_reports(reports)
    return map_bundle(
        demo.scenario,
        demo.networks,
        demo.plan,
        incidents=incidents,
        reports=reports,
        coordinator=coordinator,
        **extra,
    )


def test_every_layer_comes_from_the_domain_objects(demo_planned: Any, demo_feed_reports: list[Any]) -> None:
    scenario, plan = demo_planned.scenario, demo_planned.plan
    bundle = _bundle(demo_planned, demo_feed_reports, coordinator=True)
    assert bundle["format"] == MAP_FORMAT
    assert bundle["timezone"] == "Europe/Helsinki"
    assert bundle["start"] == "2022-03-05T08:00:00+02:00"
    assert bundle["end"] == "2022-03-05T21:00:00+02:00"
    assert bundle["horizon_s"] == scenario.horizon_s
    assert [c["id"] for c in bundle["corridors"]] == [c.id for c in scenario.corridors]
    assert [o["id"] for o in bundle["origins"]] == [o.id for o in scenario.origins]
    assert [d["id"] for d in bundle["destinations"]] == [d.id for d in scenario.destinations]
    incidents = merge_reports(demo_feed_reports)
    assert len(bundle["incidents"]) == len(scenario.hazards) + len(incidents)
    assert len(bundle["movements"]) == len(plan.movements)
    assert len(bundle["routes"]) == len({(m.mode, tuple(m.path)) for m in plan.movements})
    # every way of the drive network is drawn once, named as in the network
    network = demo_planned.networks[TravelMode.DRIVE]
    assert len(bundle["basemap"]["roads"]) == len(set(network.link_way_id.tolist()))
    names = {str(n) for n in network.link_name.tolist()}
    assert {r["name"] for r in bundle["basemap"]["roads"]} <= names
    json.dumps(bundle, allow_nan=False)  # JSON-ready, no NaN or infinity


def test_people_are_conserved_between_origins_routes_and_destinations(demo_planned: Any) -> None:
    bundle = map_bundle(demo_planned.scenario, demo_planned.networks, demo_planned.plan, coordinator=True)
    planned = sum(m.people for m in demo_planned.plan.movements)
    assert sum(o["planned_out"] for o in bundle["origins"]) == planned
    assert sum(d["planned_in"] for d in bundle["destinations"]) == planned
    assert sum(r["people"] for r in bundle["routes"]) == planned
    for origin in bundle["origins"]:
        assert sum(p for _, p in origin["departures"]) == origin["planned_out"] <= origin["people"]
    for dest in bundle["destinations"]:
        assert dest["planned_in"] <= dest["capacity"]
    # a group's entry times follow its route's nodes, from departure to arrival
    for row, movement in zip(bundle["movements"], demo_planned.plan.movements, strict=True):
        nodes = bundle["routes"][row["route"]]["nodes"]
        assert len(row["entry_times_s"]) == len(nodes) == len(movement.path)
        assert row["entry_times_s"] == sorted(row["entry_times_s"])
        assert row["vehicles"] == math.ceil(
            movement.people / demo_planned.scenario.capacity.people_per_vehicle
        )


def test_closures_are_grouped_by_reason_and_interval(demo_planned: Any) -> None:
    network = demo_planned.networks[TravelMode.DRIVE]
    closures = link_closures(network, demo_planned.scenario)
    bundle = map_bundle(demo_planned.scenario, demo_planned.networks, demo_planned.plan)
    groups: dict[tuple[str, float, float], int] = {}
    for i in range(closures.link.shape[0]):
        key = (closures.reason[i], float(closures.from_s[i]), float(closures.to_s[i]))
        groups[key] = groups.get(key, 0) + 1
    assert len(bundle["closures"]) == len(groups)
    assert sum(c["links"] for c in bundle["closures"]) == closures.link.shape[0]
    curfew = next(c for c in bundle["closures"] if c["reason"].startswith("curfew"))
    assert curfew["from"] == "2022-03-05T20:00:00+02:00"
    assert curfew["from_s"] == 12 * 3600
    assert curfew["links"] == network.link_count  # the curfew closes every road
    mines = next(c for c in bundle["closures"] if "field-mines" in c["reason"])
    assert mines["to"] is None
    assert mines["to_s"] is None


def test_convoy_details_reach_coordinators_only(demo_planned: Any) -> None:
    public = map_bundle(demo_planned.scenario, demo_planned.networks, demo_planned.plan)
    coordinator = map_bundle(
        demo_planned.scenario, demo_planned.networks, demo_planned.plan, coordinator=True
    )
    assert public["viewer"] == "public"
    assert coordinator["viewer"] == "coordinator"
    for row in public["movements"]:
        assert not set(RESTRICTED_MOVEMENT_FIELDS) & set(row)
        assert row["departure_hour_s"] % 3600 == 0
    for row in coordinator["movements"]:
        assert set(RESTRICTED_MOVEMENT_FIELDS) <= set(row)
    # the hour a group leaves in, not when: origins' departures are rounded down to the hour
    for origin in public["origins"]:
        assert all(at % 3600 == 0 for at, _ in origin["departures"])
    aid = [c for c in public["corridors"] if c["purpose"] == CorridorPurpose.AID.value]
    assert aid
    assert all("ceasefire_windows" not in c for c in aid)
    assert all("ceasefire_windows" in c for c in coordinator["corridors"])
    text = json.dumps(public)
    assert '"vehicles"' not in text
    assert '"entry_times_s"' not in text


def test_incidents_carry_reports_side_by_side_with_review_states(
    demo_planned: Any, demo_feed_reports: list[Any]
) -> None:
    first = demo_feed_reports[0]
    states = {first.key: ReviewState.REJECTED}
    bundle = _bundle(demo_planned, demo_feed_reports, coordinator=False, review_states=states)
    by_source = {
        (r["feed"], r["source_id"]): (incident, r)
        for incident in bundle["incidents"]
        for r in incident["reports"]
    }
    assert {key for key in by_source if key[0] != "scenario"} == {r.key for r in demo_feed_reports}
    incident, row = by_source[first.key]
    assert row["review_state"] == "rejected"
    assert row["verification"] == "rejected"
    assert row["credibility"] == 0.0
    assert incident["kind"] in {k.value for k in HazardKind}
    others = [r for r in demo_feed_reports if r.key != first.key]
    assert all(by_source[r.key][1]["review_state"] == "draft" for r in others)
    # the scenario's own hazards are one-report incidents with their verification
    hazard = next(i for i in bundle["incidents"] if i["id"] == "social-checkpoint-kaivokatu")
    assert hazard["review_state"] == "rejected"
    assert hazard["reports"][0]["feed"] == "scenario"
    assert hazard["observed_s"] == 20 * 60


def test_statuses_and_verdicts_with_evidence(demo_planned: Any, demo_feed_reports: list[Any]) -> None:
    scenario = demo_planned.scenario
    incidents = merge_reports(demo_feed_reports)
    corridor = scenario.corridors[0]
    window = corridor.ceasefire_windows[0]
    route = [(w.lon, w.lat) for w in corridor.route]
    verdict = judge_corridor(corridor.id, route, window.start, window.end, incidents, corridor.buffer_m)
    bundle = _bundle(
        demo_planned,
        demo_feed_reports,
        coordinator=False,
        corridor_statuses={corridor.id: CorridorStatus.SUSPENDED},
        verdicts=[verdict],
    )
    shown = bundle["corridors"][0]
    assert shown["status"] == "suspended"
    assert bundle["corridors"][1]["status"] == scenario.corridors[1].status.value
    assert [v["outcome"] for v in shown["verdicts"]] == [verdict.outcome.value]
    evidence = shown["verdicts"][0]["evidence"]
    assert [e["incident_id"] for e in evidence] == [e.incident_id for e in verdict.evidence]
    assert shown["ceasefire_windows"] == [
        {
            "start": "2022-03-05T09:00:00+02:00",
            "end": "2022-03-05T16:00:00+02:00",
            "start_s": 3600.0,
            "end_s": 28800.0,
        }
    ]
