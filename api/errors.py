"""One error body for every failure: `{"error": {"code", "message", "field"?}}`.

Exceptions of the runtime map to statuses here, once: a missing run is 404, a run in the wrong
state 409, a refusal 403 with its reason, bad input 422 naming the field. Bad input never
becomes a 500.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route, compile_path

from agents.registry import UnknownAgent
from policies.store import PolicyVersionNotFound
from runtime.approvals import InvalidAnswer
from runtime.runs import RunNotFound, RunStateConflict

log = structlog.get_logger(__name__)

CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    406: "not_acceptable", 409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid",
    429: "rate_limited", 503: "unavailable",
}
# "args.price: Input should be a valid number" -> field "args.price"
_FIELD_PREFIX = re.compile(r"^([A-Za-z_][\w.\-\[\]]*):\s")


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """What every 4xx and 5xx response carries."""

    error: ErrorDetail


class ApiError(Exception):
    """An error a route raises on purpose, with its status, code and (for bad input) the field."""

    def __init__(self, status: int, message: str, *, field: str | None = None, code: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.code = code or CODES.get(status, "error")
        self.headers = headers


def error_response(status: int, message: str, *, field: str | None = None, code: str | None = None,
                   headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None) -> JSONResponse:
    detail: dict[str, Any] = {"code": code or CODES.get(status, "error"), "message": message}
    if field:
        detail["field"] = field
    return JSONResponse({"error": detail, **(extra or {})}, status_code=status, headers=headers)


def field_of(message: str) -> str | None:
    """The field a runtime message names in its `field: ...` prefix, if any."""
    found = _FIELD_PREFIX.match(message)
    return found.group(1) if found else None


def _location(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _validation_message(errors: Sequence[Any]) -> tuple[str, str]:
    first = errors[0]
    field = _location(first.get("loc", ()))
    message = f"{field}: {first.get('msg', 'invalid value')}"
    if len(errors) > 1:
        others = sorted({_location(e.get("loc", ())) for e in errors[1:]} - {field})
        if others:
            message += f" (also: {', '.join(others)})"
    return field, message


async def _on_api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, field=exc.field, code=exc.code, headers=exc.headers)


async def _on_request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if not errors:
        return error_response(422, "the request is not valid")
    field, message = _validation_message(errors)
    return error_response(422, message, field=field)


async def _on_pydantic_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ValidationError)
    field, message = _validation_message(exc.errors())
    return error_response(422, message, field=field)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) and exc.detail else f"HTTP {exc.status_code}"
    if exc.status_code == 404 and message == "Not Found":
        message = f"no route {request.method} {request.url.path}; the routes are listed at /api/brain/docs"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
        return error_response(405, message, headers={"Allow": allowed_methods(request)})
    elif exc.status_code == 400 and message == "There was an error parsing the body":
        return error_response(400, "body: could not be read; send UTF-8 JSON with Content-Type: application/json",
                              field="body")
    return error_response(exc.status_code, message, headers=getattr(exc, "headers", None))


_HTTP_METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}


def allowed_methods(request: Request) -> str:
    """Every method the OpenAPI document gives this path (HEAD beside GET), plus the undocumented
    routes' own (the docs page). Starlette would name only the first matching route's methods."""
    root = request.scope.get("root_path", "")
    path = request.url.path.removeprefix(root) if root else request.url.path
    methods: set[str] = set()
    for template, item in request.app.openapi().get("paths", {}).items():
        if compile_path(template)[0].match(path):
            methods |= {method.upper() for method in item if method in _HTTP_METHODS}
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.methods and route.matches(request.scope)[0] != Match.NONE:
            methods |= route.methods
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


async def _on_not_found(request: Request, exc: Exception) -> JSONResponse:
    return error_response(404, str(exc))


async def _on_conflict(request: Request, exc: Exception) -> JSONResponse:
    return error_response(409, str(exc))


async def _on_permission(request: Request, exc: Exception) -> JSONResponse:
    return error_response(403, str(exc) or "you may not do this")


async def _on_invalid_answer(request: Request, exc: Exception) -> JSONResponse:
    message = str(exc)
    return error_response(422, message, field=field_of(message))


async def _on_unknown_agent(request: Request, exc: Exception) -> JSONResponse:
    return error_response(422, f"agent: {exc}", field="agent")


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", path=request.url.path, error=f"{type(exc).__name__}: {exc}")
    return error_response(500, "internal error; the server log has the details", code="internal")


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping above on an app; the most specific exception class wins."""
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(ValidationError, _on_pydantic_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(RunNotFound, _on_not_found)
    app.add_exception_handler(PolicyVersionNotFound, _on_not_found)
    app.add_exception_handler(RunStateConflict, _on_conflict)
    app.add_exception_handler(PermissionError, _on_permission)
    app.add_exception_handler(InvalidAnswer, _on_invalid_answer)
    app.add_exception_handler(UnknownAgent, _on_unknown_agent)
    app.add_exception_handler(Exception, _on_unexpected)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (400, "the body could not be read as UTF-8 JSON"),
        (401, "missing, expired, forged or wrong-audience token"),
        (403, "the caller's role or tenant may not do this; the message says why"),
        (422, "bad input; `field` names it"),
        (429, "the tenant's rate limit is reached; see Retry-After"),
    )
}
