"""The time zone a request names: an abbreviation (PST, AEST), a UTC offset (+05:30, UTC+2, GMT-3) or an IANA
name (Europe/London, America/New_York).

Offsets and abbreviations are read by dateparser's zone table; IANA names by the zoneinfo database. Where an
abbreviation means different zones in different places, the platform's reading comes first (`PREFERRED`:
IST is India Standard Time for this platform's users, where dateparser reads Israel).
"""

from __future__ import annotations

import re
from datetime import UTC, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateparser.timezone_parser import pop_tz_offset_from_string

PREFERRED = {"ist": 5.5, "utc": 0.0, "gmt": 0.0}
_IANA = re.compile(r"\b([A-Z][A-Za-z]+(?:/[A-Z][A-Za-z_]+)+)\b")
# Something that may be a zone: an offset, UTC/GMT with a sign, an uppercase word, an area/city name.
_MAYBE = re.compile(r"(?<![\w:])[+-]\d{1,2}:?\d{2}\b|\b(?:UTC|GMT)\s*[+-]\s*\d|\b[A-Z]{3,5}\b|\b[A-Z][a-z]+/[A-Z]")


def zone_after_time(rest: str) -> tzinfo | None:
    """The zone written right after a time of day: `rest` is the text after it ("+05:30 to call", "UTC+2")."""
    words = rest.split()[:3]
    for count in range(len(words), 0, -1):
        found = named_zone(" ".join(words[:count]), whole=True)
        if found is not None:
            return found
    return None


def named_zone(text: str, *, whole: bool = False) -> tzinfo | None:
    """The zone the text names, else None; `whole`: only if the text is nothing but the zone."""
    if not _MAYBE.search(text):
        return None
    iana = _IANA.search(text)
    if iana and iana.group(1) in available_timezones():
        try:
            return ZoneInfo(iana.group(1))
        except ZoneInfoNotFoundError:  # listed but not loadable: fall through to offsets
            pass
    for word in re.findall(r"\b[A-Z]{2,5}\b", text)[:1] if whole else re.findall(r"\b[A-Z]{2,5}\b", text):
        if word.lower() in PREFERRED:
            return timezone(timedelta(hours=PREFERRED[word.lower()])) if PREFERRED[word.lower()] else UTC
    left, zone = pop_tz_offset_from_string(f"00:00 {text}")
    if zone is None or (whole and left.strip() != "00:00"):
        return None
    offset = zone.utcoffset(None)
    return timezone(offset) if offset is not None else None
