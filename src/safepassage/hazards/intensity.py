"""How strongly a hazard report applies at a given time: its active window and decay.

A report applies from ``observed_at``. With ``active_until`` it applies fully until then and not
after. With ``decay_half_life_s`` its intensity halves every half-life; it closes roads (if credible
enough) during its first half-life and adds risk until its intensity falls below
:data:`NEGLIGIBLE_INTENSITY`. With neither, it applies fully until the end of the horizon.
"""

from __future__ import annotations

import math

from safepassage.scenario.model import Hazard, Scenario

__all__ = ["NEGLIGIBLE_INTENSITY", "closing_interval_s", "intensity_at"]

NEGLIGIBLE_INTENSITY = 0.05


def intensity_at(hazard: Hazard, scenario: Scenario, t_s: float) -> float:
    """Intensity in [0, 1] of ``hazard`` at ``t_s`` seconds after the scenario start."""
    since_s = t_s - scenario.seconds_since_start(hazard.observed_at)
    if since_s < 0:
        return 0.0
    if hazard.active_until is not None:
        return 1.0 if t_s < scenario.seconds_since_start(hazard.active_until) else 0.0
    if hazard.decay_half_life_s is not None:
        value = 0.5 ** (since_s / hazard.decay_half_life_s)
        return value if value >= NEGLIGIBLE_INTENSITY else 0.0
    return 1.0


def closing_interval_s(hazard: Hazard, scenario: Scenario) -> tuple[float, float]:
    """[from, to) in seconds after start during which a credible report closes roads."""
    begin = scenario.seconds_since_start(hazard.observed_at)
    if hazard.active_until is not None:
        return begin, scenario.seconds_since_start(hazard.active_until)
    if hazard.decay_half_life_s is not None:
        return begin, begin + hazard.decay_half_life_s
    return begin, math.inf
