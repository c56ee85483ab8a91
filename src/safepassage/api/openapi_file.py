"""Write the API's OpenAPI schema as committed in docs/openapi.json (a test fails when it drifts).

Regenerate: ``PYTHONPATH=src python -m safepassage.api.openapi_file docs/openapi.json``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["openapi_text", "schema"]


def schema() -> dict[str, Any]:
    """The OpenAPI document of :func:`safepassage.api.create_app` (built over a throw-away store)."""
    from safepassage.api import create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(f"sqlite:///{Path(folder) / 'schema.sqlite'}")
        document = app.openapi()
        app.state.store.close()
    return document


def openapi_text() -> str:
    """The schema as committed: indented JSON, sorted keys, a final newline."""
    return json.dumps(schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    from safepassage.atomic_file import write_atomically

    write_atomically(Path(sys.argv[1]), openapi_text())
