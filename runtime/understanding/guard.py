"""Requests the offline understanding cannot read at all get a clear answer before anything is planned.

- nothing but spaces, or no letters or digits at all (only emoji or punctuation);
- longer than `MAX_CHARS` (the readers are regular expressions; a page of text is not a request);
- in another language: most of its plain words (not names) are words no agent's purpose or example, out-of-scope
  anchor or tool description uses.

The vocabulary is the agents' own data (purposes and examples), so it grows with the training data;
names (capitalised words), numbers, emails and codes are not counted either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from agents.registry import load_out_of_scope, load_specs

MAX_CHARS = 2000
MIN_KNOWN = 0.34  # at least this share of a request's plain words must be words the agents know
_WORD = re.compile(r"(?<![\w@.-])[^\W\d_]+(?:['’][^\W\d_]+)?(?![\w@-])", re.UNICODE)
_LETTER = re.compile(r"[^\W_]", re.UNICODE)


def vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """The lower-case words of the agents' purposes and examples."""
    return frozenset(w for text in texts for w in _WORD.findall(text.lower()))


@cache
def agents_vocabulary(tool_descriptions: tuple[str, ...] = ()) -> frozenset[str]:
    """The words of every agent's purpose and examples, the out-of-scope anchors and the tool descriptions."""
    texts = [t for spec in load_specs() for t in (spec.purpose, *spec.examples)]
    return vocabulary([*texts, *load_out_of_scope(), *tool_descriptions])


def _plain(word: str) -> bool:
    """A word that is not a name: no capital letter (scripts without case count as plain)."""
    return word == word.lower()


def unreadable(request: str, known: frozenset[str]) -> str | None:
    """An answer for a request that cannot be read offline, else None."""
    text = request.strip()
    if not text:
        return "The request is empty: tell me what you would like done."
    if len(text) > MAX_CHARS:
        return (f"The request is {len(text):,} characters long; I read requests of up to {MAX_CHARS:,} characters. "
                "Please send the part that asks for something on its own.")
    if not _LETTER.search(text):
        return "I could not find any words in that request. Please say in words what you would like done."
    words = [w for w in _WORD.findall(text) if _plain(w)]  # names and codes are neither known nor unknown
    if len(words) >= 4 and sum(w in known for w in words) / len(words) < MIN_KNOWN:
        return ("I could not understand that request offline; I read requests written in English. "
                "Could you say it in English?")
    return None
