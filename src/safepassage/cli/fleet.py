"""Fleet commands: ``fleet`` (schedule the vehicles, print the dispatch sheet) and ``check-schedule``.

The work is done by :mod:`safepassage.services.fleet`; this module only parses options and prints.
The solver (numpy, scipy, OR-Tools) is imported inside the commands, so ``--help`` answers at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from safepassage.cli._output import exits_on_error, out_console
from safepassage.scenario import load_scenario

if TYPE_CHECKING:
    from safepassage.fleet.schedule import Schedule

__all__ = ["print_schedule", "register"]

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file with a fleet section.")]


def register(app: typer.Typer) -> None:
    app.command("fleet")(fleet)
    app.command("check-schedule")(check_schedule)


def print_schedule(schedule: Schedule) -> None:
    """The dispatch sheet in the terminal: summary, trips by vehicle, pickups, unserved."""
    from safepassage.fleet.sheet import sheet_tables, summary_text

    out_console.print(summary_text(schedule), highlight=False)
    for table in sheet_tables(schedule):
        out_console.print(table)


@exits_on_error
def fleet(
    scenario_file: ScenarioArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="Schedule file to write (JSON).")],
    html: Annotated[Path | None, typer.Option(help="Also write the printable dispatch sheet (HTML).")] = None,
    csv: Annotated[
        Path | None,
        typer.Option(help="Also write one CSV row per trip here, and per pickup in NAME-pickups.csv."),
    ] = None,
    method: Annotated[
        str,
        typer.Option(
            help="auto: an exact model (OR-Tools CP-SAT) for small instances, else the heuristic; "
            "exact or heuristic to choose. Either way the output gives the last arrival, a proven "
            "lower bound and the gap."
        ),
    ] = "auto",
    time_limit: Annotated[float, typer.Option(help="Solver time limit in seconds (1 to 3600).")] = 30.0,
) -> None:
    """Schedule the vehicles: trips by street, pickups, arrivals; write safepassage-schedule/1."""
    from safepassage.services.fleet import schedule_fleet, write_fleet_files

    scenario = load_scenario(scenario_file)
    run = schedule_fleet(scenario, method=method, time_limit_s=time_limit)
    written = write_fleet_files(run.schedule, output, html=html, csv=csv)
    print_schedule(run.schedule)
    out_console.print(
        "independent check: the schedule keeps every rule (one place at a time, seats, real roads, "
        "closures, curfew, corridor windows, reception capacity, every person once)",
        highlight=False,
    )
    out_console.print("wrote " + ", ".join(str(p) for p in written), highlight=False)


@exits_on_error
def check_schedule(
    scenario_file: ScenarioArg,
    schedule_file: Annotated[Path, typer.Argument(help="Schedule file (safepassage-schedule/1 JSON).")],
) -> None:
    """Re-verify a schedule against the scenario and the real roads; exit 5 listing every violation."""
    from safepassage.services.fleet import check_schedule_file

    scenario = load_scenario(scenario_file)
    schedule = check_schedule_file(scenario, schedule_file)
    s = schedule.summary
    out_console.print(
        f"{schedule_file}: valid — {s.vehicles_used} vehicles, {s.trips} trips, {s.people_moved:,} people, "
        f"last arrival {s.last_arrival_s / 60:.0f} min, bound {schedule.solver.lower_bound_s / 60:.0f} min",
        highlight=False,
    )
