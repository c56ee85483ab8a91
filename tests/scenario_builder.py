"""Build small scenarios in code for tests (pydantic-validated like a file), on any extract."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from safepassage.scenario import Scenario

START = "2022-03-05T08:00:00+02:00"

#: The hand-drawn block used by the hazards and routing tests (100 m cells, residential, 30 km/h):
#: top a-b-c 400 m = 48 s, bottom a-d-e-f-c 800 m = 96 s; every letter ends a way, so is a node.
SQUARE_MAP = """
a b c
|   |
d e f
"""
SQUARE_WAYS = [(w, {"highway": "residential"}) for w in ("ab", "bc", "ad", "de", "ef", "fc")]


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


def square_scenario(drawn: Any, people: int = 10, **fields: Any) -> Scenario:
    """A scenario on the square map: people at a, a destination for them at c."""
    return make_scenario(
        drawn.path,
        origins=[point(drawn.lat_lon["a"], "a", people=people)],
        destinations=[point(drawn.lat_lon["c"], "c", capacity=people)],
        **fields,
    )


def point(lat_lon: tuple[float, float], ident: str, **extra: Any) -> dict[str, Any]:
    return {"id": ident, "name": ident.title(), "lat": lat_lon[0], "lon": lat_lon[1], **extra}
