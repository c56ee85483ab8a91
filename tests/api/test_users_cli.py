"""``safepassage users add/list/revoke``: the token is printed once and works; only its hash is stored;
a revoked token stops working."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from safepassage.cli import app
from safepassage.services.users import Role, user_for_token
from safepassage.store import Store
from safepassage.store.schema import ApiUser, Event


def test_users_add_list_revoke(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'users.sqlite'}"
    runner = CliRunner()
    added = runner.invoke(app, ["users", "add", "Olena", "--role", "reviewer", "--db", url, "--by", "admin"])
    assert added.exit_code == 0, added.output
    token = added.output.strip().splitlines()[-1]
    assert len(token) >= 40
    with Store.open(url) as store:
        user = user_for_token(store, token)
        assert user is not None
        assert (user.name, user.role) == ("Olena", Role.REVIEWER)
        with store.reading() as session:
            assert token not in set(session.scalars(select(ApiUser.token_sha256)))
            actors = {(e.table_name, e.actor) for e in session.scalars(select(Event))}
        assert ("api_users", "admin") in actors
    again = runner.invoke(app, ["users", "add", "Olena", "--role", "viewer", "--db", url])
    assert again.exit_code == 2
    assert "already exists" in again.output
    wrong = runner.invoke(app, ["users", "add", "Petro", "--role", "admin", "--db", url])
    assert wrong.exit_code == 2
    listed = runner.invoke(app, ["users", "list", "--db", url])
    assert listed.exit_code == 0
    assert listed.output.split() == ["1", "Olena", "reviewer", *listed.output.split()[3:6], "active"]
    assert token not in listed.output
    revoked = runner.invoke(app, ["users", "revoke", "Olena", "--reason", "phone lost", "--db", url])
    assert revoked.exit_code == 0, revoked.output
    assert "active" not in runner.invoke(app, ["users", "list", "--db", url]).output
    with Store.open(url) as store:
        assert user_for_token(store, token) is None
    unknown = runner.invoke(app, ["users", "revoke", "Olena", "--db", url])
    assert unknown.exit_code == 3
