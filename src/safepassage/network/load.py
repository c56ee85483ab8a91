"""Load the road network of a scenario: from the cache when the extract is unchanged, else built."""

from __future__ import annotations

from pathlib import Path

from safepassage.network.build import build_network
from safepassage.network.cache import file_sha256, load_cached, store_cached
from safepassage.network.model import RoadNetwork
from safepassage.network.osm_reader import read_ways
from safepassage.scenario.vocabulary import TravelMode

__all__ = ["load_network"]


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
