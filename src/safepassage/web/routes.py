"""The map page's routes, added to the API's app with ``app.include_router(safepassage.web.router)``.

- ``GET /``: the page (``static/index.html``); no build step, no CDN: every asset is served here.
- ``GET /static/leaflet/{path}``: Leaflet from the installed ``xstatic-leaflet`` package
  (``xstatic.pkg.leaflet.BASE_DIR``), never copied into the repository.
- ``GET /static/{path}``: the page's own script and style sheet.
- ``GET /api/map``: the map data (``safepassage-map/1``, :func:`safepassage.services.map_view.map_bundle`)
  for the caller's role: convoy details for coordinators only. Adds ``role`` and ``api`` (the paths
  of the change stream and of the report endpoint, which the page uses).
- ``GET /api/i18n/{lang}``: the page's words in ``en`` or ``uk`` (:func:`safepassage.web.i18n.catalogue`).

The app provides the data through :func:`set_map_source` (a function of "is the viewer a
coordinator" returning the bundle) and says who the caller is through :func:`set_role_of`
(a function of the request returning ``viewer``, ``reporter``, ``reviewer`` or ``coordinator``;
default: everyone is a viewer). Errors are JSON ``{code, message}`` with the fixed codes of
``safepassage.errors``, in the caller's language (``Accept-Language``).
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from safepassage.errors import SafePassageError, StoreError, UnknownIdError
from safepassage.web.i18n import LANGUAGES, catalogue, choose_language, translate_error

__all__ = [
    "DEFAULT_ENDPOINTS",
    "MapSource",
    "RoleOf",
    "leaflet_dir",
    "router",
    "set_endpoints",
    "set_map_source",
    "set_role_of",
    "static_dir",
]

#: Given whether the viewer is a coordinator, the map bundle (plain JSON values).
MapSource = Callable[[bool], dict[str, Any]]
#: Given a request, the caller's role (raises SafePassageError for a bad token).
RoleOf = Callable[[Request], str]
#: Paths the page calls besides this router's: the change stream (SSE) and report submission.
DEFAULT_ENDPOINTS = {"stream": "/api/stream", "reports": "/api/reports"}

router = APIRouter(include_in_schema=False)


def static_dir() -> Path:
    """The folder of the page's own HTML, script and style sheet."""
    return Path(str(importlib.resources.files("safepassage.web").joinpath("static")))


def leaflet_dir() -> Path:
    """Leaflet's files inside the installed xstatic-leaflet package."""
    import xstatic.pkg.leaflet

    return Path(xstatic.pkg.leaflet.BASE_DIR)


def set_map_source(app: FastAPI, source: MapSource) -> None:
    """Tell the page's routes where the map data comes from."""
    app.state.safepassage_map_source = source


def set_role_of(app: FastAPI, role_of: RoleOf) -> None:
    """Tell the page's routes how to find the caller's role from a request."""
    app.state.safepassage_role_of = role_of


def set_endpoints(app: FastAPI, **paths: str) -> None:
    """Override the paths of the stream and report endpoints the page calls (see DEFAULT_ENDPOINTS)."""
    app.state.safepassage_endpoints = {**DEFAULT_ENDPOINTS, **paths}


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
    try:
        role_of: RoleOf = getattr(request.app.state, "safepassage_role_of", lambda _request: "viewer")
        role = role_of(request)
        source: MapSource | None = getattr(request.app.state, "safepassage_map_source", None)
        if source is None:
            raise StoreError("the server has no scenario to show (start it with --demo or register one)")
        bundle = source(role == "coordinator")
    except SafePassageError as error:
        return _error(request, error)
    endpoints = getattr(request.app.state, "safepassage_endpoints", DEFAULT_ENDPOINTS)
    return JSONResponse({**bundle, "role": role, "api": endpoints})


@router.get("/api/i18n/{lang}")
def words(request: Request, lang: str) -> Response:
    """The page's words in ``lang`` (``en`` or ``uk``)."""
    if lang not in LANGUAGES:
        known = ", ".join(LANGUAGES)
        unknown = UnknownIdError(f"no catalogue for language {lang!r}; expected one of: {known}")
        return _error(request, unknown)
    return JSONResponse(catalogue(lang))
