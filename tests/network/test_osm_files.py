"""Extracts that cannot be used: missing, of an unknown type, not OSM data at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from safepassage.errors import OsmFileError
from safepassage.network import load_network


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "kherson.osm.pbf"
    with pytest.raises(OsmFileError) as info:
        load_network(path)
    assert str(info.value) == f"{path}: OSM extract not found; expected an existing file"
    assert info.value.exit_code == 2


def test_unknown_file_type(tmp_path: Path) -> None:
    path = tmp_path / "roads.geojson"
    path.write_text("{}")
    with pytest.raises(OsmFileError) as info:
        load_network(path)
    assert str(info.value) == (
        f"{path}: unknown file type; expected an OSM extract ending in .osm.pbf, .osm or .osm.bz2"
    )


@pytest.mark.parametrize(
    ("name", "content", "detail"),
    [
        ("broken.osm.pbf", b"not a protobuf", "PBF error"),
        ("broken.osm", b"<osm>", "missing version attribute"),
    ],
)
def test_not_osm_data(tmp_path: Path, name: str, content: bytes, detail: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(OsmFileError) as info:
        load_network(path)
    assert str(info.value).startswith(f"{path}: cannot be read as OSM data (")
    assert detail in str(info.value)
