"""Who is calling: tokens (``Authorization: Bearer TOKEN``) to users, and the FastAPI dependencies
:func:`current_user` (optional) and :func:`require_role` used by every route, and by the web routes.

A token is looked up once per request by the gate (:mod:`safepassage.api.gate`), which keeps the
user in the request's state; a token's user is cached for ``ApiSettings.token_cache_s`` seconds.
A request with a wrong or revoked token is refused (403), never downgraded to anonymous.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Awaitable, Callable

from fastapi import Request

from safepassage.errors import AccessDeniedError
from safepassage.services.users import Role, UserRecord, user_for_token
from safepassage.store import Store

__all__ = ["ANONYMOUS_ID", "TokenCache", "bearer_token", "current_user", "require_role"]

ANONYMOUS_ID = 0
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer TOKEN`` header (None without one)."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AccessDeniedError("the Authorization header must read 'Bearer TOKEN'")
    return token.strip()


class TokenCache:
    """Token -> active user, each answer kept ``ttl_s`` seconds (thread-safe)."""

    def __init__(self, store: Store, ttl_s: float) -> None:
        self.store = store
        self.ttl_s = ttl_s
        self._known: dict[str, tuple[float, UserRecord | None]] = {}
        self._lock = threading.Lock()

    def cached(self, token: str) -> tuple[bool, UserRecord | None]:
        """(True, user) when ``token``'s answer is fresh in the cache, else (False, None); no I/O."""
        with self._lock:
            hit = self._known.get(token)
        if hit is not None and time.monotonic() - hit[0] < self.ttl_s:
            return True, hit[1]
        return False, None

    def user(self, token: str) -> UserRecord | None:
        """The active user holding ``token`` (None: unknown or revoked)."""
        fresh, known = self.cached(token)
        if fresh:
            return known
        now = time.monotonic()
        found = user_for_token(self.store, token)
        with self._lock:
            if len(self._known) > 10_000:
                self._known.clear()
            self._known[token] = (now, found)
        return found


def anonymous(role: Role) -> UserRecord:
    """The stand-in user of a request without a token, when the API admits those."""
    return UserRecord(ANONYMOUS_ID, "anonymous", role, _EPOCH, revoked=False)


async def current_user(request: Request) -> UserRecord | None:
    """The caller (None: no token and anonymous requests are not admitted). Set by the gate."""
    user = getattr(request.state, "user", None)
    return user if isinstance(user, UserRecord) else None


def require_role(needed: Role) -> Callable[[Request], Awaitable[UserRecord]]:
    """A dependency admitting callers whose role includes ``needed`` (403 ``ACCESS_DENIED`` otherwise)."""

    async def dependency(request: Request) -> UserRecord:
        user = await current_user(request)
        if user is None:
            raise AccessDeniedError(f"this needs a token of a {needed.value} (Authorization: Bearer TOKEN)")
        if not user.role.allows(needed):
            raise AccessDeniedError(
                f"{user.name} is a {user.role.value}; this needs a {needed.value} or higher role"
            )
        return user

    dependency.__name__ = f"require_{needed.value}"
    return dependency
