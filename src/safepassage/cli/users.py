"""``safepassage users``: API users and their tokens (add prints the token once; only its hash is kept)."""

from __future__ import annotations

from typing import Annotated

import typer

from safepassage.cli._output import exits_on_error, out_console
from safepassage.cli._store_options import ByOption, DbOption, actor_name

__all__ = ["register"]

users_app = typer.Typer(help="API users and their tokens: add, list, revoke.", no_args_is_help=True)

ROLES = ("viewer", "reporter", "reviewer", "coordinator")


def register(app: typer.Typer) -> None:
    """Add the ``users`` group to the ``safepassage`` app."""
    app.add_typer(users_app, name="users")


def _say(text: str) -> None:
    out_console.print(text, highlight=False, markup=False, soft_wrap=True)


@users_app.command("add")
@exits_on_error
def users_add(
    name: Annotated[
        str, typer.Argument(help="Who the token is for (recorded as the actor of their writes).")
    ],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
    db: DbOption = None,
    by: ByOption = None,
) -> None:
    """Add an API user and print their token once (only its SHA-256 is stored)."""
    from safepassage.errors import InputError
    from safepassage.services.users import Role, add_user
    from safepassage.store import Store

    if role not in ROLES:
        raise InputError(f"--role {role!r} is unknown; expected one of: {', '.join(ROLES)}")
    with Store.open(db) as store:
        user, token = add_user(store, name, Role(role), actor_name(by))
    _say(f"added user {user.id} {user.name!r} ({user.role.value}); their token (shown once, keep it safe):")
    _say(token)


@users_app.command("list")
@exits_on_error
def users_list(db: DbOption = None) -> None:
    """Every API user: id, name, role, since when, whether revoked (never the token)."""
    from safepassage.services.users import list_users
    from safepassage.store import Store

    with Store.open(db) as store:
        users = list_users(store)
    if not users:
        _say("no API users yet (safepassage users add NAME --role ROLE)")
    for u in users:
        state = "revoked" if u.revoked else "active"
        _say(f"{u.id}\t{u.name}\t{u.role.value}\t{u.created_at:%Y-%m-%d %H:%M} UTC\t{state}")


@users_app.command("revoke")
@exits_on_error
def users_revoke(
    user: Annotated[str, typer.Argument(help="User id or name (see users list).")],
    reason: Annotated[str, typer.Option(help="Why (recorded in the event log).")] = "revoked",
    db: DbOption = None,
    by: ByOption = None,
) -> None:
    """Revoke a user's token: it stops working at once (the user stays in the record)."""
    from safepassage.services.users import revoke_user
    from safepassage.store import Store

    with Store.open(db) as store:
        record = revoke_user(store, user, reason, actor_name(by))
    _say(f"revoked the token of user {record.id} {record.name!r}")
