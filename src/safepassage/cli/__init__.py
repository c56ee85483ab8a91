"""The ``safepassage`` command line: one typer app, one module per group of commands.

The library raises :class:`~safepassage.errors.SafePassageError`; only this layer prints and exits,
mapping each error's fixed code to its exit code (see ``safepassage.errors``).
"""

from __future__ import annotations

import typer

from safepassage.cli import core, monitoring, planning, store_admin, watch

__all__ = ["app", "main"]

app = typer.Typer(
    name="safepassage",
    help="Plan and monitor humanitarian evacuation corridors on real road networks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _module in (core, planning, monitoring, store_admin, watch):
    _module.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
