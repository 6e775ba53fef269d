"""Turn django-crm's (BottleCRM 1.35) error answers into typed errors.

Its views answer `{"error": true, "errors": {field: [messages]}}` (or `errors` as one string)
with HTTP 400 or 403; Django REST framework itself answers `{"detail": "..."}` for 401, 403
(e.g. "Organization context is required") and 404. Some writes answer HTTP 200 with
`error: true`, which is a failure too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.errors import AdapterError, AuthError, Conflict, InvalidRequest, NotFound, Unavailable

SYSTEM = "crm"

# CRM field names that differ from the tools' argument names.
TOOL_FIELDS = {
    "closed_on": "close_date",
    "due_date": "due",
    "number_of_employees": "employees",
    "assigned_to": "owner",
    "comment": "body",
    "merge_id": "merge",
    "opportunity_type": "type",
}


def tool_field(field: str | None) -> str | None:
    if not field or field in ("non_field_errors", "__all__", "detail"):
        return None
    return TOOL_FIELDS.get(field, field)


def _first_text(value: Any) -> str:
    if isinstance(value, list) and value:
        return _first_text(value[0])
    if isinstance(value, Mapping) and value:
        key, inner = next(iter(value.items()))
        return f"{key}: {_first_text(inner)}"
    return str(value)


def describe_body(body: Any) -> tuple[str, str | None]:
    """(message, CRM field) from an error envelope or DRF's `{detail}`."""
    if not isinstance(body, Mapping):
        return ("no error details in the answer", None)
    errors = body.get("errors")
    if isinstance(errors, Mapping) and errors:
        field, problems = next(iter(errors.items()))
        text = f"{field}: {_first_text(problems)}"
        if len(errors) > 1:
            text += f" (also {', '.join(str(k) for k in list(errors)[1:])})"
        return (text, str(field))
    if isinstance(errors, str | list) and errors:
        return (_first_text(errors), None)
    for key in ("detail", "message", "error"):
        if isinstance(body.get(key), str) and body[key]:
            return (str(body[key]), None)
    fields = [k for k, v in body.items() if isinstance(v, list) and v and isinstance(v[0], str)]
    if fields:  # a bare DRF serializer error: {field: [messages]}
        return (f"{fields[0]}: {body[fields[0]][0]}", fields[0])
    return ("no error details in the answer", None)


def error_for(status: int, body: Any, *, what: str = "") -> AdapterError:
    """The typed error for a failed answer. `what` names the call (never a secret).

    Rate limits and 502/503/504 are the HTTP core's (`adapters.http`), after its retries.
    """
    message, crm_field = describe_body(body)
    field = tool_field(crm_field)
    prefix = f"{what}: " if what else ""
    if status == 401 or (status == 403 and crm_field is None and _is_auth(message)):
        return AuthError(SYSTEM, f"{prefix}HTTP {status} {message}; check the CRM token (bcrm_pat_...) and its "
                         "organisation", status=status)
    if status == 403:
        return AuthError(SYSTEM, f"{prefix}{message}; the token's user may not do this", status=status)
    if status == 404:
        return NotFound(SYSTEM, f"{prefix}{message}", field=field, status=status)
    if status == 409 or "already exists" in message.lower():
        return Conflict(SYSTEM, f"{prefix}{message}", field=field, status=status)
    if status >= 500:
        return Unavailable(SYSTEM, f"{prefix}the CRM answered HTTP {status}", status=status)
    return InvalidRequest(SYSTEM, f"{prefix}{message}", field=field, status=status)


def _is_auth(message: str) -> bool:
    lowered = message.lower()
    return any(word in lowered for word in ("credential", "token", "authenticat", "organization context", "organisation"))
