"""Fleet use cases: schedule the vehicles of a scenario, write the dispatch sheet, check a schedule.

Plain functions for the shells (``safepassage fleet``, ``check-schedule``, the demo, the API):
they take domain objects and paths, return a :class:`~safepassage.fleet.schedule.Schedule` (or a
:class:`FleetRun`), raise the errors of :mod:`safepassage.errors` and never print. Files are
written through :mod:`safepassage.atomic_file` (via the schedule and sheet writers).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from safepassage.errors import InputError, ScheduleRejectedError
from safepassage.fleet.check import Violation, check_schedule, validate_schedule
from safepassage.fleet.schedule import Schedule, parse_schedule, read_schedule, write_schedule
from safepassage.fleet.sheet import (
    PickupLine,
    TripLine,
    pickup_lines,
    trip_lines,
    write_pickups_csv,
    write_trips_csv,
)
from safepassage.fleet.sheet_html import write_sheet_html
from safepassage.fleet.solve import FleetMethod, solve_fleet
from safepassage.local_time import in_zone
from safepassage.network import RoadNetwork, load_scenario_networks
from safepassage.scenario.model import Scenario
from safepassage.scenario.vocabulary import TravelMode
from safepassage.store import Store
from safepassage.store.documents import StoredSchedule, schedule_document, schedule_records

__all__ = [
    "FLEET_METHODS",
    "SHEET_TABLES",
    "FleetRun",
    "check_schedule_file",
    "check_stored_schedule",
    "demo_fleet",
    "list_schedules",
    "pickups_csv_path",
    "public_notice",
    "schedule_fleet",
    "sheet_csv_text",
    "store_schedule",
    "stored_schedule",
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


#: The dispatch sheet's CSV tables: one row per trip, or one row per collection at a pickup point.
SHEET_TABLES = ("trips", "pickups")


def store_schedule(store: Store, schedule: Schedule, reason: str, actor: str, *, scenario_id: int) -> int:
    """Keep ``schedule`` in the store for the stored scenario ``scenario_id``; returns its id."""
    with store.writing(actor) as writer:
        return writer.add_schedule(schedule.model_dump(mode="json"), reason, scenario_id=scenario_id)


def list_schedules(store: Store, scenario_id: int | None = None) -> list[StoredSchedule]:
    """Every stored schedule (of scenario ``scenario_id`` if given), by id, without documents."""
    with store.reading() as session:
        return schedule_records(session, scenario_id)


def stored_schedule(store: Store, schedule_id: int) -> tuple[StoredSchedule, Schedule]:
    """The stored schedule ``schedule_id``: its record and the schedule, validated as a file is.

    Raises :class:`~safepassage.errors.UnknownIdError` for an unknown id.
    """
    import json

    with store.reading() as session:
        record, document = schedule_document(session, schedule_id)
    return record, parse_schedule(json.dumps(document), label=f"stored schedule {schedule_id}")


def public_notice(schedule: Schedule) -> list[dict[str, Any]]:
    """What a public notice says of ``schedule``: per pickup point with collections, the hours
    (ISO 8601 in the schedule's zone, on the hour) in which buses leave it -- no vehicle ids, counts
    or exact times. One dict ``{point, departure_hours}`` per point, in the schedule's order."""
    zone = schedule.zone()
    notice = []
    for pickup in schedule.pickups:
        hours = sorted(
            {
                in_zone(schedule.at(call.at_s), zone).replace(minute=0, second=0, microsecond=0).isoformat()
                for call in pickup.calls
            }
        )
        if hours:
            notice.append({"point": pickup.point, "departure_hours": hours})
    return notice


def sheet_csv_text(schedule: Schedule, table: str = "trips") -> str:
    """The dispatch sheet's ``trips`` or ``pickups`` table (:data:`SHEET_TABLES`) as CSV text, the
    columns of ``safepassage fleet --csv``. Raises :class:`~safepassage.errors.InputError` otherwise."""
    if table not in SHEET_TABLES:
        raise InputError(f"table: {table!r} is not a sheet table; expected trips or pickups")
    lines: list[TripLine] | list[PickupLine] = (
        trip_lines(schedule) if table == "trips" else pickup_lines(schedule)
    )
    header = [f.name for f in fields(TripLine if table == "trips" else PickupLine)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(asdict(line) for line in lines)
    return out.getvalue()


def check_stored_schedule(store: Store, schedule_id: int) -> Schedule:
    """Re-verify the stored schedule ``schedule_id`` against its stored scenario and the real roads.

    Returns the schedule when it keeps every rule; raises
    :class:`~safepassage.errors.ScheduleRejectedError` listing every violation and
    :class:`~safepassage.errors.UnknownIdError` for an unknown schedule or one naming no scenario.
    """
    from safepassage.errors import UnknownIdError
    from safepassage.services.scenarios import stored_scenario

    record, schedule = stored_schedule(store, schedule_id)
    if record.scenario_id is None:
        raise UnknownIdError(f"schedule {schedule_id} names no stored scenario to check it against")
    validate_schedule(stored_scenario(store, record.scenario_id), None, schedule)
    return schedule
