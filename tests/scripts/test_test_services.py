"""``scripts/test-services COMMAND`` stops the PostgreSQL server it started, whatever COMMAND does.

Runs the real script against a private port and directory (never the shared test server).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "test-services"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("initdb") is None and not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")),
        reason="PostgreSQL (initdb) is not installed here",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _accepting(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def env() -> Iterator[dict[str, str]]:
    # Not pytest's tmp_path: its parents are private to root, and the server runs as `postgres`.
    tmp_path = Path(tempfile.mkdtemp(prefix="sp-test-services-"))
    tmp_path.chmod(0o755)
    pg_dir = tmp_path / "pg"
    values = {
        **os.environ,
        "SAFEPASSAGE_TEST_PG_PORT": str(_free_port()),
        "SAFEPASSAGE_TEST_PG_DIR": str(pg_dir),
        "SAFEPASSAGE_TEST_PG_URL_FILE": str(tmp_path / "pg.url"),
    }
    yield values
    subprocess.run(["bash", str(SCRIPT), "--stop"], env=values, capture_output=True, timeout=120)
    shutil.rmtree(tmp_path, ignore_errors=True)


def _run(env: dict[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *command], env=env, capture_output=True, text=True, timeout=300
    )


def _server_was_up(env: dict[str, str]) -> list[str]:
    """A command (for the script to run) that records whether the server and URL file were there."""
    port = env["SAFEPASSAGE_TEST_PG_PORT"]
    url = env["SAFEPASSAGE_TEST_PG_URL_FILE"]
    return ["sh", "-c", f"test -s {url} && pg_isready -q -h 127.0.0.1 -p {port} && echo UP; exit $0", ""]


@pytest.mark.parametrize("exit_status", [0, 3])
def test_the_server_it_started_is_stopped_on_success_and_failure(
    env: dict[str, str], exit_status: int
) -> None:
    command = _server_was_up(env)
    command[-1] = str(exit_status)
    done = _run(env, *command)
    if "UP" not in done.stdout:
        pytest.skip(f"PostgreSQL could not be started here: {done.stdout} {done.stderr}")
    assert done.returncode == exit_status  # the command's own status is kept
    assert not _accepting(int(env["SAFEPASSAGE_TEST_PG_PORT"]))
    assert not Path(env["SAFEPASSAGE_TEST_PG_URL_FILE"]).exists()
    assert "stopping the PostgreSQL server this run started" in done.stdout


def test_the_server_is_stopped_when_the_run_is_interrupted(env: dict[str, str]) -> None:
    port = int(env["SAFEPASSAGE_TEST_PG_PORT"])
    run = subprocess.Popen(["bash", str(SCRIPT), "sleep", "120"], env=env, stdout=subprocess.PIPE, text=True)
    assert run.stdout is not None
    for line in run.stdout:  # until the script says whether the server is up
        if "PostgreSQL ready" in line or "will skip" in line:
            break
    if not _accepting(port):
        run.kill()
        run.wait()
        pytest.skip("PostgreSQL could not be started here")
    run.send_signal(signal.SIGTERM)
    assert run.wait(timeout=120) == 143
    assert not _accepting(port)


def test_a_server_already_running_is_reused_and_left_running(env: dict[str, str]) -> None:
    port = int(env["SAFEPASSAGE_TEST_PG_PORT"])
    _run(env)  # start only, as a person would by hand
    if not _accepting(port):
        pytest.skip("PostgreSQL could not be started here")
    done = _run(env, "true")
    assert done.returncode == 0
    assert "reused, and left running" in done.stdout
    assert _accepting(port)
