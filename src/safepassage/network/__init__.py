"""The road network: read an OSM extract into compact CSR arrays, cache it, snap points to it."""

from safepassage.network.cache import file_sha256
from safepassage.network.load import load_network, load_scenario_networks
from safepassage.network.model import BuildReport, RoadNetwork
from safepassage.network.projection import Projector, utm_crs_for
from safepassage.network.snap import Snap, snap_points

__all__ = [
    "BuildReport",
    "Projector",
    "RoadNetwork",
    "Snap",
    "file_sha256",
    "load_network",
    "load_scenario_networks",
    "snap_points",
    "utm_crs_for",
]
