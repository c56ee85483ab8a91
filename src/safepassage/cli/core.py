"""Core commands: ``validate``, ``route`` and ``demo``.

The network, planner and routing modules (numpy, scipy, OR-Tools, osmium) are imported inside the
commands, so ``safepassage route --help`` and a mistyped option answer at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from safepassage.cli._options import INSTANT, check_within_horizon
from safepassage.cli._output import err_console, exits_on_error, out_console
from safepassage.errors import InputError
from safepassage.local_time import stamp_text
from safepassage.scenario import load_scenario
from safepassage.scenario.vocabulary import VehicleClass

if TYPE_CHECKING:
    from safepassage.finding import Finding
    from safepassage.network import RoadNetwork
    from safepassage.routing import Route
    from safepassage.services.records import ReadyScenario

__all__ = ["register"]

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file (see docs/scenario-format.md).")]


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.command("route")(route)
    app.command("demo")(demo)


def _print_findings(findings: Sequence[Finding]) -> None:
    for f in findings:
        colour = "red" if f.severity == "error" else "yellow"
        out_console.print(f"[{colour}]{f.severity}[/] {f.field}: {f.message}", highlight=False)


@exits_on_error
def validate(scenario_file: ScenarioArg) -> None:
    """List what must be fixed before planning; exit 2 if anything must be."""
    from safepassage.services.scenarios import load_scenario_file, prepare_scenario

    ready = prepare_scenario(load_scenario_file(scenario_file))
    _print_ready(ready)
    if ready.errors:
        err_console.print(f"{scenario_file}: {len(ready.errors)} problem(s) to fix before planning")
        raise typer.Exit(code=InputError.exit_code)
    out_console.print(f"{scenario_file}: ready to plan ({len(ready.findings)} warning(s))")


def _print_ready(ready: ReadyScenario) -> None:
    """Each network's description, then every finding."""
    for mode, description in ready.network_descriptions():
        out_console.print(f"{mode.value} network: {description}", highlight=False)
    _print_findings(ready.findings)


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
    from safepassage.services.planning import find_route, write_route_geojson

    scenario = load_scenario(scenario_file)
    if at is not None:
        check_within_horizon(at, scenario, "--at")
    found = find_route(scenario, origin, destination, at=at, vehicle=vehicle)
    r = found.route
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
    out_console.print(_route_table(found.network, r))
    if geojson is not None:
        write_route_geojson(found, geojson)


def demo_scenario_path() -> Path:
    """The bundled demo scenario (:func:`safepassage.services.planning.demo_scenario_path`)."""
    from safepassage.services.planning import demo_scenario_path as bundled

    return bundled()


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
    from safepassage.services.fleet import demo_fleet
    from safepassage.services.planning import run_demo

    def on_ready(ready: ReadyScenario) -> None:
        out_console.rule(f"[bold]{ready.scenario.name}")
        out_console.print(ready.scenario.description.strip(), highlight=False)
        _print_ready(ready)

    def on_planning(closures_by_reason: dict[str, int]) -> None:
        table = Table(title="Closures over the horizon")
        table.add_column("reason")
        table.add_column("links", justify="right")
        for reason, n in sorted(closures_by_reason.items(), key=lambda kv: -kv[1]):
            table.add_row(reason, str(n))
        out_console.print(table)
        out_console.rule("[bold]Plan")

    from safepassage.web import write_scenario_map

    run = run_demo(out, scenario_file, on_ready=on_ready, on_planning=on_planning)
    write_scenario_map(out / "map.html", run.ready.scenario, run.ready.networks, run.plan)
    print_plan_summary(run.plan, run.ready.scenario.zone())
    out_console.print(
        "independent check: the plan keeps every rule (roads, one-ways, capacity per step, closures, "
        "curfew, ceasefire windows, reception capacity, conservation of people)",
        highlight=False,
    )
    # the bus schedule, when the scenario has a fleet
    schedule = demo_fleet(run.ready.scenario, run.ready.networks, out)
    if schedule is not None:
        from safepassage.fleet.sheet import coverage_text

        out_console.rule("[bold]Buses")
        out_console.print(coverage_text(schedule, run.plan.people_total), highlight=False)
        print_schedule(schedule)
        out_console.print(f"bus schedule: {out / 'schedule.json'}, {out / 'schedule.html'} and CSV files")
    out_console.print(
        f"wrote {run.plan_file}, {run.map_file} ({run.map_features} features) and the offline map "
        f"{out / 'map.html'} in {run.seconds:.1f} s",
        highlight=False,
    )
