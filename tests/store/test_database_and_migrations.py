"""Which database is used, how SQLite is configured, and that the migrations build the model's schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from safepassage.errors import StoreError
from safepassage.monitor.report import IncidentReport
from safepassage.store import Store, database_url
from safepassage.store.migrate import current_revision, head_revision
from safepassage.store.schema import AUDITED_TABLES, Base


def test_default_is_a_sqlite_file_in_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SAFEPASSAGE_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    url = database_url()
    assert url.get_backend_name() == "sqlite"
    assert url.database == str(tmp_path / "safepassage.sqlite")


def test_env_var_chooses_the_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SAFEPASSAGE_DB", f"sqlite:///{tmp_path}/x.sqlite")
    assert database_url().database == f"{tmp_path}/x.sqlite"
    monkeypatch.setenv("SAFEPASSAGE_DB", "postgresql://u:p@db.example:5432/sp")
    url = database_url()
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port, url.database) == ("db.example", 5432, "sp")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("mysql://u@h/db", "unsupported database 'mysql'"),
        ("not a url", "is not a database URL"),
        ("sqlite://", "in-memory SQLite database would lose every record"),
    ],
)
def test_unusable_urls_are_refused_with_what_is_expected(value: str, expected: str) -> None:
    with pytest.raises(StoreError, match=expected) as info:
        database_url(value)
    assert "sqlite:///" in str(info.value)


def test_sqlite_folder_must_exist(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(f"sqlite:///{tmp_path}/no/such/dir/x.sqlite")


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 's.sqlite'}") as store, store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(IntegrityError), store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO corridor_status (corridor_id, status, reason, changed_by, changed_at) "
                "VALUES (999, 'open', 'x', 'y', '2022-03-05 00:00:00')"
            )
        )


def test_migrations_build_exactly_the_model(store: Store) -> None:
    assert current_revision(store.engine) == head_revision()
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        tables = set(inspect(connection).get_table_names())
    assert differences == []
    assert {t.__tablename__ for t in AUDITED_TABLES} | {"events", "chain_head", "alembic_version"} == tables


def test_opening_again_keeps_the_data(db_url: str, make_report: Callable[..., IncidentReport]) -> None:
    with Store.open(db_url) as store, store.writing("test") as writer:
        writer.add_reports([make_report("a")])
    with Store.open(db_url) as store, store.reading() as session:
        assert session.execute(text("SELECT count(*) FROM reports")).scalar() == 1
