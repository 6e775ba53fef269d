"""The adapter's own read-only check for SQL Lab: one SELECT or WITH statement, nothing that writes.

It is a second line behind the tool's validator and the database role, written to be
conservative: text that some SQL dialect could read as a second statement or a write is refused,
even when another dialect would read it as harmless. It raises ValueError naming `sql`.
"""

from __future__ import annotations

import re

_WRITING = re.compile(
    r"\b(INSERT|UPDATE|DELETE|MERGE|UPSERT|DROP|ALTER|CREATE|TRUNCATE|GRANT|REVOKE|COPY|INTO|"
    r"CALL|EXEC|EXECUTE|LOCK|VACUUM|ATTACH|DETACH|PRAGMA)\b",
    re.IGNORECASE,
)
_FIRST_WORD = re.compile(r"[A-Za-z_]+")


def check_read_only(sql: str) -> str:
    """`sql` without comments and trailing semicolons, if it is a single read-only SELECT/WITH."""
    kept = ""
    for backslash_escapes in (False, True):
        code, text = _strip(sql, backslash_escapes=backslash_escapes)
        _check(code)
        if not backslash_escapes:
            kept = text
    cleaned = kept.strip().rstrip(";").strip()
    for backslash_escapes in (False, True):  # what is sent must pass the same check
        _check(_strip(cleaned, backslash_escapes=backslash_escapes)[0])
    return cleaned


def _check(code: str) -> None:
    body = code.strip()
    while body.endswith(";"):
        body = body[:-1].rstrip()
    if not body:
        raise ValueError("sql is empty (only comments or semicolons)")
    if ";" in body:
        raise ValueError("sql must be one statement; it has several separated by ';'")
    first = _FIRST_WORD.match(body)
    word = first.group().upper() if first else body[:12]
    if word not in ("SELECT", "WITH"):
        raise ValueError(f"sql must start with SELECT or WITH, not {word!r}")
    bad = _WRITING.search(body)
    if bad:
        raise ValueError(f"sql must be read-only; {bad.group().upper()} is not allowed")
    if "$" in body:
        raise ValueError("sql must not use dollar quoting or $ placeholders")


def _strip(sql: str, *, backslash_escapes: bool) -> tuple[str, str]:
    """(code, text): code with each literal as '?' and each comment as a space; text keeps literals.

    `#` and `/*!` are left in the code (MySQL reads them as a comment and as code, so the words
    after them are checked either way).
    """
    code: list[str] = []
    text: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end
            code.append(" ")
            text.append(" ")
        elif sql.startswith("/*", i) and not sql.startswith("/*!", i):
            end = sql.find("*/", i + 2)
            if end < 0:
                raise ValueError("sql has an unterminated /* comment")
            if "/*" in sql[i + 2:end]:
                raise ValueError("sql must not nest /* comments")
            i = end + 2
            code.append(" ")
            text.append(" ")
        elif sql[i] in "'\"`":
            end = _quote_end(sql, i, backslash_escapes=backslash_escapes)
            code.append("'?'")
            text.append(sql[i:end])
            i = end
        else:
            code.append(sql[i])
            text.append(sql[i])
            i += 1
    return "".join(code), "".join(text)


def _quote_end(sql: str, start: int, *, backslash_escapes: bool) -> int:
    quote = sql[start]
    i, n = start + 1, len(sql)
    while i < n:
        ch = sql[i]
        if backslash_escapes and ch == "\\":
            i += 2
            continue
        if ch == quote:
            if i + 1 < n and sql[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    raise ValueError(f"sql has an unterminated {quote} quote")
