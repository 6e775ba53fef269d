"""Built-in slots the offline planner fills from a request, for pattern templates like {money} or {date}.

Every finder is deterministic: the same request and reference time give the same slots. The reference
time is `now` (default `runtime.clock.now()`); a request that names no timezone (IST, EST, UTC...) is read
in UTC, so times like "at 5pm" are 17:00 UTC.

Plain slots:
  money, percent, email, order, sku, number, quoted, request   as written in the request
  code       an uppercase promo or referral code: SPRING15, CASA-7K2, FREESHIP
  phone      a phone number: +52 55 1234 5678, 555-0142
  url        a web address or bare domain: https://x.com/a, glowsalon.com
  person     a capitalised first and last name: Ada Moss
  company    a capitalised name after at/for/with/from/on/about/under/to (or opening the request): Harbor Lane Studio
  record     the CRM record named: contact:Ada Moss for a person, else account:Harbor Lane
  count      the number before a noun: "5 uses" -> 5, "three posts" -> 3
  channel    google, meta, facebook, instagram, linkedin, x, tiktok or email
  days       a duration in days: "in 6 months" -> 180, "in a year" -> 365

Time slots (ISO 8601; datetimes carry their UTC offset):
  today, now                 the reference date and datetime
  date                       the day named: today, tomorrow, next Monday, on Friday, April 30, 30 April,
                             2026-12-01, end of the month; of several, the one a reminder, call or deadline is
                             set for ("remind me on the 18th"), else the first
  date_from, date_to         the period named: this quarter, last week, Q3, October, Nov 1-15, from Friday to
                             Monday, last 30 days, since July, until April 30 (date_to only)
  datetime_from, datetime_to that period as datetimes: 00:00 and 23:59:59 unless times are given next to the days
  start_or_now               datetime_from, else now
  until                      the last day of a bounded repetition or offer: "for 10 days", "until July 31"
  days_ago                   today minus `days`
  datetime                   the moment named: "at 5pm", "tomorrow at 9:30", "in 2 hours", the next occurrence of
                             "every day at 8am", on the day `date` names; a day without a time is at 09:00
  datetime_before            `datetime` moved back by "2 hours before", "the day before"
  time_range                 the period for Superset: Last day/week/month/quarter/year, or "start : end" with the
                             end exclusive as Superset reads it (Q1 2025 -> 2025-01-01 : 2025-04-01)
  time_range_previous        the period just before it, for comparisons: this month -> last month
  rrule                      an RFC 5545 RRULE: "every day at 8am and 8pm" -> FREQ=DAILY;BYHOUR=8,20;BYMINUTE=0

Reading rules: a bare weekday is the next one after today ("last Friday" the one before). A day, month or
quarter without a year is the latest one begun when the request looks backwards ("since", "did", "last",
"report", "how many"...), the next one not over when it looks forwards ("remind", "plan", "until",
"valid"...), else the one nearest to today. "at 9" is 09:00, "at 5" is 17:00 (1 to 6 are afternoon) unless
the request says morning or evening. Parts of the day: morning 09:00, afternoon 15:00, evening 18:00, night
21:00, bedtime 21:00; meals: breakfast 08:00, lunch 13:00, dinner 19:00. A capitalised weekday right after another
capitalised word is part of a name (a holiday, an event: "Founders Friday"), not a weekday.

People and companies: a capitalised name is not a person's or a company's when its words name the tenant's own
things (products, collections, categories, pages: `things_named`, set by the planner from the tenant's records).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from runtime import clock as wall
from runtime.understanding.when import named_zone, zone_after_time

SlotFinder = Callable[[str], str | None]
TimeFinder = Callable[[str, datetime], dict[str, str]]


def _first_group(pattern: re.Pattern[str]) -> SlotFinder:
    def find(request: str) -> str | None:
        found = pattern.search(request)
        if not found:
            return None
        groups = [g for g in found.groups() if g]
        return (groups[0] if groups else found.group(0)).replace(",", ".")

    return find


# ---- words -----------------------------------------------------------------------------------------

NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50,
    "hundred": 100,
}
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
SHORT_WEEKDAYS = {"mon": 0, "tue": 1, "tues": 1, "thu": 3, "thur": 3, "thurs": 3, "fri": 4}
RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
TIMEZONES = {
    "utc": 0.0, "gmt": 0.0, "ist": 5.5, "est": -5.0, "edt": -4.0, "cst": -6.0, "cdt": -5.0, "mst": -7.0,
    "mdt": -6.0, "pst": -8.0, "pdt": -7.0, "cet": 1.0, "cest": 2.0, "bst": 1.0,
}
_MONTH = r"(?:january|february|march|april|may|june|july|august|september|october|november|december|" \
         r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
_MONTH_FULL = r"(?:january|february|march|april|june|july|august|september|october|november|december|sept)"
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_NUM = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|fifty)"
_ORD = r"(?:st|nd|rd|th)?"


def _num(word: str) -> int:
    word = word.lower().replace(",", "")
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def _preceding(request: str, position: int, width: int = 40) -> str:
    """The few words written just before a position: what marks a date or a name is always close to it."""
    return request[max(0, position - width):position]


# ---- plain slots -----------------------------------------------------------------------------------

_CODE_AFTER = re.compile(r"\b(?:code|coupon|voucher|promo)\s*:?\s+([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*)\b")
_CODE_BEFORE = re.compile(r"\b([A-Z][A-Z0-9]*\d[A-Z0-9]*|[A-Z]{2,}-[A-Z0-9-]+|[A-Z]{4,})\s+(?:code|coupon|voucher|promo)\b")
_CODE_ANY = re.compile(r"(?<![\w-])([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+|[A-Z]{2,}\d+[A-Z0-9]*|[A-Z]{5,})(?![\w-])")
_NOT_CODES = {"GDPR", "DPDP", "HITL", "ROAS", "LINKEDIN", "TIKTOK", "BANT", "SEO", "CRM", "URGENT", "IMPORTANT"}


def find_code(request: str) -> str | None:
    """An uppercase code: after "code", before "code", else a code-like uppercase word that is no SKU."""
    for pattern in (_CODE_AFTER, _CODE_BEFORE):
        found = pattern.search(request)
        if found and found.group(1) not in _NOT_CODES and len(found.group(1)) >= 3:
            return found.group(1)
    for found in _CODE_ANY.finditer(request):
        before = request[max(0, found.start() - 5):found.start()].lower()
        if found.group(1) not in _NOT_CODES and "sku" not in before:
            return found.group(1)
    return None


_PHONE_PLUS = re.compile(r"\+\d[\d\s().-]{6,}\d")
_PHONE_LOCAL = re.compile(r"(?<![\w+-])\(?\d{3,5}\)?[\s-]\d{3,4}(?:[\s-]\d{3,5})?(?![\w-])")


def find_phone(request: str) -> str | None:
    """A phone number with a country code (+...) or grouped digits (555-0142, 080 4123 4567)."""
    for pattern in (_PHONE_PLUS, _PHONE_LOCAL):
        for found in pattern.finditer(request):
            digits = re.sub(r"\D", "", found.group(0))
            if 7 <= len(digits) <= 15:
                return found.group(0).strip()
    return None


_URL = re.compile(r"\bhttps?://[^\s,;)]+|(?<![@\w.-])(?:www\.)?[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*"
                  r"\.(?:com|in|mx|co|io|org|net|app|dev|uk|de|es|fr|ai|biz|info|us|ca|au)(?:/[^\s,;)]*)?(?![\w@-])",
                  re.I)


def find_url(request: str) -> str | None:
    """A web address: https://... or a bare domain like glowsalon.com (not an email's domain)."""
    found = _URL.search(request)
    return found.group(0).rstrip(".!?") if found else None


