"""Superset's time range strings, the part the sandbox understands.

`No filter`; `Last day|week|month|quarter|year`; `Last N days|weeks|months|years`;
`Current day|week|month|quarter|year`; and `since : until`, each side empty, an ISO date or
datetime, `today`, `now`, `yesterday`, `tomorrow` or `N units ago`. Like Superset the range is
[since, until): since included, until excluded.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

_UNITS = {"day": 1, "week": 7}
_LAST_N = re.compile(r"^last\s+(\d+)\s+(day|week|month|quarter|year)s?$", re.IGNORECASE)
_AGO = re.compile(r"^(\d+)\s+(day|week|month|quarter|year)s?\s+(ago|from now)$", re.IGNORECASE)


class TimeRangeError(ValueError):
    """A time range the sandbox cannot read."""


def _shift(day: datetime, count: int, unit: str) -> datetime:
    unit = unit.lower()
    if unit in _UNITS:
        return day + timedelta(days=count * _UNITS[unit])
    months = count * {"month": 1, "quarter": 3, "year": 12}[unit]
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last_day = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def _period_start(today: datetime, unit: str) -> datetime:
    unit = unit.lower()
    if unit == "day":
        return today
    if unit == "week":
        return today - timedelta(days=today.weekday())
    if unit == "month":
        return today.replace(day=1)
    if unit == "quarter":
        return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    return today.replace(month=1, day=1)


def _moment(text: str, today: datetime, now: datetime) -> datetime | None:
    word = text.strip().lower()
    if not word:
        return None
    named = {"today": today, "now": now, "yesterday": today - timedelta(days=1), "tomorrow": today + timedelta(days=1)}
    if word in named:
        return named[word]
    ago = _AGO.match(word)
    if ago:
        count = int(ago.group(1))
        return _shift(today, -count if ago.group(3) == "ago" else count, ago.group(2))
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise TimeRangeError(f"cannot read {text.strip()!r} as a date") from exc
    return parsed.replace(tzinfo=None)


def parse(value: str | None, *, today: date) -> tuple[datetime | None, datetime | None]:
    """(since, until) for a time range string, relative to `today`."""
    start = datetime.combine(today, time())
    now = datetime.now().replace(microsecond=0)
    text = (value or "").strip()
    if not text or text.lower() == "no filter":
        return None, None
    lowered = text.lower()
    if lowered.startswith("last ") and lowered[5:] in ("day", "week", "month", "quarter", "year"):
        return _shift(start, -1, lowered[5:]), start
    last_n = _LAST_N.match(text)
    if last_n:
        return _shift(start, -int(last_n.group(1)), last_n.group(2)), start
    if lowered.startswith("current ") and lowered[8:] in ("day", "week", "month", "quarter", "year"):
        begin = _period_start(start, lowered[8:])
        return begin, _shift(begin, 1, lowered[8:])
    if " : " in text or text.startswith(": ") or text.endswith(" :"):
        if " : " in text:
            since_text, _, until_text = text.partition(" : ")
        elif text.startswith(":"):
            since_text, until_text = "", text[1:]
        else:
            since_text, until_text = text[:-1], ""
        since, until = _moment(since_text, start, now), _moment(until_text, start, now)
        if since and until and since > until:
            raise TimeRangeError(f"From date cannot be larger than to date in {text!r}")
        return since, until
    raise TimeRangeError(f"cannot read the time range {text!r}")


def sql_bound(moment: datetime) -> str:
    """The bound as SQLite text: a date alone at midnight (so it compares right with DATE columns)."""
    if moment.time() == time():
        return moment.date().isoformat()
    return moment.isoformat(sep=" ")
