"""Cache built networks on disk, keyed by the extract's SHA-256, the mode and the builder version.

A second load of the same extract reads one ``.npz`` file instead of parsing OSM again. Writes go
to a temporary file that is renamed into place, so an interrupted write never leaves a broken cache.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

from safepassage.network.model import BuildReport, RoadNetwork
from safepassage.scenario.vocabulary import TravelMode

__all__ = ["BUILD_VERSION", "cache_dir", "file_sha256", "load_cached", "store_cached"]

#: Bump when the builder's output changes, so old cache files are not used.
BUILD_VERSION = 1

_ARRAYS = [f.name for f in dataclasses.fields(RoadNetwork) if f.type in ("IntArray", "FloatArray")]
_ARRAYS += ["link_name"]


def cache_dir() -> Path:
    """``$SAFEPASSAGE_CACHE_DIR``, else ``$XDG_CACHE_HOME/safepassage``, else ``~/.cache/...``."""
    explicit = os.environ.get("SAFEPASSAGE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "safepassage"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _cache_path(sha256: str, mode: TravelMode) -> Path:
    return cache_dir() / "networks" / f"{sha256[:32]}-{mode.value}-v{BUILD_VERSION}.npz"


def load_cached(sha256: str, mode: TravelMode) -> RoadNetwork | None:
    """The cached network for this extract and mode, or None (missing or unreadable cache)."""
    path = _cache_path(sha256, mode)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in _ARRAYS}
            report = BuildReport(*(int(v) for v in data["report"]))
            crs = str(data["crs"])
    except (OSError, KeyError, ValueError):
        return None
    return RoadNetwork(mode=mode, source_sha256=sha256, crs=crs, report=report, **arrays)


def store_cached(network: RoadNetwork) -> None:
    """Write the network to the cache; a cache that cannot be written is silently skipped."""
    path = _cache_path(network.source_sha256, network.mode)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp.npz")
        with os.fdopen(fd, "wb") as handle:
            np.savez(
                handle,
                crs=np.asarray(network.crs),
                report=np.asarray(dataclasses.astuple(network.report), dtype=np.int64),
                **{name: getattr(network, name) for name in _ARRAYS},
            )
        os.replace(tmp, path)
    except OSError:
        return
