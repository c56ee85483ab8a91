"""Bring a database to the current schema with the Alembic migrations shipped in this package.

Run programmatically (no ``alembic.ini`` to find): :func:`upgrade` builds the Alembic config in
code, points it at ``safepassage.store:migrations`` and migrates over the caller's engine. Cheap
when the database is already current (one query), so every command can call it on open.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from safepassage.errors import StoreError

__all__ = ["alembic_config", "current_revision", "head_revision", "upgrade"]

SCRIPT_LOCATION = "safepassage.store:migrations"


def alembic_config() -> Config:
    """The Alembic configuration, built in code."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def head_revision() -> str:
    """The newest revision shipped with this version of Safe Passage."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise StoreError(f"no migrations found in {SCRIPT_LOCATION}; the installation is incomplete")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Migrate the database to :func:`head_revision` (no-op when it is already there)."""
    try:
        if current_revision(engine) == head_revision():
            return
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate the database at {engine.url!r}: {exc}") from exc