_CAP_WORD = re.compile(r"[A-Z][a-zA-Z]*(?:['’][A-Za-z]+)?(?:-[A-Z][a-zA-Z]+)?")
_OPENERS = {
    # sentence openers, function words and request verbs
    "a", "add", "after", "alert", "all", "an", "and", "announce", "any", "are", "ask", "assign", "award", "before",
    "book", "brief", "bring", "build", "can", "cancel", "change", "check", "close", "confirm", "congratulate",
    "convert", "correct", "create", "delete", "did", "do", "does", "draft", "email", "erase", "file", "find", "fix",
    "follow", "for", "from", "get", "give", "has", "have", "hey", "hi", "how", "i", "is", "let", "list", "log",
    "make", "mark", "meet", "meeting", "merge", "message", "move", "msg", "my", "new", "note", "notes", "onboard",
    "open", "our", "ping", "plan", "please", "pls", "prep", "prepare", "proposal", "put", "qualify", "rate",
    "record", "reassign", "redeem", "remind", "remove", "reply", "rewrite", "save", "score", "send", "set",
    "should", "show", "start", "tag", "tell", "the", "this", "to", "turn", "update", "was", "we", "what", "when",
    "where", "which", "who", "why", "will", "with", "write", "yes", "thank", "thanks", "dear", "mr", "mrs", "ms",
    "dr", "mom", "dad", "grandma", "grandpa", "aunt", "uncle", "client", "customer", "lead", "contact", "account",
    "deal", "order", "sku", "ceo", "cfo", "cmo", "cto", "coo", "vip", "seo", "crm", "gdpr", "dpdp",
}
_NOT_NAMES = _OPENERS | {
    # not people: platforms, colours, seasons and holidays, shop words
    "google", "meta", "facebook", "instagram", "linkedin", "tiktok", "telegram", "whatsapp", "zoom", "youtube",
    "red", "blue", "green", "black", "white", "grey", "gray", "christmas", "halloween", "easter", "spring", "summer",
    "autumn", "fall", "winter", "holiday", "home", "kitchen", "gifts", "gift", "new", "sale", "shop", "store",
}
_NOT_SURNAMES = {
    # the last word of a company, a place or a thing rather than a family name
    "foods", "salon", "bakery", "kitchen", "cafe", "café", "design", "inc", "ltd", "llc", "co", "pharmacy",
    "plumbing", "clinic", "supply", "set", "sale", "sales", "collection", "category", "ads", "page", "campaign",
    "day", "office", "store", "warehouse", "team", "kit", "bundle", "range", "package", "report", "dashboard",
    "program", "friday", "monday", "tuesday", "wednesday", "thursday", "saturday", "sunday", "services", "service",
    "seo", "marketing", "agency", "brain", "there", "bar", "shop", "shops", "restaurants", "lunch", "list",
}
_THINGS: ContextVar[frozenset[str]] = ContextVar("things_named", default=frozenset())
_COMPANIES: ContextVar[tuple[str, ...]] = ContextVar("companies_named", default=())


