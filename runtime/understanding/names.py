"""Which of the tenant's own records a phrase names: fuzzy matching over known names.

A request names a record loosely: lower case, a plural ("oak boards"), "and" for "&", a typo, the
name followed by other words ("the Oak Board photos"), or only part of it ("the lamp"). Both sides
are normalised the same way (case, punctuation, "&", a plural ending), then every run of words of
the phrase is compared with every known name (rapidfuzz's ratio). The answer is one record, several
equally good ones (the caller asks which), or none.

Deterministic: the same names and phrase give the same answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

MATCH = 88.0  # a run of words this close to a name (0..100) names it
NEAR = 3.0  # candidates within this many points of the best are equally good
PART = 80.0  # the score of a phrase that is a proper part of a name ("lamp" of "Quill Lamp")

_TOKEN = re.compile(r"[\w]+(?:['’.][\w]+)*", re.UNICODE)
_LEADING = {"the", "a", "an", "our", "my", "this", "that", "these", "those", "its", "their", "his", "her"}


def _singular(word: str) -> str:
    """A plural ending off, the same way on both sides ("boards" and "board" meet; "glass" stays)."""
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "ses", "zes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Normalised words: case-folded, "&" read as "and", possessive 's and plural endings off."""
    words = _TOKEN.findall(text.replace("&", " and ").casefold())
    return [_singular(re.sub(r"['’]s$", "", w)) for w in words if w]


def normal(text: str) -> str:
    return " ".join(tokens(text))


@dataclass(frozen=True)
class Link:
    """What a phrase names among known records: `found` (one), `choices` (several), or neither."""

    phrase: str
    found: str | None = None
    choices: tuple[str, ...] = ()
    score: float = 0.0  # 0..1: how close the phrase is to the found name

    @property
    def ambiguous(self) -> bool:
        return len(self.choices) > 1


@dataclass
class NameIndex:
    """Known names of one kind of record (products, pages, leads...), matched loosely."""

    names: Sequence[str]
    _normal: list[tuple[str, str, int]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        unique = list(dict.fromkeys(n for n in self.names if n and n.strip()))
        self.names = unique
        self._normal = [(name, normal(name), len(tokens(name))) for name in unique]

    def __len__(self) -> int:
        return len(self.names)

    def link(self, phrase: str) -> Link:
        """The record the phrase names; several when they fit equally well; none below MATCH."""
        words = tokens(phrase)
        while words and words[0] in _LEADING:
            words.pop(0)
        if not words or not self._normal:
            return Link(phrase)
        whole = " ".join(words)
        exact = [name for name, norm, _ in self._normal if norm == whole]
        if exact:
            return Link(phrase, found=exact[0], choices=tuple(exact), score=1.0)
        scored: list[tuple[float, int, str]] = []
        for name, norm, size in self._normal:
            best = self._best_run(words, norm, size)
            if best is not None:
                scored.append((best[0], best[1], name))
        if not scored:
            return Link(phrase)
        scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
        top_score, top_size = scored[0][0], scored[0][1]
        equal = [name for score, size, name in scored if score >= top_score - NEAR and size == top_size]
        if len(equal) > 1:
            return Link(phrase, choices=tuple(equal), score=top_score / 100)
        return Link(phrase, found=scored[0][2], choices=(scored[0][2],), score=top_score / 100)

    def mentions(self, text: str) -> list[str]:
        """Known names written in a text (each run of words linked on its own), in order, without repeats."""
        words = tokens(text)
        found: list[str] = []
        for name, norm, size in self._normal:
            if self._best_run(words, norm, size, parts=False) is not None:
                found.append(name)
        return sorted(found, key=lambda n: _position(words, n))

    @staticmethod
    def _best_run(words: list[str], norm: str, size: int, *, parts: bool = True) -> tuple[float, int] | None:
        """The best score of a run of the phrase's words against one name, and the run's length."""
        best: tuple[float, int] | None = None
        for length in {max(1, size - 1), size, size + 1}:
            for start in range(0, max(1, len(words) - length + 1)):
                run = " ".join(words[start:start + length])
                score = float(fuzz.ratio(run, norm))
                if score >= MATCH and (best is None or score > best[0]):
                    best = (score, size)
        if best is None and parts and 0 < len(words) < size and _is_part(words, norm.split()):
            best = (PART, len(words))
        return best


def _is_part(words: list[str], name_words: list[str]) -> bool:
    """Every word of the phrase is a word of the name, in the same order ("lamp" of "quill lamp")."""
    position = 0
    for word in words:
        try:
            position = name_words.index(word, position) + 1
        except ValueError:
            return False
    return True


def _position(words: list[str], name: str) -> int:
    first = tokens(name)[:1]
    return words.index(first[0]) if first and first[0] in words else len(words)


def choices_text(choices: Iterable[str]) -> str:
    """'A, B or C' for a question."""
    items = [f"'{c}'" for c in choices]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
