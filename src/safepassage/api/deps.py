"""Dependencies shared by the routes: the store the app serves."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Path, Request

from safepassage.store import Store
from safepassage.store.group_commit import ReportGroupCommit

__all__ = ["WRITER_LOCK", "RowId", "get_report_writer", "get_store", "one_writer"]


async def get_store(request: Request) -> Store:
    """The store of the app serving ``request``."""
    store = request.app.state.store
    assert isinstance(store, Store)
    return store


async def get_report_writer(request: Request) -> ReportGroupCommit:
    """The group-commit writer of submitted reports of the app serving ``request``."""
    writer = request.app.state.report_writer
    assert isinstance(writer, ReportGroupCommit)
    return writer


#: A database id in a path: 1 to 2**31 - 1 (what every backend's integer column holds).
RowId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Database id.")]


#: Held by a request thread writing to the store, and by the report writer around each transaction.
WRITER_LOCK = threading.Lock()


@contextmanager
def one_writer() -> Iterator[None]:
    """Let one request thread at a time write to the store.

    Every write takes the event log's head lock anyway (writes are serialised in the database); many
    threads waiting for it inside SQLite back off by sleeping (up to 100 ms a try), so a burst of
    posts queues here instead, in order, with no sleeping.
    """
    with WRITER_LOCK:
        yield
