"""The Brain's idea of "now": the wall clock, unless an eval run pins it.

Everything that reads a request's time words ("tomorrow", "next Friday") or checks a time against
the present (a reminder in the past, an expired referral code) asks `now()`. An eval suite written
on one day states expectations as dates ("due": "2026-12-04" for "by next Friday"), so `brain eval
--now` pins the clock for the whole run and the suite scores the same on any later day.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_pinned: datetime | None = None


def now() -> datetime:
    """The pinned moment if a run pinned one, else the current UTC time; always timezone-aware."""
    return _pinned if _pinned is not None else datetime.now(UTC)


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date or datetime; a date is 09:00 UTC that day, a datetime without zone is UTC."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 date or datetime: {text!r} (like 2026-11-25 or 2026-11-25T12:00:00Z)") from exc
    if len(text.strip()) == 10:
        moment = moment.replace(hour=9)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@contextmanager
def pinned(moment: datetime | None) -> Iterator[None]:
    """Within the block `now()` is `moment` (None: the wall clock); the previous setting comes back after."""
    global _pinned
    if moment is not None and moment.tzinfo is None:
        raise ValueError("a pinned moment needs a timezone")
    before, _pinned = _pinned, moment
    try:
        yield
    finally:
        _pinned = before
