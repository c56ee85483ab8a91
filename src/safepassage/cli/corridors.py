"""Corridor commands: import announcements, list, set a status, history, judge with evidence.

Each command calls one use case of :mod:`safepassage.services.corridors` or
:mod:`safepassage.services.monitoring` on the store (``--db`` or ``$SAFEPASSAGE_DB``) and prints
the result through the list printer (``--format table|csv|json``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from safepassage.bounds import NUMERIC_ID
from safepassage.cli._lists import FormatOption, ListFormat, SinceOption, parse_since
from safepassage.cli._monitor_lists import print_corridors, print_history, print_verdicts
from safepassage.cli._options import as_parser, choice, whole
from safepassage.cli._output import err_console, exits_on_error, out_console
from safepassage.cli._store_options import ByOption, DbOption, actor_name
from safepassage.monitor.verdict import DEFAULT_BUFFER_M
from safepassage.scenario.vocabulary import CorridorStatus
from safepassage.services import corridors as corridor_service
from safepassage.services import monitoring as monitoring_service
from safepassage.store import Store

__all__ = ["register"]

CORRIDOR_ID = as_parser(whole(NUMERIC_ID))
CORRIDOR_STATUS = as_parser(choice(CorridorStatus, "corridor status"))

corridors_app = typer.Typer(
    help="Corridors: import announcements, list, lifecycle, judge.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add the ``corridors`` group to the ``safepassage`` app."""
    app.add_typer(corridors_app, name="corridors")


@contextmanager
def _store(db: str | None) -> Iterator[Store]:
    with Store.open(db) as store:
        yield store


def _say(text: str) -> None:
    out_console.print(text, highlight=False, markup=False, soft_wrap=True)


# -- corridors ------------------------------------------------------------------------------------


@corridors_app.command("import")
@exits_on_error
def corridors_import(
    file: Annotated[
        Path, typer.Argument(help="PeaceRep humanitarian-corridor CSV (HC_ID, from/to, text, ...).")
    ],
    db: DbOption = None,
    by: ByOption = None,
    show_unplaced: Annotated[int, typer.Option(min=0, help="Corridors with unplaced waypoints listed.")] = 20,
) -> None:
    """Import announced corridors, waypoints placed with the offline gazetteer; idempotent.

    Each corridor gets the status history its recorded proposer and outcome imply, with reasons
    citing the dataset; waypoints the gazetteer could not place are listed for newly imported
    corridors (already stored ones are counted in one line).
    """
    with _store(db) as store:
        imported = corridor_service.import_corridors(store, file, actor_name(by))
    _say(
        f"{file}: {imported.rows_read} rows read, {imported.added.new} new corridors, "
        f"{imported.added.duplicates} already stored, {len(imported.problems)} malformed"
    )
    for problem in imported.problems:
        err_console.print(f"  skipped {problem}", highlight=False, markup=False, soft_wrap=True)
    unplaced = imported.unplaced
    _say(
        f"waypoints placed with the gazetteer: {imported.waypoints_placed}; "
        f"new corridors with unplaced waypoints: {len(unplaced)}"
    )
    if imported.unplaced_already_stored:
        _say(
            f"  {imported.unplaced_already_stored} already stored corridor(s) with unplaced waypoints "
            "(listed when first imported; see corridors list)"
        )
    for a in unplaced[:show_unplaced]:
        names = ", ".join(a.waypoints_unplaced)
        _say(f"  HC_ID {a.hc_id} (line {a.line}) {a.from_name} -> {a.to_name}: could not place {names}")
    if len(unplaced) > show_unplaced:
        _say(f"  ... and {len(unplaced) - show_unplaced} more")


@corridors_app.command("list")
@exits_on_error
def corridors_list(
    status: Annotated[
        CorridorStatus | None,
        typer.Option(parser=CORRIDOR_STATUS, help="Only corridors currently in this status."),
    ] = None,
    since: SinceOption = None,
    fmt: FormatOption = ListFormat.TABLE,
    db: DbOption = None,
) -> None:
    """List corridors with their current status and why (--since: announced that day or later)."""
    after = parse_since(since)
    with _store(db) as store:
        corridors = corridor_service.list_corridors(store, status=status, since=after)
    print_corridors(corridors, fmt)


@corridors_app.command("set-status")
@exits_on_error
def corridors_set_status(
    corridor_id: Annotated[int, typer.Argument(parser=CORRIDOR_ID, help="Corridor id (see corridors list).")],
    status: Annotated[CorridorStatus, typer.Argument(parser=CORRIDOR_STATUS, help="New lifecycle status.")],
    reason: Annotated[str, typer.Option(help="Why (recorded with the change).")],
    db: DbOption = None,
    by: ByOption = None,
) -> None:
    """Move a corridor along proposed -> agreed / disputed -> open -> suspended -> closed."""
    with _store(db) as store:
        history = corridor_service.set_corridor_status(store, corridor_id, status, reason, actor_name(by))
    print_history(corridor_id, history)


@corridors_app.command("judge")
@exits_on_error
def corridors_judge(
    corridor_ids: Annotated[
        list[int] | None,
        typer.Argument(parser=CORRIDOR_ID, help="Corridor ids to judge (default: every imported corridor)."),
    ] = None,
    buffer_m: Annotated[
        float, typer.Option(min=0, help="Incidents within this distance of the route count, metres.")
    ] = DEFAULT_BUFFER_M,
    fmt: FormatOption = ListFormat.TABLE,
    db: DbOption = None,
    by: ByOption = None,
) -> None:
    """Judge corridors over their windows: honoured / violated / contested / insufficient evidence.

    Uses every stored report with its latest review, merged into incidents, and the rule in
    docs/verdicts.md; each verdict is stored with its evidence. With one corridor id, the evidence
    is listed (and which of it is decisive).
    """
    with _store(db) as store:
        judgement = monitoring_service.judge_corridors(
            store, actor_name(by), corridor_ids or (), buffer_m=buffer_m
        )
    print_verdicts(judgement, fmt)


@corridors_app.command("history")
@exits_on_error
def corridors_history(
    corridor_id: Annotated[int, typer.Argument(parser=CORRIDOR_ID, help="Corridor id (see corridors list).")],
    since: SinceOption = None,
    fmt: FormatOption = ListFormat.TABLE,
    db: DbOption = None,
) -> None:
    """Every status a corridor went through, who changed it, when and why."""
    after = parse_since(since)
    with _store(db) as store:
        history = corridor_service.corridor_history(store, corridor_id, since=after)
    print_history(corridor_id, history, fmt)
