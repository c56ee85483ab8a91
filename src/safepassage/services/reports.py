"""Report use cases: ingest feed files, merge pending reports, add, show, list and review reports.

A report typed in (``add_report``) gets an id derived from what was reported unless one is given,
so the same report sent twice (e.g. after a lost connection) is stored once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path

from safepassage.errors import InputError
from safepassage.monitor.feeds import FORMATS
from safepassage.monitor.report import IncidentReport
from safepassage.scenario.vocabulary import HazardKind, SourceType, Verification
from safepassage.services.records import (
    IncidentLink,
    IngestRun,
    ReportAdded,
    ReportDetail,
    ReviewOutcome,
    ReviewRecord,
)
from safepassage.store import (
    Added,
    CommittedBatch,
    FeedTally,
    MergeOutcome,
    ReviewState,
    Store,
    ingest_feed,
    queries,
)
from safepassage.store import merge_pending as _merge_pending
from safepassage.store.group_commit import ReportGroupCommit
from safepassage.store.queries import ReportSummary
from safepassage.store.review_workflow import verification_after_review
from safepassage.store.schema import Review

__all__ = [
    "CLI_FEED",
    "add_report",
    "check_feed_format",
    "ingest_feeds",
    "list_reports",
    "merge_pending_reports",
    "queue_report",
    "report_count",
    "review",
    "show_report",
    "typed_report",
    "typed_report_id",
]

#: The feed of reports typed in (command line, API, map page).
CLI_FEED = "cli"


def check_feed_format(fmt: str | None) -> None:
    """Refuse a feed format name that is not one of ``FORMATS`` (None: guessed per file)."""
    if fmt is not None and fmt.strip().casefold() not in FORMATS:
        raise InputError(f"--format {fmt!r} is unknown; expected one of: {', '.join(sorted(FORMATS))}")


def ingest_feeds(
    store: Store,
    paths: Sequence[Path],
    fmt: str | None,
    actor: str,
    *,
    batch_size: int = 500,
    merge: bool = True,
    on_rows: Callable[[Path, int], None] | None = None,
    on_commit: Callable[[CommittedBatch], None] | None = None,
    on_file: Callable[[Path, FeedTally], None] | None = None,
) -> IngestRun:
    """Store the reports of each feed file (idempotent), then merge every pending report.

    Malformed rows are set aside with file:line and reason (in each file's tally), the rest stored
    in transactions of ``batch_size``. Progress: ``on_rows(path, n)`` as rows are read,
    ``on_commit(batch)`` after each committed batch, ``on_file(path, tally)`` after each file.
    Raises :class:`~safepassage.errors.InputError` for an unknown format or unreadable file (the
    batches committed before stay stored and pending; the next ingest or merge merges them).
    """
    check_feed_format(fmt)
    tallies: list[tuple[Path, FeedTally]] = []
    for path in paths:
        rows = None if on_rows is None else _rows_of(path, on_rows)
        tally = ingest_feed(store, path, fmt, actor, batch_size, on_commit=on_commit, on_rows=rows)
        tallies.append((path, tally))
        if on_file is not None:
            on_file(path, tally)
    outcome = merge_pending_reports(store, actor) if merge else None
    return IngestRun(tuple(tallies), merge, outcome, report_count(store))


def _rows_of(path: Path, on_rows: Callable[[Path, int], None]) -> Callable[[int], None]:
    return lambda n: on_rows(path, n)


def merge_pending_reports(store: Store, actor: str, *, force: bool = False) -> MergeOutcome | None:
    """Merge the reports no incident links yet (every report with ``force``) into incidents.

    None when nothing was pending (and not ``force``). Raises
    :class:`~safepassage.errors.StoreError` when the database refuses the write.
    """
    return _merge_pending(store, actor, force=force)


def report_count(store: Store) -> int:
    """How many reports the store holds."""
    with store.reading() as session:
        return queries.report_count(session)


def typed_report_id(
    observed_at: dt.datetime,
    source: str,
    source_type: SourceType,
    kind: HazardKind,
    lat: float | None,
    lon: float | None,
    description: str,
) -> str:
    """The id of a report typed in without one: its UTC time and a hash of what was reported."""
    content = repr((source, source_type.value, kind.value, lat, lon, description))
    return (
        f"{observed_at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}-{hashlib.sha256(content.encode()).hexdigest()[:12]}"
    )


def add_report(
    store: Store,
    actor: str,
    *,
    kind: HazardKind,
    at: dt.datetime,
    source: str,
    source_type: SourceType,
    lat: float | None = None,
    lon: float | None = None,
    radius_m: float = 1000.0,
    time_uncertainty_s: float = 900.0,
    report_id: str | None = None,
    location: str = "",
    description: str = "",
    fatalities: int | None = None,
    verification: Verification = Verification.UNVERIFIED,
    feed: str = CLI_FEED,
    entered_through: str = "command line",
) -> ReportAdded:
    """Store one report typed in by ``actor`` (a field team's radio message), in ``feed`` (``cli``
    unless a shell names its own), recorded as entered through ``entered_through``.

    ``at``: when, timezone-aware; ``lat``/``lon`` both or neither (WGS84); ``radius_m`` and
    ``time_uncertainty_s``: how far off place and time may be. ``report_id`` defaults to
    :func:`typed_report_id`. Returns the new database id, or None when the same report was stored
    before. Raises :class:`~safepassage.errors.InputError` for values the store cannot hold.
    """
    report = typed_report(
        actor, kind=kind, at=at, source=source, source_type=source_type, lat=lat, lon=lon,
        radius_m=radius_m, time_uncertainty_s=time_uncertainty_s, report_id=report_id,
        location=location, description=description, fatalities=fatalities,
        verification=verification, feed=feed,
    )  # fmt: skip
    with store.writing(actor) as writer:
        added = writer.add_reports([report], entered_through)
    return _report_added(report, added)


def queue_report(
    writer: ReportGroupCommit, actor: str, report: IncidentReport, entered_through: str = "command line"
) -> Future[ReportAdded]:
    """Store ``report`` (from :func:`typed_report`) through a group-commit ``writer``, in one
    transaction with the reports other users submit meanwhile; its own event names ``actor``.

    The future resolves once the report is durably committed - what :func:`add_report` returns - or
    with the error that refused this report alone (:class:`~safepassage.errors.InputError` for
    values the store cannot hold).
    """
    done: Future[ReportAdded] = Future()

    def finish(stored: Future[Added]) -> None:
        error = stored.exception()
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(_report_added(report, stored.result()))

    writer.submit(actor, report, entered_through).add_done_callback(finish)
    return done


def typed_report(
    actor: str,
    *,
    kind: HazardKind,
    at: dt.datetime,
    source: str,
    source_type: SourceType,
    lat: float | None = None,
    lon: float | None = None,
    radius_m: float = 1000.0,
    time_uncertainty_s: float = 900.0,
    report_id: str | None = None,
    location: str = "",
    description: str = "",
    fatalities: int | None = None,
    verification: Verification = Verification.UNVERIFIED,
    feed: str = CLI_FEED,
) -> IncidentReport:
    """The report ``actor`` typed in (arguments as :func:`add_report`), not yet stored.

    Raises :class:`~safepassage.errors.InputError` when only one of ``lat``/``lon`` is given."""
    if (lat is None) != (lon is None):
        raise InputError("--lat and --lon go together: give both, or neither for a report without a location")
    observed_at = at.astimezone(dt.UTC)
    source_id = report_id or typed_report_id(observed_at, source, source_type, kind, lat, lon, description)
    return IncidentReport(
        feed=feed,
        source_id=source_id,
        kind=kind,
        observed_at=observed_at,
        lat=lat,
        lon=lon,
        radius_m=radius_m,
        time_uncertainty_s=time_uncertainty_s,
        source_name=source,
        source_type=source_type,
        fatalities=fatalities,
        verification=verification,
        location_name=location,
        description=description,
        raw={"entered_by": actor},
    )


def _report_added(report: IncidentReport, added: Added) -> ReportAdded:
    return ReportAdded(added.new_ids[0] if added.new else None, report.feed, report.source_id)


def _review_record(r: Review) -> ReviewRecord:
    return ReviewRecord(r.reviewed_at, r.state, r.published, r.reviewer, r.reason, r.claim)


def show_report(store: Store, ref: str) -> ReportDetail:
    """One report by database id (``42``) or ``feed:source_id``, with its source, newest incident,
    reviews and the verification it counts as. :class:`~safepassage.errors.UnknownIdError` if none."""
    with store.reading() as session:
        row = queries.find_report(session, ref)
        source = queries.report_source(session, row)
        reviews = tuple(_review_record(r) for r in queries.review_history(session, report_id=row.id))
        merged = queries.current_incident(session, row.id)
        in_force = queries.latest_review_states(session).get(row.id)
        incident = None
        if merged is not None:
            found, members = merged
            incident = IncidentLink(found.id, found.key, found.corroboration, tuple(members))
        return ReportDetail(
            id=row.id,
            feed=row.feed,
            source_id=row.source_id,
            file_name=row.file_name,
            line=row.line,
            kind=row.kind,
            observed_at=row.observed_at,
            time_uncertainty_s=row.time_uncertainty_s,
            lat=row.lat,
            lon=row.lon,
            radius_m=row.radius_m,
            source_name=source.name,
            source_type=source.source_type,
            verification=row.verification,
            location_name=row.location_name,
            description=row.description,
            incident=incident,
            reviews=reviews,
            counts_as=verification_after_review(Verification(row.verification), in_force),
        )


def review(
    store: Store,
    subject: str,
    state: ReviewState,
    reviewer: str,
    reason: str,
    *,
    claim: str = "",
    publish: bool | None = None,
    incident: bool = False,
) -> ReviewOutcome:
    """Record ``reviewer``'s decision on a report (id or ``feed:source_id``) or, with ``incident``,
    an incident (id or key); ``publish`` changes publication (None: unchanged).

    Returns every review of the subject, oldest first. Raises
    :class:`~safepassage.errors.UnknownIdError` for an unknown subject and
    :class:`~safepassage.errors.InputError` for a step the workflow forbids.
    """
    with store.reading() as session:
        if incident:
            report_id, incident_id = None, queries.find_incident(session, subject).id
        else:
            report_id, incident_id = queries.find_report(session, subject).id, None
    with store.writing(reviewer) as writer:
        writer.review(
            report_id=report_id,
            incident_id=incident_id,
            state=state,
            reviewer=reviewer,
            reason=reason,
            published=publish,
            claim=claim,
        )
    with store.reading() as session:
        history = queries.review_history(session, report_id=report_id, incident_id=incident_id)
        return ReviewOutcome(report_id, incident_id, tuple(_review_record(r) for r in history))


def list_reports(
    store: Store,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    feed: str | None = None,
    state: ReviewState | None = None,
    kind: HazardKind | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> list[ReportSummary]:
    """Stored reports in time order, each with its review state and what it counts as in verdicts.

    Filters (each optional): observed at or after ``since`` and before ``until``; of ``feed``; whose
    latest review is in ``state``; of ``kind``; located inside ``bbox`` = (south lat, west lon,
    north lat, east lon) in degrees (reports without a location are then left out). Raises
    :class:`~safepassage.errors.InputError` for a bbox whose south is above its north or west east
    of its east.
    """
    if bbox is not None and (bbox[0] > bbox[2] or bbox[1] > bbox[3]):
        raise InputError(f"bbox {bbox}: expected (south lat, west lon, north lat, east lon), south <= north")
    with store.reading() as session:
        found = queries.report_summaries(session, since, feed, state)
    return [r for r in found if _wanted(r, until, kind, bbox)]


def _wanted(
    r: ReportSummary,
    until: dt.datetime | None,
    kind: HazardKind | None,
    bbox: tuple[float, float, float, float] | None,
) -> bool:
    if until is not None and r.observed_at >= until:
        return False
    if kind is not None and r.kind != kind.value:
        return False
    if bbox is None:
        return True
    if r.lat is None or r.lon is None:
        return False
    south, west, north, east = bbox
    return south <= r.lat <= north and west <= r.lon <= east
