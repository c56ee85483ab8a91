"""``safepassage validate`` prints each network's report: ways cut at missing nodes, reversible ways."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from asciimap import write_ascii_network
from safepassage.cli import app
from scenario_builder import START, point

runner = CliRunner()


def test_validate_reports_cut_and_reversible_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFEPASSAGE_CACHE_DIR", str(tmp_path / "cache"))
    drawn = write_ascii_network(
        tmp_path,
        """
        a---b---c-x
        |       |
        d-------e
        """,
        [
            ("abc", {"highway": "residential"}),
            ("cx", {"highway": "residential"}),  # x is outside the clipped extract: nothing left
            ("ae", {"highway": "primary", "oneway": "reversible"}),
            ("adec", {"highway": "residential"}),  # a and c: the only nodes (4 links a<->c)
        ],
        omit="x",
    )
    scenario = {
        "name": "clipped",
        "network": {"path": drawn.path.name},
        "start": START,
        "horizon": "PT4H",
        "origins": [point(drawn.lat_lon["a"], "a", people=10)],
        "destinations": [point(drawn.lat_lon["c"], "c", capacity=10)],
    }
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert (
        "drive network: 2 nodes and 4 links from 2 ways; 1 way(s) cut where their nodes are missing "
        "from the extract (clipped at its edge); 1 reversible or alternating way(s) not used (their "
        "direction changes)"
    ) in " ".join(result.output.split())
