"""Time zones named in a request, read with dateparser's zone table and zoneinfo; IST is India's here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from runtime.understanding.slots import builtin_slots
from runtime.understanding.when import named_zone, zone_after_time

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.mark.parametrize(("request_text", "moment"), [
    ("remind me on Dec 3 at 10:00 +05:30 to call the supplier", "2026-12-03T10:00:00+05:30"),
    ("remind Tom at 5pm AEST", "2026-11-26T17:00:00+10:00"),
    ("remind me at 9am IST tomorrow", "2026-11-26T09:00:00+05:30"),
    ("schedule the post for tomorrow at 9am America/New_York", "2026-11-26T09:00:00-05:00"),
    ("remind me at 9am tomorrow", "2026-11-26T09:00:00+00:00"),
    ("remind me at 9am to check SKU stock", "2026-11-26T09:00:00+00:00"),
])
def test_the_moment_is_read_in_the_zone_named(request_text: str, moment: str) -> None:
    assert builtin_slots(request_text, NOW)["datetime"] == moment


def test_zone_readers() -> None:
    assert zone_after_time(" +05:30 to call") is not None
    assert zone_after_time(" +05:30 to call").utcoffset(None) == timedelta(hours=5, minutes=30)  # type: ignore[union-attr]
    assert zone_after_time(" to call the supplier") is None
    assert named_zone("nothing named here") is None
    assert named_zone("ship by Europe/Berlin noon") is not None