@contextmanager
def things_named(names: Iterable[str], companies: Iterable[str] = ()) -> Iterator[None]:
    """Within the block, the words of these names (the tenant's products, collections, pages...) are not read as
    a person's or a company's name, and a name inside one of these companies (the tenant's accounts) is not read
    as a person's."""
    words = frozenset(w.casefold() for name in names for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", name))
    token = _THINGS.set(words)
    held = _COMPANIES.set(tuple(c.casefold() for c in companies))
    try:
        yield
    finally:
        _COMPANIES.reset(held)
        _THINGS.reset(token)


def _a_company(name: str) -> bool:
    folded = name.casefold()
    return any(re.search(rf"(?<!\w){re.escape(folded)}(?!\w)", company) for company in _COMPANIES.get())


@dataclass(frozen=True)
class _Run:
    start: int
    words: tuple[str, ...]


def _capital_runs(request: str) -> list[_Run]:
    """Runs of capitalised words separated by single spaces; a possessive ends its run."""
    runs: list[_Run] = []
    words: list[str] = []
    start = end = 0
    for found in _CAP_WORD.finditer(request):
        joined = bool(words) and request[end:found.start()] == " " and not re.search(r"['’]s$", words[-1])
        if not joined:
            if words:
                runs.append(_Run(start, tuple(words)))
            words, start = [], found.start()
        words.append(found.group(0))
        end = found.end()
    if words:
        runs.append(_Run(start, tuple(words)))
    return runs


def _bare(word: str) -> str:
    return re.sub(r"['’]s$", "", word)


def _is_name_word(word: str, stop: set[str]) -> bool:
    plain = _bare(word).lower()
    return plain not in stop and plain not in MONTHS and plain not in WEEKDAYS and plain not in _THINGS.get()


_ORGANISATION_AFTER = re.compile(r"^(?:['’]s)?\s+(?:account|company|business|team|store|shop|brand)\b", re.I)


def find_person(request: str) -> str | None:
    """A capitalised first and last name ("Ada Moss"), not a product, company, month or opening verb."""
    for run in _capital_runs(request):
        if _ORGANISATION_AFTER.match(request[run.start + len(" ".join(run.words)):]):
            continue  # "the Harbor Lane account": an organisation's name
        words = list(run.words)
        while words and not _is_name_word(words[0], _NOT_NAMES):
            words.pop(0)
        if (len(words) == 2 and _bare(words[0]) == words[0] and _is_name_word(words[1], _NOT_SURNAMES)
                and _is_name_word(words[1], _NOT_NAMES) and not _a_company(f"{words[0]} {_bare(words[1])}")):
            return f"{words[0]} {_bare(words[1])}"
    return None


_COMPANY_BEFORE = re.compile(r"\b(?:at|for|with|from|on|about|called|named|under|to)\s+(?:the\s+)?$")
_NOT_COMPANIES = {
    "i", "the", "our", "my", "a", "an", "google", "meta", "facebook", "instagram", "linkedin", "tiktok", "x",
    "telegram", "whatsapp", "zoom", "email", "q1", "q2", "q3", "q4", "h1", "h2", "christmas", "easter",
    "halloween", "valentine", "mother", "father", "sku", "gdpr", "dpdp", "seo", "crm", "ab", "mom", "dad", "me",
    "us", "today", "tomorrow", "yesterday", "new", "this", "next", "last", "every", "all", "coreldove", "bizoholic",
    "spring", "summer", "autumn", "fall", "winter", "kitchen", "gifts", "home", "red", "blue", "vip",
}


def _company_words(words: tuple[str, ...]) -> list[str]:
    kept: list[str] = []
    for word in words:
        kept.append(_bare(word))
        if _bare(word) != word:
            break
    return kept


def find_company(request: str) -> str | None:
    """The first capitalised name after at/for/with/from/on/about/under/to (and an optional "the"), or of two or
    more words opening the request; a person's name (see find_person) is skipped."""
    person = find_person(request)
    candidates: list[tuple[int, list[str]]] = []
    for run in _capital_runs(request):
        if _COMPANY_BEFORE.search(_preceding(request, run.start)):
            candidates.append((run.start, _company_words(run.words)))
        elif run.start == 0:
            words = list(run.words)
            while words and _bare(words[0]).lower() in _OPENERS:
                words.pop(0)
            if len(words) >= 2:
                candidates.append((run.start, _company_words(tuple(words))))
    for _, words in sorted(candidates, key=lambda c: c[0]):
        if not words or _bare(words[0]).lower().rstrip("'’") in _NOT_COMPANIES or words[0].lower() in MONTHS:
            continue
        if any(w.lower() in WEEKDAYS for w in words) or words[-1].lower() in ("day", "sale", "week", "collection",
                                                                              "category"):
            continue  # a weekday in a capitalised name makes it an event ("Founders Friday"), not a company
        if all(_bare(w).lower() in _THINGS.get() for w in words):
            continue  # the tenant's own product, collection or page
        name = " ".join(words)
        if name != person:
            return name
    return None


def find_record(request: str) -> str | None:
    """A CRM record the request is about: "contact:Ada Moss" for a person, else "account:Harbor Lane"."""
    person = find_person(request)
    if person:
        return f"contact:{person}"
    company = find_company(request)
    return f"account:{company}" if company else None


_COUNT = re.compile(
    r"(?<![\w$#.,:/+-])(\d{1,3}(?:,\d{3})+|\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|fifty)\+?(?:-|\s+)([A-Za-z][\w'-]*)", re.I)
_NOT_COUNTED = {
    "and", "or", "to", "of", "the", "a", "an", "in", "on", "at", "by", "for", "with", "from", "over", "under", "is",
    "are", "was", "per", "than", "more", "less", "out", "off", "each", "x", "am", "pm", "percent", "times", "hour",
    "hours", "minute", "minutes", "min", "mins", "day", "days", "week", "weeks", "month", "months", "year", "years",
    "mg", "g", "kg", "ml", "iu", "cm", "mm", "oz", "lb", "lbs", "km", "chars", "characters", "words", "dollars",
    "dollar", "usd", "bucks", "eur", "inr", "rs", "k", "st", "nd", "rd", "th", "o'clock", "so", "if", "pls",
    "please", "now", "today", "tomorrow", "yet", "max", "only", "left", "it", "them", "both", "all",
}


def find_count(request: str) -> str | None:
    """The number before a noun: "5 uses", "3 posts", "two Meta ads", "3-email series" (not 5pm, 30% or 2 days)."""
    for found in _COUNT.finditer(request):
        number, noun = found.group(1), found.group(2).lower()
        before = _preceding(request, found.start()).lower()
        if noun in _NOT_COUNTED or re.search(r"(?:order|#|sku|no\.|number|over|under|above|below)\s*$", before):
            continue
        value = _num(number)
        if 1900 <= value <= 2100 and len(number) == 4:
            continue
        return str(value)
    return None


_CHANNELS = {
    "google": "google", "adwords": "google", "meta": "meta", "facebook": "facebook", "fb": "facebook",
    "instagram": "instagram", "ig": "instagram", "insta": "instagram", "linkedin": "linkedin", "tiktok": "tiktok",
    "twitter": "x", "email": "email", "e-mail": "email", "newsletter": "email",
}
_CHANNEL = re.compile(r"\b(google|adwords|meta|facebook|fb|instagram|ig|insta|linkedin|tiktok|twitter|e-mail|email|"
                      r"newsletter)\b|(?<![\w.])(X)(?![\w])", re.I)


def find_channel(request: str) -> str | None:
    """The first marketing channel named: google, meta, facebook, instagram, linkedin, x, tiktok or email."""
    for found in _CHANNEL.finditer(request):
        if found.group(2):
            if found.group(2) == "X":
                return "x"
            continue
        return _CHANNELS[found.group(1).lower()]
    return None


_DURATION = re.compile(
    rf"(?:\b(?:in|for|over|within|than|past|last|of|the)\s+({_NUM})|\b(\d+))[\s-]+(day|week|month|year)s?\b", re.I)


def find_days(request: str) -> str | None:
    """A duration in days: "in 30 days" 30, "6 months" 180, "in a year" 365, "4-week" 28."""
    found = _DURATION.search(request)
    if not found:
        return None
    count = _num(found.group(1) or found.group(2))
    return str(count * {"day": 1, "week": 7, "month": 30, "year": 365}[found.group(3).lower()])


_MONEY = re.compile(
    r"(?:\$|usd\s*|us\$\s*)\s*(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:[.,]\d{1,2})?)(\s*k\b)?|"
    r"(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:[.,]\d{1,2})?)(\s*k)?\s*(?:usd|dollars?|bucks|\$)", re.I)


def _decimal(text: str) -> str:
    """1,280 -> 1280; 12,50 -> 12.50; 24k -> 24000."""
    thousands = bool(re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text))
    return text.replace(",", "") if thousands else text.replace(",", ".")


def find_money(request: str) -> str | None:
    """An amount of money: $15, 12 USD, 32 bucks, $1,280, $24k (24000)."""
    found = _MONEY.search(request)
    if not found:
        return None
    amount, kilo = (found.group(1), found.group(2)) if found.group(1) else (found.group(3), found.group(4))
    value = _decimal(amount)
    if kilo:
        value = format(float(value) * 1000, "g") if "." in value else str(int(value) * 1000)
    return value


_QUOTED = re.compile(r"(?<![\w'’])[\"“'‘]([^\"“”'‘’]{2,}?)[\"”'’](?![\w'’])")


def find_quoted(request: str) -> str | None:
    """Text in quotes: "Doors open at ten", 'Ends tonight' (an apostrophe inside a word is no quote)."""
    found = _QUOTED.search(request)
    return found.group(1).strip() if found else None


_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\w,]\d)")


def find_number(request: str) -> str | None:
    """The first number, thousands separators removed: 1,200 -> 1200."""
    found = _NUMBER.search(request)
    return _decimal(found.group(1)) if found else None


