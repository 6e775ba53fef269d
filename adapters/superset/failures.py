"""Turn Superset's error answers into typed errors.

Superset answers errors in three shapes (seen on a live 6.1 server):
- FAB's `{"message": "..."}` or, for a payload that fails marshmallow validation,
  `{"message": {"field": ["..."]}}` (400);
- SIP-40 `{"errors": [{"message", "error_type", "level", "extra"}]}`, with a status that
  does not always tell the kind (a read-only database refusing DML answers 500);
- flask-jwt-extended's `{"msg": "..."}` for a missing, expired or forged token (401 or 422).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from adapters.errors import (
    AdapterError,
    AuthError,
    Conflict,
    InvalidRequest,
    NotFound,
    RateLimited,
    Unavailable,
)
from adapters.http import json_or_none, retry_after_seconds

SYSTEM = "superset"

# Superset's request fields that differ from the tool's argument names.
_FIELD_NAMES = {"database_id": "database", "queryLimit": "limit", "q": "query", "datasource": "chart"}
_KNOWN_FIELDS = {"sql", "database_id", "schema", "queryLimit", "time_range", "filters", "row_limit", "q"}
_SQL_ERRORS = {
    "DML_NOT_ALLOWED_ERROR", "INVALID_SQL_ERROR", "SYNTAX_ERROR", "COLUMN_DOES_NOT_EXIST_ERROR",
    "TABLE_DOES_NOT_EXIST_ERROR", "SCHEMA_DOES_NOT_EXIST_ERROR", "GENERIC_DB_ENGINE_ERROR",
    "INVALID_CTAS_QUERY_ERROR", "INVALID_CVAS_QUERY_ERROR", "ADHOC_SUBQUERY_NOT_ALLOWED_ERROR",
    "MISSING_TEMPLATE_PARAMS_ERROR", "INVALID_TEMPLATE_PARAMS_ERROR", "RESULT_TOO_LARGE_ERROR",
    "OBJECT_DOES_NOT_EXIST_ERROR",
}
_ACCESS_ERRORS = {
    "TABLE_SECURITY_ACCESS_ERROR", "DATASOURCE_SECURITY_ACCESS_ERROR", "DATABASE_SECURITY_ACCESS_ERROR",
    "QUERY_SECURITY_ACCESS_ERROR", "MISSING_OWNERSHIP_ERROR", "DASHBOARD_SECURITY_ACCESS_ERROR",
    "CHART_SECURITY_ACCESS_ERROR", "CONNECTION_ACCESS_DENIED_ERROR", "CONNECTION_DATABASE_PERMISSIONS_ERROR",
}
_UNAVAILABLE_ERRORS = {
    "CONNECTION_HOST_DOWN_ERROR", "CONNECTION_PORT_CLOSED_ERROR", "CONNECTION_DATABASE_TIMEOUT",
    "BACKEND_TIMEOUT_ERROR", "SQLLAB_TIMEOUT_ERROR", "RESULTS_BACKEND_ERROR", "ASYNC_WORKERS_ERROR",
}


def tool_field(name: str | None) -> str | None:
    if not name:
        return None
    return _FIELD_NAMES.get(name, name)


def body_of(response: httpx.Response) -> Any:
    return json_or_none(response)


def is_token_error(response: httpx.Response) -> bool:
    """A 401, or flask-jwt-extended's 422 `{msg}` for a malformed or forged token."""
    if response.status_code == 401:
        return True
    body = body_of(response)
    return response.status_code == 422 and isinstance(body, Mapping) and "msg" in body and "message" not in body


def is_csrf_error(response: httpx.Response) -> bool:
    return response.status_code == 400 and "csrf" in _first_message(body_of(response)).lower()


def error_for(response: httpx.Response, *, field_hint: str | None = None, redact: bool = False) -> AdapterError:
    """The typed error for an error answer. With `redact` only the status is reported."""
    status = response.status_code
    body = body_of(response)
    message = "request rejected" if redact else (_first_message(body) or f"HTTP {status}")
    if status == 429:
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        hint = f"retry after {retry_after:g}s" if retry_after is not None else "slow down"
        return RateLimited(SYSTEM, f"Superset rate limit reached; {hint}", retry_after=retry_after)
    if is_token_error(response) or status == 403:
        return AuthError(SYSTEM, f"{message} (HTTP {status}); check the Superset user, password and roles",
                         status=status)
    field_messages = _field_messages(body)
    if field_messages and not redact:
        name, problems = field_messages
        return InvalidRequest(SYSTEM, f"{name}: {'; '.join(problems)}", field=tool_field(name), status=status)
    error_type = _first_error_type(body)
    if error_type in _ACCESS_ERRORS:
        return AuthError(SYSTEM, f"{message} ({error_type})", status=status)
    if error_type in _UNAVAILABLE_ERRORS:
        return Unavailable(SYSTEM, f"{message} ({error_type})", status=status)
    if error_type in _SQL_ERRORS:
        return InvalidRequest(SYSTEM, f"{message} ({error_type})", field="sql", status=status)
    if status == 404 or "not found" in message.lower():
        where = "database" if "database" in message.lower() else field_hint
        return NotFound(SYSTEM, message, field=where, status=status)
    if status == 409:
        return Conflict(SYSTEM, message, field=field_hint, status=status)
    if 400 <= status < 500:
        return InvalidRequest(SYSTEM, message, field=field_hint, status=status)
    return Unavailable(SYSTEM, f"Superset answered HTTP {status}: {message}", status=status)


def _first_message(body: Any) -> str:
    if not isinstance(body, Mapping):
        return ""
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        return str(errors[0].get("message") or "")
    for key in ("message", "msg", "error"):
        value = body.get(key)
        if isinstance(value, str):
            return value
    return ""


def _first_error_type(body: Any) -> str | None:
    if not isinstance(body, Mapping):
        return None
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        value = errors[0].get("error_type")
        return str(value) if value else None
    return None


def _field_messages(body: Any) -> tuple[str, list[str]] | None:
    """The first field and its problems from `{"message": {field: [..]}}`, nested dicts flattened."""
    if not isinstance(body, Mapping) or not isinstance(body.get("message"), Mapping):
        return None
    node: Any = body["message"]
    path: list[str] = []
    while isinstance(node, Mapping) and node:
        key = next(iter(node))
        path.append(str(key))
        node = node[key]
    problems = [str(p) for p in node] if isinstance(node, list) else [str(node)]
    # In a nested payload (queries.0.filters.0.op) name the innermost part a tool argument maps to.
    named = [p for p in path if not p.isdigit()]
    known = [p for p in named if p in _KNOWN_FIELDS]
    return (known[-1] if known else named[-1] if named else "request"), problems
