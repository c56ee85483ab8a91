"""Group commit (store.group_commit): concurrent reports by several users in shared transactions,
each with its own event and actor, each acknowledged after its commit; a bad one fails alone."""

from __future__ import annotations

import json
import threading
from concurrent.futures import Future
from pathlib import Path

import pytest
from sqlalchemy import select, text
from tests.store.conftest import ReportFactory

from safepassage.errors import InputError, StoreError
from safepassage.monitor.report import IncidentReport
from safepassage.store import Added, Store, verify_chain
from safepassage.store.group_commit import ReportGroupCommit
from safepassage.store.schema import Event, Report, Source


def _report_events(store: Store) -> list[tuple[str, int, dict[str, object]]]:
    with store.reading() as session:
        rows = session.execute(
            select(Event.actor, Event.row_id, Event.payload)
            .where(Event.table_name == "reports")
            .order_by(Event.seq)
        ).all()
    return [(actor, row_id, json.loads(payload)) for actor, row_id, payload in rows]


def test_concurrent_submissions_are_stored_once_each_with_their_own_actor(
    store: Store, make_report: ReportFactory
) -> None:
    n_users, per_user = 12, 5
    results: dict[str, list[Added]] = {}

    def post(user: str) -> None:
        futures = [
            writer.submit(user, make_report(f"{user}-{k}", source_name=f"team {user}"), "api")
            for k in range(per_user)
        ]
        results[user] = [f.result(timeout=60) for f in futures]

    with ReportGroupCommit(store) as writer:
        threads = [threading.Thread(target=post, args=(f"user{u}",)) for u in range(n_users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        batches = writer.batches
    assert batches < n_users * per_user  # some posts shared a transaction
    assert all(len(added.new_ids) == 1 and added.duplicates == 0 for r in results.values() for added in r)
    events = _report_events(store)
    assert len(events) == n_users * per_user
    with store.reading() as session:
        stored = {row.id: row.source_id for row in session.execute(select(Report.id, Report.source_id))}
        sources = dict(session.execute(select(Source.name, Source.id)).all())
        summary = verify_chain(session)
    assert len(stored) == n_users * per_user
    for user, added in results.items():
        for k, outcome in enumerate(added):
            assert stored[outcome.new_ids[0]] == f"{user}-{k}"
    for actor, row_id, payload in events:
        assert stored[row_id].startswith(f"{actor}-")  # each row's event names its poster
        assert payload["source_id"] == stored[row_id]
    assert set(sources) == {f"team user{u}" for u in range(n_users)}
    assert summary.rows == summary.events == n_users * per_user + n_users  # reports + sources


class _Gate:
    """A lock for the writer that says when the writer waits at it (its batch is then fixed)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.lock.acquire()
        self.waiting = threading.Event()

    def __enter__(self) -> None:
        self.waiting.set()
        self.lock.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.lock.release()


def _held_batch(
    store: Store, submissions: list[tuple[str, IncidentReport]]
) -> tuple[list[Future[Added]], int]:
    """Submit ``(actor, report)`` pairs so that all but the first are written in one batch (the
    first holds the writer back at a gate); returns their futures and how many transactions ran."""
    gate = _Gate()
    with ReportGroupCommit(store, lock=gate) as writer:
        first = writer.submit(*submissions[0], "api")
        assert gate.waiting.wait(60)
        futures = [writer.submit(actor, report, "api") for actor, report in submissions[1:]]
        gate.lock.release()
        for f in [first, *futures]:
            f.exception(timeout=60)
        batches = writer.batches
    return [first, *futures], batches


def test_a_report_the_store_cannot_hold_fails_alone_in_its_batch(
    store: Store, make_report: ReportFactory
) -> None:
    futures, batches = _held_batch(
        store,
        [
            ("primer", make_report("p")),
            ("olena", make_report("good-1")),
            ("taras", make_report("bad", radius_m=float("nan"))),
            ("iryna", make_report("good-2")),
            ("olena", make_report("good-1")),  # the same report again in the same batch
        ],
    )
    assert batches == 2  # the primer, then the four others together
    primer, good1, bad, good2, again = futures
    error = bad.exception()
    assert isinstance(error, InputError)
    assert "radius_m" in str(error)
    assert good1.result().new == 1
    assert good2.result().new == 1
    assert primer.result().new == 1
    assert again.result() == Added((), 1)
    events = _report_events(store)
    assert [(actor, p["source_id"]) for actor, _, p in events] == [
        ("primer", "p"),
        ("olena", "good-1"),
        ("iryna", "good-2"),
    ]
    with store.reading() as session:
        verify_chain(session)


def test_a_batch_the_database_refuses_is_written_report_by_report(
    tmp_path: Path, make_report: ReportFactory
) -> None:
    """A report the checks let through and the database refuses (here: a trigger) fails alone."""
    with Store.open(f"sqlite:///{tmp_path / 'refuse.sqlite'}") as store:
        with store.engine.begin() as connection:
            connection.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON reports WHEN NEW.source_id = 'poison' "
                    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                )
            )
        futures, batches = _held_batch(
            store,
            [
                ("primer", make_report("p")),
                ("olena", make_report("good-1")),
                ("taras", make_report("poison")),
                ("iryna", make_report("good-2")),
            ],
        )
        assert batches >= 2  # the primer, the refused batch (not counted), then report by report
        primer, good1, poison, good2 = futures
        assert isinstance(poison.exception(), StoreError)
        assert "refused by the test" in str(poison.exception())
        assert good1.result().new == good2.result().new == primer.result().new == 1
        assert [(a, p["source_id"]) for a, _, p in _report_events(store)] == [
            ("primer", "p"),
            ("olena", "good-1"),
            ("iryna", "good-2"),
        ]
        with store.reading() as session:
            verify_chain(session)


def test_an_answer_comes_only_after_the_commit(store: Store, make_report: ReportFactory) -> None:
    """While the writer is held before its transaction, nothing is acknowledged; after, it is stored."""
    gate = _Gate()
    with ReportGroupCommit(store, lock=gate) as writer:
        future = writer.submit("olena", make_report("r1"), "api")
        assert gate.waiting.wait(60)
        threading.Event().wait(0.2)
        assert not future.done()
        with store.reading() as session:
            assert session.scalar(select(Report.id)) is None
        gate.lock.release()
        added = future.result(timeout=60)
    with store.reading() as session:
        assert session.scalar(select(Report.source_id).where(Report.id == added.new_ids[0])) == "r1"


def test_submitting_after_close_is_refused(store: Store, make_report: ReportFactory) -> None:
    writer = ReportGroupCommit(store)
    writer.close()
    with pytest.raises(StoreError, match="closed"):
        writer.submit("olena", make_report("r1"))
