"""Superset tools (BI, read-only). Argument names and risk classes as in shared/catalog/tools.md.

Each handler calls the tenant's `SupersetClient` (`ctx.client("superset")`). `superset.sql_query`
checks its SQL here already: one SELECT or WITH statement, no writing keywords outside string
literals. That check is a guard for the agent's mistakes, not a sandbox: the adapter checks again
and the database role Superset uses must be read-only as well.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ConfigDict, Field, field_validator

from tools.catalog.declare import Toolset
from tools.context import ToolContext
from tools.spec import Risk, ToolArgs, ToolResult, ToolSpec

SYSTEM = "superset"


class DashboardList(ToolArgs):
    query: str | None = None
    owner: str | None = None
    tag: str | None = None
    limit: int | None = Field(default=None, ge=1, le=100)


class ChartList(ToolArgs):
    query: str | None = None
    dashboard: str | None = None
    dataset: str | None = None
    limit: int | None = Field(default=None, ge=1, le=100)


class ChartData(ToolArgs):
    chart: str = Field(min_length=1)
    time_range: str | None = None  # e.g. "Last week", "2025-01-01 : 2025-03-31"
    filters: dict[str, Any] | None = None
    row_limit: int | None = Field(default=None, ge=1, le=10_000)


class DatasetList(ToolArgs):
    query: str | None = None
    database: str | None = None
    include_columns: bool = True
    limit: int | None = Field(default=None, ge=1, le=100)


class SqlQuery(ToolArgs):
    # `schema` would shadow BaseModel.schema, so the field is schema_ under the catalog name "schema".
    model_config = ConfigDict(serialize_by_alias=True)

    database: str = Field(min_length=1)
    sql: str = Field(min_length=1)
    schema_: str | None = Field(default=None, alias="schema")
    limit: int = Field(default=1000, ge=1, le=10_000)

    @field_validator("sql")
    @classmethod
    def _read_only(cls, value: str) -> str:
        return read_only_sql(value)


# Keywords that write, change schema or permissions, or run code; matched as whole words outside
# literals and comments. INTO catches SELECT ... INTO new_table; UPDATE also catches FOR UPDATE.
_FORBIDDEN = re.compile(
    r"\b(INSERT|UPDATE|DELETE|DROP|ALTER|CREATE|GRANT|REVOKE|TRUNCATE|COPY|MERGE|INTO|CALL|EXECUTE|VACUUM|LOCK)\b",
    re.IGNORECASE,
)
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$")
_TRAILING = re.compile(r"[\s;]+$")


def read_only_sql(sql: str) -> str:
    """The SQL without comments and trailing semicolon, if it is one read-only SELECT or WITH statement.

    The text is lexed twice, as standard SQL (PostgreSQL: '' escapes, E'' strings, dollar quotes,
    nested comments) and MySQL-style (backslash escapes, # comments, /*! */ executed), and must pass
    both ways, so a literal that one dialect reads differently cannot hide a second statement.
    Raises ValueError with a message naming `sql`.
    """
    cleaned = ""
    for mysql in (False, True):
        code, kept = _lex(sql, mysql=mysql)
        _check_code(code)
        if not mysql:
            cleaned = _TRAILING.sub("", kept).strip()
    for mysql in (False, True):  # what is returned must pass the same check
        _check_code(_lex(cleaned, mysql=mysql)[0])
    return cleaned


def _check_code(code: str) -> None:
    body = _TRAILING.sub("", code).strip()
    if not body:
        raise ValueError("sql is empty: it holds only comments or semicolons")
    if ";" in body:
        raise ValueError("sql must be a single statement; it has several separated by ';'")
    first = re.match(r"[A-Za-z_]+", body)
    keyword = first.group().upper() if first else body[:20]
    if keyword not in ("SELECT", "WITH"):
        raise ValueError(f"sql must be a SELECT or WITH statement, not {keyword!r}")
    bad = _FORBIDDEN.search(body)
    if bad:
        raise ValueError(f"sql must be read-only: {bad.group().upper()} is not allowed")


def _lex(sql: str, *, mysql: bool) -> tuple[str, str]:
    """(code, kept): code has literals replaced by placeholders and comments by a space; kept keeps
    the literals and drops only the comments."""
    code: list[str] = []
    kept: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        line_comment = sql.startswith("--", i) and (not mysql or i + 2 >= n or sql[i + 2].isspace())
        if line_comment or (mysql and c == "#"):
            newline = sql.find("\n", i)
            i = n if newline < 0 else newline
            code.append(" ")
            kept.append(" ")
            continue
        if sql.startswith("/*", i) and not (mysql and sql.startswith("/*!", i)):
            i = _comment_end(sql, i, nested=not mysql)
            code.append(" ")
            kept.append(" ")
            continue
        end = _literal_end(sql, i, mysql=mysql)
        if end is not None:
            kept.append(sql[i:end])
            code.append("'?'")
            i = end
            continue
        code.append(c)
        kept.append(c)
        i += 1
    return "".join(code), "".join(kept)


def _literal_end(sql: str, i: int, *, mysql: bool) -> int | None:
    """Where the string literal or quoted identifier starting at i ends, or None if none starts there."""
    c = sql[i]
    before = sql[i - 1] if i > 0 else " "
    if c == "'":
        e_string = before in "eE" and (i < 2 or not _ident_char(sql[i - 2]))
        return _quoted_end(sql, i, backslash=mysql or e_string)
    if c == '"':
        return _quoted_end(sql, i, backslash=mysql)
    if c == "`" and mysql:
        return _quoted_end(sql, i, backslash=False)
    if c == "$" and not mysql and not _ident_char(before):
        tag = _DOLLAR_TAG.match(sql, i)
        if tag:
            close = sql.find(tag.group(), tag.end())
            if close < 0:
                raise ValueError("sql has an unterminated dollar-quoted string")
            return close + len(tag.group())
    return None


def _quoted_end(sql: str, i: int, *, backslash: bool) -> int:
    quote = sql[i]
    j, n = i + 1, len(sql)
    while j < n:
        ch = sql[j]
        if backslash and ch == "\\":
            j += 2
            continue
        if ch == quote:
            if j + 1 < n and sql[j + 1] == quote:
                j += 2
                continue
            return j + 1
        j += 1
    raise ValueError(f"sql has an unterminated {quote} quoted string or identifier")


def _comment_end(sql: str, i: int, *, nested: bool) -> int:
    depth, j, n = 1, i + 2, len(sql)
    while j < n:
        if nested and sql.startswith("/*", j):
            depth, j = depth + 1, j + 2
        elif sql.startswith("*/", j):
            depth, j = depth - 1, j + 2
            if depth == 0:
                return j
        else:
            j += 1
    raise ValueError("sql has an unterminated /* comment")


def _ident_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_$"


async def _dashboard_list(ctx: ToolContext, args: DashboardList) -> ToolResult:
    dashboards = await ctx.client(SYSTEM).dashboard_list(query=args.query, owner=args.owner, tag=args.tag,
                                                         limit=args.limit)
    return {"dashboards": dashboards, "count": len(dashboards)}


async def _chart_list(ctx: ToolContext, args: ChartList) -> ToolResult:
    charts = await ctx.client(SYSTEM).chart_list(query=args.query, dashboard=args.dashboard, dataset=args.dataset,
                                                 limit=args.limit)
    return {"charts": charts, "count": len(charts)}


async def _chart_data(ctx: ToolContext, args: ChartData) -> ToolResult:
    return dict(await ctx.client(SYSTEM).chart_data(args.chart, time_range=args.time_range, filters=args.filters,
                                                    row_limit=args.row_limit))


async def _dataset_list(ctx: ToolContext, args: DatasetList) -> ToolResult:
    datasets = await ctx.client(SYSTEM).dataset_list(query=args.query, database=args.database,
                                                     include_columns=args.include_columns, limit=args.limit)
    return {"datasets": datasets, "count": len(datasets)}


async def _sql_query(ctx: ToolContext, args: SqlQuery) -> ToolResult:
    return dict(await ctx.client(SYSTEM).sql_query(args.database, args.sql, schema=args.schema_, limit=args.limit))


_tool = Toolset(SYSTEM)

R = Risk.READ

TOOLS: list[ToolSpec] = [
    _tool("dashboard_list", "Find dashboards: title, URL, owners, charts, last change", DashboardList, R,
          "Safe to repeat.", handler=_dashboard_list, summary="Found {count} dashboard(s)."),
    _tool("chart_list", "Find charts: name, type, dataset, the dashboards it is on, URL", ChartList, R,
          "Safe to repeat.", handler=_chart_list, summary="Found {count} chart(s)."),
    _tool("chart_data", "The data behind a saved chart, for a time range and extra filters", ChartData, R,
          "Safe to repeat.", handler=_chart_data, summary="Chart {chart}: {row_count} row(s)."),
    _tool("dataset_list", "Find datasets with database, columns, metrics and descriptions", DatasetList, R,
          "Safe to repeat.", handler=_dataset_list, summary="Found {count} dataset(s)."),
    _tool("sql_query", "Run one read-only SQL query (a single SELECT or WITH) in SQL Lab and return the rows",
          SqlQuery, R, "Safe to repeat; anything but a single SELECT or WITH statement is rejected.",
          handler=_sql_query, summary="Query on {database} returned {row_count} row(s)."),
]
