"""The offline planner's built-in slots, one table per finder, against a fixed reference time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from runtime import clock
from runtime.understanding.slots import builtin_slots

# Wednesday 25 November 2026, 08:04 UTC.
NOW = datetime(2026, 11, 25, 8, 4, tzinfo=UTC)


def slot(request: str, name: str) -> str | None:
    return builtin_slots(request, now=NOW).get(name)


def table(name: str, cases: list[tuple[str, str | None]]) -> list[tuple[str, str, str | None]]:
    return [(name, request, expected) for request, expected in cases]


CASES = [
    *table("money", [
        ("Refund $15 on order 1038", "15"),
        ("make the ceramic pour-over set 32 bucks", "32"),
        ("Big order from a new customer, $1,280 on order 1160", "1280"),
        ("Convert the lead into a deal worth $24k", "24000"),
        ("Partial refund of $8.50 on order 1045", "8.50"),
        ("Where is order 1042?", None),
    ]),
    *table("percent", [("Raise all Kitchen prices by 8%", "8"), ("10 percent off the entire store", "10")]),
    *table("quoted", [
        ("Dad replied 'slept badly, knee hurts, mood ok', record it", "slept badly, knee hurts, mood ok"),
        ("Skip tonight's metformin reminder for Mom, she's fasting", None),
    ]),
    *table("number", [("Write an 1,200 word post", "1200"), ("plan my day", None)]),
    *table("code", [
        ("Create code SPRING15 for 15% off orders over $50", "SPRING15"),
        ("Kill the SUMMER20 code, it leaked on a coupon site", "SUMMER20"),
        ("Is code CASA-7K2 legit? A new signup wants to use it", "CASA-7K2"),
        ("free shipping code FREESHIP for orders over $40", "FREESHIP"),
        ("cuopon code for the podcast sponsorship: PODCAST, $10 off", "PODCAST"),
        ("Set the weight of SKU MUG-RED-12 to 0.4 kg", None),
    ]),
    *table("phone", [
        ("Update Tom Reed's phone to +1 512 555 0199", "+1 512 555 0199"),
        ("Create a lead for Ravi from the expo, phone 555-0142", "555-0142"),
        ("New listing: Koramangala Physio Clinic, phone 080 4123 4567", "080 4123 4567"),
        ("Where is order 1042?", None),
    ]),
    *table("url", [
        ("create an account for Ravi's Kitchen, ravikitchen.in, Bangalore", "ravikitchen.in"),
        ("see https://casaverde.mx/menu for the menu", "https://casaverde.mx/menu"),
        ("Add a note to jon@example.com: prefers delivery after 6pm", None),
    ]),
    *table("person", [
        ("Add Tom Reed as CFO at Casa Verde, tom@casaverde.mx", "Tom Reed"),
        ("Has Priya Sharma's last order shipped?", "Priya Sharma"),
        ("Write Harbor Lane's October performance report", "Harbor Lane"),  # without the tenant's accounts
        ("Put the Walnut Cutting Board in the Gifts collection", None),
    ]),
    *table("company", [
        ("Add Tom Reed as CFO at Casa Verde, tom@casaverde.mx", "Casa Verde"),
        ("Here's the transcript of today's kickoff, file it under Beanbar", "Beanbar"),
        ("add a meeting note to the Casa Verde account: agreed on $2k/mo", "Casa Verde"),
        ("Sol Foods just signed, kick off their onboarding", "Sol Foods"),
        ("Should I move budget from Facebook to Google this month?", None),
    ]),
    *table("record", [
        ("Log my lunch meeting with Tom Reed, he mentioned they're hiring", "contact:Tom Reed"),
        ("plan my day", None),
    ]),
    *table("count", [
        ("Create a referral code for Casa Verde with 5 uses", "5"),
        ("Write 3 LinkedIn ad variants for our local SEO package", "3"),
        ("Give me two Meta ad variants", "2"),
        ("Write a 3-email welcome series", "3"),
        ("Remind me at 5pm to call the bank", None),
        ("Cut the Clearance collection by 25%", None),
    ]),
    *table("channel", [
        ("Write 5 Google ad headlines", "google"),
        ("Paid Instagram ad for the Bamboo Cutlery Set", "instagram"),
        ("X thread from the local SEO guide page", "x"),
        ("Grow 3x leads this year", None),
    ]),
    *table("days", [
        ("Which pages haven't been updated in a year?", "365"),
        ("Win back customers who haven't ordered in 6 months", "180"),
        ("Plan a 4-week Black Friday campaign", "28"),
    ]),
    *table("date", [
        ("Remind me on Dec 1 to pay the rent", "2026-12-01"),
        ("remind me tomorrow 8am to renew the domain", "2026-11-26"),
        ("What were yesterday's orders?", "2026-11-24"),
        ("Move the Glow Salon demo task to next Tuesday", "2026-12-01"),
        ("Mark the task done, due on Friday", "2026-11-27"),
        ("Create code SPRING15, valid until April 30", "2027-04-30"),
        ("Expires 30 April", "2027-04-30"),
        ("Set contract_end to 2026-03-31", "2026-03-31"),
        ("Convert the lead, closing at the end of the month", "2026-11-30"),
        ("Set a follow-up for the 14th", "2026-12-14"),
        ("Sales last Friday", "2026-11-20"),
        ("how's the Black Friday campaign performing", None),
    ]),
    *table("date_from", [
        ("Top 10 products by revenue this quarter", "2026-10-01"),
        ("Score last week's leads", "2026-11-16"),
        ("Revenue by month for 2025", "2025-01-01"),
        ("How much did I spend in October?", "2026-10-01"),
        ("Run 20% off all Kitchen products from Friday to Monday", "2026-11-27"),
        ("valid Dec 1-15", "2026-12-01"),
        ("Count leads created since July", "2026-07-01"),
        ("Meta vs Google CPA for the last 30 days", "2026-10-27"),
        ("Create code SPRING15, valid until April 30", None),
    ]),
    *table("date_to", [
        ("Top 10 products by revenue this quarter", "2026-12-31"),
        ("Run 20% off all Kitchen products from Friday to Monday", "2026-11-30"),
        ("Create code SPRING15, valid until April 30", "2027-04-30"),
        ("New code YOGA20: 20% off, starts Monday, ends Sunday", "2026-12-06"),
        ("Set up the sale on Outdoor, 20% off from Sept 1 for two weeks", "2027-09-14"),
        ("Count leads created since July", "2026-11-25"),
        ("Score the LinkedIn leads created after Oct 1", None),
    ]),
    *table("datetime_from", [
        ("Start a flash sale, 30% off for 24 hours starting tomorrow 9am", "2026-11-26T09:00:00+00:00"),
        ("Cyber Monday: 25% off the Gifts collection, Nov 30 00:00 to Dec 1 23:59", "2026-11-30T00:00:00+00:00"),
    ]),
    *table("datetime_to", [
        ("Start a flash sale, 30% off for 24 hours starting tomorrow 9am", "2026-11-27T09:00:00+00:00"),
        ("Cyber Monday: 25% off the Gifts collection, Nov 30 00:00 to Dec 1 23:59", "2026-12-01T23:59:00+00:00"),
        ("Run a clearance, 50% off, until the end of the month", "2026-11-30T23:59:59+00:00"),
    ]),
    *table("start_or_now", [
        ("Run a clearance, 50% off, until the end of the month", "2026-11-25T08:04:00+00:00"),
        ("Storewide sale: 15% off everything this weekend", "2026-11-28T00:00:00+00:00"),
    ]),
    *table("until", [
        ("Remind Dad to take his eye drops 3 times a day for 10 days", "2026-12-04"),
        ("Remind me every Monday at 9 to send invoices", None),
    ]),
    *table("datetime", [
        ("Remind me at 5pm to call the bank", "2026-11-25T17:00:00+00:00"),
        ("remind me tomorrow 8am to renew the domain", "2026-11-26T08:00:00+00:00"),
        ("Remind me in 2 hours to call Tom Reed back", "2026-11-25T10:04:00+00:00"),
        ("Remind Priya at 10am Friday about the team lunch", "2026-11-27T10:00:00+00:00"),
        ("Remind me on Dec 1 to pay the rent", "2026-12-01T09:00:00+00:00"),
        ("Remind Mom to take metformin at 8am and 8pm every day", "2026-11-25T20:00:00+00:00"),
        ("Remind me every Monday at 9 to send invoices", "2026-11-30T09:00:00+00:00"),
        ("Every weekday at 6pm remind me to log off", "2026-11-25T18:00:00+00:00"),
        ("Remind me on the last day of each month to review expenses", "2026-11-30T09:00:00+00:00"),
        ("Mom has an appointment Tuesday at 10:30, remind her", "2026-12-01T10:30:00+00:00"),
        ("pantoprazole 40mg before breakfast, remind him at 7:30", "2026-11-26T07:30:00+00:00"),
        ("Dad takes atorvastatin at night, remind him at 7:30", "2026-11-25T19:30:00+00:00"),
        ("GST filing is due the 20th, remind me on the 18th", "2026-12-18T09:00:00+00:00"),
        ("Schedule the gift hampers to go live Oct 15 at 6am IST", "2027-10-15T06:00:00+05:30"),
        ("What medicines is Mom on?", None),
    ]),
    *table("datetime_before", [
        ("Mom has an appointment Tuesday at 10:30, remind her the day before", "2026-11-30T10:30:00+00:00"),
        ("Remind me 2 hours before the dentist appointment Friday 11am", "2026-11-27T09:00:00+00:00"),
    ]),
    *table("time_range", [
        ("Give me last week's numbers", "Last week"),
        ("Quick KPI snapshot for yesterday", "Last day"),
        ("Revenue last month", "Last month"),
        ("Compare 2025-01-01 : 2025-03-31 with before", "2025-01-01 : 2025-03-31"),
        ("Revenue by category this year", "2026-01-01 : 2027-01-01"),
        ("Q3 report", "2026-07-01 : 2026-10-01"),
        ("Store sales report for October", "2026-10-01 : 2026-11-01"),
        ("Weekly summary of the funnel", None),
    ]),
    *table("time_range_previous", [
        ("Give me this month's KPIs against last month", "2026-10-01 : 2026-11-01"),
        ("Q3 vs Q2 headline numbers", "2026-04-01 : 2026-07-01"),
        ("KPIs year to date vs last year", "2025-01-01 : 2025-11-26"),
    ]),
    *table("rrule", [
        ("Remind Mom to take metformin at 8am and 8pm every day", "FREQ=DAILY;BYHOUR=8,20;BYMINUTE=0"),
        ("Remind me every Monday at 9 to send invoices", "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0"),
        ("Dad has physio every Monday and Thursday at 5pm", "FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=17;BYMINUTE=0"),
        ("Every weekday at 6pm remind me to log off", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=18;BYMINUTE=0"),
        ("Remind Dad to take his eye drops 3 times a day", "FREQ=DAILY;BYHOUR=8,14,20;BYMINUTE=0"),
        ("Add vitamin D for Dad every Sunday morning", "FREQ=WEEKLY;BYDAY=SU;BYHOUR=9;BYMINUTE=0"),
        ("Remind me on the last day of each month", "FREQ=MONTHLY;BYMONTHDAY=-1"),
        ("Send the report weekly", "FREQ=WEEKLY"),
        ("Invoice them monthly", "FREQ=MONTHLY"),
        ("Remind me at 5pm to call the bank", None),
    ]),
]


@pytest.mark.parametrize(("name", "request_text", "expected"), CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_slot(name: str, request_text: str, expected: str | None) -> None:
    assert slot(request_text, name) == expected


def test_every_request_has_today_now_and_itself() -> None:
    slots = builtin_slots("hello", now=NOW)
    assert (slots["today"], slots["now"], slots["request"]) == ("2026-11-25", "2026-11-25T08:04:00+00:00", "hello")


def test_the_reference_time_defaults_to_now_in_utc() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    stamp = datetime.fromisoformat(builtin_slots("hello")["now"])
    assert stamp.utcoffset() == timedelta(0)
    assert before <= stamp <= datetime.now(UTC)


def test_a_pinned_clock_is_the_reference_time_within_its_block() -> None:
    with clock.pinned(NOW):
        assert builtin_slots("remind me tomorrow at 9am")["datetime"] == "2026-11-26T09:00:00+00:00"
        with clock.pinned(None):
            assert builtin_slots("hello")["today"] != "2026-11-25"
        assert clock.now() == NOW
    assert clock.now() != NOW
    with pytest.raises(ValueError, match="needs a timezone"), clock.pinned(NOW.replace(tzinfo=None)):
        pass
    assert clock.parse_moment("2026-11-25") == datetime(2026, 11, 25, 9, tzinfo=UTC)
    assert clock.parse_moment("2026-11-25T12:00:00Z") == datetime(2026, 11, 25, 12, tzinfo=UTC)
    with pytest.raises(ValueError, match="not an ISO 8601 date or datetime: 'Friday'"):
        clock.parse_moment("Friday")


def test_a_naive_reference_time_is_read_as_utc() -> None:
    assert builtin_slots("at 5pm", now=NOW.replace(tzinfo=None))["datetime"] == "2026-11-25T17:00:00+00:00"


def test_times_without_a_zone_are_utc_whatever_the_zone_of_the_reference_time() -> None:
    india = NOW.astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert builtin_slots("remind me tomorrow at 9am", now=india)["datetime"] == "2026-11-26T09:00:00+00:00"


def test_finders_are_deterministic() -> None:
    request = "Start a flash sale on the Yoga Mat, 30% off for 24 hours starting tomorrow 9am"
    assert builtin_slots(request, now=NOW) == builtin_slots(request, now=NOW)


@pytest.mark.parametrize("request_text", ["how's the Black Friday campaign performing", "Cyber Monday deals"])
def test_holiday_names_are_not_weekdays(request_text: str) -> None:
    assert "date" not in builtin_slots(request_text, now=NOW)


def test_the_tenants_things_are_not_people_or_companies() -> None:
    from runtime.understanding.slots import find_company, find_person, things_named

    assert find_person("restock the Heron Scarf") == "Heron Scarf"  # without records it looks like a name
    with things_named(["Heron Scarf", "Autumn Layers"]):
        assert find_person("restock the Heron Scarf") is None
        assert find_company("add it to Autumn Layers") is None
        assert find_person("email Ines Varga about the Heron Scarf") == "Ines Varga"


def test_a_capitalised_word_before_a_weekday_names_an_event() -> None:
    from runtime.understanding.slots import builtin_slots

    with clock.pinned(datetime(2026, 3, 2, 12, tzinfo=UTC)):  # a Monday
        assert "date" not in builtin_slots("prepare the Founders Friday banner")
        assert builtin_slots("prepare the banner for Friday")["date"] == "2026-03-06"


def test_a_name_inside_one_of_the_tenants_accounts_is_no_person() -> None:
    from runtime.understanding.slots import find_person, find_record, things_named

    with things_named([], companies=["Harbor Lane Studio"]):
        assert find_person("Write Harbor Lane's October performance report") is None
        assert find_person("Add Ada Moss as CFO at Harbor Lane Studio") == "Ada Moss"
        assert find_record("Brief me for my 3pm with Harbor Lane Studio") == "account:Harbor Lane Studio"
