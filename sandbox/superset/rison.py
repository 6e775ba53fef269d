"""Reading the `q` parameter of Superset's list endpoints: Rison, or JSON as Flask-AppBuilder also accepts."""

from __future__ import annotations

import json
from typing import Any

_NOT_ID = set(" '!:(),*@$")


class RisonError(ValueError):
    """Text that is neither Rison nor JSON."""


def loads_q(text: str) -> Any:
    """Rison first; JSON when that fails (Flask-AppBuilder's FAB_API_ALLOW_JSON_QS)."""
    try:
        return loads(text)
    except RisonError:
        try:
            return json.loads(text)
        except ValueError as exc:
            raise RisonError("Not a valid rison/json argument") from exc


def loads(text: str) -> Any:
    parser = _Parser(text)
    value = parser.value()
    if parser.i != len(text):
        raise RisonError(f"unexpected text at {parser.i}")
    return value


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    def value(self) -> Any:
        ch = self.peek()
        if ch == "(":
            return self.object()
        if ch == "'":
            return self.string()
        if ch == "!":
            return self.bang()
        if ch == "-" or ch.isdigit():
            return self.number()
        if ch and ch not in _NOT_ID:
            return self.identifier()
        raise RisonError(f"unexpected {ch!r} at {self.i}")

    def object(self) -> dict[str, Any]:
        self.i += 1
        result: dict[str, Any] = {}
        while self.peek() != ")":
            if result:
                self.expect(",")
            key = self.string() if self.peek() == "'" else self.identifier()
            self.expect(":")
            result[key] = self.value()
        self.i += 1
        return result

    def array(self) -> list[Any]:
        self.i += 1
        result: list[Any] = []
        while self.peek() != ")":
            if not self.peek():
                raise RisonError("unterminated array")
            if result:
                self.expect(",")
            result.append(self.value())
        self.i += 1
        return result

    def bang(self) -> Any:
        code = self.text[self.i + 1:self.i + 2]
        if code == "(":
            self.i += 1
            return self.array()
        self.i += 2
        constants = {"t": True, "f": False, "n": None}
        if code not in constants:
            raise RisonError(f"unknown !{code}")
        return constants[code]

    def string(self) -> str:
        self.i += 1
        out: list[str] = []
        while True:
            ch = self.peek()
            if not ch:
                raise RisonError("unterminated string")
            self.i += 1
            if ch == "'":
                return "".join(out)
            if ch == "!":
                escaped = self.peek()
                if escaped not in ("!", "'"):
                    raise RisonError(f"invalid string escape !{escaped}")
                out.append(escaped)
                self.i += 1
            else:
                out.append(ch)

    def identifier(self) -> str:
        start = self.i
        while self.peek() and self.peek() not in _NOT_ID:
            self.i += 1
        if start == self.i:
            raise RisonError(f"expected a name at {start}")
        return self.text[start:self.i]

    def number(self) -> int | float:
        start = self.i
        while self.peek() and (self.peek().isdigit() or self.peek() in "-+.eE"):
            self.i += 1
        token = self.text[start:self.i]
        try:
            return float(token) if any(c in token for c in ".eE") else int(token)
        except ValueError as exc:
            raise RisonError(f"invalid number {token!r}") from exc

    def expect(self, ch: str) -> None:
        if self.peek() != ch:
            raise RisonError(f"expected {ch!r} at {self.i}")
        self.i += 1
