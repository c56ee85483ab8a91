"""Options shared by the commands that write to the store: which database, and who is acting."""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer

__all__ = ["ByOption", "DbOption", "actor_name"]

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="SAFEPASSAGE_DB",
        help="Database URL: sqlite:///FILE or postgresql+psycopg://... (default ./safepassage.sqlite).",
    ),
]
ByOption = Annotated[
    str | None,
    typer.Option(
        "--by", help="Who is doing this, recorded in the event log (default: $SAFEPASSAGE_USER or login)."
    ),
]


def actor_name(by: str | None) -> str:
    """The person recorded in the event log: ``--by``, else ``$SAFEPASSAGE_USER``, else the login."""
    if by and by.strip():
        return by.strip()
    return os.environ.get("SAFEPASSAGE_USER") or getpass.getuser()
