"""The planner's clock: every time inside the planner is a whole number of milliseconds.

Travel times, offsets of links inside contracted chains, model steps, entry and arrival times are
``int64`` milliseconds, added and multiplied exactly; they become seconds (``ms / 1000``) once, when
the plan file is written (``assemble.build_plan``). So a time in a plan is always a whole multiple
of 1 ms (at most three decimals in the file), never negative, and the same sum gives the same time
whichever way it is added up — a chain's offsets used to be running float sums, and its first
link's offset came out as ``-1.4e-14 s``.

Rounding is always to the safe side of what it is used for:

- the plan model rounds a link's free-flow time *up* to whole milliseconds (:func:`ms_up`): every
  hop then takes at least its free-flow time, as ``check-plan`` requires;
- the lower-bound relaxation rounds it *down* (:func:`ms_down`): it never claims a trip is
  longer than it is;
- closure instants become the first whole millisecond at or after them (:func:`first_ms_at_or_after`),
  which is exactly the test ``check-plan`` applies to the seconds written in the file.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from safepassage.errors import InputError

__all__ = [
    "FAR_MS",
    "MS_PER_S",
    "first_ms_at_or_after",
    "ms_down",
    "ms_to_s",
    "ms_up",
    "step_ms",
    "whole_ms_substeps",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Milliseconds per second: the grid of every time in a plan.
MS_PER_S: Final = 1000
#: Stands for an infinite instant (a closure without start or end): about 35 years in ms.
FAR_MS: Final = 1 << 40
#: Float noise allowed when rounding seconds to milliseconds (in ms).
_NOISE_MS = 1e-6


def ms_up(seconds: FloatArray) -> IntArray:
    """Each duration in whole milliseconds, rounded up (float noise below 1 ns ignored)."""
    out: IntArray = np.ceil(np.asarray(seconds, dtype=np.float64) * MS_PER_S - _NOISE_MS).astype(np.int64)
    return out


def ms_down(seconds: FloatArray) -> IntArray:
    """Each duration in whole milliseconds, rounded down (float noise below 1 ns ignored)."""
    out: IntArray = np.floor(np.asarray(seconds, dtype=np.float64) * MS_PER_S + _NOISE_MS).astype(np.int64)
    return out


def first_ms_at_or_after(seconds: FloatArray) -> IntArray:
    """Per instant ``x`` (may be ±inf): the least whole ``m`` with ``m / 1000 >= x`` in floats.

    That is exactly ``check-plan``'s test of a time ``t`` written as ``m / 1000``: ``t >= x``
    holds iff ``m >= first_ms_at_or_after(x)``. Infinite instants become ``±FAR_MS``.
    """
    x = np.asarray(seconds, dtype=np.float64)
    finite = np.isfinite(x)
    safe = np.where(finite, x, 0.0)
    m = np.ceil(safe * MS_PER_S).astype(np.int64)
    m -= ((m - 1) / MS_PER_S >= safe).astype(np.int64)  # x * 1000 rounded up past an integer
    m += (m / MS_PER_S < safe).astype(np.int64)  # ... or down below one
    out: IntArray = np.where(finite, m, np.where(x > 0, FAR_MS, -FAR_MS)).astype(np.int64)
    return out


def ms_to_s(ms: int) -> float:
    """Whole milliseconds as seconds, the one conversion at the edge (exact to the float nearest)."""
    return ms / MS_PER_S


def step_ms(step_s: float) -> int:
    """A time step in whole milliseconds; raises ``InputError`` when it is not one."""
    value = round(step_s * MS_PER_S)
    if value < 1 or abs(value - step_s * MS_PER_S) > _NOISE_MS * max(1.0, step_s):
        raise InputError(
            f"time step: {step_s!r} s is not a whole number of milliseconds; expected e.g. 60 or 7.5"
        )
    return int(value)


def whole_ms_substeps(scenario_step_ms: int, most: int) -> int:
    """The largest ``s <= most`` (at least 1) that splits the step into whole milliseconds."""
    for s in range(max(1, most), 0, -1):
        if scenario_step_ms % s == 0:
            return s
    return 1
