"""Reliability: ``safepassage ingest`` killed with SIGKILL while reading, while storing a batch, and
while merging; afterwards the next ingest leaves reports and incidents agreeing.

To kill *inside* a phase, not merely near it, the test holds the writers' lock (SQLite: a write
transaction; PostgreSQL: the chain head row) so the child cannot commit: killed while it waits for
the lock to store a batch, no part of that batch may be stored; killed while it waits to write its
merge, every report is stored and no incident is. Then a plain re-ingest ("0 new" in the merge case)
must merge every report, which is the fault issue 8 reported (40,000 reports, 0 incidents).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from safepassage.store import Store
from safepassage.store.merging import pending_merge
from safepassage.store.schema import Incident, Report
from store.test_ingest_survives_sigkill import COMMITTED, _ingest_command, _large_feed, _stored_ids
from store.test_merge_pending import assert_reports_and_incidents_agree

LOCK_WAIT_S = 2.0  # time for the child to reach the lock it then waits on


@contextmanager
def writers_lock(db_url: str) -> Iterator[None]:
    """Hold the lock every Safe Passage write transaction takes first, until the block ends."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(url.database or "", isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT seq FROM chain_head WHERE id = 1 FOR UPDATE"))
            yield
            connection.rollback()
    finally:
        engine.dispose()


def _counts(db_url: str) -> tuple[int, int, int]:
    with Store.open(db_url) as store, store.reading() as session:
        reports = session.scalar(select(func.count()).select_from(Report)) or 0
        incidents = session.scalar(select(func.count()).select_from(Incident)) or 0
        return int(reports), int(incidents), pending_merge(session)


def _start(feed: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(_ingest_command(feed), env=env, stdout=subprocess.PIPE, text=True)


def _kill(child: subprocess.Popen[str]) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["read", "store", "merge"])
def test_ingest_killed_in_each_phase_then_reingested_agrees(db_url: str, tmp_path: Path, phase: str) -> None:
    feed, ids_by_line = _large_feed(tmp_path)
    last_line = max(ids_by_line)
    env = {**os.environ, "SAFEPASSAGE_DB": db_url, "SAFEPASSAGE_USER": "sigkill-test"}
    Store.open(db_url).close()

    child = _start(feed, env)
    assert child.stdout is not None
    acknowledged: set[str] = set()
    for line in child.stdout:
        match = COMMITTED.match(line)
        if not match:
            continue
        acknowledged |= {ids_by_line[n] for n in range(int(match["first"]), int(match["last"]) + 1)}
        if phase == "read":  # the child is now reading the next batch
            _kill(child)
            break
        if phase == "store" and len(acknowledged) >= 2 * 200:
            with writers_lock(db_url):
                time.sleep(LOCK_WAIT_S)  # the child reads a batch, then waits to store it
                _kill(child)
            break
        if phase == "merge" and int(match["last"]) == last_line:
            with writers_lock(db_url):
                time.sleep(LOCK_WAIT_S)  # the child reads every report and merges, then waits to write
                _kill(child)
            break
    else:
        pytest.fail(f"the ingest ended before the {phase} phase could be interrupted")
    for line in child.stdout:  # batches acknowledged before the kill that the loop had not read yet
        match = COMMITTED.match(line)
        if match:
            acknowledged |= {ids_by_line[n] for n in range(int(match["first"]), int(match["last"]) + 1)}

    stored = _stored_ids(db_url)
    assert len(stored) == len(set(stored))
    assert acknowledged <= set(stored)  # every acknowledged batch
    if phase == "read":  # at most the batch committed just before the kill, not yet acknowledged
        assert len(set(stored) - acknowledged) <= 200
    else:  # the lock was held: the batch or merge the child waited to write left nothing
        assert set(stored) == acknowledged
    reports, incidents, pending = _counts(db_url)
    assert incidents == 0  # killed before any merge committed
    assert pending == reports == len(stored)
    if phase == "merge":
        assert reports == len(ids_by_line)

    restarted = subprocess.run(_ingest_command(feed), env=env, capture_output=True, text=True, timeout=900)
    assert restarted.returncode == 0, restarted.stderr
    new = len(ids_by_line) - len(stored)
    assert f"{len(ids_by_line)} rows read, {new} new" in restarted.stdout
    assert f"({len(ids_by_line)} not merged before)" in " ".join(restarted.stdout.split())
    assert assert_reports_and_incidents_agree(db_url) == len(ids_by_line)
