"""The FastAPI application: :func:`create_app` builds it over one store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from safepassage.api import routes_corridors, routes_plans, routes_reports, routes_schedules, stream
from safepassage.api.auth import TokenCache
from safepassage.api.deps import WRITER_LOCK
from safepassage.api.gate import Gate
from safepassage.api.jobs import PlanJobs
from safepassage.api.problems import install_error_handlers
from safepassage.api.schedule_jobs import ScheduleJobs
from safepassage.api.settings import ApiSettings
from safepassage.store import Store
from safepassage.store.group_commit import ReportGroupCommit
from safepassage.web import routes as web_routes

__all__ = ["API_VERSION", "create_app", "start_demo"]

API_VERSION = "1"
DB_THREADS = 12
DESCRIPTION = """Plan and monitor humanitarian evacuation corridors.

Authenticate with `Authorization: Bearer TOKEN` (tokens: `safepassage users add NAME --role ROLE`).
Errors are JSON `{code, message, field?}` with the fixed codes of `safepassage.errors`.
Convoy details reach coordinators only. See docs/api.md."""


def create_app(
    db_url: str | None = None, settings: ApiSettings | None = None, *, store: Store | None = None
) -> FastAPI:
    """The API over the store at ``db_url`` (default ``$SAFEPASSAGE_DB`` or ``./safepassage.sqlite``;
    migrated on open), or over ``store`` when given, configured by ``settings``."""
    settings = settings or ApiSettings()
    opened = store if store is not None else Store.open(db_url)
    jobs = PlanJobs(opened)
    schedule_jobs = ScheduleJobs(opened)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # as many threads doing database work as the engine pools connections (5 + 10 overflow):
        # more would only queue for a connection, and overflow connections are opened and closed
        # again for every request.
        anyio.to_thread.current_default_thread_limiter().total_tokens = DB_THREADS
        # posted reports are written in shared transactions (group commit), each answered after its
        # commit; a new writer per run of the app (the previous one was closed at its shutdown)
        report_writer = ReportGroupCommit(opened, lock=WRITER_LOCK)
        app.state.report_writer = report_writer
        yield
        jobs.shutdown()
        schedule_jobs.shutdown()
        report_writer.close()
        if store is None:
            opened.close()

    app = FastAPI(title="Safe Passage", version=API_VERSION, description=DESCRIPTION, lifespan=lifespan)
    app.state.store = opened
    app.state.settings = settings
    app.state.jobs = jobs
    app.state.schedule_jobs = schedule_jobs
    app.state.report_writer = ReportGroupCommit(opened, lock=WRITER_LOCK)  # replaced at each startup
    install_error_handlers(app)
    for module in (routes_plans, routes_reports, routes_corridors, routes_schedules, stream):
        app.include_router(module.router)
    app.include_router(web_routes.router)  # the map page and its data (safepassage.web)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
        )
    app.add_middleware(Gate, settings=settings, tokens=TokenCache(opened, settings.token_cache_s))
    return app


def start_demo(app: FastAPI, actor: str = "demo") -> str:
    """Load the bundled scenario and its incident feed into the app's store and start planning it
    and scheduling its buses (background jobs); returns the planning job's id."""
    from safepassage.services.api_support import load_demo

    jobs = app.state.jobs
    assert isinstance(jobs, PlanJobs)
    scenario_id = load_demo(jobs.store, actor)
    schedule_jobs = app.state.schedule_jobs
    assert isinstance(schedule_jobs, ScheduleJobs)
    schedule_jobs.start(scenario_id, "auto", 30.0, actor)
    return jobs.start(scenario_id, "exact", 0.0, actor).id
