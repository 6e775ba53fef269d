"""Argument normalisation for action and state matching, as EVAL_FORMAT.md describes it.

- strings: equal ignoring case, surrounding spaces and runs of inner spaces;
- numbers: numerically equal, a numeric string included ("12" == 12 == 12.0); booleans are not numbers;
- dates and times: equal as ISO 8601 values ("2026-03-01T09:00:00Z" == "2026-03-01T09:00:00+00:00");
  an expected date alone matches a date-time on that calendar day;
- lists: element-wise, in order, of the same length;
- dicts: a subset match: every expected key is present and equal, extra keys are allowed.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")


def _text(value: str) -> str:
    return " ".join(value.split()).casefold()


def as_number(value: Any) -> Decimal | None:
    """A number, or a string that spells one; None otherwise (booleans are not numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return Decimal(value.strip())
    return None


def as_datetime(value: Any) -> date | datetime | None:
    """A date or date-time from an ISO 8601 string (or the object itself); None otherwise."""
    if isinstance(value, datetime | date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _same_moment(expected: date | datetime, actual: date | datetime) -> bool:
    if isinstance(expected, datetime) and isinstance(actual, datetime):
        if (expected.tzinfo is None) != (actual.tzinfo is None):
            # One side names no zone: compare the wall-clock times.
            return expected.replace(tzinfo=None) == actual.replace(tzinfo=None)
        return expected == actual
    if isinstance(actual, datetime):  # an expected day matches any time on it
        return expected == actual.date()
    if isinstance(expected, datetime):  # an expected time needs more than a day
        return False
    return expected == actual


def _scalars_equal(expected: Any, actual: Any) -> bool:
    if expected is None or actual is None or isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual or (expected == actual and type(expected) is type(actual))
    if isinstance(expected, str) and isinstance(actual, str):
        if _text(expected) == _text(actual):
            return True
        first, second = as_datetime(expected), as_datetime(actual)
        return first is not None and second is not None and _same_moment(first, second)
    # At least one side is a number (or a date object): compare as numbers, then as dates.
    a, b = as_number(expected), as_number(actual)
    if a is not None and b is not None:
        return a == b
    first, second = as_datetime(expected), as_datetime(actual)
    if first is not None and second is not None:
        return _same_moment(first, second)
    return bool(expected == actual)


def values_match(expected: Any, actual: Any) -> bool:
    """Whether an actual value satisfies an expected one (see the module docstring)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and subset_match(expected, actual)
    if isinstance(expected, list | tuple):
        return (
            isinstance(actual, list | tuple)
            and len(expected) == len(actual)
            and all(values_match(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(actual, dict | list | tuple):
        return False
    return _scalars_equal(expected, actual)


def subset_match(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    """Every expected key is in `actual` with a matching value; other keys are ignored."""
    return all(key in actual and values_match(value, actual[key]) for key, value in expected.items())


def first_mismatch(expected: dict[str, Any], actual: dict[str, Any]) -> str | None:
    """A short note on the first expected key that `actual` misses or differs on (for a "why")."""
    for key, value in expected.items():
        if key not in actual:
            return f"{key} missing"
        if not values_match(value, actual[key]):
            return f"{key} is {actual[key]!r}, not {value!r}"
    return None
