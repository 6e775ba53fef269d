"""Built-in slots the offline planner fills from a request: money, percentages, emails, order
numbers, SKUs, numbers, quoted text, and the whole request. Pattern templates use them as
{money}, {percent}, {email}, {order}, {sku}, {number}, {quoted}, {request}."""

from __future__ import annotations

import re
from collections.abc import Callable

SlotFinder = Callable[[str], str | None]


def _first_group(pattern: re.Pattern[str]) -> SlotFinder:
    def find(request: str) -> str | None:
        found = pattern.search(request)
        if not found:
            return None
        groups = [g for g in found.groups() if g]
        return (groups[0] if groups else found.group(0)).replace(",", ".")

    return find


BUILTIN_SLOTS: dict[str, SlotFinder] = {
    "money": _first_group(re.compile(
        r"(?:\$|usd\s*)\s*(\d+(?:[.,]\d{1,2})?)|(\d+(?:[.,]\d{1,2})?)\s*(?:usd|dollars?|bucks|\$)", re.I)),
    "percent": _first_group(re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent)", re.I)),
    "email": _first_group(re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    "order": _first_group(re.compile(r"(?:order\s*(?:number|no\.?)?\s*#?|#)(\d{3,})", re.I)),
    "sku": _first_group(re.compile(r"\b[A-Z]{2,}(?:-[A-Z0-9]+)+\b")),
    "number": _first_group(re.compile(r"\b(\d+(?:\.\d+)?)\b")),
    "quoted": _first_group(re.compile(r"[\"“']([^\"”']{2,})[\"”']")),
    "request": lambda request: request.strip() or None,
}


def builtin_slots(request: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, finder in BUILTIN_SLOTS.items():
        value = finder(request)
        if value is not None:
            found[name] = value
    return found
