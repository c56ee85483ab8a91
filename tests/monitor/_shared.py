"""Where the real shared data lives for monitor tests, and a skip when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_file(relative: str) -> Path:
    """A file of ../shared/data; skips the test with the reason when it is not there."""
    path = SHARED_DATA / relative
    if not path.is_file():
        pytest.skip(f"real data file {path} is absent (../shared/data is not beside the checkout)")
    return path


ACLED = "conflict/acled_ukraine_2022-02-15_2022-03-04.csv"
UCDP = "conflict/ucdp_ukraine_2014-01-01_2022-03-04.csv"
SIRENS = "alerts/air_raid_sirens_2022-02-25_2022-03-04.csv"
CORRIDORS = "corridors/humanitarian_corridors_ukraine_2022.csv"
UNHCR_TOTAL = "figures/unhcr_refugees_ukraine_by_date.csv"
UNHCR_POLAND = "figures/unhcr_refugees_to_poland.csv"
