"""When a reminder falls due: RFC 5545 RRULEs (python-dateutil) or cron expressions (croniter),
expanded in the recipient's time zone so "8am daily" stays 8am across daylight-saving changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from dateutil.rrule import rrule, rrulestr

from tools.catalog.scheduler import is_cron, parse_recurrence


class RecurrenceError(ValueError):
    """The recurrence cannot be read; the message says why and names the field."""


def check(recurrence: str) -> str:
    """The recurrence as stored, or a RecurrenceError naming the field."""
    try:
        return parse_recurrence(recurrence)
    except ValueError as exc:
        raise RecurrenceError(f"recurrence: {exc}") from None


def zone(name: str | None, fallback: datetime) -> tzinfo:
    """The named IANA zone, else the offset the first time was given with."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise RecurrenceError(f"timezone: {name!r} is not an IANA time zone (e.g. Europe/London)") from None
    return fallback.tzinfo or UTC


@dataclass(frozen=True)
class Schedule:
    first: datetime  # aware
    recurrence: str | None = None
    until: date | None = None
    timezone: str | None = None

    def _local(self) -> datetime:
        return self.first.astimezone(zone(self.timezone, self.first))

    def _end(self) -> datetime | None:
        if self.until is None:
            return None
        local = self._local()
        return datetime.combine(self.until, time(23, 59, 59), tzinfo=local.tzinfo)

    def next_after(self, moment: datetime) -> datetime | None:
        """The first occurrence strictly after `moment` (aware), in UTC; None when there is none."""
        local = self._local()
        if self.recurrence is None:
            found: datetime | None = local if local > moment else None
        elif is_cron(self.recurrence):
            start = max(moment, local - timedelta(seconds=1)).astimezone(local.tzinfo)
            found = croniter(self.recurrence, start).get_next(datetime)
            if found is not None and found <= moment:
                found = croniter(self.recurrence, found).get_next(datetime)
        else:
            rule: rrule = rrulestr(self.recurrence, dtstart=local.replace(tzinfo=None))  # type: ignore[assignment]
            naive: datetime | None = rule.after(_wall(max(moment, local - timedelta(seconds=1)), local.tzinfo), inc=False)
            found = None
            while naive is not None:
                found = _aware(naive, local.tzinfo)
                if found > moment:
                    break
                naive, found = rule.after(naive, inc=False), None  # a wall time that DST made earlier
        end = self._end()
        if found is None or (end is not None and found > end):
            return None
        return found.astimezone(UTC)

    def upcoming(self, start: datetime, end: datetime, limit: int = 5) -> list[datetime]:
        """Occurrences in [start, end], at most `limit`."""
        out: list[datetime] = []
        moment = start - timedelta(microseconds=1)
        while len(out) < limit:
            found = self.next_after(moment)
            if found is None or found > end:
                break
            out.append(found)
            moment = found
        return out


def _wall(moment: datetime, tz: tzinfo | None) -> datetime:
    """The wall-clock time in the reminder's zone, without tzinfo (rules expand on wall time)."""
    return moment.astimezone(tz).replace(tzinfo=None)


def _aware(naive: datetime, tz: tzinfo | None) -> datetime:
    return naive.replace(tzinfo=tz)
