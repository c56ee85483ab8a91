"""``safepassage serve``: the HTTP API (and the map page) with uvicorn, on loopback by default."""

from __future__ import annotations

from typing import Annotated

import typer

from safepassage.cli._output import exits_on_error, out_console
from safepassage.cli._store_options import DbOption

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``safepassage`` app."""
    app.command("serve")(serve)


@exits_on_error
def serve(
    db: DbOption = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8080,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Load the bundled Helsinki scenario and incident feed into a fresh store (a temporary "
            "SQLite file unless --db is given), plan it and schedule its buses, and admit requests without a "
            "token as viewers.",
        ),
    ] = False,
    cors: Annotated[
        list[str] | None,
        typer.Option(help="Origin allowed cross-origin requests (repeatable; default none)."),
    ] = None,
    rate: Annotated[float, typer.Option(min=0.1, help="Requests per second allowed to each token.")] = 50.0,
    burst: Annotated[int, typer.Option(min=1, help="Requests a token may send at once.")] = 100,
) -> None:
    """Serve the HTTP API (and the map page) with uvicorn."""
    import tempfile
    from pathlib import Path

    import uvicorn

    from safepassage.api import ApiSettings, create_app
    from safepassage.api.app import start_demo
    from safepassage.services.users import Role

    if demo and db is None:
        folder = Path(tempfile.mkdtemp(prefix="safepassage-demo-"))
        db = f"sqlite:///{folder / 'demo.sqlite'}"
    settings = ApiSettings(
        anonymous_role=Role.VIEWER if demo else None,
        rate_per_s=rate,
        burst=burst,
        cors_origins=tuple(cors or ()),
    )
    app = create_app(db, settings)
    if demo:
        job = start_demo(app)
        out_console.print(
            f"demo: scenario and incidents loaded into {db}; planning (job {job})", highlight=False
        )
    out_console.print(
        f"serving on http://{host}:{port}/ (API under /api, schema at /openapi.json)", highlight=False
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")
