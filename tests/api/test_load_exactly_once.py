"""The load benchmark, short, in CI: under concurrent posts and reads on SQLite and PostgreSQL every
acknowledged post is stored exactly once and no request fails (issue 9 item 7). Nothing is timed
here: throughput and latency are the benchmark's figures, not a test's."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "api_load.py"


@pytest.mark.slow
def test_every_acknowledged_post_is_stored_exactly_once_on_both_databases() -> None:
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--seconds", "2", "--clients", "10", "--backend", "both"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert re.findall(r"^== (\w+):", output, re.MULTILINE) == ["sqlite", "postgres"], output
    tallies = re.findall(
        r"acknowledged posts: (\d+); stored exactly once: (\d+); missing: (\d+); "
        r"stored twice or more: (\d+); errors: (\d+)",
        output,
    )
    assert len(tallies) == 2, output
    for acknowledged, once, missing, twice, errors in tallies:
        assert int(acknowledged) > 0
        assert once == acknowledged
        assert (missing, twice, errors) == ("0", "0", "0")
