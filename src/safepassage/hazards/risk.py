"""Risk cost per link: what crossing a link costs one person in exposure to reported dangers.

``risk[link] = sum over reports touching the link of severity(kind) x credibility x intensity(t)``.
The unit is the "risk point": one person crossing the area of a fully credible, fully active
shelling report. A plan's exposure is the sum over movements of people x risk of their path.
Risk never closes a road (closures do that); it steers routes away from danger.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from safepassage.hazards.credibility import SEVERITY, credibility
from safepassage.hazards.geometry import area_shape, link_index
from safepassage.hazards.intensity import intensity_at
from safepassage.network.model import RoadNetwork
from safepassage.scenario.model import Scenario

__all__ = ["link_risk"]


def link_risk(network: RoadNetwork, scenario: Scenario, t_s: float) -> npt.NDArray[np.float64]:
    """Risk points per person for crossing each link at ``t_s`` seconds after the start."""
    index = link_index(network)
    risk = np.zeros(network.link_count, dtype=np.float64)
    for hazard in scenario.hazards:
        weight = (
            SEVERITY[hazard.kind]
            * credibility(hazard.source.type, hazard.verification)
            * intensity_at(hazard, scenario, t_s)
        )
        if weight > 0:
            risk[index.links_touching(area_shape(hazard.area, index.projector))] += weight
    return risk
