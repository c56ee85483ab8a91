"""Which database to use, and an engine configured for it.

SQLite is the default: one file, nothing to install, good for a coordinator's laptop and for a single
field office. It is opened in WAL journal mode (readers never block the one writer, and a crash cannot
leave a half-written page) with foreign keys enforced (SQLite leaves them off unless asked, per
connection) and a busy timeout, so a second writer waits instead of failing.

PostgreSQL is used when ``SAFEPASSAGE_DB`` names it, for a shared server behind the HTTP API.
``postgresql://`` and ``postgres://`` are accepted and mean the psycopg 3 driver.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from safepassage.errors import StoreError

__all__ = ["DEFAULT_SQLITE_FILE", "ENV_VAR", "database_url", "make_engine"]

ENV_VAR = "SAFEPASSAGE_DB"
DEFAULT_SQLITE_FILE = "safepassage.sqlite"
SQLITE_BUSY_TIMEOUT_S = 30.0


def database_url(value: str | None = None) -> URL:
    """The database URL: ``value`` if given, else ``$SAFEPASSAGE_DB``, else ``./safepassage.sqlite``.

    Raises :class:`StoreError` for a URL that names neither SQLite nor PostgreSQL.
    """
    text = value if value is not None else os.environ.get(ENV_VAR, "")
    if not text:
        return URL.create("sqlite", database=str(Path.cwd() / DEFAULT_SQLITE_FILE))
    try:
        url = make_url(text)
    except ArgumentError:
        raise StoreError(
            f"{ENV_VAR}={text!r} is not a database URL; expected sqlite:///PATH or "
            "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DBNAME"
        ) from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise StoreError(
                f"{ENV_VAR}={text!r}: an in-memory SQLite database would lose every record on exit; "
                "give a file path, e.g. sqlite:///safepassage.sqlite"
            )
        return url.set(drivername="sqlite+pysqlite")
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    raise StoreError(
        f"{ENV_VAR}={text!r}: unsupported database {backend!r}; expected sqlite:///PATH or "
        "postgresql+psycopg://..."
    )


def _enable_sqlite_safety(dbapi_connection: Any, _record: Any) -> None:
    """Per-connection SQLite settings: WAL journal, enforced foreign keys, synchronous=FULL.

    synchronous=FULL syncs the WAL on every commit, so a batch the ingest has acknowledged survives a
    power cut too, not only a killed process. Ingest commits in batches, so the cost is one sync per
    batch, not per report.
    """
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
    finally:
        cursor.close()


def make_engine(url: URL | str | None = None) -> Engine:
    """An engine for ``url`` (see :func:`database_url`), with the SQLite pragmas installed."""
    resolved = database_url(url if isinstance(url, str) else None) if not isinstance(url, URL) else url
    if resolved.get_backend_name() == "sqlite":
        database = resolved.database or ""
        parent = Path(database).parent
        if not parent.is_dir():
            raise StoreError(f"database file {database}: folder {parent} does not exist")
        engine = create_engine(resolved, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        event.listen(engine, "connect", _enable_sqlite_safety)
        return engine
    return create_engine(resolved, pool_pre_ping=True)
