"""Real data for the services tests: the bundled demo scenario and feed, the shared real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from safepassage.services.planning import demo_scenario_path

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CORRIDORS = SHARED / "corridors" / "humanitarian_corridors_ukraine_2022.csv"
DEMO_SCENARIO = demo_scenario_path()
DEMO_FEED = DEMO_SCENARIO.with_name("helsinki-incidents.geojson")
SEED_FIGURES = Path(__file__).resolve().parents[1] / "monitor" / "fixtures" / "seed_figures.csv"


def need(path: Path) -> Path:
    """``path`` when the real data file is there (../shared/data beside the checkout), else skip."""
    if not path.is_file():
        pytest.skip(f"real data file {path} is absent (../shared/data is not beside the checkout)")
    return path
