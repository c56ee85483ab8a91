"""A real PostgreSQL server for the store tests: found via ``scripts/test-services``, or skipped.

The server URL comes from ``$SAFEPASSAGE_TEST_PG_URL`` or from the file ``scripts/test-services``
writes (``/tmp/safepassage-test-pg.url``). Each test gets a fresh database, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

URL_FILE = Path(os.environ.get("SAFEPASSAGE_TEST_PG_URL_FILE", "/tmp/safepassage-test-pg.url"))
HOW_TO = "run scripts/test-services (make test does) or set SAFEPASSAGE_TEST_PG_URL"


def server_url() -> str:
    """The test server's URL; skips the calling test with the reason when none can be reached."""
    url = os.environ.get("SAFEPASSAGE_TEST_PG_URL", "").strip()
    if not url and URL_FILE.is_file():
        url = URL_FILE.read_text(encoding="utf-8").strip()
    if not url:
        pytest.skip(f"no PostgreSQL server configured for the tests: {HOW_TO}")
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        pytest.skip(f"PostgreSQL server {url} cannot be reached ({type(exc.orig or exc).__name__}): {HOW_TO}")
    finally:
        engine.dispose()
    return url


@contextmanager
def fresh_database() -> Iterator[str]:
    """Create an empty database on the test server, yield its URL, drop it afterwards."""
    base = make_url(server_url())
    name = f"sp_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
