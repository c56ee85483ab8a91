"""Movement features of a plan: kept for old imports; the one GeoJSON writer is ``safepassage.geojson``."""

from __future__ import annotations

from safepassage.geojson import movement_features

__all__ = ["movement_features"]
