"""The built network is cached by the extract's SHA-256: a second load does not parse OSM again."""

from __future__ import annotations

import dataclasses
import errno
import warnings
from pathlib import Path

import numpy as np
import pytest

import safepassage.network.load as load_module
from safepassage.network import RoadNetwork, file_sha256, load_network
from safepassage.network.cache import BUILD_VERSION, NetworkCacheWarning, cache_dir
from safepassage.scenario import TravelMode


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("SAFEPASSAGE_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every call of the OSM reader (it still runs for real)."""
    calls: list[Path] = []
    real = load_module.read_ways

    def counting(path: Path, mode: TravelMode):  # type: ignore[no-untyped-def]
        calls.append(path)
        return real(path, mode)

    monkeypatch.setattr(load_module, "read_ways", counting)
    return calls


def assert_same_network(a: RoadNetwork, b: RoadNetwork) -> None:
    for field in dataclasses.fields(RoadNetwork):
        if field.name.startswith("_"):
            continue
        left, right = getattr(a, field.name), getattr(b, field.name)
        if isinstance(left, np.ndarray):
            assert left.dtype.kind == right.dtype.kind, field.name
            np.testing.assert_array_equal(left, right, err_msg=field.name)
        else:
            assert left == right, field.name


def test_cache_dir_follows_the_environment(empty_cache: Path) -> None:
    assert cache_dir() == empty_cache


def test_second_load_reads_the_cache_not_the_extract(
    helsinki_pbf: Path, empty_cache: Path, count_parses: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_network(helsinki_pbf)
    assert count_parses == [helsinki_pbf]
    cached_files = list((empty_cache / "networks").glob("*.npz"))
    assert len(cached_files) == 1
    assert cached_files[0].name.startswith(file_sha256(helsinki_pbf)[:32])

    def must_not_parse(path: Path, mode: TravelMode) -> None:
        raise AssertionError(f"parsed {path} again although it is cached")

    monkeypatch.setattr(load_module, "read_ways", must_not_parse)
    second = load_network(helsinki_pbf)
    assert_same_network(first, second)
    assert second.source_sha256 == file_sha256(helsinki_pbf)


def test_modes_are_cached_apart(helsinki_pbf: Path, empty_cache: Path, count_parses: list[Path]) -> None:
    drive = load_network(helsinki_pbf, TravelMode.DRIVE)
    walk = load_network(helsinki_pbf, TravelMode.WALK)
    assert len(count_parses) == 2
    assert load_network(helsinki_pbf, TravelMode.WALK).link_count == walk.link_count
    assert load_network(helsinki_pbf, TravelMode.DRIVE).link_count == drive.link_count
    assert len(count_parses) == 2
    assert len(list((empty_cache / "networks").glob("*.npz"))) == 2


def test_changed_extract_is_rebuilt(ascii_network, empty_cache: Path, count_parses: list[Path]) -> None:
    ways = [("ab", {"highway": "residential"})]
    first = ascii_network("a-b", ways)
    load_network(first.path)
    # Same file name, new content: the hash differs, so the cache is not used.
    longer = ascii_network("a---b", ways)
    first.path.write_bytes(longer.path.read_bytes())
    network = load_network(first.path)
    assert len(count_parses) == 2
    assert network.link_length_m == pytest.approx([400.0, 400.0], rel=1e-3)


def test_unreadable_cache_file_is_rebuilt(ascii_network, empty_cache: Path, count_parses: list[Path]) -> None:
    drawn = ascii_network("a-b", [("ab", {"highway": "residential"})])
    good = load_network(drawn.path)
    (cached,) = (empty_cache / "networks").glob("*.npz")
    cached.write_bytes(b"half-written garbage")
    with pytest.warns(NetworkCacheWarning):
        again = load_network(drawn.path)
    assert len(count_parses) == 2
    assert_same_network(good, again)


def test_use_cache_false_neither_reads_nor_writes(ascii_network, empty_cache: Path) -> None:
    drawn = ascii_network("a-b", [("ab", {"highway": "residential"})])
    load_network(drawn.path, use_cache=False)
    assert not (empty_cache / "networks").exists() or not any((empty_cache / "networks").iterdir())


def test_unwritable_cache_is_skipped(ascii_network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("SAFEPASSAGE_CACHE_DIR", str(blocker))
    drawn = ascii_network("a-b", [("ab", {"highway": "residential"})])
    with pytest.warns(NetworkCacheWarning, match="network cache not written"):
        network = load_network(drawn.path)  # builds, fails to cache, still answers
    assert network.link_count == 2
    assert blocker.read_text() == "a file where the cache directory should be"


def _break_truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _break_flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    path.write_bytes(bytes(data))


def _break_old_report(path: Path) -> None:
    """A file of the previous layout: a report of six numbers."""
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["report"] = arrays["report"][:6]
    with path.open("wb") as handle:
        np.savez(handle, **arrays)


def _break_shapes(path: Path) -> None:
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["link_head"] = arrays["link_head"][:-1]
    with path.open("wb") as handle:
        np.savez(handle, **arrays)


def _break_empty(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize(
    "damage", [_break_truncate, _break_flip_bytes, _break_old_report, _break_shapes, _break_empty]
)
def test_bad_cache_file_is_rebuilt_with_a_warning(
    ascii_network, empty_cache: Path, count_parses: list[Path], damage
) -> None:  # type: ignore[no-untyped-def]
    drawn = ascii_network("a-b--c", [("abc", {"highway": "residential"}), ("bc", {"highway": "primary"})])
    good = load_network(drawn.path)
    (cached,) = (empty_cache / "networks").glob("*.npz")
    assert cached.name.endswith(f"-drive-v{BUILD_VERSION}.npz")
    damage(cached)
    with pytest.warns(NetworkCacheWarning, match="network cache file is unreadable") as caught:
        again = load_network(drawn.path)
    assert str(cached) in str(caught[0].message)
    assert "rebuilding the network from the extract" in str(caught[0].message)
    assert len(count_parses) == 2
    assert_same_network(good, again)
    # The rebuilt network was written back: the third load reads it without a warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        third = load_network(drawn.path)
    assert len(count_parses) == 2
    assert_same_network(good, third)


def test_failed_cache_write_leaves_no_temporary_file(
    ascii_network, empty_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A disk that fills up half-way through the write: the network is still returned."""
    real_savez = np.savez

    def disk_full(handle, **arrays):  # type: ignore[no-untyped-def]
        handle.write(b"PK\x03\x04 partial zip")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez", disk_full)
    drawn = ascii_network("a-b", [("ab", {"highway": "residential"})])
    with pytest.warns(NetworkCacheWarning, match=r"network cache not written \(OSError: \[Errno 28\]"):
        network = load_network(drawn.path)
    assert network.link_count == 2
    assert list((empty_cache / "networks").iterdir()) == []
    # Once there is room again, the cache is written and read as usual.
    monkeypatch.setattr(np, "savez", real_savez)
    load_network(drawn.path)
    assert [
        p.name.endswith(".npz") and ".tmp" not in p.name for p in (empty_cache / "networks").iterdir()
    ] == [True]


def test_interrupted_cache_write_leaves_no_temporary_file(
    ascii_network, empty_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Any other failure (here Ctrl-C during the write) also removes the file, then goes on up."""

    def interrupted(handle, **arrays):  # type: ignore[no-untyped-def]
        handle.write(b"PK")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    drawn = ascii_network("a-b", [("ab", {"highway": "residential"})])
    with pytest.raises(KeyboardInterrupt):
        load_network(drawn.path)
    assert list((empty_cache / "networks").iterdir()) == []
