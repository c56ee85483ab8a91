"""The map page's routes, added to the API's app with ``app.include_router(safepassage.web.router)``.

- ``GET /``: the page (``static/index.html``); no build step, no CDN: every asset is served here.
- ``GET /static/leaflet/{path}``: Leaflet from the installed ``xstatic-leaflet`` package
  (``xstatic.pkg.leaflet.BASE_DIR``), never copied into the repository.
- ``GET /static/{path}``: the page's own script and style sheet.
- ``GET /api/map``: the map data (``safepassage-map/1``, :mod:`safepassage.services.map_view`) of the
  app's store (``app.state.store``: the latest scenario and plan, the reports the caller may see,
  statuses and verdicts) for the caller's role (a viewer's token at least, or anonymous access
  when the API admits it): convoy details for coordinators only (``map_bundle``'s own rule; the
  API's gate redacts every JSON response again with ``safepassage.api.redaction``). Adds ``role``
  and ``api`` (the paths of the change stream and of report submission, which the page calls).
- ``GET /api/i18n/{lang}``: the page's words in ``en`` or ``uk`` (:func:`safepassage.web.i18n.catalogue`).

The caller is the user the API's gate put in ``request.state.user`` (this module sits below the
API and never imports it: ``safepassage.api.app`` includes this router). The scenario, its networks
and its latest plan are read once and kept on the app until a newer scenario or plan is stored.
Errors are the project's (``safepassage.errors``), rendered by the API's error handlers; the
page's own 404s are JSON ``{code, message}`` in the caller's language.
"""

from __future__ import annotations

import importlib.resources
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from safepassage.errors import AccessDeniedError, SafePassageError, UnknownIdError
from safepassage.web.i18n import LANGUAGES, catalogue, choose_language, translate_error

if TYPE_CHECKING:
    from safepassage.services.map_source import MapScene
    from safepassage.services.users import UserRecord
    from safepassage.store import Store

__all__ = ["ENDPOINTS", "leaflet_dir", "router", "static_dir"]

#: Paths the page calls besides this router's: the change stream (SSE) and report submission.
ENDPOINTS = {"stream": "/api/stream", "reports": "/api/reports"}
_SCENE_LOCK = threading.Lock()

router = APIRouter(include_in_schema=False)


def static_dir() -> Path:
    """The folder of the page's own HTML, script and style sheet."""
    return Path(str(importlib.resources.files("safepassage.web").joinpath("static")))


def leaflet_dir() -> Path:
    """Leaflet's files inside the installed xstatic-leaflet package."""
    import xstatic.pkg.leaflet

    return Path(xstatic.pkg.leaflet.BASE_DIR)


def _error(request: Request, error: SafePassageError) -> JSONResponse:
    lang = choose_language(request.headers.get("accept-language"))
    message = translate_error(error.code, str(error), lang)
    return JSONResponse({"code": error.code, "message": message}, status_code=error.http_status)


def _file(base: Path, path: str) -> Response:
    """A file under ``base``; 404 for anything else (no escaping the folder)."""
    target = (base / path).resolve()
    if not target.is_file() or not target.is_relative_to(base.resolve()):
        raise UnknownIdError(f"no file {path!r}")
    return FileResponse(target)


@router.get("/", response_class=HTMLResponse)
def page() -> Response:
    """The map page."""
    return FileResponse(static_dir() / "index.html", media_type="text/html; charset=utf-8")


@router.get("/static/leaflet/{path:path}")
def leaflet_asset(request: Request, path: str) -> Response:
    """Leaflet's script, style sheet and images, from the installed package."""
    try:
        return _file(leaflet_dir(), path)
    except SafePassageError as error:
        return _error(request, error)


@router.get("/static/{path:path}")
def page_asset(request: Request, path: str) -> Response:
    """The page's script and style sheet."""
    try:
        return _file(static_dir(), path)
    except SafePassageError as error:
        return _error(request, error)


@router.get("/api/map")
def map_data(request: Request) -> Response:
    """The map bundle for the caller's role, with the role and the paths the page calls."""
    from safepassage.services.map_source import stored_map_bundle
    from safepassage.services.users import Role

    user = _caller(request)
    store = request.app.state.store
    scene = _scene(request, store)
    bundle = stored_map_bundle(
        store,
        scene,
        coordinator=user.role is Role.COORDINATOR,
        visible_report_ids=_visible_report_ids(store, user),
    )
    return JSONResponse({**bundle, "role": user.role.value, "api": ENDPOINTS})


def _caller(request: Request) -> UserRecord:
    """The caller the API's gate identified (``request.state.user``); AccessDeniedError without one."""
    from safepassage.services.users import UserRecord

    user = getattr(request.state, "user", None)
    if not isinstance(user, UserRecord):
        raise AccessDeniedError("this needs a token of a viewer (Authorization: Bearer TOKEN)")
    return user


def _scene(request: Request, store: Store) -> MapScene:
    """The scene of the latest scenario and plan, read again only when a newer one is stored."""
    from safepassage.services.map_source import load_map_scene, scene_version

    version = scene_version(store)
    if version is None:
        raise UnknownIdError("no scenario is stored yet: register one (POST /api/scenarios) or serve --demo")
    with _SCENE_LOCK:
        scene: MapScene | None = getattr(request.app.state, "safepassage_map_scene", None)
        if scene is None or scene.version != version:
            scene = load_map_scene(store, version)
            request.app.state.safepassage_map_scene = scene
    return scene


def _visible_report_ids(store: Store, user: UserRecord) -> set[int] | None:
    """The reports ``user`` may see (None: all): the rule of GET /api/reports (reviewers and
    coordinators all; reporters the published ones and their own; viewers the published ones)."""
    from safepassage.services import api_support
    from safepassage.services.users import Role

    if user.role.allows(Role.REVIEWER):
        return None
    visible = api_support.published_report_ids(store)
    if user.role is Role.REPORTER:
        visible |= api_support.reports_entered_by(store, user.name)
    return visible


@router.get("/api/i18n/{lang}")
def words(request: Request, lang: str) -> Response:
    """The page's words in ``lang`` (``en`` or ``uk``)."""
    if lang not in LANGUAGES:
        known = ", ".join(LANGUAGES)
        unknown = UnknownIdError(f"no catalogue for language {lang!r}; expected one of: {known}")
        return _error(request, unknown)
    return JSONResponse(catalogue(lang))
