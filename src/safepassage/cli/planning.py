"""Planning commands: ``plan`` (write a safepassage-plan/1 file) and ``check-plan`` (re-verify one).

The planner (numpy, scipy, OR-Tools) is imported inside the commands, so ``--help`` and a mistyped
option answer at once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from safepassage.cli._options import DELAY
from safepassage.cli._output import exits_on_error, out_console
from safepassage.local_time import clock_text
from safepassage.scenario import load_scenario

if TYPE_CHECKING:
    from safepassage.planner import Plan

__all__ = ["print_plan_summary", "register"]

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file (see docs/scenario-format.md).")]


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
    app.command("check-plan")(check_plan)


def _minutes(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 60.0:,.0f}"


def print_plan_summary(result: Plan, zone: dt.tzinfo) -> None:
    """Clearance, bound, gap, people and per-origin figures, for a person; clock times in ``zone``."""
    gap = "n/a" if result.gap is None else f"{result.gap:.1%}"
    out_console.print(
        f"clearance [bold]{result.clearance_time_s / 60:.0f} min[/] "
        f"(last arrival {clock_text(result.at(result.clearance_time_s), zone)}), proven lower bound "
        f"{result.lower_bound_s / 60:.0f} min, gap {gap}; "
        f"{result.evacuated:,} of {result.people_total:,} people evacuated in {len(result.movements):,} "
        f"movements; risk exposure {result.exposure.total:.2f} ({result.solver.mode} mode, "
        f"{result.solver.wall_time_s:.2f} s)",
        highlight=False,
    )
    table = Table(title="By origin (out, in: minutes after the start)")
    widest = max((len(o.origin) for o in result.origins), default=6)
    table.add_column("origin", min_width=min(widest, 40), overflow="fold")  # an id is never cut
    for col in ("people", "moved", "unserved", "first out", "last out", "last in"):
        table.add_column(col, justify="right")
    for o in result.origins:
        table.add_row(
            o.origin,
            f"{o.people:,}",
            f"{o.evacuated:,}",
            f"{o.unserved:,}",
            _minutes(o.first_departure_s),
            _minutes(o.last_departure_s),
            _minutes(o.last_arrival_s),
        )
    out_console.print(table)
    if result.departure_slots:
        slots = result.departure_slots
        routes = len({(s.origin, s.destination, s.mode, tuple(s.path)) for s in slots})
        out_console.print(
            f"{len(slots):,} departure slots of {slots[0].slot_s / 60:.0f} min "
            f"on {routes:,} routes (origin, destination, path)",
            highlight=False,
        )
    for u in result.unserved:
        out_console.print(f"[red]unserved[/] {u.origin}: {u.people:,} people — {u.reason}", highlight=False)


@exits_on_error
def plan(
    scenario_file: ScenarioArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="Plan file to write (JSON).")],
    geojson: Annotated[
        Path | None,
        typer.Option(help="Also write the map (closures, hazards, areas, places, movements) as GeoJSON."),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(help="Also write the map as one HTML file that opens with no server or network."),
    ] = None,
    mode: Annotated[
        str,
        typer.Option(
            help="exact: the quickest plan of the planner's time-step model; fast: coarser steps and an "
            "early stop, quicker to compute but may clear later (no promise how much). Either way the "
            "output gives the clearance, a proven lower bound and the gap between them."
        ),
    ] = "exact",
    max_delay: Annotated[
        float,
        typer.Option(
            parser=DELAY,
            metavar="DELAY",
            help="Accept this much later clearance for less risk exposure: 10% or 0.1 (not a bare 10).",
        ),
    ] = 0.0,
) -> None:
    """Plan the evacuation: who leaves when, by which roads, to where; write safepassage-plan/1."""
    from safepassage.services.planning import plan_scenario, write_plan_files

    planned = plan_scenario(load_scenario(scenario_file), mode=mode, max_delay=max_delay)
    write_plan_files(planned, output, geojson)
    if html is not None:
        from safepassage.web import write_scenario_map

        write_scenario_map(html, planned.scenario, planned.networks, planned.plan)
    print_plan_summary(planned.plan, planned.scenario.zone())
    out_console.print(
        f"plan written to {output}"
        + (f", routes to {geojson}" if geojson else "")
        + (f", offline map to {html}" if html else "")
    )


@exits_on_error
def check_plan(
    scenario_file: ScenarioArg,
    plan_file: Annotated[Path, typer.Argument(help="Plan file (safepassage-plan/1 JSON).")],
) -> None:
    """Re-verify a plan against the scenario and the real roads; exit 5 listing every violation."""
    from safepassage.services.planning import check_plan_file

    result = check_plan_file(load_scenario(scenario_file), plan_file)
    out_console.print(
        f"{plan_file}: valid — {len(result.movements):,} movements, {result.evacuated:,} people, "
        f"clearance {result.clearance_time_s / 60:.0f} min, bound {result.lower_bound_s / 60:.0f} min",
        highlight=False,
    )
