"""``safepassage --help`` stays quick: the CLI package imports no heavy library (issue 7 #18).

These assert structure, not time (``benchmarks/startup_bench.py`` measures the time): importing
``safepassage.cli`` and printing the root help load none of numpy, scipy, SQLAlchemy, OR-Tools,
osmium, shapely, pyproj; and the table the root help is printed from matches the real commands.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys

import pytest
import typer

from safepassage.cli import COMMANDS, app

HEAVY = ("numpy", "scipy", "sqlalchemy", "ortools", "osmium", "shapely", "pyproj", "alembic", "highspy")


def _heavy_modules_after(code: str) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_imports_no_heavy_library() -> None:
    assert _heavy_modules_after("import safepassage.cli") == []


def test_the_root_help_imports_no_heavy_library() -> None:
    code = "from safepassage.cli import app\ntry:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
    assert _heavy_modules_after(code) == []


def _command_modules() -> list[str]:
    """Every module of ``safepassage.cli`` with a ``register(app)``: the command modules."""
    import safepassage.cli

    names = [f"safepassage.cli.{m.name}" for m in pkgutil.iter_modules(safepassage.cli.__path__)]
    return [n for n in names if callable(getattr(importlib.import_module(n), "register", None))]


def _real_commands() -> dict[str, tuple[str, str]]:
    """name -> (module, first line of help) of every command the command modules register."""
    found: dict[str, tuple[str, str]] = {}
    for module_name in _command_modules():
        holder = typer.Typer()
        importlib.import_module(module_name).register(holder)
        group = typer.main.get_group(holder)
        for name, command in group.commands.items():
            found[name] = (module_name, (command.help or "").strip().splitlines()[0])
    return found


def test_the_root_help_table_matches_the_real_commands() -> None:
    real = _real_commands()
    table = {c.name: (c.module, c.help) for c in COMMANDS}
    missing = sorted(set(real) - set(table))
    assert not missing, f"commands missing from safepassage.cli.COMMANDS (not in --help): {missing}"
    for name, (module, first_line) in real.items():
        assert table[name] == (module, first_line), (
            f"safepassage.cli.COMMANDS[{name!r}] should be ({module!r}, {first_line!r})"
        )
    assert set(table) == set(real)


@pytest.mark.parametrize("name", [c.name for c in COMMANDS])
def test_each_command_runs_from_the_lazy_root(name: str) -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_a_misspelt_command_is_suggested() -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["valdate"])
    assert result.exit_code == 2
    assert "Did you mean 'validate'?" in result.output
