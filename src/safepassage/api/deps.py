"""Dependencies shared by the routes: the store the app serves."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request

from safepassage.store import Store

__all__ = ["RowId", "get_store"]


def get_store(request: Request) -> Store:
    """The store of the app serving ``request``."""
    store = request.app.state.store
    assert isinstance(store, Store)
    return store


#: A database id in a path: 1 to 2**31 - 1 (what every backend's integer column holds).
RowId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Database id.")]