BUILTIN_SLOTS: dict[str, SlotFinder] = {
    "money": find_money,
    "percent": _first_group(re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent)", re.I)),
    "email": _first_group(re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    "order": _first_group(re.compile(r"(?:order\s*(?:number|no\.?)?\s*#?|#)(\d{3,})", re.I)),
    "sku": _first_group(re.compile(r"\b[A-Z]{2,}(?:-[A-Z0-9]+)+\b")),
    "number": find_number,
    "quoted": find_quoted,
    "request": lambda request: request.strip() or None,
    "code": find_code,
    "phone": find_phone,
    "url": find_url,
    "person": find_person,
    "company": find_company,
    "record": find_record,
    "count": find_count,
    "channel": find_channel,
    "days": find_days,
}


# ---- times of day ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Clock:
    start: int
    end: int
    at: time
    offset: float | None


_TZ = r"(?:\s*\b(utc|gmt|ist|est|edt|cst|cdt|mst|mdt|pst|pdt|cet|cest|bst)\b)?"
_CLOCK_MERIDIEM = re.compile(rf"\b(\d{{1,2}})(?::(\d{{2}}))?\s*([ap])\.?m\b\.?{_TZ}", re.I)
_CLOCK_24 = re.compile(rf"(?<![\d:.-])(\d{{1,2}}):(\d{{2}})(?![\d:]){_TZ}", re.I)
_CLOCK_BARE = re.compile(
    rf"\b(?:at|@|by|around)\s+(\d{{1,2}})(?![\d:.,/%-])(?!\s*(?:%|percent|days?|weeks?|months?|years?|hours?|"
    rf"minutes?|mins?|x\b|kg|mg|am|pm|a\.m|p\.m|orders|items|units|people|visitors|uses))(?:\s*o'clock)?{_TZ}", re.I)
_CLOCK_NAMED = re.compile(r"\b(noon|midday|midnight)\b", re.I)
_MEALS = {"breakfast": time(8), "lunch": time(13), "dinner": time(19)}
_MEAL = re.compile(r"\b(?:before|after|with|at)\s+(breakfast|lunch|dinner)(?:\s+and\s+(breakfast|lunch|dinner))?", re.I)
_PART_OF_DAY = re.compile(r"\b(morning|afternoon|evening|tonight|night|bedtime)\b", re.I)
_PARTS = {"morning": time(9), "afternoon": time(15), "evening": time(18), "tonight": time(21), "night": time(21),
          "bedtime": time(21)}


def _offset(name: str | None) -> float | None:
    return TIMEZONES[name.lower()] if name else None


def _bare_hour(hour: int, request: str) -> int:
    """A bare "at 5": 1 to 6 are afternoon, 7 to 11 morning, unless the request says which part of the day."""
    if hour >= 12 or hour == 0:
        return hour % 24
    part = _PART_OF_DAY.search(request)
    if part and part.group(1).lower() != "morning":
        return hour + 12
    if part:
        return hour
    return hour + 12 if hour <= 6 else hour


def _clocks(request: str) -> list[_Clock]:
    """Explicit times of day in the order written."""
    found: list[_Clock] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, at: time, offset: float | None) -> None:
        if any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        found.append(_Clock(start, end, at, offset))

    for m in _CLOCK_MERIDIEM.finditer(request):
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        if 1 <= hour <= 12 and minute < 60:
            hour = hour % 12 + (12 if m.group(3).lower() == "p" else 0)
            add(m.start(), m.end(), time(hour, minute), _offset(m.group(4)))
    for m in _CLOCK_24.finditer(request):
        hour, minute = int(m.group(1)), int(m.group(2))
        if hour < 24 and minute < 60:
            if not m.group(1).startswith("0") and 1 <= hour <= 12:
                hour = _bare_hour(hour, request)
            add(m.start(), m.end(), time(hour, minute), _offset(m.group(3)))
    for m in _CLOCK_BARE.finditer(request):
        hour = int(m.group(1))
        if hour <= 12:
            add(m.start(1), m.end(), time(_bare_hour(hour, request)), _offset(m.group(2)))
    for m in _CLOCK_NAMED.finditer(request):
        add(m.start(), m.end(), time(0) if m.group(1).lower() == "midnight" else time(12), None)
    return sorted(found, key=lambda c: c.start)


def _soft_times(request: str) -> list[time]:
    """Times implied by meals or parts of the day, when no time is written."""
    meals = _MEAL.search(request)
    if meals:
        return [_MEALS[m.lower()] for m in meals.groups() if m]
    part = _PART_OF_DAY.search(request)
    return [_PARTS[part.group(1).lower()]] if part else []


def _times(request: str) -> list[time]:
    return [c.at for c in _clocks(request)] or _soft_times(request)


def _zone(request: str) -> tzinfo:
    """The zone of the times written: one named right after a time, else any zone or offset the request names
    (see when.py), else UTC."""
    clocks = _clocks(request)
    for clock in clocks:
        if clock.offset is not None:
            return timezone(timedelta(hours=clock.offset))
    for clock in clocks:
        zone = zone_after_time(request[clock.end:])
        if zone is not None:
            return zone
    return (named_zone(request) if clocks else None) or UTC


# ---- days and periods ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Span:
    """A day or period named in the request, with where it was written."""

    start: int
    end: int
    first: date
    last: date
    keyword: str | None = None  # a Superset time_range keyword for it, e.g. "Last week"
    weekday: bool = False  # a weekday name: may be moved a week on when it ends a range
    yearless: bool = False  # a month day without a year: may be moved a year on when it ends a range
    literal: str | None = None  # a range the user wrote in Superset form


_BACKWARDS = re.compile(
    r"\b(?:since|ago|did|was|were|haven't|hasn't|last|so far|sold|bought|ordered|spent|"
    r"happened|report|summary|recap|numbers|revenue|kpis?|performance|results|how (?:much|many)|cost us|"
    r"drop(?:ped)?|what were|went|came|made|got|compared?|vs|versus|trend|yet|won|beat|doing|performing|"
    r"conclusive|analy[sz]e|significan\w*)\b", re.I)
_FORWARDS = re.compile(
    r"\b(?:remind|reminders?|schedule|plan|planning|launch|until|till|valid|expires?|starts?|starting|opening|next|"
    r"upcoming|will|deadline|due|coming|follow-?up|set\s+up|sale|promo|offer|book|appointment|meeting|kickoff|go live|publish|post)\b", re.I)


def _lean(request: str) -> str:
    """Which way a date without a year points: back, forward, or the nearest one."""
    if _BACKWARDS.search(request):
        return "back"
    return "forward" if _FORWARDS.search(request) else "nearest"


def _choose(candidates: list[tuple[date, date]], today: date, lean: str) -> tuple[date, date]:
    """Of the same period in consecutive years or months (oldest first): the latest one begun when looking
    back, the first one not over when looking forward, else the one nearest to today."""
    if lean == "back":
        begun = [c for c in candidates if c[0] <= today]
        return begun[-1] if begun else candidates[0]
    if lean == "forward":
        open_ = [c for c in candidates if c[1] >= today]
        return open_[0] if open_ else candidates[-1]

    def distance(c: tuple[date, date]) -> int:
        return 0 if c[0] <= today <= c[1] else min(abs((c[0] - today).days), abs((c[1] - today).days))

    return min(candidates, key=distance)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _quarter(year: int, q: int) -> tuple[date, date]:
    return date(year, 3 * q - 2, 1), _month_end(year, 3 * q)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _pick_year(month: int, day: int, today: date, lean: str) -> date | None:
    """The month day in the year the request means (see _choose)."""
    days = [d for d in (_safe_date(today.year + k, month, day) for k in (-1, 0, 1)) if d is not None]
    return _choose([(d, d) for d in days], today, lean)[0] if days else None


def _pick_month(month: int, today: date, lean: str) -> tuple[date, date]:
    years = (today.year - 1, today.year, today.year + 1)
    return _choose([(date(y, month, 1), _month_end(y, month)) for y in years], today, lean)


