"""Reliability: ``safepassage ingest`` killed with SIGKILL mid-feed loses nothing it acknowledged.

The ingest prints one "committed FILE: lines A-B" line per batch *after* the batch's transaction
committed. We read those lines from a real subprocess, kill it with SIGKILL (no clean-up runs), and
check that every acknowledged report is stored exactly once, that the restarted ingest completes
the feed without doubling anything, and that the hash chain verifies.
"""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from safepassage.store import Store, verify_chain
from safepassage.store.schema import Report

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
ACLED = SHARED / "conflict" / "acled_ukraine_2022-02-15_2022-03-04.csv"
COMMITTED = re.compile(r"^committed (?P<file>.+): lines (?P<first>\d+)-(?P<last>\d+), (?P<new>\d+) new")
BATCH = 200
REPEATS = 3
KILL_AFTER_BATCHES = 3


def _large_feed(tmp_path: Path) -> tuple[Path, dict[int, str]]:
    """The real ACLED file repeated with distinct event ids, one row per line; line -> event id."""
    if not ACLED.is_file():
        pytest.skip(f"real data file {ACLED} is absent (../shared/data is not beside the checkout)")
    with ACLED.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    id_column = header.index("event_id_cnty")
    path = tmp_path / "acled_repeated.csv"
    ids_by_line: dict[int, str] = {}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        line = 1
        for repeat in range(REPEATS):
            for row in rows:
                copy = [cell.replace("\r", " ").replace("\n", " ") for cell in row]
                copy[id_column] = f"{row[id_column]}-r{repeat}"
                line += 1
                ids_by_line[line] = copy[id_column]
                writer.writerow(copy)
    return path, ids_by_line


def _ingest_command(feed: Path) -> list[str]:
    return [
        sys.executable, "-c", "from safepassage.cli import main; main()",
        "ingest", str(feed), "--format", "acled", "--batch-size", str(BATCH),
    ]  # fmt: skip


def _stored_ids(db_url: str) -> list[str]:
    with Store.open(db_url) as store, store.reading() as session:
        return list(session.scalars(select(Report.source_id).where(Report.feed == "acled")))


@pytest.mark.slow
def test_reports_acknowledged_before_sigkill_are_stored_exactly_once(db_url: str, tmp_path: Path) -> None:
    feed, ids_by_line = _large_feed(tmp_path)
    env = {**os.environ, "SAFEPASSAGE_DB": db_url, "SAFEPASSAGE_USER": "sigkill-test"}
    Store.open(db_url).close()  # migrate first, so the child spends its time ingesting

    child = subprocess.Popen(_ingest_command(feed), env=env, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    acknowledged: set[str] = set()
    batches = 0
    for line in child.stdout:
        match = COMMITTED.match(line)
        if match:
            batches += 1
            acknowledged |= {ids_by_line[n] for n in range(int(match["first"]), int(match["last"]) + 1)}
            if batches == KILL_AFTER_BATCHES:
                child.send_signal(signal.SIGKILL)
                break
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    assert len(acknowledged) == KILL_AFTER_BATCHES * BATCH

    after_kill = _stored_ids(db_url)
    assert len(after_kill) < len(ids_by_line), "the kill came after the whole feed was stored"
    assert len(after_kill) == len(set(after_kill))
    assert acknowledged <= set(after_kill)

    restarted = subprocess.run(_ingest_command(feed), env=env, capture_output=True, text=True, timeout=600)
    assert restarted.returncode == 0, restarted.stderr
    assert f"{len(ids_by_line)} rows read, {len(ids_by_line) - len(after_kill)} new" in restarted.stdout
    stored = _stored_ids(db_url)
    assert sorted(stored) == sorted(ids_by_line.values())  # every row, each exactly once

    again = subprocess.run(_ingest_command(feed), env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert f"{len(ids_by_line)} rows read, 0 new, {len(ids_by_line)} duplicates skipped" in again.stdout
    with Store.open(db_url) as store, store.reading() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == len(ids_by_line)
        summary = verify_chain(session)
    assert summary.rows == summary.events
