"""Networks built once per session from the real extracts (the cache lives in a session tmp dir)."""

from __future__ import annotations

from pathlib import Path

import pytest

from safepassage.network import RoadNetwork, load_network
from safepassage.scenario import TravelMode


@pytest.fixture(scope="session")
def helsinki_drive(helsinki_pbf: Path) -> RoadNetwork:
    return load_network(helsinki_pbf, TravelMode.DRIVE)


@pytest.fixture(scope="session")
def helsinki_walk(helsinki_pbf: Path) -> RoadNetwork:
    return load_network(helsinki_pbf, TravelMode.WALK)