def _weekday(name: str, today: date, direction: str) -> date:
    target = {**WEEKDAYS, **SHORT_WEEKDAYS}[name.lower()]
    if direction == "back":
        return today - timedelta(days=(today.weekday() - target - 1) % 7 + 1)
    return today + timedelta(days=(target - today.weekday() - 1) % 7 + 1)


def _period(unit: str, shift: int, today: date) -> tuple[date, date]:
    """The calendar week, month, quarter or year `shift` units from the current one."""
    if unit == "week":
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=shift)
        return monday, monday + timedelta(days=6)
    if unit == "month":
        first = _add_months(today.replace(day=1), shift)
        return first, _month_end(first.year, first.month)
    if unit == "quarter":
        index = today.year * 4 + (today.month - 1) // 3 + shift
        return _quarter(index // 4, index % 4 + 1)
    return date(today.year + shift, 1, 1), date(today.year + shift, 12, 31)


_SHIFT = {"this": 0, "current": 0, "last": -1, "previous": -1, "past": -1, "next": 1, "coming": 1}
_KEYWORDS = {"day": "Last day", "week": "Last week", "month": "Last month", "quarter": "Last quarter",
             "year": "Last year"}
SpanReader = Callable[[re.Match[str], date, str], _Span | None]


def _span(m: re.Match[str], first: date, last: date, *, keyword: str | None = None, yearless: bool = False,
          literal: str | None = None) -> _Span:
    return _Span(m.start(), m.end(), first, last, keyword=keyword, yearless=yearless, literal=literal)


def _read_iso_range(m: re.Match[str], today: date, lean: str) -> _Span | None:
    first, last = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(3))
    literal = f"{m.group(1)} : {m.group(3)}" if m.group(2) == ":" else None
    return _span(m, first, last, literal=literal) if first <= last else None


def _read_iso(m: re.Match[str], today: date, lean: str) -> _Span | None:
    try:
        day = date.fromisoformat(m.group(0))
    except ValueError:
        return None
    return _span(m, day, day)


def _read_month_day_range(m: re.Match[str], today: date, lean: str) -> _Span | None:
    month, year = MONTHS[m.group(1).lower()], m.group(5)
    end_month = MONTHS[m.group(3).lower()] if m.group(3) else month
    if year:
        first, last = _safe_date(int(year), month, int(m.group(2))), _safe_date(int(year), end_month, int(m.group(4)))
    else:
        first = _pick_year(month, int(m.group(2)), today, lean)
        last = _safe_date(first.year, end_month, int(m.group(4))) if first else None
        if first and last and last < first:
            last = _safe_date(first.year + 1, end_month, int(m.group(4)))
    return _span(m, first, last) if first and last and first <= last else None


def _read_month_day(m: re.Match[str], today: date, lean: str) -> _Span | None:
    month_name, day, year = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(5), m.group(4), m.group(6))
    month = MONTHS[month_name.lower()]
    found = _safe_date(int(year), month, int(day)) if year else _pick_year(month, int(day), today, lean)
    return _span(m, found, found, yearless=not year) if found else None


def _read_month_range(m: re.Match[str], today: date, lean: str) -> _Span | None:
    start, stop = MONTHS[m.group(1).lower()], MONTHS[m.group(2).lower()]
    if m.group(3):
        year = int(m.group(3))
        first = date(year, start, 1)
    else:
        first = _pick_month(start, today, lean)[0]
    end_year = first.year if stop >= start else first.year + 1
    return _span(m, first, _month_end(end_year, stop))


def _read_month(m: re.Match[str], today: date, lean: str) -> _Span | None:
    if m.group(1).lower() == "may" and m.group(1) != "May":
        return None  # the verb
    month = MONTHS[m.group(1).lower()]
    if m.group(2):
        year = int(m.group(2))
        return _span(m, date(year, month, 1), _month_end(year, month))
    first, last = _pick_month(month, today, lean)
    return _span(m, first, last)


def _read_relative_day(m: re.Match[str], today: date, lean: str) -> _Span | None:
    word = " ".join(m.group(0).lower().split())
    shift = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1, "day after tomorrow": 2,
             "day before yesterday": -2}[word]
    day = today + timedelta(days=shift)
    return _span(m, day, day, keyword="Last day" if word == "yesterday" else None)


_WORD_BEFORE = re.compile(r"(?:^|(?<=[\s(]))([A-Z][\w'’-]*)\s+$")
_TIME_WORDS = {"every", "each", "this", "next", "last", "on", "by", "until", "till", "from", "since", "coming", "past",
               "previous", "before", "after", "due", "and", "or", "to", "through", "thru"}


def _read_weekday(m: re.Match[str], today: date, lean: str) -> _Span | None:
    qualifier = (m.group(1) or "").lower()
    before = _WORD_BEFORE.search(m.string[:m.start(2)])
    if (not qualifier and m.group(2)[:1].isupper() and before is not None
            and before.group(1).lower() not in _TIME_WORDS):
        return None  # "Founders Friday": a capitalised word before a capitalised weekday names an event
    if qualifier in ("last", "past", "previous", "since"):
        direction = "back"
    elif qualifier in ("next", "this", "coming", "on", "by", "until", "till", "from"):
        direction = "forward"
    else:
        direction = "back" if lean == "back" else "forward"
    day = _weekday(m.group(2), today, direction)
    start = m.start(1) if qualifier in ("last", "past", "previous", "next", "this", "coming") else m.start(2)
    return _Span(start, m.end(), day, day, weekday=True)


def _read_weekend(m: re.Match[str], today: date, lean: str) -> _Span | None:
    qualifier = (m.group(1) or "this").lower()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7) if today.weekday() != 6 else today - timedelta(days=1)
    saturday += timedelta(weeks={"last": -1, "next": 1}.get(qualifier, 0))
    return _span(m, saturday, saturday + timedelta(days=1))


def _read_named_period(m: re.Match[str], today: date, lean: str) -> _Span | None:
    qualifier, unit = m.group(1).lower(), m.group(2).lower()
    first, last = _period(unit, _SHIFT[qualifier], today)
    keyword = _KEYWORDS[unit] if qualifier in ("last", "previous") else None
    return _span(m, first, last, keyword=keyword)


def _read_last_n(m: re.Match[str], today: date, lean: str) -> _Span | None:
    qualifier, count, unit = m.group(1).lower(), _num(m.group(2)), m.group(3).lower().rstrip("s")
    days = count * {"day": 1, "week": 7, "month": 30, "year": 365}[unit]
    if qualifier in ("next", "coming"):
        return _span(m, today, today + timedelta(days=days))
    return _span(m, today - timedelta(days=days - 1), today)


def _read_in_n(m: re.Match[str], today: date, lean: str) -> _Span | None:
    if m.group(1):
        count, unit, ago = m.group(2), m.group(3), False
    else:
        count, unit, ago = m.group(5), m.group(6), True
    days = _num(count) * {"day": 1, "week": 7, "month": 30}[unit.lower().rstrip("s")]
    day = today - timedelta(days=days) if ago else today + timedelta(days=days)
    return _span(m, day, day)


