"""Services fixtures: a real, migrated SQLite store in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from safepassage.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty SQLite store."""
    with Store.open(f"sqlite:///{tmp_path / 'services.sqlite'}") as opened:
        yield opened
