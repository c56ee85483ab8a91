"""Monitoring commands: ingest feeds, add and review reports, figures (corridors: ``cli.corridors``).

All of them write through :class:`safepassage.store.Store` (``--db`` or ``$SAFEPASSAGE_DB``; a
SQLite file ``./safepassage.sqlite`` by default), so every change lands in the hash-chained event log
that ``safepassage audit verify`` checks (``safepassage.cli.store_admin``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from safepassage.bounds import COUNT, FATALITIES, LATITUDE, LONGITUDE, RADIUS_M
from safepassage.cli._lists import FormatOption, ListFormat, SinceOption, parse_since
from safepassage.cli._monitor_lists import (
    print_figures,
    print_reports,
    print_reviews,
)
from safepassage.cli._options import DAY, INSTANT, as_parser, choice, number, whole
from safepassage.cli._output import err_console, exits_on_error, out_console
from safepassage.cli._store_options import ByOption, DbOption, actor_name
from safepassage.cli.store_admin import print_merge
from safepassage.errors import InputError
from safepassage.monitor.feeds import FORMATS
from safepassage.monitor.records import CountMethod, FigureClaim, FigureKind
from safepassage.scenario.vocabulary import HazardKind, SourceType, Verification
from safepassage.services import figures as figure_service
from safepassage.services import reports as report_service
from safepassage.store import CommittedBatch, FeedTally, ReviewState, Store

__all__ = ["register"]

#: Enum-valued options read through the one option parser (``'x' is not a hazard kind; expected ...``).
HAZARD_KIND = as_parser(choice(HazardKind, "hazard kind"))
SOURCE_TYPE = as_parser(choice(SourceType, "source type"))
VERIFICATION = as_parser(choice(Verification, "verification state"))
REVIEW_STATE = as_parser(choice(ReviewState, "review state"))
FIGURE_KIND = as_parser(choice(FigureKind, "figure kind"))
COUNT_METHOD = as_parser(choice(CountMethod, "count method"))

report_app = typer.Typer(help="Single incident reports.", no_args_is_help=True)
figures_app = typer.Typer(
    help="The figures ledger: claimed counts by source, side by side, never averaged.",
    invoke_without_command=True,
)


def register(app: typer.Typer) -> None:
    """Add the monitoring commands to the ``safepassage`` app."""
    app.command("ingest")(ingest)
    app.command("review")(review)
    app.add_typer(report_app, name="report")
    app.add_typer(figures_app, name="figures")


@contextmanager
def _store(db: str | None) -> Iterator[Store]:
    with Store.open(db) as store:
        yield store


def _say(text: str) -> None:
    out_console.print(text, highlight=False, markup=False, soft_wrap=True)


# -- ingest ---------------------------------------------------------------------------------------


def _acknowledge(batch: CommittedBatch) -> None:
    # One line per committed batch: what is acknowledged here is durably stored.
    _say(
        f"committed {batch.path}: lines {batch.first_line}-{batch.last_line}, {batch.new} new, "
        f"{batch.duplicates} already stored"
    )
    out_console.file.flush()


def _file_done(path: Path, tally: FeedTally, show_errors: int) -> None:
    _say(
        f"{path}: {tally.rows_read} rows read, {tally.new} new, "
        f"{tally.duplicates} duplicates skipped, {len(tally.malformed)} malformed"
    )
    for problem in tally.malformed[:show_errors]:
        err_console.print(f"  skipped {problem}", highlight=False, markup=False, soft_wrap=True)
    if len(tally.malformed) > show_errors:
        err_console.print(
            f"  ... and {len(tally.malformed) - show_errors} more malformed rows", highlight=False
        )


@exits_on_error
def ingest(
    files: Annotated[
        list[Path], typer.Argument(help="Feed files (ACLED/UCDP CSV, CAP XML, alerts, GeoJSON).")
    ],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help=f"Feed format, guessed when not given: {', '.join(sorted(FORMATS))}."),
    ] = None,
    db: DbOption = None,
    by: ByOption = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Reports per transaction.")] = 500,
    show_errors: Annotated[
        int, typer.Option(min=0, help="Malformed rows listed per file; the rest counted.")
    ] = 20,
    merge: Annotated[
        bool, typer.Option("--merge/--no-merge", help="Merge near-identical reports into incidents.")
    ] = True,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Exit 2 if any row was malformed (the good rows are still stored)."),
    ] = False,
) -> None:
    """Store the reports of feed files; idempotent (a report already stored is skipped, not doubled).

    Malformed rows are listed with file:line and reason and skipped; the rest goes in. Reports are
    committed in batches; without a terminal, a "committed" line per batch says what is stored.
    """
    report_service.check_feed_format(fmt)
    with _store(db) as store, _ingest_progress() as on_rows:
        run = report_service.ingest_feeds(
            store,
            files,
            fmt,
            actor_name(by),
            batch_size=batch_size,
            merge=merge,
            on_rows=on_rows,
            on_commit=None if on_rows else _acknowledge,
            on_file=lambda path, tally: _file_done(path, tally, show_errors),
        )
    if run.merged:
        print_merge(run.merge)
    _say(f"store now holds {run.reports_stored} reports")
    if strict and run.malformed:
        raise InputError(
            f"{run.malformed} malformed row(s) skipped (listed above); the good rows were stored"
        )


@contextmanager
def _ingest_progress() -> Iterator[Callable[[Path, int], None] | None]:
    """On a terminal, a progress bar per file (rows read); else None (a line per committed batch)."""
    if not out_console.is_terminal:
        yield None
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=out_console, transient=True) as progress:
        tasks: dict[Path, TaskID] = {}

        def advance(path: Path, rows: int) -> None:
            if path not in tasks:
                tasks[path] = progress.add_task(path.name, total=None)
            progress.update(tasks[path], advance=rows)

        yield advance


# -- single reports ---------------------------------------------------------------------------------


@report_app.command("add")
@exits_on_error
def report_add(
    kind: Annotated[HazardKind, typer.Option(parser=HAZARD_KIND, help="What happened.")],
    at: Annotated[
        dt.datetime,
        typer.Option(
            parser=INSTANT, metavar="TIME", help="When, ISO 8601 with offset (2022-03-05T10:00:00+02:00)."
        ),
    ],
    source: Annotated[str, typer.Option(help="Who reported it (agency, outlet, team).")],
    source_type: Annotated[
        SourceType, typer.Option(parser=SOURCE_TYPE, help="Kind of source (credibility depends on it).")
    ],
    lat: Annotated[
        float | None, typer.Option(parser=as_parser(number(LATITUDE)), help="Latitude (WGS84).")
    ] = None,
    lon: Annotated[
        float | None, typer.Option(parser=as_parser(number(LONGITUDE)), help="Longitude (WGS84).")
    ] = None,
    radius_m: Annotated[
        float,
        typer.Option(parser=as_parser(number(RADIUS_M)), help="How far off the location may be, metres."),
    ] = 1000.0,
    time_uncertainty_s: Annotated[float, typer.Option(min=0, help="How far off the time may be, s.")] = 900.0,
    report_id: Annotated[
        str | None,
        typer.Option("--id", help="Your own id for the report (default: derived from time and text)."),
    ] = None,
    location: Annotated[str, typer.Option(help="Place name as reported.")] = "",
    description: Annotated[str, typer.Option(help="What was reported.")] = "",
    fatalities: Annotated[
        int | None, typer.Option(parser=as_parser(whole(FATALITIES)), help="Deaths claimed by this source.")
    ] = None,
    verification: Annotated[
        Verification,
        typer.Option(
            parser=VERIFICATION, help="Whether the report is already verified (e.g. by your own team)."
        ),
    ] = Verification.UNVERIFIED,
    db: DbOption = None,
    by: ByOption = None,
) -> None:
    """Store one report typed in (e.g. a field team's radio message), feed ``cli``."""
    with _store(db) as store:
        added = report_service.add_report(
            store,
            actor_name(by),
            kind=kind,
            at=at,
            source=source,
            source_type=source_type,
            lat=lat,
            lon=lon,
            radius_m=radius_m,
            time_uncertainty_s=time_uncertainty_s,
            report_id=report_id,
            location=location,
            description=description,
            fatalities=fatalities,
            verification=verification,
        )
    if added.report_id is not None:
        _say(f"stored report {added.report_id} ({added.key})")
    else:
        _say(f"report {added.key} was already stored; nothing added")


@report_app.command("show")
@exits_on_error
def report_show(
    report: Annotated[str, typer.Argument(help="Report id (42) or FEED:SOURCE_ID (acled:UKR52664).")],
    db: DbOption = None,
) -> None:
    """One report as stored: where and when (with uncertainty), who said it, its reviews."""
    with _store(db) as store:
        row = report_service.show_report(store, report)
    where = f"{row.lat:.5f}, {row.lon:.5f} +- {row.radius_m:,.0f} m" if row.lat is not None else "no location"
    origin = row.file_name or "the command line"
    _say(f"report {row.id} ({row.key}) from {origin} line {row.line}")
    when = f"{row.observed_at:%Y-%m-%d %H:%M} UTC +- {row.time_uncertainty_s / 3600:,.1f} h"
    _say(f"  {row.kind} at {when}; {where}")
    _say(f"  reported by {row.source_name} ({row.source_type}); feed verification: {row.verification}")
    if row.location_name or row.description:
        _say(f"  {row.location_name}: {row.description}")
    if row.incident is not None:
        incident = row.incident
        others = [m for m in incident.members if m != row.key]
        seen_by = f"; also reported as {', '.join(others)}" if others else "; no other feed reported it"
        _say(f"  incident {incident.id} ({incident.key}), corroboration {incident.corroboration}{seen_by}")
    reviews = row.reviews
    state = reviews[-1].state if reviews else "draft"
    published = reviews[-1].published if reviews else False
    _say(f"  review state: {state}; published: {'yes' if published else 'no'}; {len(reviews)} review(s)")
    _say(f"  counts in verdicts and re-plans as: {row.counts_as.value} (latest review of it or its incident)")
    for r in reviews:
        claim = f" claims: {r.claim}" if r.claim else ""
        _say(f"    {r.reviewed_at:%Y-%m-%d %H:%M} {r.reviewer}: {r.state} ({r.reason}){claim}")


# -- review ---------------------------------------------------------------------------------------


@exits_on_error
def review(
    subject: Annotated[
        str, typer.Argument(help="Report id (42) or FEED:SOURCE_ID; with --incident an incident id or key.")
    ],
    state: Annotated[ReviewState, typer.Argument(parser=REVIEW_STATE, help="New review state.")],
    by: Annotated[str, typer.Option("--by", help="Who decided (recorded).")],
    why: Annotated[str, typer.Option("--why", help="Why (recorded).")],
    claim: Annotated[str, typer.Option(help="What this reviewer asserts; kept beside others' claims.")] = "",
    publish: Annotated[
        bool | None,
        typer.Option("--publish/--unpublish", help="Change publication (kept apart from verification)."),
    ] = None,
    incident: Annotated[
        bool, typer.Option("--incident", help="SUBJECT is an incident, not a report.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Record a review decision: draft -> on_hold -> verified / unverifiable / rejected."""
    with _store(db) as store:
        outcome = report_service.review(
            store, subject, state, by, why, claim=claim, publish=publish, incident=incident
        )
    print_reviews(f"Reviews of {outcome.subject}", list(outcome.history), ListFormat.TABLE)


@report_app.command("list")
@exits_on_error
def report_list(
    since: SinceOption = None,
    status: Annotated[
        ReviewState | None,
        typer.Option(parser=REVIEW_STATE, help="Only reports whose latest review is in this state."),
    ] = None,
    feed: Annotated[
        str | None, typer.Option(help="Only reports of this feed (acled, ucdp, cli, ...).")
    ] = None,
    fmt: FormatOption = ListFormat.TABLE,
    db: DbOption = None,
) -> None:
    """Stored reports in time order with their review state and what they count as in verdicts."""
    after = parse_since(since)
    with _store(db) as store:
        reports = report_service.list_reports(store, since=after, feed=feed, state=status)
    print_reports(reports, fmt)


# -- figures --------------------------------------------------------------------------------------


@figures_app.callback()
@exits_on_error
def figures(
    ctx: typer.Context,
    import_file: Annotated[
        Path | None,
        typer.Option("--import", help="First import a UNHCR series or a claims CSV (what,count,source,...)."),
    ] = None,
    what: Annotated[
        FigureKind | None, typer.Option(parser=FIGURE_KIND, help="Show only this kind of figure.")
    ] = None,
    since: SinceOption = None,
    fmt: FormatOption = ListFormat.TABLE,
    db: DbOption = None,
    by: ByOption = None,
) -> None:
    """Show claimed counts side by side with their range; never averaged (--since: as of that day)."""
    if ctx.invoked_subcommand is not None:
        return
    after = parse_since(since)
    with _store(db) as store:
        if import_file is not None:
            imported = figure_service.import_figures(store, import_file, actor_name(by))
            _say(
                f"{import_file}: {imported.claims_read} claims read, {imported.added.new} new, "
                f"{imported.added.duplicates} already stored, {len(imported.problems)} malformed rows"
            )
            for problem in imported.problems:
                err_console.print(f"  skipped {problem}", highlight=False, markup=False, soft_wrap=True)
        table = figure_service.figures_side_by_side(store, what=what, since=after)
    if not table.stored and fmt is ListFormat.TABLE:
        _say("no figures stored yet (safepassage figures --import FILE, or safepassage figures add ...)")
        return
    print_figures(list(table.comparisons), fmt)


@figures_app.command("add")
@exits_on_error
def figures_add(
    what: Annotated[FigureKind, typer.Option(parser=FIGURE_KIND, help="What is counted.")],
    count: Annotated[int, typer.Option(parser=as_parser(whole(COUNT)), help="The claimed number.")],
    source: Annotated[str, typer.Option(help="Who claims it.")],
    method: Annotated[
        CountMethod, typer.Option(parser=COUNT_METHOD, help="Counted and confirmed one by one, or estimated.")
    ],
    as_of: Annotated[
        dt.date, typer.Option(parser=DAY, metavar="DATE", help="Date the count refers to (YYYY-MM-DD).")
    ],
    verification: Annotated[
        Verification, typer.Option(parser=VERIFICATION, help="Whether the claim has been verified.")
    ] = (Verification.UNVERIFIED),
    at_least: Annotated[
        bool, typer.Option("--at-least", help="The claim says 'more than N' / 'at least N'.")
    ] = False,
    scope: Annotated[str, typer.Option(help="What the count covers (place, population).")] = "Ukraine",
    note: Annotated[str, typer.Option(help="Caveats as stated (e.g. 'confirmed only, an undercount').")] = "",
    db: DbOption = None,
    by: ByOption = None,
) -> None:
    """Record one claimed count, e.g. the UN's confirmed-only toll beside an official estimate."""
    claim = FigureClaim(
        what=what,
        count=count,
        source=source,
        method=method,
        as_of=as_of,
        verification=verification,
        note=note,
        scope=scope,
        lower_bound=at_least,
    )
    with _store(db) as store:
        added = figure_service.add_figure(store, claim, actor_name(by))
    _say(
        f"stored claim {added.new_ids[0]}"
        if added.new
        else "this exact claim was already stored; nothing added"
    )
