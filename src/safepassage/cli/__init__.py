"""The ``safepassage`` command line: one typer app, one module per group of commands.

The library raises :class:`~safepassage.errors.SafePassageError`; only this layer prints and exits,
mapping each error's fixed code to its exit code (see ``safepassage.errors``).

Start-up is kept quick (``safepassage --help`` well under half a second): this package imports only
typer; each command's module (and with it numpy, the planner, the store...) is imported when that
command runs (``safepassage.cli._lazy``). ``benchmarks/startup_bench.py`` measures it.
"""

from __future__ import annotations

import typer

from safepassage.cli._lazy import LazyCommand, LazyGroup

__all__ = ["COMMANDS", "app", "main"]

#: Every top-level command: name, module whose ``register(app)`` adds it, first line of its help.
COMMANDS = (
    LazyCommand(
        "validate",
        "safepassage.cli.core",
        "List what must be fixed before planning; exit 2 if anything must be.",
    ),
    LazyCommand(
        "route",
        "safepassage.cli.core",
        "Print the best open route (time, distance, risk, streets) from ORIGIN to DEST.",
    ),
    LazyCommand(
        "demo",
        "safepassage.cli.core",
        "Run the bundled Helsinki scenario: validate, plan, check the plan, write plan and GeoJSON.",
    ),
    LazyCommand(
        "plan",
        "safepassage.cli.planning",
        "Plan the evacuation: who leaves when, by which roads, to where; write safepassage-plan/1.",
    ),
    LazyCommand(
        "check-plan",
        "safepassage.cli.planning",
        "Re-verify a plan against the scenario and the real roads; exit 5 listing every violation.",
    ),
    LazyCommand(
        "ingest",
        "safepassage.cli.monitoring",
        "Store the reports of feed files; idempotent (a report already stored is skipped, not doubled).",
    ),
    LazyCommand(
        "review",
        "safepassage.cli.monitoring",
        "Record a review decision: draft -> on_hold -> verified / unverifiable / rejected.",
    ),
    LazyCommand("report", "safepassage.cli.monitoring", "Single incident reports."),
    LazyCommand(
        "figures",
        "safepassage.cli.monitoring",
        "The figures ledger: claimed counts by source, side by side, never averaged.",
    ),
    LazyCommand(
        "corridors", "safepassage.cli.corridors", "Corridors: import announcements, list, lifecycle, judge."
    ),
    LazyCommand("audit", "safepassage.cli.store_admin", "The hash-chained event log."),
    LazyCommand(
        "merge",
        "safepassage.cli.store_admin",
        "Merge stored reports into incidents where some report is not merged yet.",
    ),
    LazyCommand("users", "safepassage.cli.users", "API users and their tokens: add, list, revoke."),
    LazyCommand("serve", "safepassage.cli.serve", "Serve the HTTP API (and the map page) with uvicorn."),
    LazyCommand(
        "monitor",
        "safepassage.cli.watch",
        "Replay feeds in time order: corridor statuses, verdicts and re-plans, all stored.",
    ),
)


class _SafePassageGroup(LazyGroup):
    commands_table = COMMANDS
    package = "safepassage.cli"


app = typer.Typer(
    name="safepassage",
    cls=_SafePassageGroup,
    help="Plan and monitor humanitarian evacuation corridors on real road networks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Plan and monitor humanitarian evacuation corridors on real road networks."""


def main() -> None:
    """Console-script entry point."""
    app()
