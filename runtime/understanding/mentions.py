"""Reading the things a request names: quoted text, capitalised names, "the ..." phrases, the object a
part of a request acts on, an order number, an owner, an amount, and a later part's pronouns replaced by
what an earlier part acted on (`resolve_references`).

Shared by the offline planner's tool intents and the router's split of two-job requests; it holds no
planner tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from runtime.understanding.slots import MONTHS, WEEKDAYS, builtin_slots

Args = dict[str, Any]

IC = re.IGNORECASE


_STOP = (r"(?:\s*(?:[,.;:!?(]|\s-\s|\s—\s)|\s+(?:to|into|in|on|at|for|from|with|is|are|was|has|have|should|"
         r"needs?|now|and|but|so|because|as|by|off|out|from|live|page|it|they|which|that|this|please|pls|asap|"
         r"today|tomorrow|since|until|then|again|too|also|anymore|any\s+more)\b|\s*$)")
_THE = re.compile(r"\b(?:the|our|my|that|this)\s+(?P<name>(?:[\w'’&+.-]+\s+){0,5}?[\w'’&+.-]+?)" + _STOP, IC)
_CAPITAL = re.compile(r"(?<![\w'’])(?:[A-Z0-9][\w'’&.+-]*)(?:\s+(?:[A-Z0-9][\w'’&.+-]*|of|and|for|&|the|in|de))*"
                      r"(?<![\s'’])")
_NOT_TARGET = {
    "i", "i'm", "we", "we're", "it", "its", "the", "a", "an", "our", "my", "please", "pls", "hey", "hi", "ok", "seo",
    "sku", "crm", "url", "usd", "inr", "eur", "us", "ai", "faq", "cta", "vip", "telegram", "new", "make", "set",
    "change", "update", "put", "add", "create", "write", "take", "mark", "move", "give", "let", "can", "could",
    "also", "then", "now", "that", "this", "these", "those", "customer", "someone", "anyone", "everyone", "order",
    "page", "product", "store", "site", "website", "lead", "deal", "task", "contact", "account", "note", "notes",
}


_FIELD_OF = re.compile(r"^(?:(?:the|its|their)\s+)?(?:price|cost|description|copy|seo\s+title|title|slug|name|category|stock|"
                       r"sku|weight|tags?|status|stage|owner|score)\s+(?:of|for|on)\s+(?:the\s+|our\s+|my\s+)?", IC)


_FILLER = re.compile(r"(?:\s+(?:pls|plz|please|thanks|thx|asap|now|for\s+now|today|too|again|straight\s+away|right\s+away|"
                     r"right\s+now|immediately))+$", IC)


_FIELD_AFTER = re.compile(r"(?<=\w)(?:'s)?\s+(?:description|slug|price|seo\s+title|seo|copy|sku|stock|tags?|task|deal|"
                          r"opportunity|lead|account)$", IC)


def tidy(text: str) -> str:
    text = text.strip().strip(".,;:!?\"'“”‘’").strip()
    text = _FIELD_AFTER.sub("", _FIELD_OF.sub("", _FILLER.sub("", text)))
    return re.sub(r"['’]s$", "", text).strip()


def quoted_all(request: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"(?<![\w'’])[\"“'‘]([^\"“”'‘’]{2,}?)[\"”'’](?![\w'’])", request)]


def first_quoted(request: str) -> str | None:
    found = quoted_all(request)
    return found[0] if found else None


def capital_names(request: str) -> list[tuple[int, str]]:
    """Capitalised runs ("Birch Ladle 2L", "Harbor Lane SEO"), opening verbs and small words trimmed off."""
    names = []
    for found in _CAPITAL.finditer(request):
        words = found.group(0).split()
        start = found.start()
        while words and (words[0].lower().strip("'’") in _NOT_TARGET or words[0].lower() in MONTHS
                         or words[0].lower() in WEEKDAYS or re.fullmatch(r"\d+(?:\.\d+)?[kK%]?|[A-Z]{2,}-[\w-]+", words[0])):
            start += len(words[0]) + 1
            words.pop(0)
        while words and words[-1].lower() in ("of", "and", "for", "&", "the", "in", "de"):
            words.pop()
        if words and not all(re.fullmatch(r"[\d.,]+", w) for w in words):
            names.append((start, tidy(" ".join(words))))
    return [(s, n) for s, n in names if n and n.lower() not in _NOT_TARGET]


def the_phrases(request: str) -> list[tuple[int, str]]:
    """Phrases after the/our/my/that: "the green lamp", "our felt hat"."""
    found = []
    for match in _THE.finditer(request):
        name = tidy(match.group("name"))
        if name and name.split()[0].lower() not in _NOT_TARGET and not re.fullmatch(r"[\d.,]+", name):
            found.append((match.start("name"), name))
    return found


_DETERMINERS = {"the", "that", "this", "our", "my", "its", "their", "a", "an", "his", "her", "of", "on", "for", "to", "pull",
                "unpublish", "publish"}
# A request that opens with its object: "green lamp should be 13 dollars", "felt hat needs an XL option".
_SUBJECT = re.compile(r"^\s*(?:the\s+|our\s+)?(?P<name>[a-z][\w'’-]*(?:\s+[a-z0-9][\w'’-]*){0,4}?)\s+"
                      r"(?:should|needs?|is|are|costs?|now|has|have|got|must)\b")


def target(request: str, *, before: str | None = None, skip: Iterable[str | None] = ()) -> str | None:
    """The object a request is about: a quoted name, the name written before `before` ("the About page"),
    a capitalised name, else a phrase after "the". Values given elsewhere (`skip`) are not targets."""
    skipped = {s.casefold() for s in skip if s}
    quoted = [q for q in quoted_all(request) if q.casefold() not in skipped]
    if before:
        named = re.search(r"(?P<name>(?:[\w'’&+.-]+\s+){0,6}?[\w'’&+.-]+)\s+" + before + r"\b", request, IC)
        if named:
            words = named.group("name").split()
            cut = max((i + 1 for i, w in enumerate(words) if w in _DETERMINERS), default=0)
            words = words[cut:]
            while words and words[0] in _NOT_TARGET:
                words.pop(0)
            if words:
                return tidy(" ".join(words))
    if quoted:
        return quoted[0]
    subject = _SUBJECT.match(request)
    opening = [(0, tidy(subject.group("name")))] if subject else []
    lowered = request.casefold()
    spans = [(at, at + len(s)) for s in skipped if (at := lowered.find(s)) >= 0]
    for position, name in sorted(opening + capital_names(request) + the_phrases(request), key=lambda c: (c[0], -len(c[1]))):
        if name.casefold() not in skipped and not any(start <= position < end for start, end in spans):
            return name
    return None


def after(request: str, pattern: str, *, upto: str = r"(?=\s*(?:[,;.!?]|\band\b|\bthen\b|$))") -> str | None:
    """The text after a phrase: after(r"seo title(?: of [^,:]+?)? (?:to|:)") -> the new title."""
    found = re.search(pattern + r"\s*[:\-–]?\s*(?P<value>.+?)" + upto, request, IC)
    if not found:
        return None
    value = found.group("value").strip()
    quoted = quoted_all(value)
    return quoted[0] if quoted else tidy(value) or None


def after_colon(request: str, pattern: str) -> str | None:
    """Everything after "pattern ... :" or "pattern to", up to the end: a description, a title."""
    found = re.search(pattern + r"[^:]*?(?::|\bto\b|\bshould\s+(?:be|say|read)\b)\s*(?P<value>.+)$", request, IC)
    if not found:
        return None
    value = found.group("value").strip().lstrip(":-– ").strip()
    quoted = quoted_all(value)
    return quoted[0] if quoted and len(quoted[0]) > len(value) / 2 else value.strip().strip("\"'“”‘’") or None


def order_number(request: str, slots: dict[str, str]) -> str | None:
    if slots.get("order"):
        return slots["order"]
    for found in re.finditer(r"(?<![\w.$#,-])#?(\d{3,6})(?![\w.,%]|\s*(?:x\b|units|pcs|usd|dollars|bucks|rs|inr))",
                             request, IC):
        return found.group(1)
    return None


def owner(request: str) -> str | None:
    """A colleague a record goes to: "to Priya", "should go to Marcus", "for Jake"."""
    found = re.search(r"\b(?:to|for|owner\s+(?:is|to)?|with)\s+(?P<who>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
                      r"(?=\s*(?:$|[,.;:!?]|\b(?:he|she|they|as|since|because|instead|please|pls|now|and|due|by|on)\b))",
                      request)
    if found and found.group("who").split()[0].lower() not in _NOT_TARGET | set(MONTHS) | set(WEEKDAYS):
        return found.group("who")
    return None


def number_after(request: str, pattern: str) -> str | None:
    found = re.search(pattern + r".{0,24}?(?<![\w.-])\$?\s*(\d+(?:[.,]\d+)?)(?![\w-])", request, IC)
    return found.group(1).replace(",", ".") if found else None


def amount(request: str, slots: dict[str, str]) -> str | None:
    """A sum of money: "$1,500", "12 USD", or a bare "18k" / "30k" after to/at/worth/is."""
    if slots.get("money"):
        return slots["money"]
    found = re.search(r"\b(?:to|at|worth|is|of|for)\s+(\d+(?:\.\d+)?)\s*k\b", request, IC)
    if found:
        return f"{float(found.group(1)) * 1000:g}"
    found = re.search(r"\b(?:worth|deal\s+is|amount\s+(?:is|of)?)\s+(\d{3,}(?:\.\d+)?)\b", request, IC)
    return found.group(1) if found else None


def reason(request: str) -> str:
    """Why, as the user said it: the clause after a comma, dash or "because"; else the whole request."""
    found = re.search(r"(?:,|\s-\s|\s—\s|\bbecause\b|\bsince\b)\s*(?P<why>[^,]{6,})$", request)
    return tidy(found.group("why")) if found else request.strip()


def person_or_email(slots: dict[str, str], request: str) -> str | None:
    return slots.get("email") or slots.get("person") or target(request)


def emails(request: str) -> list[str]:
    return re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", request)


def drop_none(args: Args) -> Args:
    return {k: v for k, v in args.items() if v is not None and v != [] and v != ""}


# ---- what a part of a request acts on ----------------------------------------------------------------

_INTO_EMAIL = re.compile(r"\binto\s+([\w.+-]+@[\w-]+(?:\.[\w-]+)+)", IC)
_PRONOUN = re.compile(r"\b(?:it|him|her|them|they|(?:the|that|this)\s+(?:lead|contact|page|post|article|order|product|deal|"
                      r"collection|code|task))\b(?!['’])", IC)
_POSSESSIVE = re.compile(r"\b(?:its|his|their)\s+(?P<what>(?:[\w-]+\s+){0,2}?[\w-]+)(?=\s+(?:to|as|from|for|in|on|at)\b|\s*[,.;]|\s*$)",
                         IC)


def main_object(part: str) -> str | None:
    """What a part of a request acts on, as it names it: the kept record of a merge, an email, an order
    number, a quoted title, else the name a target reading finds."""
    slots = builtin_slots(part)
    into = _INTO_EMAIL.search(part)
    if into:
        return into.group(1)
    if slots.get("email"):
        return slots["email"]
    number = order_number(part, slots) if re.search(r"\border\b|#\d", part, IC) else None
    if number:
        return f"order {number}"
    named = first_quoted(part)
    if named and re.search(r"\b(?:titled|called|named|title\s+it)\b", part, IC):
        return named  # a thing this part creates
    if re.search(r"\b(?:page|article|post|listing)\b", part, IC):
        return target(part, before=r"(?:page|article|post|listing)", skip=[named]) or named
    return named or target(part)


def resolve_references(part: str, previous: str) -> str:
    """A later part of a two-job request with its pronouns replaced by what the earlier part acts on:
    "publish it" after "write a post titled 'X'" is "publish X"."""
    thing = main_object(previous)
    if not thing or not (_PRONOUN.search(part) or _POSSESSIVE.search(part)):
        return part
    part = _POSSESSIVE.sub(lambda m: f"the {m.group('what')} of {thing}", part, count=1)
    return _PRONOUN.sub(thing, part, count=1)


# A question about the data ("what should I tackle first?", "show me...") asks for no change.
QUESTION = re.compile(r"^\s*(?:what|which|who|whom|whose|when|where|why|how|show|list|any|is|are|does|did|do\s+we|"
                       r"give\s+me|tell\s+me|find|look|check|audit|review|compare|summari[sz]e)\b", IC)
