"""API users and their tokens: add (the token is returned once, only its hash is kept), list, revoke.

A token is ``secrets.token_urlsafe(32)`` (256 random bits); the store keeps its SHA-256 (a fast hash is
right here: the token is random, not a password a person chose, so there is nothing to brute-force).
Every change goes through the store's write API and so lands in the hash-chained event log.

Roles, each allowed what the one before it is, plus:

- ``viewer``: public data (corridors, verdicts, published incidents, plans without convoy details);
- ``reporter``: submit reports and read their own;
- ``reviewer``: review reports and incidents;
- ``coordinator``: everything, including convoy details and corridor status changes.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from safepassage.errors import InputError, UnknownIdError

if TYPE_CHECKING:
    import datetime as dt

    from safepassage.store import Store

__all__ = [
    "Role",
    "UserRecord",
    "add_user",
    "list_users",
    "revoke_user",
    "token_sha256",
    "user_for_token",
]

TOKEN_BYTES = 32
MAX_NAME_CHARS = 200


class Role(enum.StrEnum):
    """What an API user may do; each role includes the ones before it."""

    VIEWER = "viewer"
    REPORTER = "reporter"
    REVIEWER = "reviewer"
    COORDINATOR = "coordinator"

    @property
    def rank(self) -> int:
        """0 for viewer up to 3 for coordinator."""
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what ``needed`` may."""
        return self.rank >= needed.rank


@dataclass(frozen=True)
class UserRecord:
    """An API user as stored (never with the token)."""

    id: int
    name: str
    role: Role
    created_at: dt.datetime
    revoked: bool


def token_sha256(token: str) -> str:
    """The hex SHA-256 of a token, as stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_user(store: Store, name: str, role: Role, actor: str) -> tuple[UserRecord, str]:
    """Add a user with a new random token; returns the record and the token (shown once, never stored).

    Raises :class:`InputError` for an empty or over-long name, or a name already held by a user whose
    token is not revoked.
    """
    clean = name.strip()
    if not clean or len(clean) > MAX_NAME_CHARS:
        raise InputError(f"user name {name!r}: expected 1 to {MAX_NAME_CHARS} characters")
    if any(u.name == clean and not u.revoked for u in list_users(store)):
        raise InputError(f"user {clean!r} already exists; revoke it first to issue a new token")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with store.writing(actor) as writer:
        user_id = writer.add_api_user(clean, role.value, token_sha256(token))
        created_at = writer.now
    return UserRecord(user_id, clean, role, created_at, revoked=False), token


def list_users(store: Store) -> list[UserRecord]:
    """Every API user, by id, with whether their token is revoked."""
    from sqlalchemy import select

    from safepassage.store.schema import ApiUser, ApiUserRevocation

    with store.reading() as session:
        revoked = set(session.scalars(select(ApiUserRevocation.user_id)))
        return [
            UserRecord(u.id, u.name, Role(u.role), u.created_at, u.id in revoked)
            for u in session.scalars(select(ApiUser).order_by(ApiUser.id))
        ]


def revoke_user(store: Store, ref: str, reason: str, actor: str) -> UserRecord:
    """Revoke the token of the user ``ref`` (an id, or a name held by one active user).

    Raises :class:`UnknownIdError` when no active user matches, :class:`InputError` without a reason.
    """
    if not reason.strip():
        raise InputError("revoking a token needs a reason (recorded in the event log)")
    users = list_users(store)
    active = [u for u in users if not u.revoked and (str(u.id) == ref or u.name == ref)]
    if not active:
        raise UnknownIdError(f"no active API user {ref!r}; see 'safepassage users list'")
    user = active[0]
    with store.writing(actor) as writer:
        writer.revoke_api_user(user.id, reason.strip())
    return UserRecord(user.id, user.name, user.role, user.created_at, revoked=True)


def user_for_token(store: Store, token: str) -> UserRecord | None:
    """The active user holding ``token``, or None (unknown or revoked token)."""
    from sqlalchemy import select

    from safepassage.store.schema import ApiUser, ApiUserRevocation

    digest = token_sha256(token)
    with store.reading() as session:
        user = session.scalar(select(ApiUser).where(ApiUser.token_sha256 == digest))
        if user is None:
            return None
        if session.scalar(select(ApiUserRevocation.id).where(ApiUserRevocation.user_id == user.id).limit(1)):
            return None
        return UserRecord(user.id, user.name, Role(user.role), user.created_at, revoked=False)
