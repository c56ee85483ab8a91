"""What an API instance is configured with (limits, CORS, anonymous access) and the store it serves."""

from __future__ import annotations

from dataclasses import dataclass, field

from safepassage.services.users import Role

__all__ = ["ApiSettings"]


@dataclass(frozen=True)
class ApiSettings:
    """Limits and access of one API instance.

    ``anonymous_role``: the role of a request without a token (None: such requests are refused,
    except the schema and the map page); ``rate_per_s`` and ``burst``: the token bucket of each token
    (or of each client address without one); ``max_body_bytes``: the largest request body;
    ``cors_origins``: origins allowed cross-origin requests (empty: CORS off); ``stream_poll_s``:
    how often the stream reads the event log for new entries; ``token_cache_s``: how long a token's
    user is remembered (a revoked token stops working within this time).
    """

    anonymous_role: Role | None = None
    rate_per_s: float = 50.0
    burst: int = 100
    max_body_bytes: int = 2_000_000
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    stream_poll_s: float = 0.5
    token_cache_s: float = 2.0
