"""Where a planned call's arguments come from: the person's request, or untrusted text.

Text the Brain did not get from the person asking (free text inside tool results: descriptions,
page bodies, notes; and the tenant's memories, which tools and runs write) may carry instructions
written by someone else. A call whose argument values appear in such text but not in the request
is *tainted*: the policy gate can require a person for it whatever the confidence
(`WorkflowPolicy.untrusted_writes`, "ask" by default).

Only free text counts as untrusted here (strings of several words). Short structured values in
results (ids, names, prices in their own fields) are how a plan legitimately refers to what it
read, and stay usable without a person.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from typing import Any

FREE_TEXT_WORDS = 5  # a string of at least this many words is free text someone wrote
MIN_STRING = 3  # shorter argument strings say too little about where they came from

QUOTE_OPEN = "<<untrusted-data>>"
QUOTE_CLOSE = "<</untrusted-data>>"


def quote_untrusted(text: str) -> str:
    """Text to show a model as data: between markers it cannot close from inside."""
    inner = text.replace(QUOTE_OPEN, "<<untrusted data>>").replace(QUOTE_CLOSE, "<</untrusted data>>")
    return f"{QUOTE_OPEN}\n{inner}\n{QUOTE_CLOSE}"


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def untrusted_text(results: Iterable[dict[str, Any]], memory: str = "") -> str:
    """The free text of tool results and the memory context, normalised, one block."""
    parts = [s for item in results for s in _strings(item.get("result")) if len(s.split()) >= FREE_TEXT_WORDS]
    if memory.strip():
        parts.append(memory)
    return _normal("\n".join(parts))


def _forms(value: Any) -> list[str]:
    """How a scalar argument value could be written in text."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return []
        forms = {str(value), f"{value:.2f}"}
        if float(value).is_integer():
            forms.add(str(int(value)))
        return sorted(forms)
    if isinstance(value, str) and len(value.strip()) >= MIN_STRING:
        return [_normal(value)]
    return []


def _appears(form: str, text: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(form)}(?![\w]|\.\d)", text) is not None


def _leaves(args: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(args, dict):
        for key, value in args.items():
            yield from _leaves(value, f"{path}.{key}" if path else str(key))
    elif isinstance(args, list):
        for n, value in enumerate(args):
            yield from _leaves(value, f"{path}[{n}]")
    else:
        yield path, args


def tainted_arguments(args: dict[str, Any], request: str, untrusted: str) -> list[str]:
    """Argument paths whose values are written in the untrusted text and nowhere in the request."""
    if not untrusted:
        return []
    asked = _normal(request)
    tainted = []
    for path, value in _leaves(args):
        forms = _forms(value)
        if any(_appears(f, untrusted) for f in forms) and not any(_appears(f, asked) for f in forms):
            tainted.append(path)
    return tainted


def describe(tainted: list[str]) -> str:
    return f"arguments taken from untrusted text ({', '.join(tainted)}), not from the request"


def dumps_result(outcome: dict[str, Any]) -> str:
    """A tool result for a model: JSON, its free text quoted as untrusted data."""
    return quote_untrusted(json.dumps(outcome, ensure_ascii=False))
