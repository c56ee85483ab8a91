"""``audit verify`` while another process ingests: it reads one snapshot, so it always passes.

Issue 8: verify exited 8 ("reports row 20048: not written through Safe Passage") in 2 of 2 runs
during an ingest, then passed: it read the event log, then the tables, each query seeing the newest
commits, so rows committed between the two looked unvouched.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from safepassage.store import Store, verify_chain
from store.test_ingest_survives_sigkill import _large_feed


@pytest.mark.slow
def test_verify_passes_while_another_process_ingests(db_url: str, tmp_path: Path) -> None:
    feed, ids_by_line = _large_feed(tmp_path)
    env = {**os.environ, "SAFEPASSAGE_DB": db_url, "SAFEPASSAGE_USER": "ingest"}
    Store.open(db_url).close()
    command = [sys.executable, "-c", "from safepassage.cli import main; main()"]
    child = subprocess.Popen(
        [*command, "ingest", str(feed), "--format", "acled", "--batch-size", "20"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: list[int] = []
    cli_runs = 0
    try:
        with Store.open(db_url) as store:
            while child.poll() is None:
                with store.reading() as session:
                    summary = verify_chain(session)  # raises AuditError on a torn read
                assert summary.rows == summary.events
                seen.append(summary.events)
                if cli_runs == 0 and len(seen) >= 3 and child.poll() is None:
                    cli = subprocess.run(
                        [*command, "audit", "verify"], env=env, capture_output=True, text=True, timeout=300
                    )
                    assert cli.returncode == 0, cli.stderr
                    assert "audit passed" in cli.stdout
                    cli_runs += 1
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=60)
    assert child.returncode == 0, child.stderr
    assert cli_runs >= 1
    with Store.open(db_url) as store, store.reading() as session:
        final = verify_chain(session)
    assert final.events >= len(ids_by_line)
    mid_ingest = [events for events in seen if 0 < events < final.events]
    assert len(mid_ingest) >= 2, f"too few verifications overlapped the ingest: {seen}"
