"""Risk exposure of movements: people × the risk of each link at the time it is entered.

``safepassage.hazards.link_risk`` gives a link's risk at one time as a sum over hazard reports of
``weight(report) × intensity(report, t)`` over the links the report touches. Calling it once per
distinct entry time would redo the geometry every time, so this module calls it once per report
(at the report's observation time, where its intensity is 1) and rescales by
``safepassage.hazards.intensity_at`` — the same sum in the same order, at any number of times.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from safepassage.hazards import intensity_at, link_risk
from safepassage.network import RoadNetwork
from safepassage.scenario.model import Hazard, Scenario

__all__ = ["RiskModel"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class RiskModel:
    """Risk points per person for entering links of one network at given times."""

    def __init__(self, network: RoadNetwork, scenario: Scenario) -> None:
        self._scenario = scenario
        self._link_count = network.link_count
        self._hazards: list[Hazard] = list(scenario.hazards)
        self._base: list[FloatArray] = []
        for hazard in self._hazards:
            single = scenario.model_copy(update={"hazards": [hazard]})
            observed_s = scenario.seconds_since_start(hazard.observed_at)
            self._base.append(link_risk(network, single, observed_s))

    @property
    def has_risk(self) -> bool:
        return any(bool(base.any()) for base in self._base)

    def at(self, links: IntArray, t_s: FloatArray) -> FloatArray:
        """Risk of entering ``links[i]`` at ``t_s[i]`` (arrays of equal length)."""
        risk = np.zeros(links.shape[0], dtype=np.float64)
        if not self._hazards or links.size == 0:
            return risk
        for hazard, base in zip(self._hazards, self._base, strict=True):
            hit = np.flatnonzero(base[links] > 0.0)  # intensity only where the report touches
            if hit.size == 0:
                continue
            times, inverse = np.unique(t_s[hit], return_inverse=True)
            intensity = np.array([intensity_at(hazard, self._scenario, float(t)) for t in times.tolist()])
            risk[hit] += base[links[hit]] * intensity[inverse]
        return risk

    def per_link_at(self, t_s: float) -> FloatArray:
        """Risk of every link when entered at ``t_s``."""
        total = np.zeros(self._link_count, dtype=np.float64)
        for hazard, base in zip(self._hazards, self._base, strict=True):
            total = total + base * intensity_at(hazard, self._scenario, t_s)
        return total
