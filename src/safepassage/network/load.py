"""Load the road network of a scenario: from the cache when the extract is unchanged, else built."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from safepassage.network.build import build_network
from safepassage.network.cache import file_sha256, load_cached, store_cached
from safepassage.network.model import RoadNetwork
from safepassage.network.osm_reader import read_ways
from safepassage.scenario.load import resolve_network_path
from safepassage.scenario.model import Scenario
from safepassage.scenario.vocabulary import TravelMode

__all__ = ["load_network", "load_scenario_networks"]


def load_network(path: Path, mode: TravelMode = TravelMode.DRIVE, *, use_cache: bool = True) -> RoadNetwork:
    """The network of the OSM extract at ``path`` for ``mode`` (cached by the file's hash)."""
    from safepassage.errors import OsmFileError

    if not path.is_file():
        raise OsmFileError(f"{path}: OSM extract not found; expected an existing file")
    sha256 = file_sha256(path)
    if use_cache:
        cached = load_cached(sha256, mode)
        if cached is not None:
            return cached
    network = build_network(read_ways(path, mode), mode, source_sha256=sha256, source_label=path.name)
    if use_cache:
        store_cached(network)
    return network


def load_scenario_networks(
    scenario: Scenario,
    modes: Iterable[TravelMode] | None = None,
    *,
    given: Mapping[TravelMode, RoadNetwork] | None = None,
) -> dict[TravelMode, RoadNetwork]:
    """The networks of the scenario's extract, one per travel mode.

    ``modes`` defaults to every mode the origins travel by and every mode the scenario declares;
    networks in ``given`` (e.g. a generated benchmark network) are used as they are, and only the
    other modes are loaded from the extract (cached by its hash).
    """
    networks = dict(given or {})
    if modes is None:
        modes = {o.mode for o in scenario.origins} | set(scenario.network.modes)
    wanted = set(modes)
    missing = sorted(wanted - set(networks))
    if missing:
        path = resolve_network_path(scenario)
        networks.update({mode: load_network(path, mode) for mode in missing})
    return networks
