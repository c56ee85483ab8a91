"""Dependencies shared by the routes: the store the app serves."""

from __future__ import annotations

from fastapi import Request

from safepassage.store import Store

__all__ = ["get_store"]


def get_store(request: Request) -> Store:
    """The store of the app serving ``request``."""
    store = request.app.state.store
    assert isinstance(store, Store)
    return store
