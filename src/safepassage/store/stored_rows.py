"""Read every row of a table as stored, even rows edited into values their column cannot hold.

The audit must read what is in the database, not what the schema promises: SQLite keeps any value in
any column (``lat = 'abc'``, ``observed_at = 'garbage'``), PostgreSQL can hold a timestamp of
``infinity`` that Python cannot represent. Reading such a row through the typed columns raises
(``ValueError``, ``psycopg.DataError``) and would stop the whole verification. Here rows are read in
chunks of the primary key; a chunk that cannot be read is read again row by row, and in a row that
cannot be read each column that cannot be read is returned as :class:`Unreadable` holding the stored
text, so the caller can name the row, the column and the value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, String, Table, cast, select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

__all__ = ["READ_ERRORS", "Unreadable", "stored_rows"]

CHUNK_ROWS = 2000

#: What reading a stored value can raise when the value does not fit its column's type. A lost
#: connection or a missing table (``OperationalError``, ``ProgrammingError``) is not among them: those
#: propagate, they are not evidence of tampering.
READ_ERRORS: tuple[type[Exception], ...] = (
    DataError,
    ValueError,
    TypeError,
    OverflowError,
    AttributeError,
    json.JSONDecodeError,
)


@dataclass(frozen=True)
class Unreadable:
    """A stored value its column's type cannot read; ``stored`` is its text (shortened), or ``?``."""

    stored: str

    def __str__(self) -> str:
        return self.stored


def stored_rows(session: Session, table: Table, key: Column[Any]) -> Iterator[dict[str, Any]]:
    """Every row of ``table`` as ``{column name: value}``, in ``key`` order (``key``: an integer
    primary key). A value that cannot be read is an :class:`Unreadable` instead."""
    columns = list(table.columns)
    last: Any = None
    while True:
        query = select(*columns).order_by(key).limit(CHUNK_ROWS)
        if last is not None:
            query = query.where(key > last)
        try:
            rows = [dict(row._mapping) for row in session.execute(query)]
        except READ_ERRORS:
            keys_query = select(key).order_by(key).limit(CHUNK_ROWS)
            if last is not None:
                keys_query = keys_query.where(key > last)
            rows = [_one_row(session, columns, key, value) for value in session.scalars(keys_query).all()]
        if not rows:
            return
        yield from rows
        last = rows[-1][key.name]


def _one_row(session: Session, columns: list[Column[Any]], key: Column[Any], value: Any) -> dict[str, Any]:
    try:
        row = session.execute(select(*columns).where(key == value)).one()
        return dict(row._mapping)
    except READ_ERRORS:
        pass
    values: dict[str, Any] = {}
    for column in columns:
        try:
            values[column.name] = session.execute(select(column).where(key == value)).scalar_one()
        except READ_ERRORS:
            values[column.name] = Unreadable(_stored_text(session, column, key, value))
    return values


def _stored_text(session: Session, column: Column[Any], key: Column[Any], value: Any, limit: int = 60) -> str:
    try:
        text = session.execute(select(cast(column, String)).where(key == value)).scalar_one()
    except READ_ERRORS:
        return "?"
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"
