"""Turn Wagtail's error answers into typed errors.

API v2 (read-only) answers errors as `{"message": "..."}` (e.g. 400 `unknown fields: nope`,
404 `No Page matches the given query.`). API v3 answers RFC 7807 problem details,
`application/problem+json`: `{type, title, status, detail, errors: [...]}`, where each entry
of `errors` names the input it is about (Django Ninja's `loc` list, or `field`/`pointer`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from adapters.errors import AdapterError, AuthError, Conflict, InvalidRequest, NotFound, Unavailable

SYSTEM = "wagtail"

# Segments of a Django Ninja `loc` that say where the value was, not which field it was.
_LOCATION_WORDS = {"body", "query", "path", "header", "data", "payload", "meta", "__root__"}
_UNKNOWN_FIELDS = re.compile(r"unknown fields?: ([\w, .-]+)", re.IGNORECASE)
_FILTER_FIELD = re.compile(r"recognised field: ([\w.-]+)", re.IGNORECASE)


def _field_of(entry: Mapping[str, Any]) -> str | None:
    """The input an RFC 7807 `errors` entry is about."""
    for key in ("field", "attr", "name"):
        if isinstance(entry.get(key), str) and entry[key]:
            return str(entry[key]).rsplit(".", 1)[-1]
    source = entry.get("source")
    pointer = entry.get("pointer") or (source.get("pointer") if isinstance(source, Mapping) else None)
    if isinstance(pointer, str) and pointer.strip("/"):
        return pointer.strip("/").split("/")[-1]
    loc = entry.get("loc")
    if isinstance(loc, list | tuple):
        names = [str(part) for part in loc if isinstance(part, str) and part not in _LOCATION_WORDS]
        if names:
            return names[-1]
    return None


def _message_of(entry: Mapping[str, Any]) -> str:
    for key in ("msg", "message", "detail", "title"):
        if entry.get(key):
            return str(entry[key])
    return "invalid value"


def describe_body(body: Any) -> tuple[str, str | None]:
    """(message, field) from a v2 `{message}` or a v3 problem-details body."""
    if not isinstance(body, Mapping):
        return ("no error details in the answer", None)
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        field = _field_of(errors[0])
        text = _message_of(errors[0])
        if len(errors) > 1:
            others = ", ".join(filter(None, (_field_of(e) for e in errors[1:] if isinstance(e, Mapping))))
            text += f" (and {len(errors) - 1} more{': ' + others if others else ''})"
        return (text, field)
    if isinstance(errors, Mapping) and errors:
        field, problems = next(iter(errors.items()))
        first = problems[0] if isinstance(problems, list) and problems else problems
        return (str(first), str(field))
    message = str(body.get("detail") or body.get("message") or body.get("title") or "no error details")
    match = _UNKNOWN_FIELDS.search(message) or _FILTER_FIELD.search(message)
    field = match.group(1).split(",")[0].strip() if match else None
    return (message, field)


def error_for(status: int, body: Any, *, what: str = "") -> AdapterError:
    """The typed error for a non-2xx answer. `what` says which call it was (never a secret).

    Rate limits and 502/503/504 are the HTTP core's (`adapters.http`), after its retries.
    """
    message, field = describe_body(body)
    prefix = f"{what}: " if what else ""
    if status in (401, 403):
        return AuthError(SYSTEM, f"{prefix}HTTP {status} {message}; check the Wagtail API token and its page permissions",
                         status=status)
    if status == 404:
        return NotFound(SYSTEM, f"{prefix}{message}", field=field, status=status)
    if status == 409:
        return Conflict(SYSTEM, f"{prefix}{message}", field=field, status=status)
    if status >= 500:
        return Unavailable(SYSTEM, f"{prefix}Wagtail answered HTTP {status}", status=status)
    return InvalidRequest(SYSTEM, f"{prefix}{message}", field=field, status=status)
