"""Store fixtures: every store test runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest

from safepassage.monitor.report import IncidentReport
from safepassage.scenario.vocabulary import HazardKind, SourceType, Verification
from safepassage.store import Store

ReportFactory = Callable[..., IncidentReport]


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A migrated, empty store."""
    with Store.open(db_url) as opened:
        yield opened


@pytest.fixture
def make_report() -> ReportFactory:
    """Factory of plausible reports near Mariupol, overridable field by field."""

    def make(source_id: str = "r1", **overrides: object) -> IncidentReport:
        fields: dict[str, object] = {
            "feed": "cli",
            "source_id": source_id,
            "kind": HazardKind.SHELLING,
            "observed_at": dt.datetime(2022, 3, 5, 9, 30, tzinfo=dt.UTC),
            "lat": 47.0971,
            "lon": 37.5434,
            "radius_m": 2000.0,
            "time_uncertainty_s": 3600.0,
            "source_name": "Mariupol city council",
            "source_type": SourceType.OFFICIAL,
            "verification": Verification.UNVERIFIED,
            "fatalities": None,
            "location_name": "Mariupol",
            "description": "shelling reported on the evacuation route",
            "raw": {"note": "typed in"},
        }
        fields.update(overrides)
        return IncidentReport(**fields)  # type: ignore[arg-type]

    return make
