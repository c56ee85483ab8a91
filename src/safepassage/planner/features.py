"""GeoJSON features of a plan's movements along the real road geometry (for maps, QGIS, the web UI)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from safepassage.geojson import path_feature
from safepassage.network import RoadNetwork
from safepassage.planner.plan_file import Plan
from safepassage.scenario.vocabulary import TravelMode

__all__ = ["movement_features"]


def movement_features(plan: Plan, networks: Mapping[TravelMode, RoadNetwork]) -> list[dict[str, Any]]:
    """One LineString per movement, with who, how many, when and the exposure as properties."""
    features: list[dict[str, Any]] = []
    for index, movement in enumerate(plan.movements):
        network = networks[movement.mode]
        nodes = [network.node_index(n) for n in movement.path]
        links = [network.find_link(u, v) for u, v in itertools.pairwise(nodes)]
        features.append(
            path_feature(
                network,
                links,
                {
                    "layer": "movement",
                    "movement": index,
                    "origin": movement.origin,
                    "destination": movement.destination,
                    "people": movement.people,
                    "mode": movement.mode.value,
                    "departure": movement.departure.isoformat(),
                    "arrival": plan.at(movement.arrival_s).isoformat(),
                    "exposure": round(movement.exposure, 4),
                },
            )
        )
    return features
