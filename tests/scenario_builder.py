"""Build small scenarios in code for tests (pydantic-validated like a file), on any extract."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from safepassage.scenario import Scenario

START = "2022-03-05T08:00:00+02:00"


def make_scenario(network_path: Path | str, **fields: Any) -> Scenario:
    """A valid scenario on ``network_path``; ``fields`` override or add top-level fields."""
    data: dict[str, Any] = {
        "name": "test",
        "network": {"path": str(network_path)},
        "start": START,
        "horizon": "PT12H",
        "origins": [],
        "destinations": [],
    }
    data.update(fields)
    return Scenario.model_validate(data)


def at(clock: str) -> str:
    """An ISO instant on the test day at local ``HH:MM``."""
    return f"2022-03-05T{clock}:00+02:00"


def point(lat_lon: tuple[float, float], ident: str, **extra: Any) -> dict[str, Any]:
    return {"id": ident, "name": ident.title(), "lat": lat_lon[0], "lon": lat_lon[1], **extra}
