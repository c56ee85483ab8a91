"""Concurrent report posts are written together (group commit): every post stored once, with its
own event naming the token's user, the chain verifies, and a post the store refuses fails alone."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select
from tests.api.conftest import Api

from safepassage.services.users import Role, add_user
from safepassage.store import verify_chain
from safepassage.store.group_commit import ReportGroupCommit
from safepassage.store.schema import Event, Report

USERS = 8
POSTS_EACH = 4


def _body(user: int, n: int, **overrides: object) -> dict[str, object]:
    return {
        "kind": "shelling",
        "at": "2022-03-05T10:00:00+02:00",
        "source": f"field team {user}",
        "source_type": "field_team",
        "lat": 60.17,
        "lon": 24.94,
        "id": f"post-{user}-{n}",
        **overrides,
    }


async def _post_all(api: Api, posts: list[tuple[str, str, dict[str, object]]]) -> list[httpx.Response]:
    """Post every ``(user, token, body)`` at once, through the app in this event loop."""
    transport = httpx.ASGITransport(app=api.client.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return list(
            await asyncio.gather(
                *(
                    client.post("/api/reports", json=body, headers={"Authorization": f"Bearer {token}"})
                    for _, token, body in posts
                )
            )
        )


def test_concurrent_posts_are_stored_once_each_by_their_user(api: Api) -> None:
    tokens = {
        f"reporter-{u}": add_user(api.store, f"reporter-{u}", Role.REPORTER, "setup")[1] for u in range(USERS)
    }
    posts = [
        (name, token, _body(u, n))
        for u, (name, token) in enumerate(tokens.items())
        for n in range(POSTS_EACH)
    ]
    bad = ("reporter-0", tokens["reporter-0"], _body(0, 99, description="a NUL \x00 in the text"))
    writer = api.client.app.state.report_writer  # type: ignore[attr-defined]
    assert isinstance(writer, ReportGroupCommit)
    batches_before = writer.batches
    responses = asyncio.run(_post_all(api, [*posts[:5], bad, *posts[5:]]))
    bad_response = responses.pop(5)
    assert bad_response.status_code == 422, bad_response.text
    assert "description" in bad_response.json()["message"]
    assert "NUL character" in bad_response.json()["message"]
    assert [r.status_code for r in responses] == [201] * len(posts)
    ids = {r.json()["source_id"]: r.json()["report_id"] for r in responses}
    assert sorted(ids) == sorted(str(body["id"]) for _, _, body in posts)
    assert writer.batches - batches_before < len(posts)  # posts shared transactions
    with api.store.reading() as session:
        stored = dict(session.execute(select(Report.id, Report.source_id).where(Report.feed == "cli")).all())
        actors = dict(
            session.execute(select(Event.row_id, Event.actor).where(Event.table_name == "reports")).all()
        )
        verify_chain(session)
    assert sorted(stored.values()) == sorted(ids)  # each acknowledged post stored once; the bad one not
    for source_id, report_id in ids.items():
        assert stored[report_id] == source_id
        user = int(source_id.split("-")[1])
        assert actors[report_id] == f"reporter-{user}"  # the token's user is the actor in the log


def test_the_same_post_twice_at_once_is_stored_once(api: Api) -> None:
    token = api.tokens[Role.REPORTER]
    body = _body(1, 1)
    first, second = asyncio.run(_post_all(api, [("r", token, body), ("r", token, body)]))
    assert (first.status_code, second.status_code) == (201, 201)
    assert sorted([first.json()["report_id"] is None, second.json()["report_id"] is None]) == [False, True]
    with api.store.reading() as session:
        assert session.execute(select(Report.id).where(Report.source_id == "post-1-1")).all() != []
        assert len(session.execute(select(Report.id).where(Report.source_id == "post-1-1")).all()) == 1
