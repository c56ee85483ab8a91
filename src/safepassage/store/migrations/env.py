"""Alembic environment: runs on the connection :func:`safepassage.store.migrate.upgrade` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from safepassage.errors import StoreError
from safepassage.store.schema import Base


def run_migrations_online() -> None:
    """Migrate over the connection passed in ``config.attributes["connection"]``."""
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise StoreError(
            "migrations are run by safepassage.store.migrate.upgrade, not by the alembic command"
        )
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise StoreError(
        "offline (SQL script) migrations are not supported; run safepassage.store.migrate.upgrade"
    )
run_migrations_online()