def _read_quarter(m: re.Match[str], today: date, lean: str) -> _Span | None:
    q = int(m.group(1))
    if m.group(2):
        year = int(m.group(2)) if len(m.group(2)) == 4 else 2000 + int(m.group(2))
        first, last = _quarter(year, q)
    else:
        first, last = _choose([_quarter(today.year + k, q) for k in (-1, 0, 1)], today, lean)
    return _span(m, first, last)


def _read_half(m: re.Match[str], today: date, lean: str) -> _Span | None:
    h = int(m.group(1))
    years = [int(m.group(2))] if m.group(2) else [today.year - 1, today.year, today.year + 1]
    first, last = _choose([(date(y, 6 * h - 5, 1), _month_end(y, 6 * h)) for y in years], today, lean)
    return _span(m, first, last)


def _read_year(m: re.Match[str], today: date, lean: str) -> _Span | None:
    year = int(m.group(1))
    return _span(m, date(year, 1, 1), date(year, 12, 31))


def _read_year_to_date(m: re.Match[str], today: date, lean: str) -> _Span | None:
    return _span(m, date(today.year, 1, 1), today)


def _read_month_last_day(m: re.Match[str], today: date, lean: str) -> _Span | None:
    last = _period("month", 0, today)[1]
    return _span(m, last, last)


def _read_end_of(m: re.Match[str], today: date, lean: str) -> _Span | None:
    shift, unit = (1 if (m.group(1) or "").lower() == "next" else 0), m.group(2).lower()
    last = _period(unit, shift, today)[1]
    return _span(m, last, last)


def _read_day_of_month(m: re.Match[str], today: date, lean: str) -> _Span | None:
    day = int(m.group(1))
    months = [_add_months(today.replace(day=1), k) for k in (-1, 0, 1)]
    days = [d for d in (_safe_date(x.year, x.month, day) for x in months) if d is not None]
    if not days:
        return None
    found = _choose([(d, d) for d in days], today, lean)[0]
    return _span(m, found, found, yearless=True)


_DASH = r"\s*(?:-|–|to|through|thru|until|till)\s*"
_READERS: list[tuple[re.Pattern[str], SpanReader]] = [
    (re.compile(r"\b(\d{4}-\d{2}-\d{2})\s*(:|-|–|to|through|until)\s*(\d{4}-\d{2}-\d{2})\b", re.I), _read_iso_range),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), _read_iso),
    (re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}}){_ORD}{_DASH}(?:({_MONTH})\.?\s+)?(\d{{1,2}}){_ORD}\b"
                rf"(?!\s*(?:%|am|pm|:))(?:,?\s+(\d{{4}}))?", re.I), _read_month_day_range),
    (re.compile(rf"\b({_MONTH})\s*(?:-|–|to|through)\s*({_MONTH})\b(?:\s+(\d{{4}}))?", re.I), _read_month_range),
    (re.compile(rf"\b(?:({_MONTH})\.?\s+(\d{{1,2}}){_ORD}\b(?!:|\d)(?:,?\s+(\d{{4}})\b)?|"
                rf"(\d{{1,2}}){_ORD}\s+(?:of\s+)?({_MONTH})\b\.?(?:,?\s+(\d{{4}})\b)?)", re.I), _read_month_day),
    (re.compile(rf"\b({_MONTH_FULL}|may)\b(?:\s+(\d{{4}})\b)?", re.I), _read_month),
    (re.compile(r"\bday\s+(?:after\s+tomorrow|before\s+yesterday)\b|\b(?:today|tonight|tomorrow|yesterday)\b", re.I),
     _read_relative_day),
    (re.compile(r"\b(this|next|last)\s+weekend\b|\bweekend\b", re.I), _read_weekend),
    (re.compile(r"\b(?:(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(next\s+)?(week|month|quarter|year))\b", re.I),
     _read_end_of),
    (re.compile(r"\blast\s+day\s+of\s+(?:each|every|the|this)\s+(month)\b", re.I), _read_month_last_day),
    (re.compile(r"\b(this|current|last|previous|past|next|coming)\s+(week|month|quarter|year)\b", re.I),
     _read_named_period),
    (re.compile(rf"\b(last|past|previous|next|coming)\s+({_NUM})\s+(days?|weeks?|months?|years?)\b", re.I),
     _read_last_n),
    (re.compile(rf"\b(in)\s+({_NUM})\s+(days?|weeks?|months?)\b(?!\s+ago)|\b()({_NUM})\s+(days?|weeks?|months?)"
                rf"\s+(ago)\b", re.I), _read_in_n),
    (re.compile(r"\bQ([1-4])(?:\s*(?:of\s+)?'?(\d{4}|\d{2})\b)?", re.I), _read_quarter),
    (re.compile(r"\bH([12])(?:\s+(\d{4}))?\b"), _read_half),
    (re.compile(r"\b(?:year\s+to\s+date|ytd|so\s+far\s+this\s+year)\b", re.I), _read_year_to_date),
    (re.compile(r"\b(?:in|for|of|during|since|from|year|until|through)\s+((?:19|20)\d\d)\b(?!-)", re.I), _read_year),
    (re.compile(r"(?:^|\b)(2\d{3})\b(?!-|\s*(?:orders|items|units|visitors|people|customers))"), _read_year),
    (re.compile(rf"\b(?:(last|past|previous|next|this|coming|on|by|until|till|from|since)\s+)?"
                rf"\b({_WEEKDAY}|mon|tues?|thu(?:rs?)?|fri)\b(?!s|-)", re.I), _read_weekday),
    (re.compile(r"\b(?:on|by|before|until|till|the)\s+(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\b", re.I),
     _read_day_of_month),
]


_REMIND_BEFORE = re.compile(r"\bremind\s+\w+(?:\s+and\s+\w+)?\s+(?:on\s+|by\s+)?(?:the\s+)?$", re.I)
_ACTION_BEFORE = re.compile(r"\b(?:call(?:\s+them)?|follow\s+up|send\s+it|due|deadline)\s+(?:on\s+|by\s+)?(?:the\s+)?$", re.I)


def _single_days(request: str, spans: list[_Span]) -> list[_Span]:
    """The single days named: the one a reminder is set for first ("remind me on the 18th"), then one a call,
    follow-up or deadline is set for, then the rest in the order written."""

    def rank(span: _Span) -> int:
        before = _preceding(request, span.start)
        return 0 if _REMIND_BEFORE.search(before) else 1 if _ACTION_BEFORE.search(before) else 2

    return sorted((s for s in spans if s.first == s.last), key=rank)


_RECURRING_BEFORE = re.compile(r"\b(?:every|each)\s+(?:other\s+)?$|\b(?:every|each)\s+\w+\s+(?:and|,)\s*$", re.I)


def _spans(request: str, today: date) -> list[_Span]:
    """Every day or period named, in order, longest first where two overlap; recurring days are left out."""
    lean = _lean(request)
    found: list[_Span] = []
    for pattern, reader in _READERS:
        for m in pattern.finditer(request):
            if _RECURRING_BEFORE.search(_preceding(request, m.start()).rstrip() + " "):
                continue
            span = reader(m, today, lean)
            if span is None or any(s.start < span.end and span.start < s.end for s in found):
                continue
            found.append(span)
    return sorted(found, key=lambda s: s.start)


# ---- the period: joining days, start and end markers, durations -----------------------------------


