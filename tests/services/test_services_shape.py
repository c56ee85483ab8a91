"""The shape of the service layer: no public use case takes or returns an ORM row or a session,
and the command line keeps no workflow (no transaction, no query of its own)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import typing
from pathlib import Path

import pytest

import safepassage.cli
import safepassage.services

MODULES = sorted(
    f"safepassage.services.{m.name}" for m in pkgutil.iter_modules(safepassage.services.__path__)
)
ORM = re.compile(r"sqlalchemy|safepassage\.store\.schema|Session\b")


def _names(annotation: object) -> str:
    return repr(annotation) + " " + " ".join(_names(a) for a in typing.get_args(annotation))


@pytest.mark.parametrize("module_name", MODULES)
def test_no_public_use_case_exposes_an_orm_class(module_name: str) -> None:
    module = importlib.import_module(module_name)
    for name in module.__all__:
        item = getattr(module, name)
        if inspect.isfunction(item) or inspect.isclass(item):
            for argument, annotation in typing.get_type_hints(item).items():
                assert not ORM.search(_names(annotation)), (
                    f"{module_name}.{name}: {argument} is {annotation!r}"
                )


def test_the_services_never_print() -> None:
    for path in Path(safepassage.services.__path__[0]).glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\bprint\(|sys\.exit|typer|rich", text), path.name


def test_the_command_line_opens_no_transaction_and_runs_no_query() -> None:
    for path in Path(safepassage.cli.__path__[0]).glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"\.writing\(", r"\.reading\(", r"queries\.", r"store\.schema", r"Writer\b"):
            assert not re.search(pattern, text), f"{path.name} does {pattern!r}: that is a service's job"
