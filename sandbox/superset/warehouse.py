"""The sandbox's analytics database: SQLite in memory, built from the demo tables, read-only.

The database is built once per process and copied (sqlite3 serialize/deserialize) into a fresh
connection for each query, where an authorizer allows only reading: like a Superset database
with DML disallowed and a read-only role behind it.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from sandbox.superset.demo_tables import Table, demo_tables

_READ_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE})
_MUTATING = re.compile(
    r"\b(INSERT|UPDATE|DELETE|UPSERT|MERGE|CREATE|DROP|ALTER|TRUNCATE|ATTACH|DETACH|VACUUM|REINDEX|"
    r"PRAGMA|GRANT|REVOKE|INTO)\b",
    re.IGNORECASE,
)


class QueryError(Exception):
    """SQL the warehouse refused: `kind` is "dml" (it writes), "syntax" or "engine"."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool


@functools.lru_cache(maxsize=1)
def _image() -> bytes:
    conn = sqlite3.connect(":memory:")
    try:
        for table in demo_tables().values():
            _create(conn, table)
        conn.commit()
        return conn.serialize()
    finally:
        conn.close()


def _create(conn: sqlite3.Connection, table: Table) -> None:
    columns = ", ".join(f'"{name}" {kind}' for name, kind in table.columns)
    conn.execute(f'CREATE TABLE "{table.name}" ({columns})')
    marks = ", ".join("?" for _ in table.columns)
    conn.executemany(f'INSERT INTO "{table.name}" VALUES ({marks})', table.rows)


def _deny_writes(action: int, *_: Any) -> int:
    return sqlite3.SQLITE_OK if action in _READ_ACTIONS else sqlite3.SQLITE_DENY


def connect() -> sqlite3.Connection:
    """A private copy of the warehouse that refuses anything but reading."""
    conn = sqlite3.connect(":memory:")
    conn.deserialize(_image())
    conn.execute("PRAGMA query_only = ON")
    conn.set_authorizer(_deny_writes)
    return conn


def table_columns_of(source: str) -> list[tuple[str, str]]:
    """(name, type) of each column of a table name or of `(SELECT ...) AS alias` text.

    A table's types are the declared ones; a query's are guessed from its first row."""
    declared = {t.name: t.columns for t in demo_tables().values()}
    name = source.strip('"')
    if name in declared:
        return list(declared[name])
    conn = connect()
    try:
        cursor = conn.execute(f"SELECT * FROM {source} LIMIT 1")
        first = cursor.fetchone() or ()
        names = [d[0] for d in cursor.description or ()]
    except sqlite3.Error as exc:
        raise _engine_error(exc) from exc
    finally:
        conn.close()
    kinds = {int: "INTEGER", float: "REAL"}
    types = [kinds.get(type(v), "TEXT") for v in first] if first else ["TEXT"] * len(names)
    return list(zip(names, types, strict=True))


# --- SQL Lab ---------------------------------------------------------------------------------


def split_statements(sql: str) -> list[str]:
    """Statements separated by `;` outside literals and comments, comments removed, empties dropped."""
    statements, current, i, n = [], [], 0, len(sql)
    while i < n:
        ch = sql[i]
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end
            current.append(" ")
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end < 0 else end + 2
            current.append(" ")
        elif ch in "'\"`[":
            close = "]" if ch == "[" else ch
            j = i + 1
            while j < n and not (sql[j] == close and not sql.startswith(close * 2, j)):
                j += 2 if sql.startswith(close * 2, j) else 1
            current.append(sql[i:j + 1])
            i = j + 1
        elif ch == ";":
            statements.append("".join(current).strip())
            current = []
            i += 1
        else:
            current.append(ch)
            i += 1
    statements.append("".join(current).strip())
    return [s for s in statements if s]


def _code_only(statement: str) -> str:
    return re.sub(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|\[[^\]]*\]", "''", statement)


def is_mutating(statement: str) -> bool:
    """Whether a statement names a writing command outside its literals (text that is not SQL at all
    is left to the engine, which answers with a syntax error, as Superset's parser does)."""
    return bool(_MUTATING.search(_code_only(statement)))


def run_sql(sql: str, limit: int | None) -> Result:
    """Run SQL Lab text: every statement in turn, the last one's rows returned (at most `limit`)."""
    statements = split_statements(sql)
    if not statements:
        raise QueryError("syntax", "Error parsing near '' at line 1:1")
    if any(is_mutating(s) for s in statements):
        raise QueryError("dml", "This database does not allow for DDL/DML, but the query mutates data. "
                                "Please contact your administrator for more assistance.")
    conn = connect()
    try:
        cursor = None
        for statement in statements:
            cursor = conn.execute(statement)
        assert cursor is not None
        columns = [d[0] for d in cursor.description or ()]
        fetched = cursor.fetchmany(limit + 1) if limit else cursor.fetchall()
    except sqlite3.Error as exc:
        raise _engine_error(exc) from exc
    finally:
        conn.close()
    truncated = bool(limit) and len(fetched) > (limit or 0)
    kept = fetched[:limit] if limit else fetched
    return Result(columns, [dict(zip(columns, row, strict=True)) for row in kept], truncated)


def _engine_error(exc: sqlite3.Error) -> QueryError:
    message = str(exc)
    if "not authorized" in message or "readonly" in message or "query_only" in message:
        return QueryError("dml", "This database does not allow for DDL/DML, but the query mutates data. "
                                 "Please contact your administrator for more assistance.")
    if "syntax error" in message or "incomplete input" in message:
        return QueryError("syntax", f"sqlite error: {message}")
    return QueryError("engine", f"sqlite error: {message}")


def run_select(sql: str, params: list[Any]) -> Result:
    """Run one generated SELECT (chart data) with parameters."""
    conn = connect()
    try:
        cursor = conn.execute(sql, params)
        columns = [d[0] for d in cursor.description or ()]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    except sqlite3.Error as exc:
        raise _engine_error(exc) from exc
    finally:
        conn.close()
    return Result(columns, rows, False)