@dataclass(frozen=True)
class _Period:
    first: date | None
    last: date | None
    start_clock: time | None = None
    end_clock: time | None = None
    hours: int | None = None  # "for 24 hours": the end is the start plus this
    keyword: str | None = None
    literal: str | None = None
    bounded: bool = False  # an explicit end or duration (until, through, for N days)


_JOIN = re.compile(r"^\s*(?:\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s*)?(?:-|–|to|through|thru|until|till|and)\s*"
                   r"(?:the\s+)?$", re.I)
_END_MARK = re.compile(r"\b(?:until|till|til|through|thru|ends?|ending|expires?|expiring|by|before|valid\s+till|"
                       r"up\s+to)\s+(?:on\s+|the\s+)?$", re.I)
_START_MARK = re.compile(r"\b(?:from|starting|starts?|beginning|begins?|since|after|effective)\s+(?:on\s+|the\s+)?$",
                         re.I)
_FOR_DURATION = re.compile(rf"\bfor\s+(?:the\s+next\s+)?({_NUM})\s+(hours?|days?|weeks?|months?)\b", re.I)


def _clock_after(request: str, end: int) -> time | None:
    """A time written right after a day: "Nov 30 00:00", "tomorrow 9am", "Friday at 8am"."""
    for clock in _clocks(request):
        gap = request[end:clock.start]
        if clock.start >= end and re.fullmatch(r"\s*(?:,|at|from|@)?\s*", gap, re.I):
            return clock.at
    return None


def _shift_after(first: _Span, second: _Span) -> date:
    last = second.last
    if last < first.first and second.weekday:
        last += timedelta(weeks=1)
    elif last < first.first and second.yearless:
        last = _safe_date(last.year + 1, last.month, last.day) or last
    return last


def _period_of(request: str, spans: list[_Span], today: date) -> _Period:
    duration = _FOR_DURATION.search(request)
    for a, b in zip(spans, spans[1:], strict=False):
        gap = request[a.end:b.start]
        between = re.search(r"\bbetween\s+$", _preceding(request, a.start), re.I)
        if _JOIN.match(gap) and (not re.search(r"\band\b", gap) or between or b.first == a.last + timedelta(days=1)):
            return _Period(a.first, _shift_after(a, b), _clock_after(request, a.end), _clock_after(request, b.end),
                           bounded=True)
    starts = [s for s in spans if _START_MARK.search(_preceding(request, s.start))]
    ends = [s for s in spans if _END_MARK.search(_preceding(request, s.start)) and s not in starts]
    start = starts[0] if starts else None
    if ends:
        end = ends[0]
        first = start.first if start else None
        return _Period(first, _shift_after(start, end) if start else end.last,
                       _clock_after(request, start.end) if start else None, _clock_after(request, end.end), bounded=True)
    if duration:
        origin = start or (spans[0] if spans else None)
        first = origin.first if origin else today
        clock = _clock_after(request, origin.end) if origin else None
        count, unit = _num(duration.group(1)), duration.group(2).lower().rstrip("s")
        if unit == "hour":
            return _Period(first, first, clock, None, hours=count, bounded=True)
        last = _add_months(first, count) - timedelta(days=1) if unit == "month" else \
            first + timedelta(days=count * (7 if unit == "week" else 1) - 1)
        return _Period(first, last, clock, None, bounded=True)
    if start:
        since = re.search(r"\bsince\s+(?:the\s+)?$", _preceding(request, start.start), re.I)
        until: date | None = today if since else (start.last if start.last != start.first else None)
        return _Period(start.first, until, _clock_after(request, start.end), literal=start.literal)
    if spans:
        periods = [s for s in spans if s.first != s.last]
        span = periods[0] if periods else spans[0]
        return _Period(span.first, span.last, _clock_after(request, span.end), None, keyword=span.keyword,
                       literal=span.literal)
    return _Period(None, None)


# ---- recurrence ------------------------------------------------------------------------------------

_EVERY_WEEKDAYS = re.compile(r"\b(?:every|each|on)\s+weekdays?\b|\bweekdays\b", re.I)
_EVERY_DAYS = re.compile(
    rf"\b(?:every|each)\s+({_WEEKDAY}(?:\s*(?:,|and|&)\s*{_WEEKDAY})*)|\b(?:on\s+)?({_WEEKDAY}s(?:\s*(?:,|and|&)\s*"
    rf"{_WEEKDAY}s)*)\b", re.I)
_TIMES_A_DAY = re.compile(r"\b(once|twice|\d+\s+times|two\s+times|three\s+times|four\s+times)\s+(?:a|per)\s+day\b",
                          re.I)
_DEFAULT_HOURS = {1: [9], 2: [9, 21], 3: [8, 14, 20], 4: [8, 12, 16, 20]}
_FREQUENCIES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\blast\s+day\s+of\s+(?:each|every|the)\s+month\b", re.I), "FREQ=MONTHLY;BYMONTHDAY=-1"),
    (re.compile(r"\b(?:every|each)\s+(?:day|morning|evening|night|afternoon)\b|\bdaily\b|\bnightly\b|"
                r"\b(?:once|twice|\d+\s+times|two\s+times|three\s+times|four\s+times)\s+(?:a|per)\s+day\b", re.I),
     "FREQ=DAILY"),
    (re.compile(r"\bevery\s+(?:other|2|two)\s+weeks?\b|\bfortnightly\b|\bbi-?weekly\b", re.I), "FREQ=WEEKLY;INTERVAL=2"),
    (re.compile(r"\b(?:every|each)\s+week\b|\bweekly\b|\bonce\s+a\s+week\b", re.I), "FREQ=WEEKLY"),
    (re.compile(r"\b(?:every|each)\s+month\b|\bmonthly\b|\bonce\s+a\s+month\b", re.I), "FREQ=MONTHLY"),
    (re.compile(r"\b(?:every|each)\s+year\b|\byearly\b|\bannually\b", re.I), "FREQ=YEARLY"),
]
_MONTH_DAY_RULE = re.compile(r"\bthe\s+(\d{1,2})(?:st|nd|rd|th)\s+of\s+(?:each|every|the)\s+month\b", re.I)
_EVERY_HOURS = re.compile(r"\bevery\s+(\d+)\s+hours\b", re.I)


def _byday(request: str) -> str | None:
    if _EVERY_WEEKDAYS.search(request):
        return "MO,TU,WE,TH,FR"
    found = _EVERY_DAYS.search(request)
    if not found:
        return None
    names = re.findall(_WEEKDAY, found.group(0), re.I)
    days = sorted({WEEKDAYS[n.lower()] for n in names})
    return ",".join(RRULE_DAYS[d] for d in days)


def _frequency(request: str) -> str | None:
    byday = _byday(request)
    if byday:
        return f"FREQ=WEEKLY;BYDAY={byday}"
    monthday = _MONTH_DAY_RULE.search(request)
    if monthday:
        return f"FREQ=MONTHLY;BYMONTHDAY={int(monthday.group(1))}"
    hours = _EVERY_HOURS.search(request)
    if hours:
        return f"FREQ=HOURLY;INTERVAL={int(hours.group(1))}"
    for pattern, rule in _FREQUENCIES:
        if pattern.search(request):
            return rule
    return None


