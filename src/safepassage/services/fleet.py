"""Fleet use cases: schedule the vehicles of a scenario, write the dispatch sheet, check a schedule.

Plain functions for the shells (``safepassage fleet``, ``check-schedule``, the demo, the API):
they take domain objects and paths, return a :class:`~safepassage.fleet.schedule.Schedule` (or a
:class:`FleetRun`), raise the errors of :mod:`safepassage.errors` and never print. Files are
written through :mod:`safepassage.atomic_file` (via the schedule and sheet writers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from safepassage.errors import InputError, ScheduleRejectedError
from safepassage.fleet.check import Violation, check_schedule, validate_schedule
from safepassage.fleet.schedule import Schedule, read_schedule, write_schedule
from safepassage.fleet.sheet import write_pickups_csv, write_trips_csv
from safepassage.fleet.sheet_html import write_sheet_html
from safepassage.fleet.solve import FleetMethod, solve_fleet
from safepassage.network import RoadNetwork, load_scenario_networks
from safepassage.scenario.model import Scenario
from safepassage.scenario.vocabulary import TravelMode

__all__ = [
    "FLEET_METHODS",
    "FleetRun",
    "check_schedule_file",
    "demo_fleet",
    "pickups_csv_path",
    "schedule_fleet",
    "write_fleet_files",
]


#: The solver methods of ``safepassage fleet --method``.
FLEET_METHODS = ("auto", "exact", "heuristic")


@dataclass(frozen=True)
class FleetRun:
    """A schedule made for a scenario, on these networks, already re-verified by the checker."""

    scenario: Scenario
    networks: Mapping[TravelMode, RoadNetwork]
    schedule: Schedule


def schedule_fleet(
    scenario: Scenario,
    *,
    networks: Mapping[TravelMode, RoadNetwork] | None = None,
    method: str = "auto",
    time_limit_s: float = 30.0,
) -> FleetRun:
    """Schedule the scenario's vehicles and re-verify the result with the independent checker.

    ``method``: ``auto`` (exact for small instances, else heuristic), ``exact`` or ``heuristic``
    (:data:`FLEET_METHODS`); ``time_limit_s``: the solver's time limit (1 s to 1 hour).

    Raises :class:`~safepassage.errors.InputError` when the scenario has no ``fleet`` section, and
    :class:`~safepassage.errors.ScheduleRejectedError` (exit 5) if the solver's schedule breaks a
    rule (a solver bug: the checker is the guard).
    """
    if method not in FLEET_METHODS:
        raise InputError(f"--method: {method!r} is not a fleet method; expected auto, exact or heuristic")
    if not 1.0 <= time_limit_s <= 3600.0:
        raise InputError(f"--time-limit: {time_limit_s:g} s is out of range; expected 1 to 3,600 seconds")
    if scenario.fleet is None:
        raise InputError(
            f"scenario {scenario.name!r} has no fleet section; expected vehicles, depots and pickups "
            "(see docs/scenario-format.md, 'Fleet')"
        )
    loaded = load_scenario_networks(scenario, given=networks)
    chosen: FleetMethod = "exact" if method == "exact" else "heuristic" if method == "heuristic" else "auto"
    schedule = solve_fleet(scenario, networks=loaded, method=chosen, time_limit_s=time_limit_s)
    validate_schedule(scenario, loaded, schedule)
    return FleetRun(scenario, loaded, schedule)


def pickups_csv_path(trips_csv: Path) -> Path:
    """Where the pickups CSV goes beside the trips CSV: ``sheet.csv`` -> ``sheet-pickups.csv``."""
    return trips_csv.with_name(f"{trips_csv.stem}-pickups{trips_csv.suffix or '.csv'}")


def write_fleet_files(
    schedule: Schedule, output: Path | None, *, html: Path | None = None, csv: Path | None = None
) -> list[Path]:
    """Write the schedule file, the printable sheet and the CSVs asked for; return the paths written.

    ``csv`` receives one row per trip, and :func:`pickups_csv_path` beside it one row per collection.
    """
    written: list[Path] = []
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_schedule(schedule, output)
        written.append(output)
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        write_sheet_html(schedule, html)
        written.append(html)
    if csv is not None:
        csv.parent.mkdir(parents=True, exist_ok=True)
        write_trips_csv(schedule, csv)
        write_pickups_csv(schedule, pickups_csv_path(csv))
        written += [csv, pickups_csv_path(csv)]
    return written


def check_schedule_file(
    scenario: Scenario, schedule_file: Path, *, networks: Mapping[TravelMode, RoadNetwork] | None = None
) -> Schedule:
    """Read a schedule file and re-verify it against ``scenario`` and the real roads.

    Returns the schedule when it keeps every rule; raises
    :class:`~safepassage.errors.ScheduleRejectedError` (exit 5) listing every violation and
    :class:`~safepassage.errors.ScheduleFileError` (exit 2) for a file that is not a valid schedule.
    """
    schedule = read_schedule(schedule_file)
    violations: list[Violation] = check_schedule(scenario, networks, schedule)
    if violations:
        raise ScheduleRejectedError([str(v) for v in violations])
    return schedule


def demo_fleet(scenario: Scenario, networks: Mapping[TravelMode, RoadNetwork], out: Path) -> Schedule | None:
    """The demo's bus schedule: scheduled, checked, written to ``out`` (``schedule.json``,
    ``schedule.html``, ``schedule.csv`` and ``schedule-pickups.csv``); None without a fleet section."""
    if scenario.fleet is None:
        return None
    run = schedule_fleet(scenario, networks=networks)
    write_fleet_files(
        run.schedule, out / "schedule.json", html=out / "schedule.html", csv=out / "schedule.csv"
    )
    return run.schedule
