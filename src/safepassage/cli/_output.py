"""Shared CLI plumbing: consoles, and turning library errors into messages and exit codes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from safepassage.errors import SafePassageError

__all__ = ["err_console", "exits_on_error", "out_console", "reporting_errors"]

out_console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Print a :class:`SafePassageError` for a person and exit with its fixed exit code."""
    try:
        yield
    except SafePassageError as exc:
        err_console.print(f"[bold red]error[/] [dim]({exc.code})[/]: {exc.message}", highlight=False)
        raise typer.Exit(code=exc.exit_code) from None


def exits_on_error(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator form of :func:`reporting_errors` for typer commands."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with reporting_errors():
            return func(*args, **kwargs)

    return wrapper
