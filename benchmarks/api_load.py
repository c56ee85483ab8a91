"""Load on the HTTP API: 50 concurrent clients posting reports and reading corridor status.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/api_load.py [--seconds 30] [--clients 50]
[--backend sqlite|postgres|both]`` (prints figures; asserts nothing, exits 1 when a post was lost or
doubled or a request failed).

Loopback only and bounded: the server (``safepassage serve`` in its own process, on 127.0.0.1 and a
free port) runs over a fresh store holding the demo scenario; each client has its own reporter token
and alternates a report post with a read of ``/api/corridors``, for ``--seconds`` (at most 300).
PostgreSQL: the server named in /tmp/safepassage-test-pg.url (started by scripts/test-services); a
fresh database is created there and dropped afterwards. Afterwards every acknowledged post is looked
up in the store: it must be stored exactly once. Each client's first request (connection, token
look-up) is made and printed before the timed phases; after the mixed phase, the same clients post
only, for up to 5 s, to show the write path (group commit) without the reads.

Targets (issue 9, on 2 cores): >= 500 posts/s, p99 < 100 ms, no error. The baseline printed beside
them is a read-only run of the same clients in the same process (``/api/corridors``), measured first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PG_URL_FILE = Path("/tmp/safepassage-test-pg.url")
MAX_SECONDS = 300.0
MAX_CLIENTS = 200


@dataclass
class Tally:
    """What the clients saw: latencies by kind (s), acknowledged report ids, errors."""

    post_s: list[float] = field(default_factory=list)
    read_s: list[float] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'load.sqlite'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = PG_URL_FILE.read_text(encoding="utf-8").strip()
    name = f"safepassage_load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _prepare(url: str, clients: int) -> list[str]:
    """The demo data in the store, and one reporter token per client."""
    from safepassage.services.api_support import load_demo
    from safepassage.services.users import Role, add_user
    from safepassage.store import Store

    with Store.open(url) as store:
        load_demo(store, "bench")
        return [add_user(store, f"client-{i}", Role.REPORTER, "bench")[1] for i in range(clients)]


@contextmanager
def _server(url: str) -> Iterator[str]:
    port = _free_port()
    command = [
        sys.executable, "-m", "safepassage", "serve", "--db", url, "--host", "127.0.0.1",
        "--port", str(port), "--rate", "100000", "--burst", "100000",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy()
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the server did not start: {process.stderr.read().decode() if process.stderr else ''}"
                )
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _client(
    base: str,
    token: str,
    index: int,
    until: float,
    posts: bool,
    tally: Tally,
    reads: bool = True,
    tag: str = "",
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        n = 0
        while time.monotonic() < until:
            if posts:
                report_id = f"load-{tag}{index}-{n}"
                body = {
                    "kind": "shelling",
                    "at": "2022-03-05T10:00:00+02:00",
                    "source": f"load client {index}",
                    "source_type": "field_team",
                    "lat": 60.17 + (n % 100) * 1e-4,
                    "lon": 24.94,
                    "id": report_id,
                }
                t0 = time.perf_counter()
                try:
                    response = await client.post("/api/reports", json=body)
                except httpx.HTTPError as exc:
                    tally.errors.append(f"POST {report_id}: {type(exc).__name__}")
                else:
                    tally.post_s.append(time.perf_counter() - t0)
                    if response.status_code == 201 and response.json()["report_id"] is not None:
                        tally.acknowledged.append(report_id)
                    else:
                        tally.errors.append(f"POST {report_id}: {response.status_code} {response.text[:120]}")
            if not reads:
                n += 1
                continue
            t0 = time.perf_counter()
            try:
                read = await client.get("/api/corridors")
            except httpx.HTTPError as exc:
                tally.errors.append(f"GET /api/corridors: {type(exc).__name__}")
            else:
                tally.read_s.append(time.perf_counter() - t0)
                if read.status_code != 200:
                    tally.errors.append(f"GET /api/corridors: {read.status_code}")
            n += 1


async def _run(
    base: str, tokens: list[str], seconds: float, posts: bool, reads: bool = True, tag: str = ""
) -> tuple[Tally, float]:
    tally = Tally()
    start = time.monotonic()
    until = start + seconds
    await asyncio.gather(
        *(_client(base, t, i, until, posts, tally, reads, tag) for i, t in enumerate(tokens))
    )
    return tally, time.monotonic() - start


async def _warm_up(base: str, tokens: list[str]) -> list[float]:
    """Each client's first request (a new connection, the server's first look-up of its token),
    timed apart: the timed phases measure the steady state."""

    async def first(token: str) -> float:
        async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
            t0 = time.perf_counter()
            await client.get("/api/corridors")
            return time.perf_counter() - t0

    return list(await asyncio.gather(*(first(t) for t in tokens)))


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _stored_once(url: str, acknowledged: list[str]) -> tuple[int, int, int]:
    """(acknowledged posts found once, missing, stored more than once) in the store."""
    from sqlalchemy import func, select

    from safepassage.store import Store
    from safepassage.store.schema import Report

    with Store.open(url) as store, store.reading() as session:
        counts = dict(
            session.execute(
                select(Report.source_id, func.count())
                .where(Report.feed == "cli", Report.source_id.like("load-%"))
                .group_by(Report.source_id)
            ).all()
        )
    once = sum(1 for r in acknowledged if counts.get(r) == 1)
    missing = sum(1 for r in acknowledged if r not in counts)
    doubled = sum(1 for c in counts.values() if c > 1)
    return once, missing, doubled


def bench(backend: str, seconds: float, clients: int) -> bool:
    """One backend: returns whether every acknowledged post was stored exactly once and nothing failed."""
    with tempfile.TemporaryDirectory() as folder, _database(backend, Path(folder)) as url:
        tokens = _prepare(url, clients)
        with _server(url) as base:
            warm_s = asyncio.run(_warm_up(base, tokens))
            baseline, base_elapsed = asyncio.run(_run(base, tokens, min(5.0, seconds), posts=False))
            tally, elapsed = asyncio.run(_run(base, tokens, seconds, posts=True))
            alone, alone_elapsed = asyncio.run(
                _run(base, tokens, min(5.0, seconds), posts=True, reads=False, tag="p")
            )
        once, missing, doubled = _stored_once(url, tally.acknowledged + alone.acknowledged)
    posts_per_s = len(tally.post_s) / elapsed
    reads_per_s = len(tally.read_s) / elapsed
    base_reads_per_s = len(baseline.read_s) / base_elapsed
    print(f"== {backend}: {clients} clients, {seconds:.0f} s")
    print(
        f"  warm-up (each client's first request, all at once, not in the figures below): "
        f"p50 {_pct(warm_s, 0.5):.1f} ms, max {max(warm_s) * 1000:.1f} ms"
    )
    print(
        f"  posts: {len(tally.post_s)} ({posts_per_s:,.0f}/s; target >= 500/s), "
        f"p50 {_pct(tally.post_s, 0.5):.1f} ms, p99 {_pct(tally.post_s, 0.99):.1f} ms (target < 100 ms)"
    )
    print(
        f"  status reads: {len(tally.read_s)} ({reads_per_s:,.0f}/s), "
        f"p50 {_pct(tally.read_s, 0.5):.1f} ms, p99 {_pct(tally.read_s, 0.99):.1f} ms"
    )
    print(
        f"  baseline (reads only, same clients): {base_reads_per_s:,.0f}/s, "
        f"p50 {_pct(baseline.read_s, 0.5):.1f} ms; mixed-load reads at "
        f"{reads_per_s / base_reads_per_s:.2f}x the baseline rate"
        if baseline.read_s
        else "  baseline: no reads"
    )
    print(
        f"  posts alone (no reads, same clients, {min(5.0, seconds):.0f} s): {len(alone.post_s)} "
        f"({len(alone.post_s) / alone_elapsed:,.0f}/s), p50 {_pct(alone.post_s, 0.5):.1f} ms, "
        f"p99 {_pct(alone.post_s, 0.99):.1f} ms"
    )
    all_s = tally.post_s + tally.read_s
    mean_ms = statistics.fmean(all_s) * 1000 if all_s else 0.0
    p50, p99 = _pct(all_s, 0.5), _pct(all_s, 0.99)
    print(f"  all requests: p50 {p50:.1f} ms, p99 {p99:.1f} ms, mean {mean_ms:.1f} ms")
    errors = tally.errors + alone.errors
    print(
        f"  acknowledged posts: {len(tally.acknowledged) + len(alone.acknowledged)}; stored exactly once: "
        f"{once}; missing: {missing}; stored twice or more: {doubled}; errors: {len(errors)}"
    )
    for error in errors[:5]:
        print(f"    {error}")
    acknowledged = len(tally.acknowledged) + len(alone.acknowledged)
    return missing == 0 and doubled == 0 and not errors and once == acknowledged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="Duration of the mixed load (max 300).")
    parser.add_argument("--clients", type=int, default=50, help="Concurrent clients (max 200).")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    seconds = min(max(args.seconds, 1.0), MAX_SECONDS)
    clients = min(max(args.clients, 1), MAX_CLIENTS)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    if "postgres" in backends and not PG_URL_FILE.is_file():
        print(f"no PostgreSQL server: {PG_URL_FILE} is missing (run scripts/test-services); skipping it")
        backends.remove("postgres")
    print(f"cpus: {os.cpu_count()}, python {sys.version.split()[0]}")
    results = [bench(b, seconds, clients) for b in backends]  # every backend runs, even after a failure
    ok = all(results)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
