"""Commands whose module is imported only when the command runs, so ``safepassage --help`` is quick.

The command modules import the planner, the store, the feeds (numpy, scipy, SQLAlchemy, OR-Tools,
osmium: seconds of imports). The root group lists each command by name and one-line help from a
table (:class:`LazyCommand`) and imports a command's module only when that command (or its
``--help``) is asked for. ``tests/cli/test_startup.py`` checks the table against the real commands.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
from typer.core import TyperCommand, TyperGroup

__all__ = ["LazyCommand", "LazyGroup"]


@dataclass(frozen=True)
class LazyCommand:
    """Command (or group) ``name`` that ``module.register(app)`` adds; ``help``: its first line."""

    name: str
    module: str
    help: str


class _Placeholder(TyperCommand):
    """Stands for a command not imported yet: its name and one-line help, for the root's help."""

    def __init__(self, entry: LazyCommand) -> None:
        super().__init__(name=entry.name, help=entry.help, callback=None)
        self.module = entry.module


class LazyGroup(TyperGroup):
    """A typer group that imports a command's module when the command is resolved, not before.

    Subclass it with ``commands_table`` set (and ``package``, the package of the command modules).
    A name not in the table loads every module of ``package`` that has a ``register`` before
    failing, so a command a module registers but the table misses still runs (and
    ``tests/cli/test_startup.py`` reports the omission).
    """

    commands_table: ClassVar[Sequence[LazyCommand]] = ()
    package: ClassVar[str] = ""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for entry in self.commands_table:
            self.commands.setdefault(entry.name, _Placeholder(entry))

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        # ctx is typer's (vendored) click Context: Any keeps this working across typer versions
        if args:
            found = self.commands.get(args[0])
            if isinstance(found, _Placeholder):
                self.load(found.module)
            elif found is None and not args[0].startswith("-"):
                for module in self._every_module():
                    self.load(module)
        return super().resolve_command(ctx, args)

    def _every_module(self) -> list[str]:
        names = [e.module for e in self.commands_table]
        if self.package:
            package = importlib.import_module(self.package)
            names += [f"{self.package}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]
        return [n for n in dict.fromkeys(names) if not n.rpartition(".")[2].startswith("_")]

    def load(self, module_name: str) -> None:
        """Import ``module_name`` and put the commands its ``register`` adds in place of placeholders."""
        module = importlib.import_module(module_name)
        if not callable(getattr(module, "register", None)):
            return
        holder = typer.Typer()
        module.register(holder)
        loaded = typer.main.get_group(holder)
        for name, command in loaded.commands.items():
            if isinstance(self.commands.get(name), _Placeholder) or name not in self.commands:
                self.commands[name] = command
