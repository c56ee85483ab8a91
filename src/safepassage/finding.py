"""One finding of ``safepassage validate``: an error to fix before planning, or a warning to know."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Finding"]


@dataclass(frozen=True)
class Finding:
    """One thing to fix (``error``: planning would be wrong or fail) or to know (``warning``).

    ``field`` is the scenario field path (``hazards[3].area``); ``message`` names the value and what
    is expected.
    """

    severity: Literal["error", "warning"]
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.field}: {self.message}"
