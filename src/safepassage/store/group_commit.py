"""Group commit: reports submitted concurrently by several users, written in one transaction.

Each write transaction of the store ends with a sync to disk and holds the event log's head lock, so
one transaction per submitted report caps a server at a few hundred reports a second however many
clients post. :class:`ReportGroupCommit` queues the reports callers submit; one writer thread takes
everything queued (up to ``max_batch``) and stores it in one transaction with
:meth:`~safepassage.store.repository.Writer.add_reports`, each report with its own event naming its
own actor. While that transaction commits, the next posts queue, so batches grow with the load and a
lone post is written at once (no waiting for company).

What each caller is promised:

- its future resolves only after the transaction holding its report is **committed** (a sync to
  disk on SQLite with ``synchronous=FULL``; a commit on PostgreSQL) - never before;
- a report the store cannot hold (:func:`~safepassage.store.report_checks.report_problem`) fails
  alone, with the :class:`~safepassage.errors.InputError` a single write would raise, before the
  batch is written;
- when the database refuses a batch (a constraint the checks did not foresee, a lost connection),
  each of its reports is written again in its own transaction, so one bad report fails alone and
  the others are stored;
- the same report submitted twice (in one batch or not) is stored once: the first submission gets
  its id, the others an :class:`~safepassage.store.repository.Added` with one duplicate.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from safepassage.errors import StoreError
from safepassage.monitor.report import IncidentReport
from safepassage.store.report_checks import report_problem
from safepassage.store.repository import Added, Store, unstorable

__all__ = ["DEFAULT_MAX_BATCH", "ReportGroupCommit"]

#: Most reports written in one transaction.
DEFAULT_MAX_BATCH = 256


@dataclass
class _Submission:
    actor: str
    report: IncidentReport
    file_name: str
    future: Future[Added] = field(default_factory=Future)


class ReportGroupCommit:
    """A writer thread storing submitted reports in shared transactions (see the module docstring).

    ``lock`` (optional) is held around each transaction: a shell that also serialises its other
    writes in-process passes the same lock. Use as a context manager or call :meth:`close`.
    """

    def __init__(
        self,
        store: Store,
        *,
        max_batch: int = DEFAULT_MAX_BATCH,
        lock: AbstractContextManager[object] | None = None,
    ) -> None:
        if max_batch < 1:
            raise StoreError(f"max_batch {max_batch}: expected at least 1")
        self.store = store
        self.max_batch = max_batch
        self._lock: AbstractContextManager[object] = lock if lock is not None else nullcontext()
        self._queue: queue.SimpleQueue[_Submission | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._state = threading.Lock()
        self._closed = False
        #: Transactions written and reports they held (figures for benchmarks and tests).
        self.batches = 0
        self.reports = 0

    def submit(self, actor: str, report: IncidentReport, file_name: str = "") -> Future[Added]:
        """Queue ``report`` by ``actor``; the future gives what storing it did (one new id, or one
        duplicate) once its transaction is committed, or the error that refused it.

        Raises :class:`StoreError` after :meth:`close`.
        """
        submission = _Submission(actor, report, file_name)
        with self._state:
            if self._closed:
                raise StoreError("the report writer is closed; the server is shutting down")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="report-group-commit", daemon=True)
                self._thread.start()
            self._queue.put(submission)
        return submission.future

    def close(self) -> None:
        """Write what is queued, then stop the writer thread."""
        with self._state:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
            self._queue.put(None)
        if thread is not None:
            thread.join()

    def __enter__(self) -> ReportGroupCommit:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- the writer thread ---------------------------------------------------------------------

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            try:
                self._write(batch)
            except Exception as exc:  # the thread must outlive any batch: no caller waits forever
                for unresolved in batch:
                    if not unresolved.future.done():
                        unresolved.future.set_exception(exc)

    def _write(self, batch: list[_Submission]) -> None:
        writable = []
        for item in batch:
            if not item.future.set_running_or_notify_cancel():
                continue
            problem = report_problem(item.report)
            if problem is not None:
                item.future.set_exception(unstorable([(item.report, problem)], item.file_name))
            else:
                writable.append(item)
        if not writable:
            return
        try:
            outcomes = self._write_together(writable)
        except Exception as exc:  # every error goes back to its caller
            if len(writable) == 1:
                writable[0].future.set_exception(exc)
                return
            for item in writable:  # the database refused the batch: each report alone
                self._write_alone(item)
            return
        for item, outcome in zip(writable, outcomes, strict=True):
            item.future.set_result(outcome)

    def _write_alone(self, item: _Submission) -> None:
        try:
            (outcome,) = self._write_together([item])
        except Exception as exc:  # the error goes back to its caller
            item.future.set_exception(exc)
        else:
            item.future.set_result(outcome)

    def _write_together(self, batch: Sequence[_Submission]) -> list[Added]:
        """Store ``batch`` in one transaction; per submission, what storing it did (after commit)."""
        by_file: dict[str, list[_Submission]] = {}
        for item in batch:
            by_file.setdefault(item.file_name, []).append(item)
        new_id: dict[tuple[str, str], int] = {}
        with self._lock, self.store.writing(batch[0].actor) as writer:
            for file_name, items in by_file.items():
                added = writer.add_reports(
                    [i.report for i in items], file_name, actors=[i.actor for i in items]
                )
                new_id.update(zip(added.new_keys, added.new_ids, strict=True))
        # committed: the first submission of each new report gets its id, any other is a duplicate
        outcomes = []
        for item in batch:
            row_id = new_id.pop(item.report.key, None)
            outcomes.append(Added((row_id,), 0) if row_id is not None else Added((), 1))
        self.batches += 1
        self.reports += len(batch)
        return outcomes
