"""``safepassage monitor``: replay incident feeds against a scenario and keep every decision.

The replay itself is ``safepassage.monitor.replay`` (pure). This command reads the feeds, prints
the timeline of corridor statuses, verdicts and re-plans, and stores the reports, the scenario's
corridors, every plan with why it was made (a re-plan names the plan it replaces), the final
verdicts with their evidence, and a notification per re-plan and warning: nothing is lost.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from safepassage.cli._output import err_console, exits_on_error, out_console
from safepassage.cli._store_options import ByOption, DbOption, actor_name
from safepassage.local_time import clock_text, iso_text
from safepassage.scenario import Scenario, load_scenario

if TYPE_CHECKING:  # the monitor, planner and store (numpy, scipy, SQLAlchemy) load when the command runs
    from safepassage.monitor.replay import ReplayResult
    from safepassage.monitor.report import IncidentReport

__all__ = ["register"]

COORDINATORS = "coordinators"
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
    from safepassage.monitor.feeds import iter_feed
    from safepassage.monitor.replay import replay_feeds
    from safepassage.monitor.report import RowError
    from safepassage.planner.problem import load_networks

    scenario = load_scenario(scenario_file)
    networks = load_networks(scenario)
    by_file: dict[Path, list[IncidentReport]] = {}
    for path in feed:
        reports: list[IncidentReport] = []
        for item in iter_feed(path, fmt):
            if isinstance(item, RowError):
                err_console.print(f"skipped {item}", highlight=False, markup=False)
            else:
                reports.append(item)
        by_file[path] = reports
    everything = [r for reports in by_file.values() for r in reports]
    if store:  # a report reviewed in the store counts as reviewed (rejected: not at all)
        from safepassage.store import Store, queries

        with Store.open(db) as kept, kept.reading() as session:
            everything = queries.with_latest_reviews(session, everything)
    result = replay_feeds(scenario, everything, networks)
    _print_timeline(scenario, result)
    out_console.print(
        f"{len(result.reports_used):,} report(s) replayed; {result.reports_elsewhere:,} elsewhere and "
        f"{result.reports_outside_horizon:,} outside the horizon left aside; "
        f"{len(result.plans) - 1} re-plan(s)",
        highlight=False,
    )
    if store:
        _keep(scenario, scenario_file, by_file, result, db, actor_name(by))


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


def _keep(
    scenario: Scenario,
    scenario_file: Path,
    by_file: dict[Path, list[IncidentReport]],
    result: ReplayResult,
    db: str | None,
    actor: str,
) -> None:
    from safepassage.store import Store

    with Store.open(db) as store, store.writing(actor) as writer:
        new_reports = sum(writer.add_reports(reports, str(path)).new for path, reports in by_file.items())
        scenario_id = writer.add_scenario(scenario.name, scenario.model_dump(mode="json", by_alias=True))
        keys = writer.add_scenario_corridors(scenario, str(scenario_file))
        previous: int | None = None
        for plan, why in result.plans:
            previous = writer.add_plan(
                plan.model_dump(mode="json"), why, scenario_id=scenario_id, replaces_plan_id=previous
            )
        writer.add_verdicts(
            [dataclasses.replace(v, corridor_id=keys[v.corridor_id]) for v in result.verdicts]
        )
        notices = [e for e in result.events if e.kind in ("replan", "warning")]
        for event in notices:
            when = iso_text(event.at, scenario.zone())
            writer.add_notification(event.kind, COORDINATORS, f"{when}: {event.message}")
    out_console.print(
        f"stored: {new_reports:,} new report(s), {len(result.plans)} plan(s), {len(result.verdicts)} "
        f"verdict(s), {len(notices)} notification(s)",
        highlight=False,
    )