def _rule_times(request: str) -> list[time]:
    times = _times(request)
    per_day = _TIMES_A_DAY.search(request)
    if per_day and not _clocks(request):
        word = per_day.group(1).lower().split()[0]
        count = {"once": 1, "twice": 2}.get(word) or _num(word)
        times = [time(h) for h in _DEFAULT_HOURS.get(count, [])] or times
    return times


def find_rrule(request: str) -> str | None:
    """An RFC 5545 RRULE for a recurrence: every day/weekday/Monday, weekly, monthly, twice a day..."""
    rule = _frequency(request)
    if rule is None:
        return None
    times = sorted(set(_rule_times(request)))
    if times and not rule.startswith("FREQ=HOURLY") and len({t.minute for t in times}) == 1:
        rule += f";BYHOUR={','.join(str(t.hour) for t in times)};BYMINUTE={times[0].minute}"
    return rule


# ---- the moment ------------------------------------------------------------------------------------

_IN_DELTA = re.compile(rf"\bin\s+({_NUM}|half\s+an)\s+(minutes?|mins?|hours?)\b", re.I)
_BEFORE = re.compile(rf"\b(?:({_NUM})\s+(minutes?|hours?|days?|weeks?)|the\s+(day|week|night))\s+before\b", re.I)


def _next_at(moment: datetime, times: list[time], rule: str | None) -> datetime:
    """The first time from `times` after `moment`, on a day the rule allows."""
    allowed = None
    if rule and "BYDAY=" in rule:
        allowed = {RRULE_DAYS.index(d) for d in rule.split("BYDAY=")[1].split(";")[0].split(",")}
    for offset in range(0, 8):
        day = moment.date() + timedelta(days=offset)
        if allowed is not None and day.weekday() not in allowed:
            continue
        for at in sorted(times):
            candidate = datetime.combine(day, at, moment.tzinfo)
            if candidate > moment:
                return candidate
    return datetime.combine(moment.date() + timedelta(days=1), sorted(times)[0], moment.tzinfo)




def _moment(request: str, now: datetime, spans: list[_Span]) -> datetime | None:
    zone = _zone(request)
    local_now = now.astimezone(zone).replace(second=0, microsecond=0)
    delta = _IN_DELTA.search(request)
    if delta:
        amount = 0.5 if delta.group(1).lower().startswith("half") else _num(delta.group(1))
        minutes = amount * (60 if delta.group(2).lower().startswith("h") else 1)
        return local_now + timedelta(minutes=minutes)
    times, rule = _times(request), find_rrule(request)
    if rule and ("FREQ=DAILY" in rule or ("FREQ=WEEKLY" in rule and "BYDAY" in rule)):
        times = _rule_times(request) or times
    days = _single_days(request, spans)
    if days:
        clock = _clock_after(request, days[0].end)
        return datetime.combine(days[0].first, clock or (times[0] if times else time(9)), zone)
    if rule and "BYMONTHDAY=-1" in rule:
        last = _period("month", 0, local_now.date())[1]
        return datetime.combine(last, times[0] if times else time(9), zone)
    if times:
        return _next_at(local_now, times, rule)
    if rule and "BYDAY=" in rule:
        return _next_at(local_now, [time(9)], rule)
    return None


def _before(request: str, moment: datetime) -> datetime | None:
    found = _BEFORE.search(request)
    if not found:
        return None
    if found.group(3):
        unit, count = found.group(3).lower(), 1
        unit = "day" if unit == "night" else unit
    else:
        unit, count = found.group(2).lower().rstrip("s"), _num(found.group(1))
    return moment - {"minute": timedelta(minutes=count), "hour": timedelta(hours=count),
                     "day": timedelta(days=count), "week": timedelta(weeks=count)}[unit]


# ---- the time slots --------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def date_slots(request: str, now: datetime) -> dict[str, str]:
    """today, now, date, date_from, date_to, datetime_from, datetime_to, start_or_now, until, time_range."""
    today = now.date()
    zone = _zone(request)
    spans = _spans(request, today)
    slots = {"today": today.isoformat(), "now": _iso(now)}
    single = _single_days(request, spans)
    if single:
        slots["date"] = single[0].first.isoformat()
    period = _period_of(request, spans, today)
    start = datetime.combine(period.first, period.start_clock or time(0), zone) if period.first else None
    end = datetime.combine(period.last, period.end_clock or time(23, 59, 59), zone) if period.last else None
    if start and period.hours:
        end = start + timedelta(hours=period.hours)
    if period.first:
        slots["date_from"] = period.first.isoformat()
    if end:
        slots["date_to"] = end.date().isoformat()
    if start:
        slots["datetime_from"] = _iso(start)
    if end:
        slots["datetime_to"] = _iso(end)
    slots["start_or_now"] = _iso(start) if start else _iso(now)
    if period.bounded and end:
        slots["until"] = end.date().isoformat()
    time_range = _time_range(period, end)
    if time_range:
        slots["time_range"] = time_range
    if period.first and end:
        before_first, before_last = _previous(period.first, end.date(), today)
        slots["time_range_previous"] = f"{before_first.isoformat()} : {(before_last + timedelta(days=1)).isoformat()}"
    days = find_days(request)
    if days:
        slots["days_ago"] = (today - timedelta(days=int(days))).isoformat()
    return slots


def _previous(first: date, last: date, today: date) -> tuple[date, date]:
    """The period just before: the previous calendar months for whole months, the same dates a year earlier
    for a year to date, else as many days before."""
    if (first.month, first.day) == (1, 1) and last == today:
        return first.replace(year=first.year - 1), _safe_date(last.year - 1, last.month, last.day) or last
    if first.day == 1 and last == _month_end(last.year, last.month):
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        start = _add_months(first, -months)
        return start, first - timedelta(days=1)
    return first - (last - first) - timedelta(days=1), first - timedelta(days=1)


def _time_range(period: _Period, end: datetime | None) -> str | None:
    if period.literal:
        return period.literal
    if period.keyword:
        return period.keyword
    if period.first and end:
        return f"{period.first.isoformat()} : {(end.date() + timedelta(days=1)).isoformat()}"
    return None


def moment_slots(request: str, now: datetime) -> dict[str, str]:
    """datetime, datetime_before and rrule."""
    slots: dict[str, str] = {}
    rule = find_rrule(request)
    if rule:
        slots["rrule"] = rule
    moment = _moment(request, now, _spans(request, now.date()))
    if moment is not None:
        slots["datetime"] = _iso(moment)
        before = _before(request, moment)
        if before is not None:
            slots["datetime_before"] = _iso(before)
    return slots


TIME_SLOTS: list[TimeFinder] = [date_slots, moment_slots]


def builtin_slots(request: str, now: datetime | None = None) -> dict[str, str]:
    """Every built-in slot found in the request; `now` (default runtime.clock.now()) anchors the time slots."""
    reference = (now or wall.now()).replace(microsecond=0)
    if reference.tzinfo is None:
        reference = reference.replace(tzinfo=UTC)
    found: dict[str, str] = {}
    for name, finder in BUILTIN_SLOTS.items():
        value = finder(request)
        if value is not None:
            found[name] = value
    for time_finder in TIME_SLOTS:
        found.update(time_finder(request, reference))
    return found
