"""Cache built networks on disk, keyed by the extract's SHA-256, the mode and the builder version.

A second load of the same extract reads one ``.npz`` file instead of parsing OSM again. Writes go
to a temporary file that is renamed into place, so an interrupted write never leaves a broken cache;
a write that fails (full disk, no permission) removes its temporary file and warns. A cache file
that cannot be read back whole (truncated, corrupt, from another version) is ignored with a
:class:`NetworkCacheWarning` and the network is rebuilt (and the file rewritten).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np

from safepassage.network.model import BuildReport, RoadNetwork
from safepassage.scenario.vocabulary import TravelMode

__all__ = ["BUILD_VERSION", "NetworkCacheWarning", "cache_dir", "file_sha256", "load_cached", "store_cached"]

#: Bump when the builder's output changes, so old cache files are not used.
#: 2: unsorted files read, ways cut at missing nodes, access hierarchy, reversible ways left out,
#: country speed table, two more report counts.
BUILD_VERSION = 2

#: What reading a broken cache file can raise (numpy's npz is a zip of .npy files).
_UNREADABLE = (OSError, EOFError, KeyError, ValueError, TypeError, zipfile.BadZipFile, zlib.error)


class NetworkCacheWarning(UserWarning):
    """A cache file could not be read (it is rebuilt) or written (the network is still returned)."""


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
    """The cached network for this extract and mode, or None when there is none.

    A file that cannot be read back whole is ignored with a :class:`NetworkCacheWarning` naming it
    (the caller rebuilds the network and overwrites it).
    """
    path = _cache_path(sha256, mode)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in _ARRAYS}
            report = _report(data["report"])
            crs = str(data["crs"])
        network = RoadNetwork(mode=mode, source_sha256=sha256, crs=crs, report=report, **arrays)
        _check_shapes(network)
    except _UNREADABLE as exc:
        warnings.warn(
            f"{path}: network cache file is unreadable ({type(exc).__name__}: {str(exc)[:120]}); "
            "rebuilding the network from the extract",
            NetworkCacheWarning,
            stacklevel=2,
        )
        return None
    return network


def _report(values: np.ndarray) -> BuildReport:
    """The stored report (ValueError if it has another number of fields: another layout)."""
    if values.shape != (len(dataclasses.fields(BuildReport)),):
        raise ValueError(f"report has {values.size} numbers, expected {len(dataclasses.fields(BuildReport))}")
    return BuildReport(*(int(v) for v in values.tolist()))


def _check_shapes(network: RoadNetwork) -> None:
    """ValueError unless the arrays fit together (a cache file edited or cut short)."""
    n, m = network.node_count, network.link_count
    per_node = ("node_lat", "node_lon", "node_x_m", "node_y_m")
    per_link = [name for name in _ARRAYS if name.startswith("link_")]
    if (
        any(getattr(network, name).shape != (n,) for name in per_node)
        or any(getattr(network, name).shape != (m,) for name in per_link)
        or network.indptr.shape != (n + 1,)
        or network.geom_indptr.shape != (m + 1,)
        or network.geom_lat.shape != network.geom_lon.shape
        or (m and int(network.geom_indptr[-1]) != network.geom_lat.shape[0])
    ):
        raise ValueError("array shapes do not fit together")


def store_cached(network: RoadNetwork) -> None:
    """Write the network to the cache; on failure remove the temporary file and warn (no error)."""
    path = _cache_path(network.source_sha256, network.mode)
    tmp: str | None = None
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
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        warnings.warn(
            f"{path}: network cache not written ({type(exc).__name__}: {str(exc)[:120]}); "
            "the extract will be read again next time",
            NetworkCacheWarning,
            stacklevel=2,
        )
