"""The gate every HTTP request passes: body size limit, who is calling, per-token rate limit, and the
redaction of every JSON response for the caller's role (:func:`safepassage.api.redaction.redact`).

A pure ASGI middleware (no buffering of requests; a JSON response is read whole, redacted and sent
with its new length). Streams (``text/event-stream``) pass through: the stream redacts each event.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio.to_thread

from safepassage.api.auth import TokenCache, anonymous, bearer_token
from safepassage.api.problems import said
from safepassage.api.redaction import redact, sees_everything
from safepassage.api.settings import ApiSettings
from safepassage.errors import AccessDeniedError
from safepassage.services.users import UserRecord

__all__ = ["Gate", "RateLimiter"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]

JSON_TYPES = (b"application/json", b"application/geo+json")
SCHEMA_PATHS = frozenset({"/openapi.json"})  # the schema holds no data: not parsed for redaction


class RateLimiter:
    """A token bucket per key: ``rate_per_s`` sustained, ``burst`` at once (thread-safe)."""

    def __init__(self, rate_per_s: float, burst: int) -> None:
        self.rate_per_s = rate_per_s
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Take one request from ``key``'s bucket; False when it is empty."""
        now = time.monotonic()
        with self._lock:
            level, last = self._buckets.get(key, (self.burst, now))
            level = min(self.burst, level + (now - last) * self.rate_per_s)
            if level < 1.0:
                self._buckets[key] = (level, now)
                return False
            self._buckets[key] = (level - 1.0, now)
            return True


class _TooLargeError(Exception):
    pass


class Gate:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: Asgi, settings: ApiSettings, tokens: TokenCache) -> None:
        self.app = app
        self.settings = settings
        self.tokens = tokens
        self.limiter = RateLimiter(settings.rate_per_s, settings.burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.settings.max_body_bytes:
            await _reply(send, 413, said(headers, "REQUEST_TOO_LARGE", self._too_large()))
            return
        try:
            token = bearer_token(headers.get("authorization"))
            user = await self._user(token)
        except AccessDeniedError as exc:
            await _reply(send, exc.http_status, said(headers, exc.code, exc.message))
            return
        client = scope.get("client") or ("?", 0)
        key = f"token:{token}" if token else f"addr:{client[0]}"
        if not self.limiter.allow(key):
            await _reply(send, 429, said(headers, "RATE_LIMITED", "too many requests; slow down and retry"))
            return
        scope.setdefault("state", {})["user"] = user
        try:
            send_on = send if scope.get("path") in SCHEMA_PATHS else self._redacting(send, user)
            await self.app(scope, self._limited(receive), send_on)
        except _TooLargeError:
            await _reply(send, 413, said(headers, "REQUEST_TOO_LARGE", self._too_large()))

    def _too_large(self) -> str:
        return f"the request body is larger than {self.settings.max_body_bytes:,} bytes"

    async def _user(self, token: str | None) -> UserRecord | None:
        if token is None:
            role = self.settings.anonymous_role
            return anonymous(role) if role is not None else None
        fresh, user = self.tokens.cached(token)
        if not fresh:
            user = await anyio.to_thread.run_sync(self.tokens.user, token)
        if user is None:
            raise AccessDeniedError("unknown or revoked token")
        return user

    def _limited(self, receive: Receive) -> Receive:
        seen = 0
        limit = self.settings.max_body_bytes

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLargeError
            return message

        return wrapped

    def _redacting(self, send: Send, user: UserRecord | None) -> Send:
        role = user.role if user is not None else None
        if sees_everything(role):
            return send
        start: Message | None = None
        chunks: list[bytes] = []

        async def wrapped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if any(content_type.startswith(t) for t in JSON_TYPES):
                    start = message
                    return
                await send(message)
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            if body:
                body = json.dumps(redact(json.loads(body), role), ensure_ascii=False).encode("utf-8")
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        return wrapped


async def _reply(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": data, "more_body": False})
