"""Errors as JSON ``{code, message, field?}`` with the fixed codes and HTTP statuses of
:mod:`safepassage.errors`; request validation is 422 ``INPUT_INVALID`` in the same shape.

Two transport limits have codes of their own (they are not errors of the library):
``REQUEST_TOO_LARGE`` (413) and ``RATE_LIMITED`` (429).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from safepassage.errors import InputError, SafePassageError

__all__ = ["error_body", "install_error_handlers", "said"]


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """The JSON body of every error response."""
    body: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        body["field"] = field
    return body


def _field_of(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


def _said(request: Request, code: str, message: str) -> str:
    """``message`` in the caller's language (``Accept-Language: uk``: Ukrainian; safepassage.web.i18n)."""
    from safepassage.web.i18n import choose_language, translate_error

    return translate_error(code, message, choose_language(request.headers.get("accept-language")))


def said(headers: Mapping[str, str], code: str, message: str) -> dict[str, Any]:
    """:func:`error_body` with the message in the language of ``headers`` (lower-case names)."""
    from safepassage.web.i18n import choose_language, translate_error

    lang = choose_language(headers.get("accept-language"))
    return error_body(code, translate_error(code, message, lang))


async def _library_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SafePassageError)
    field = getattr(exc, "field", None)
    message = _said(request, exc.code, exc.message)
    return JSONResponse(error_body(exc.code, message, field), status_code=exc.http_status)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    field = _field_of(first.get("loc", ()))
    message = "; ".join(f"{_field_of(e.get('loc', ()))}: {e.get('msg', '')}" for e in errors[:5])
    message = _said(request, InputError.code, message)
    return JSONResponse(
        error_body(InputError.code, message, field or None), status_code=InputError.http_status
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    codes = {404: "UNKNOWN_ID", 405: "METHOD_NOT_ALLOWED", 403: "ACCESS_DENIED"}
    code = codes.get(exc.status_code, "INPUT_INVALID" if exc.status_code < 500 else "ERROR")
    message = _said(request, code, str(exc.detail))
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        error_body("ERROR", f"unexpected error ({type(exc).__name__}); this is a bug in Safe Passage"),
        status_code=500,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map every error to ``{code, message, field?}`` with its fixed status."""
    app.add_exception_handler(SafePassageError, _library_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
