"""Limits on the plain values inside tool arguments, checked before any model validates them.

Whoever proposes arguments (a planner, a model, a person editing a call) must hand over text a
database and an external system can store: no NUL characters, no lone UTF-16 surrogates (they
cannot be encoded as UTF-8), no string longer than `MAX_STRING_CHARS`, no NaN or infinity, and
no structure nested deeper than `MAX_DEPTH` or longer than `MAX_ITEMS`. A breach is reported as a
pydantic `ValidationError` naming the field, the error every caller of `validate_args` handles.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

MAX_STRING_CHARS = 20_000  # a long article fits; a 100 KB blob does not
MAX_ITEMS = 1_000
MAX_DEPTH = 12


def text_problem(text: str, limit: int = MAX_STRING_CHARS) -> str | None:
    """Why this string cannot be stored as given, or None."""
    if "\x00" in text:
        return "must not contain NUL characters"
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        return "holds a lone UTF-16 surrogate, which is not text; send valid Unicode"
    if len(text) > limit:
        return f"{len(text)} characters is longer than the limit of {limit}"
    return None


def value_problem(value: Any, path: tuple[str | int, ...] = (), depth: int = 0) -> tuple[tuple[str | int, ...], str] | None:
    """The first (location, reason) inside a JSON-like value that breaks the limits, or None."""
    if isinstance(value, str):
        problem = text_problem(value)
        return (path, problem) if problem else None
    if isinstance(value, float) and not math.isfinite(value):
        return path, "must be a finite number (not NaN or infinity)"
    if isinstance(value, dict | list | tuple):
        if depth >= MAX_DEPTH:
            return path, f"is nested deeper than {MAX_DEPTH} levels"
        if len(value) > MAX_ITEMS:
            return path, f"has {len(value)} items, more than the limit of {MAX_ITEMS}"
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            where = (*path, key if isinstance(key, int) else str(key))
            if isinstance(key, str):
                problem = text_problem(key, 200)
                if problem:
                    return where, f"name {problem}"
            found = value_problem(item, where, depth + 1)
            if found:
                return found
    return None


def check_plain_values(raw: Any, title: str) -> None:
    """Raise a ValidationError naming the first value past the limits."""
    found = value_problem(raw)
    if found is None:
        return
    loc, reason = found
    detail: InitErrorDetails = {
        "type": PydanticCustomError("value_limit", "{reason}", {"reason": reason}),
        "loc": loc, "input": "(refused value)",
    }
    raise ValidationError.from_exception_data(title, [detail])
