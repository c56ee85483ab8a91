"""Fixtures of the API tests: an app over a store holding the demo scenario and its incident feed,
and one user (token) of each role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from safepassage.api import ApiSettings, create_app
from safepassage.services.api_support import load_demo
from safepassage.services.users import Role, add_user
from safepassage.store import Store

ROLES = tuple(Role)


@dataclass
class Api:
    """A test client, the store behind it, the demo scenario's id and a token per role."""

    client: TestClient
    store: Store
    scenario_id: int
    tokens: dict[Role, str]

    def headers(self, role: Role | None) -> dict[str, str]:
        """The Authorization header of ``role``'s user (none for None)."""
        return {} if role is None else {"Authorization": f"Bearer {self.tokens[role]}"}


def make_api(url: str, settings: ApiSettings | None = None) -> Iterator[Api]:
    store = Store.open(url)
    scenario_id = load_demo(store, "setup")
    tokens = {role: add_user(store, f"{role.value}-user", role, "setup")[1] for role in ROLES}
    app = create_app(
        store=store,
        settings=settings or ApiSettings(rate_per_s=1000, burst=1000, stream_poll_s=0.05, token_cache_s=0.0),
    )
    with TestClient(app) as client:
        yield Api(client, store, scenario_id, tokens)
    store.close()


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    """The API over a SQLite store with the demo data."""
    yield from make_api(f"sqlite:///{tmp_path / 'api.sqlite'}")


@pytest.fixture
def api_any_db(db_url: str) -> Iterator[Api]:
    """The API over SQLite and over PostgreSQL (the ``db_url`` fixture)."""
    yield from make_api(db_url)
