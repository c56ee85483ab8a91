"""Monitor benchmark: ingestion rows/s into a fresh store, incremental merge, and judging all 2022 corridors.

Run from the repository root::

    PYTHONPATH=src python benchmarks/monitor_bench.py [--postgres URL] [--mix N]

Ingests the shared ACLED, UCDP and air-raid siren files (``../shared/data``) into a fresh SQLite
file exactly as ``safepassage ingest`` does (parse, then 500 reports per transaction, each report
with its hash-chained event), and prints:

- the baseline measured in the same run: parsing alone (no database), rows/s;
- ingestion (parse + store + event log), rows/s, and its ratio to the baseline (target >= 5,000
  rows/s on SQLite);
- re-ingesting the same files (every row a duplicate, nothing written), rows/s;
- merging all reports into incidents and storing them; verifying the whole hash chain;
- with ``--postgres URL`` (or the server ``scripts/test-services`` started), the same ingestion
  into a fresh PostgreSQL database;
- judging all 282 corridor announcements over their windows with the monitor's verdict rule, from
  incidents indexed once, and storing the 282 verdicts;
- the issue-12 targets, on SQLite and (beside them) PostgreSQL: ingest of the shared files end to
  end (target >= 10,000 rows/s), then merge and judge all 282 corridors (target: ingest + judge
  <= 1 s together); a synthetic mix of ``--mix`` (22,000) reports made by jittering the real rows
  (place +- ~5 km, ACLED/UCDP day +- 1, alert start +- 2 h; written in the feeds' own CSV formats)
  ingested with its merge (target <= 5 s); and one more small file ingested into that store, to
  show the incremental merge costs in proportion to the new reports.

Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from safepassage.monitor import (
    CorridorAnnouncement,
    IncidentReport,
    index_incidents,
    iter_corridor_announcements,
    iter_feed,
    judge_corridor,
    merge_reports,
)
from safepassage.monitor.corridors import announcement_window
from safepassage.store import Store, queries, verify_chain
from safepassage.store.ingest import ingest_feed
from safepassage.store.merging import merge_pending

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FEEDS = (
    SHARED / "conflict" / "acled_ukraine_2022-02-15_2022-03-04.csv",
    SHARED / "conflict" / "ucdp_ukraine_2014-01-01_2022-03-04.csv",
    SHARED / "alerts" / "air_raid_sirens_2022-02-25_2022-03-04.csv",
)
CORRIDORS = SHARED / "corridors" / "humanitarian_corridors_ukraine_2022.csv"
TEST_PG_URL_FILE = Path("/tmp/safepassage-test-pg.url")
BATCH = 500


def parse_only(files: Sequence[Path]) -> dict[Path, list[IncidentReport]]:
    """Baseline: read every row of every feed, store nothing."""
    return {path: [item for item in iter_feed(path) if isinstance(item, IncidentReport)] for path in files}


def store_only(store: Store, parsed: dict[Path, list[IncidentReport]]) -> int:
    """Store already-parsed reports in batches: the store's own cost, without the parsers'."""
    new = 0
    for path, reports in parsed.items():
        for start in range(0, len(reports), BATCH):
            with store.writing("bench") as writer:
                new += writer.add_reports(reports[start : start + BATCH], str(path)).new
    return new


def ingest(store: Store, files: Sequence[Path]) -> tuple[int, int, int]:
    """Parse and store exactly as ``safepassage ingest`` does; returns (rows read, new, duplicates)."""
    tallies = [ingest_feed(store, path, None, "bench", BATCH) for path in files]
    return sum(t.rows_read for t in tallies), sum(t.new for t in tallies), sum(t.duplicates for t in tallies)


@dataclass
class Clock:
    """Wall-clock and CPU seconds of one measured step (CPU time is what contention does not inflate)."""

    wall_s: float = 0.0
    cpu_s: float = 0.0


@contextmanager
def clocked() -> Iterator[Clock]:
    clock = Clock()
    wall, cpu = time.perf_counter(), time.process_time()
    yield clock
    clock.wall_s, clock.cpu_s = time.perf_counter() - wall, time.process_time() - cpu


def timed(label: str, rows: int, clock: Clock, baseline: Clock | None = None) -> None:
    ratio = f"  {clock.wall_s / baseline.wall_s:4.1f}x parse-only" if baseline else ""
    print(
        f"{label:<46} {rows:6d} rows {clock.wall_s:6.2f} s = {rows / clock.wall_s:7.0f} rows/s"
        f"  (CPU {clock.cpu_s:5.2f} s = {rows / max(clock.cpu_s, 1e-9):7.0f} rows/s){ratio}"
    )


@contextmanager
def fresh_postgres(url: str) -> Iterator[str]:
    """A throw-away database on the server at ``url``."""
    base = make_url(url)
    name = f"sp_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def sqlite_ingest_and_judge(folder: Path, baseline: Clock) -> None:
    """End-to-end on SQLite: ingest, re-ingest, merge, judge every corridor, store verdicts, verify."""
    with Store.open(f"sqlite:///{folder}/bench.sqlite") as store:
        with clocked() as clock:
            _, new, _ = ingest(store, FEEDS)
        timed("SQLite ingest (parse + store + event log)", new, clock, baseline)
        with clocked() as clock:
            _, new_again, duplicates = ingest(store, FEEDS)
        timed(f"SQLite re-ingest ({new_again} new, all duplicates)", duplicates, clock, baseline)

        with clocked() as clock:
            with store.reading() as session:
                reports = queries.incident_reports(session)
            incidents = merge_reports(reports)
            with store.writing("bench") as writer:
                writer.add_incidents(incidents)
        print(
            f"merge {len(reports)} reports into {len(incidents)} incidents, store them: {clock.wall_s:.2f} s"
        )

        corridors = [a for a in iter_corridor_announcements(CORRIDORS) if isinstance(a, CorridorAnnouncement)]
        with store.writing("bench") as writer:
            writer.add_corridors(corridors, str(CORRIDORS))
        with clocked() as clock:
            index = index_incidents(incidents, (31.0, 48.5))
            verdicts = []
            for a in corridors:
                start, end = announcement_window(a)
                verdicts.append(judge_corridor(f"peacerep:{a.hc_id}", a.route_lonlat, start, end, index))
        print(
            f"judge {len(verdicts)} corridors (incidents indexed once): {clock.wall_s:.3f} s "
            f"(CPU {clock.cpu_s:.3f} s; target <= 2 s)"
        )
        with clocked() as clock, store.writing("bench") as writer:
            writer.add_verdicts(verdicts)
        print(f"store {len(verdicts)} verdicts with their evidence: {clock.wall_s:.3f} s")

        with clocked() as clock, store.reading() as session:
            summary = verify_chain(session)
        timed("audit verify (whole chain and every row)", summary.events, clock)


def postgres_ingest(url: str, baseline: Clock) -> None:
    """The same ingestion into a fresh database on a PostgreSQL server (CPU: this process only)."""
    try:
        with fresh_postgres(url) as fresh, Store.open(fresh) as store:
            with clocked() as clock:
                _, new, _ = ingest(store, FEEDS)
            timed("PostgreSQL ingest (parse + store + event log)", new, clock, baseline)
    except Exception as exc:  # a benchmark reports what it could not measure
        print(f"PostgreSQL ingest not measured: {exc}")


def jittered_mix(folder: Path, total: int, seed: int = 12) -> list[Path]:
    """The shared files plus jittered copies of their rows, ``total`` rows in all, in each feed's own
    CSV layout (ids made unique; places moved by ~5 km, days by up to one, alerts by up to 2 h)."""
    rng = random.Random(seed)
    tables = []
    for path in FEEDS:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            tables.append((path, list(reader.fieldnames or ()), list(reader)))
    base = sum(len(rows) for _, _, rows in tables)
    written = []
    for path, columns, rows in tables:
        share = round(total * len(rows) / base)
        out = folder / f"mix_{path.name}"
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, columns)
            writer.writeheader()
            writer.writerows(rows)
            for n in range(share - len(rows)):
                writer.writerow(_jitter(dict(rng.choice(rows)), n, rng))
        written.append(out)
    return written


def _jitter(row: dict[str, str], n: int, rng: random.Random) -> dict[str, str]:
    days = rng.choice((-1, 0, 0, 1))
    if "event_id_cnty" in row:  # ACLED
        row["event_id_cnty"] = f"MIX{n}"
        day = dt.datetime.strptime(row["event_date"], "%d %B %Y") + dt.timedelta(days=days)
        row["event_date"] = day.strftime("%d %B %Y")
    elif "where_prec" in row:  # UCDP
        row["id"] = str(10_000_000 + n)
    else:  # sirens: a region and times
        shift = dt.timedelta(minutes=rng.randint(-120, 120))
        for column in ("started_at", "finished_at"):
            if row.get(column):
                row[column] = str(dt.datetime.fromisoformat(row[column]) + shift)
        return row
    for column in ("latitude", "longitude"):
        row[column] = f"{float(row[column]) + rng.gauss(0.0, 0.05):.4f}"
    return row


def targets(url: str, mix_url: str, label: str, mix_files: Sequence[Path], extra: Path) -> None:
    """The issue-12 figures on one database: shared files ingested then judged; the mix with merge;
    one more file merged incrementally."""
    with Store.open(url) as store:
        with clocked() as ingest_clock:
            rows, _, _ = ingest(store, FEEDS)
        timed(f"{label}: ingest shared files (target >= 10,000/s)", rows, ingest_clock)
        with clocked() as merge_clock:
            merge_pending(store, "bench")
        corridors = [a for a in iter_corridor_announcements(CORRIDORS) if isinstance(a, CorridorAnnouncement)]
        with clocked() as judge_clock:
            with store.reading() as session:
                reports = queries.incident_reports(session)
            index = index_incidents(merge_reports(reports), (31.0, 48.5))
            for a in corridors:
                start, end = announcement_window(a)
                judge_corridor(f"peacerep:{a.hc_id}", a.route_lonlat, start, end, index)
        together = ingest_clock.wall_s + merge_clock.wall_s + judge_clock.wall_s
        print(
            f"{label}: merge {merge_clock.wall_s:.2f} s, judge {len(corridors)} corridors (read, merge, "
            f"index, judge) {judge_clock.wall_s:.2f} s; ingest + merge + judge {together:.2f} s "
            f"(CPU {ingest_clock.cpu_s + merge_clock.cpu_s + judge_clock.cpu_s:.2f} s; target <= 1 s)"
        )
    with Store.open(mix_url) as store:
        with clocked() as clock:
            rows, _, _ = ingest(store, mix_files)
        with clocked() as merge_clock:
            outcome = merge_pending(store, "bench")
        reports_read = outcome.reports if outcome else 0
        print(
            f"{label}: {rows} mixed reports ingested {clock.wall_s:.2f} s (CPU {clock.cpu_s:.2f} s), merged "
            f"{merge_clock.wall_s:.2f} s (CPU {merge_clock.cpu_s:.2f} s): together "
            f"{clock.wall_s + merge_clock.wall_s:.2f} s (target <= 5 s); merge read {reports_read} reports"
        )
        with clocked() as clock:
            more, _, _ = ingest(store, [extra])
            outcome = merge_pending(store, "bench")
        print(
            f"{label}: then {more} more reports ingested and merged incrementally {clock.wall_s:.2f} s "
            f"(merge read {outcome.reports if outcome else 0} of {rows + more} stored reports)"
        )


def small_extra(folder: Path, mix_files: Sequence[Path]) -> Path:
    """200 further jittered ACLED rows (new ids): one day's worth of new reports."""
    source = mix_files[0]
    with source.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns, rows = list(reader.fieldnames or ()), list(reader)
    rng = random.Random(99)
    out = folder / "extra_acled.csv"
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        for n in range(200):
            row = _jitter(dict(rng.choice(rows)), n, rng)
            row["event_id_cnty"] = f"EXTRA{n}"
            writer.writerow(row)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="PostgreSQL server URL for the PostgreSQL ingestion figure")
    parser.add_argument("--mix", type=int, default=22_000, help="reports in the synthetic mix")
    args = parser.parse_args(argv)
    missing = [str(p) for p in (*FEEDS, CORRIDORS) if not p.is_file()]
    if missing:
        print(
            f"real data missing (../shared/data beside the checkout): {', '.join(missing)}", file=sys.stderr
        )
        return 2
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"feeds: {', '.join(p.name for p in FEEDS)}; {os.cpu_count()} CPUs, load average {load:.1f}")

    with clocked() as baseline:
        parsed = parse_only(FEEDS)
    timed("baseline: parse only, no database", sum(map(len, parsed.values())), baseline)

    with tempfile.TemporaryDirectory() as tmp:
        with Store.open(f"sqlite:///{tmp}/store-only.sqlite") as store, clocked() as clock:
            new = store_only(store, parsed)
        timed("SQLite store only (reports already parsed)", new, clock)
        sqlite_ingest_and_judge(Path(tmp), baseline)

    pg_url = args.postgres or (TEST_PG_URL_FILE.read_text().strip() if TEST_PG_URL_FILE.is_file() else "")
    if pg_url:
        postgres_ingest(pg_url, baseline)
    else:
        print("PostgreSQL ingest not measured: no server (give --postgres URL or run scripts/test-services)")

    print("\nissue 12 targets")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        mix_files = jittered_mix(folder, args.mix)
        extra = small_extra(folder, mix_files)
        targets(
            f"sqlite:///{folder}/targets.sqlite", f"sqlite:///{folder}/mix.sqlite", "SQLite", mix_files, extra
        )
        if pg_url:
            try:
                with fresh_postgres(pg_url) as first, fresh_postgres(pg_url) as second:
                    targets(first, second, "PostgreSQL", mix_files, extra)
            except Exception as exc:  # a benchmark reports what it could not measure
                print(f"PostgreSQL targets not measured: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
