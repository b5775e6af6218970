"""Contract-shaped error bodies, and the handlers that guarantee no HTML or 422 ever leaks."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from webinar_app.services.errors import (
    Conflict,
    DomainError,
    Invalid,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServiceUnavailable,
    TooLarge,
)

log = logging.getLogger(__name__)

NOT_FOUND = {"detail": "Not found."}
NO_CREDENTIALS = {"detail": "Authentication credentials were not provided."}
ADMIN_REQUIRED = {
    "detail": "You do not have permission to perform this action. Admin access required."
}
BAD_BEARER = {
    "detail": "Given token not valid for any token type",
    "code": "token_not_valid",
    "messages": [
        {"token_class": "AccessToken", "token_type": "access", "message": "Token is invalid"}
    ],
}

# Live, chat, inbox and engagement endpoints answer `{"error": "..."}` instead of `{"detail": "..."}`.
_ERROR_STYLE_PREFIXES = (
    "/api/live/",
    "/api/communications/chat/",
    "/api/communications/inbox/",
    "/api/engagement/",
)


class ApiError(Exception):
    """An exact body and status, for answers the contract spells out literally."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(body)
        self.status = status
        self.body = body
        self.headers = headers


_MESSAGES = {
    "missing": "This field is required.",
    "string_type": "Not a valid string.",
    "int_parsing": "A valid integer is required.",
    "int_type": "A valid integer is required.",
    "int_from_float": "A valid integer is required.",
    "float_parsing": "A valid number is required.",
    "decimal_parsing": "A valid number is required.",
    "bool_parsing": "Must be a valid boolean.",
    "bool_type": "Must be a valid boolean.",
    "list_type": 'Expected a list of items but got type "{input_type}".',
    "date_from_datetime_parsing": "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
    "date_parsing": "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
    "time_parsing": "Time has wrong format. Use one of these formats instead: hh:mm[:ss].",
}


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return "This field may not be blank."
        return f"Ensure this field has at least {ctx.get('min_length')} characters."
    if kind == "string_too_long":
        return f"Ensure this field has no more than {ctx.get('max_length')} characters."
    if kind == "too_short" and ctx.get("min_length") == 1:
        return "This list may not be empty."
    if kind in _MESSAGES:
        return _MESSAGES[kind].format(input_type=type(error.get("input")).__name__)
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "Invalid value.")))
    return str(error.get("msg", "Invalid value."))


def field_errors(errors: list[dict[str, Any]], skip_prefix: int = 0) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())][skip_prefix:]
        field = loc[0] if loc else "non_field_errors"
        out.setdefault(field, []).append(_message(error))
    return out


def domain_error_response(request: Request, exc: DomainError) -> JSONResponse:
    key = "error" if request.url.path.startswith(_ERROR_STYLE_PREFIXES) else "detail"
    headers: dict[str, str] = {}
    if isinstance(exc, Invalid):
        return JSONResponse(exc.errors, status_code=413 if isinstance(exc, TooLarge) else 400)
    body: dict[str, Any] = {key: exc.message}
    if exc.error_code:
        body["error_code"] = exc.error_code
    body.update({k: v for k, v in exc.extra.items() if k != "retry_after"})
    if isinstance(exc, NotFound):
        status = 404
    elif isinstance(exc, PermissionDenied):
        status = 403
    elif isinstance(exc, NotAuthenticated):
        status = 401
        if exc.error_code == "token_not_valid":
            body = {"detail": exc.message, "code": "token_not_valid"}
    elif isinstance(exc, RateLimited):
        status = 429
        if "retry_after" in exc.extra:
            headers["Retry-After"] = str(exc.extra["retry_after"])
    elif isinstance(exc, ServiceUnavailable):
        status = 503
    elif isinstance(exc, Conflict):
        status = 400
    else:
        status = 400
    return JSONResponse(body, status_code=status, headers=headers or None)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return domain_error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        if any(e.get("loc", ("",))[0] == "path" for e in errors):
            return JSONResponse(NOT_FOUND, status_code=404)  # /users/abc/ is simply not a user
        return JSONResponse(field_errors(errors, skip_prefix=1), status_code=400)

    @app.exception_handler(ValidationError)
    async def _pydantic(_: Request, exc: ValidationError) -> JSONResponse:
        return JSONResponse(field_errors(list(exc.errors())), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return JSONResponse(NOT_FOUND, status_code=404)
        if exc.status_code == 405:
            return JSONResponse(
                {"detail": f'Method "{request.method}" not allowed.'},
                status_code=405,
                headers=exc.headers,
            )
        detail = exc.detail if isinstance(exc.detail, (str, dict, list)) else str(exc.detail)
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _database_down(request: Request, exc: Exception) -> JSONResponse:
        # Pool exhausted or database restarting: the request changed nothing; retrying is safe.
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse(
            {"detail": "The service is temporarily unavailable. Please retry."},
            status_code=503,
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def _unstorable(request: Request, exc: Exception) -> JSONResponse:
        # A value the database cannot hold (an id past the column's range, ...): the
        # request's input is at fault, and the statement changed nothing. PostgreSQL says so
        # with a DataError; SQLite's driver raises OverflowError past 64 bits, unwrapped.
        cause = getattr(exc, "orig", exc)
        log.info("unstorable input on %s %s: %s", request.method, request.url.path, cause)
        key = "error" if request.url.path.startswith(_ERROR_STYLE_PREFIXES) else "detail"
        return JSONResponse({key: "A value in the request is out of range."}, status_code=400)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "Internal server error."}, status_code=500)
