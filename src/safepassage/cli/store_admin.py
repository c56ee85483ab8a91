"""Store administration: ``safepassage merge`` and the ``audit`` group (log, verify, anchor).

``merge`` merges every report no incident links yet (left pending by an ingest that was killed or
failed before its merge, or run with ``--no-merge``). ``audit verify`` checks the hash-chained event
log in one snapshot of the database, optionally against an anchor taken earlier with ``audit
anchor`` and kept elsewhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from safepassage.cli._output import exits_on_error, out_console
from safepassage.cli._store_options import ByOption, DbOption, actor_name
from safepassage.services import audit as audit_service
from safepassage.services.reports import merge_pending_reports
from safepassage.store import MergeOutcome, Store

__all__ = ["print_merge", "register"]

audit_app = typer.Typer(help="The hash-chained event log.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add ``merge`` and the ``audit`` group to the ``safepassage`` app."""
    app.command("merge")(merge)
    app.add_typer(audit_app, name="audit")


def _say(text: str) -> None:
    out_console.print(text, highlight=False, markup=False, soft_wrap=True)


def print_merge(outcome: MergeOutcome | None) -> None:
    """Say what a merge of pending reports did (None: nothing was pending)."""
    if outcome is None:
        _say("incidents: every stored report is already merged")
        return
    _say(
        f"incidents: {outcome.incidents} from {outcome.reports} reports ({outcome.pending_before} not "
        f"merged before), {outcome.several_feeds} seen by several feeds; "
        f"{outcome.new_incidents} new incident records"
    )


@exits_on_error
def merge(
    db: DbOption = None,
    by: ByOption = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Merge again even when every report is already merged.")
    ] = False,
) -> None:
    """Merge stored reports into incidents where some report is not merged yet.

    An ingest merges at its end; one killed or stopped by an error before that leaves its reports
    pending, and the next ingest or this command merges them.
    """
    with Store.open(db) as store:
        outcome = merge_pending_reports(store, actor_name(by), force=everything)
    print_merge(outcome)


@audit_app.command("log")
@exits_on_error
def audit_log(
    limit: Annotated[int, typer.Option(min=1, help="How many of the newest entries.")] = 20,
    table: Annotated[
        str | None, typer.Option(help="Only entries about this table (e.g. corridor_status).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Who wrote what and when: the newest entries of the event log."""
    with Store.open(db) as store:
        events = audit_service.audit_log(store, limit, table)
    out = Table(title=f"Event log: newest {len(events)} entries")
    for column in ("seq", "when (UTC)", "who", "table", "row", "sha256"):
        out.add_column(column, no_wrap=True)
    for e in events:
        out.add_row(
            str(e.seq), f"{e.at:%Y-%m-%d %H:%M:%S}", e.actor, e.table_name, str(e.row_id), e.sha256[:16]
        )
    out_console.print(out)


@audit_app.command("verify")
@exits_on_error
def audit_verify(
    db: DbOption = None,
    anchor: Annotated[
        str | None,
        typer.Option(
            "--anchor",
            metavar="FILE|HASH",
            help="An anchor taken earlier ('audit anchor -o FILE', or its head hash): fail if any entry "
            "up to it was removed or rewritten.",
        ),
    ] = None,
) -> None:
    """Recompute the event log's hash chain and check every row against it; exit 8 if anything differs."""
    with Store.open(db) as store:
        summary = audit_service.verify_log(store, anchor)
    _say(
        f"audit passed: {summary.events} events, {summary.rows} rows checked; "
        f"head seq {summary.head_seq} sha256 {summary.head_sha256}"
    )
    if summary.anchor_seq is not None:
        _say(f"the log still holds every entry up to the anchor (seq {summary.anchor_seq}), unchanged")
    else:
        _say(
            "keep an anchor of this head elsewhere ('safepassage audit anchor -o FILE') to detect truncation"
        )


@audit_app.command("anchor")
@exits_on_error
def audit_anchor(
    db: DbOption = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Also write the anchor to this file (JSON).")
    ] = None,
) -> None:
    """Verify the log, then print its head (seq, sha256, event count) to keep outside the database.

    Later, ``audit verify --anchor FILE`` (or ``--anchor HASH``) proves no entry up to this head was
    removed or rewritten.
    """
    with Store.open(db) as store:
        summary = audit_service.take_anchor(store, output).summary
    _say(f"anchor: head seq {summary.head_seq} sha256 {summary.head_sha256} ({summary.events} events)")
    if output is not None:
        _say(
            f"written to {output}; keep it outside the database, "
            f"then check with: safepassage audit verify --anchor {output}"
        )
