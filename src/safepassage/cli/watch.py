"""``safepassage monitor``: replay incident feeds against a scenario and keep every decision.

The use case is :func:`safepassage.services.monitoring.replay_and_store` (the replay itself is
``safepassage.monitor.replay``); this command prints the rows set aside, the timeline of corridor
statuses, verdicts and re-plans, and what was stored.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from safepassage.cli._output import err_console, exits_on_error, out_console
from safepassage.cli._store_options import ByOption, DbOption, actor_name
from safepassage.local_time import clock_text
from safepassage.scenario import Scenario, load_scenario

if TYPE_CHECKING:  # the monitor, planner and store (numpy, scipy, SQLAlchemy) load when the command runs
    from safepassage.monitor.replay import ReplayResult

__all__ = ["register"]

_STYLE = {"replan": "bold magenta", "warning": "bold red", "verdict": "cyan", "status": "green"}


def register(app: typer.Typer) -> None:
    app.command("monitor")(monitor)


@exits_on_error
def monitor(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    feed: Annotated[
        list[Path], typer.Option("--feed", help="Incident feed file (repeat for several); format guessed.")
    ],
    fmt: Annotated[str | None, typer.Option("--format", help="Format of every feed, if not guessed.")] = None,
    db: DbOption = None,
    by: ByOption = None,
    store: Annotated[
        bool, typer.Option("--store/--no-store", help="Keep everything in the database.")
    ] = True,
) -> None:
    """Replay feeds in time order: corridor statuses, verdicts and re-plans, all stored."""
    from safepassage.services.monitoring import replay_and_store
    from safepassage.store import Store

    scenario = load_scenario(scenario_file)
    with Store.open(db) if store else nullcontext() as kept:
        run = replay_and_store(
            scenario, feed, actor_name(by), fmt=fmt, store=kept, scenario_file=str(scenario_file)
        )
    for problem in run.skipped:
        err_console.print(f"skipped {problem}", highlight=False, markup=False)
    result = run.result
    _print_timeline(scenario, result)
    out_console.print(
        f"{len(result.reports_used):,} report(s) replayed; {result.reports_elsewhere:,} elsewhere and "
        f"{result.reports_outside_horizon:,} outside the horizon left aside; "
        f"{len(result.plans) - 1} re-plan(s)",
        highlight=False,
    )
    if run.stored is not None:
        stored = run.stored
        out_console.print(
            f"stored: {stored.new_reports:,} new report(s), {stored.plans} plan(s), {stored.verdicts} "
            f"verdict(s), {stored.notifications} notification(s)",
            highlight=False,
        )


def _print_timeline(scenario: Scenario, result: ReplayResult) -> None:
    zone = scenario.zone()
    table = Table(title=f"Timeline of {scenario.name}", show_lines=False)
    table.add_column("time")
    table.add_column("what")
    table.add_column("corridor")
    table.add_column("detail", overflow="fold")
    for event in result.events:
        style = _STYLE.get(event.kind, "")
        table.add_row(
            clock_text(event.at, zone),
            f"[{style}]{event.kind}[/]" if style else event.kind,
            event.corridor or "",
            event.message,
        )
    out_console.print(table)
