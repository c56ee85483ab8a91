"""The HTTP API: FastAPI over the service layer (``safepassage serve``; docs/api.md).

- :mod:`~safepassage.api.app`: :func:`create_app`.
- :mod:`~safepassage.api.auth`: tokens, :func:`current_user`, :func:`require_role`.
- :mod:`~safepassage.api.gate`: body size, rate limit, redaction of every JSON response.
- :mod:`~safepassage.api.redaction`: the one redaction function.
- :mod:`~safepassage.api.stream`: server-sent events from the event log.
"""

from safepassage.api.app import create_app
from safepassage.api.auth import current_user, require_role
from safepassage.api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app", "current_user", "require_role"]
