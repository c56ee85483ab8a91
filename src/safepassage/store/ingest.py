"""Stream one feed file into the store in batches: what ``safepassage ingest`` does for each file.

Each batch is one transaction (the reports, their new sources and one event per row). A report the
store cannot hold (a NaN radius, a count over its column, a year-9999 time...) is set aside with
its file:line among the malformed rows, and the rest of its batch is stored. When
``on_commit`` is called for a batch, that batch is durably stored: a crash after that loses none of
it, a crash before loses the whole batch and nothing else, and ingesting the file again stores
exactly what is missing (reports are identified by ``(feed, source_id)``).

Parsing is not overlapped with writing: both are Python work under the GIL, and a parsing thread
measured no faster on the shared feeds (``benchmarks/monitor_bench.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import DataError, IntegrityError

from safepassage.errors import StoreError
from safepassage.monitor.feeds import iter_feed
from safepassage.monitor.report import IncidentReport, RowError
from safepassage.store.repository import Store

__all__ = ["CommittedBatch", "FeedTally", "ingest_feed"]

PROGRESS_EVERY_ROWS = 100


@dataclass(frozen=True)
class CommittedBatch:
    """One committed transaction of an ingest: which lines of the file it covered, what it added."""

    path: Path
    first_line: int
    last_line: int
    new: int
    duplicates: int


@dataclass
class FeedTally:
    """What ingesting one file did."""

    rows_read: int = 0
    new: int = 0
    duplicates: int = 0
    malformed: list[RowError] = field(default_factory=list)


def ingest_feed(
    store: Store,
    path: Path,
    fmt: str | None,
    actor: str,
    batch_size: int = 500,
    on_commit: Callable[[CommittedBatch], None] | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> FeedTally:
    """Store the reports of one feed file, ``batch_size`` reports per transaction.

    ``fmt`` is a feed format or None to guess it. ``on_commit`` is called after each committed
    batch; ``on_rows(n)`` every :data:`PROGRESS_EVERY_ROWS` rows read. Rows the feed reader or the
    store refuse are in ``FeedTally.malformed`` with their line. Raises
    :class:`~safepassage.errors.FeedError` for a file that cannot be read at all (batches committed
    before stay committed).
    """
    tally = FeedTally()
    batch: list[IncidentReport] = []

    def store_reports(reports: list[IncidentReport]) -> None:
        try:
            with store.writing(actor) as writer:
                added = writer.add_reports(reports, str(path), skip_invalid=True)
        except StoreError as exc:
            if not isinstance(exc.__cause__, IntegrityError | DataError):
                raise
            # A row the checks let through and the database refused: find it by halving the batch.
            if len(reports) == 1:
                reason = str(exc.__cause__.orig or exc.__cause__).splitlines()[0][:200]
                tally.malformed.append(RowError(str(path), reports[0].line, f"not stored: {reason}"))
                return
            middle = len(reports) // 2
            store_reports(reports[:middle])
            store_reports(reports[middle:])
            return
        tally.new += added.new
        tally.duplicates += added.duplicates
        tally.malformed.extend(added.rejected)
        if on_commit is not None:
            on_commit(CommittedBatch(path, reports[0].line, reports[-1].line, added.new, added.duplicates))

    def commit() -> None:
        if batch:
            store_reports(list(batch))
            batch.clear()

    for item in iter_feed(path, fmt):
        tally.rows_read += 1
        if isinstance(item, RowError):
            tally.malformed.append(item)
        else:
            batch.append(item)
            if len(batch) >= batch_size:
                commit()
        if on_rows is not None and tally.rows_read % PROGRESS_EVERY_ROWS == 0:
            on_rows(PROGRESS_EVERY_ROWS)
    commit()
    if on_rows is not None:
        on_rows(tally.rows_read % PROGRESS_EVERY_ROWS)
    return tally
