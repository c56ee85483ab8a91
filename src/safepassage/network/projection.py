"""A metric projection (UTM) for an area, so that distances and buffers are in metres."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
from pyproj import CRS, Transformer

__all__ = ["Projector", "utm_crs_for"]


def utm_crs_for(lon: float, lat: float) -> str:
    """EPSG code of the UTM zone holding (lon, lat), e.g. 'EPSG:32635' for Helsinki."""
    zone = int((lon + 180.0) // 6.0) % 60 + 1
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


class Projector:
    """Forward and inverse transforms between WGS84 lon/lat and one metric CRS."""

    def __init__(self, crs: str) -> None:
        self.crs = crs
        self._forward, self._inverse = _transformers(crs)

    def to_xy(
        self, lon: npt.ArrayLike, lat: npt.ArrayLike
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        x, y = self._forward.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(x, float), np.asarray(y, float)

    def to_lonlat(
        self, x: npt.ArrayLike, y: npt.ArrayLike
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        lon, lat = self._inverse.transform(np.asarray(x, float), np.asarray(y, float))
        return np.asarray(lon, float), np.asarray(lat, float)


@lru_cache(maxsize=16)
def _transformers(crs: str) -> tuple[Transformer, Transformer]:
    target = CRS.from_user_input(crs)
    return (
        Transformer.from_crs("EPSG:4326", target, always_xy=True),
        Transformer.from_crs(target, "EPSG:4326", always_xy=True),
    )
