"""The tool declarations match shared/catalog/tools.md: ids, argument names, required set, risk."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from tools.catalog.internal import TextCompose, compose_draft
from tools.context import ToolContext
from tools.registry import default_registry
from tools.spec import ToolArgs, ToolSpec

SHARED = Path(os.environ.get("BRAIN_SHARED_DIR", Path(__file__).resolve().parents[2].parent / "shared"))
CATALOG = (SHARED / "catalog" / "tools.md").read_text(encoding="utf-8")
CATALOG_IDS = re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", CATALOG, re.MULTILINE)


def _catalog_rows() -> dict[str, dict[str, Any]]:
    """id -> {args: set, required: set, risk: str}, parsed from the table rows."""
    rows: dict[str, dict[str, Any]] = {}
    for line in CATALOG.splitlines():
        match = re.match(r"^\| `([a-z_]+\.[a-z_]+)` \|", line)
        if not match:
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        assert len(cells) == 6, f"unexpected row shape: {line}"
        arguments = cells[3]
        while re.search(r"\([^()]*\)", arguments):  # drop closed sets and notes, which hold commas
            arguments = re.sub(r"\s*\([^()]*\)", "", arguments)
        names: set[str] = set()
        required: set[str] = set()
        for item in filter(None, (part.strip() for part in arguments.split(","))):
            arg = re.match(r"^([a-z_]+)(\*?):", item)
            assert arg, f"cannot parse argument {item!r} of {match.group(1)}"
            names.add(arg.group(1))
            if arg.group(2):
                required.add(arg.group(1))
        rows[match.group(1)] = {"args": names, "required": required, "risk": cells[4]}
    return rows


ROWS = _catalog_rows()
REGISTRY = default_registry()


def _names(model: type[ToolArgs]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def _required(model: type[ToolArgs]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items() if field.is_required()}


def test_catalog_parsed() -> None:
    assert len(CATALOG_IDS) == 74
    assert set(ROWS) == set(CATALOG_IDS)


def test_registry_holds_exactly_the_catalog_ids() -> None:
    assert sorted(REGISTRY.ids()) == sorted(CATALOG_IDS)
    assert len(REGISTRY) == 74


@pytest.mark.parametrize("tool_id", CATALOG_IDS)
def test_declaration_matches_catalog(tool_id: str) -> None:
    spec: ToolSpec = REGISTRY.get(tool_id)
    row = ROWS[tool_id]
    assert spec.system == tool_id.partition(".")[0]
    assert _names(spec.args_model) == row["args"]
    assert _required(spec.args_model) == row["required"]
    assert spec.risk.value == row["risk"]
    assert spec.idempotency and spec.description
    spec.json_schema()  # every args model renders a schema


def _error(tool_id: str, raw: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        REGISTRY.get(tool_id).validate_args(raw)
    return str(info.value)


@pytest.mark.parametrize(
    ("tool_id", "raw", "field"),
    [
        ("wagtail.page_get", {}, "page"),
        ("wagtail.page_search", {"status": "published"}, "status"),
        ("wagtail.page_create_draft", {"parent": "home", "page_type": "blog", "title": "Hi", "translation_of": "x"},
         "locale"),
        ("crm.lead_score_update", {"lead": "a@b.co", "score": 150}, "score"),
        ("crm.lead_score_update", {"lead": "a@b.co", "score": 50, "rating": "TEPID"}, "rating"),
        ("crm.opportunity_create", {"account": "Acme", "name": "SEO"}, "close_date"),
        ("crm.task_update", {"task": "t1", "status": "Done"}, "status"),
        ("crm.record_merge", {"kind": "lead", "keep": "a", "merge": ["a", "b"]}, "merge"),
        ("crm.record_delete", {"kind": "deal", "record": "x", "reason": "gdpr"}, "kind"),
        ("crm.lead_search", {"created_after": "2025-02-01", "created_before": "2025-01-01"}, "created_after"),
        ("superset.sql_query", {"sql": "SELECT 1"}, "database"),
        ("telegram.message_send", {"user": "ana"}, "text"),
        ("telegram.message_send", {"user": "ana", "text": "hi", "colour": "red"}, "colour"),
        ("memory.write", {"text": "x", "kind": "gossip"}, "kind"),
        ("memory.search", {"query": "x", "limit": 0}, "limit"),
        ("scheduler.reminder_create", {"text": "pills", "at": "2025-01-01T08:00:00+00:00", "category": "fun"},
         "category"),
        ("scheduler.reminder_create", {"text": "pills", "at": "2025-01-01T08:00:00"}, "at"),
        ("scheduler.reminder_create", {"text": "pills", "at": "2025-01-01T08:00:00+00:00", "recurrence": "DAILY"},
         "recurrence"),
        ("scheduler.reminder_create", {"text": "pills", "at": "2025-01-01T08:00:00+00:00", "until": "2025-02-01"},
         "recurrence"),
        ("scheduler.reminder_list", {"from": "tomorrow"}, "from"),
        ("scheduler.reminder_cancel", {"reminder": "r1", "scope": "all"}, "scope"),
        ("gamification.leaderboard_visibility_set", {"subject": "s", "visibility": "secret"}, "visibility"),
        ("gamification.referral_code_create", {"referrer": "r", "platform": "ebay"}, "platform"),
        ("text.compose", {"kind": "email"}, "instructions"),
    ],
)
def test_invalid_args_name_the_field(tool_id: str, raw: dict[str, Any], field: str) -> None:
    assert field in _error(tool_id, raw)


def test_defaults() -> None:
    def args(tool_id: str, raw: dict[str, Any]) -> dict[str, Any]:
        return REGISTRY.get(tool_id).validate_args(raw).model_dump()

    assert args("memory.search", {"query": "brand voice"})["limit"] == 5
    assert args("wagtail.page_unpublish", {"page": "/about"})["include_children"] is False
    assert args("wagtail.page_get", {"page": "/about"})["revision"] == "latest"
    assert args("scheduler.reminder_cancel", {"reminder": "r1"})["scope"] == "series"
    assert args("gamification.portfolio_entry_create", {"subject": "s", "title": "t", "summary": "x"})[
        "visibility"] == "draft"
    assert args("superset.sql_query", {"database": "db", "sql": "SELECT 1"})["limit"] == 1000
    assert args("superset.dataset_list", {})["include_columns"] is True


def test_keyword_named_arguments_keep_catalog_names() -> None:
    spec = REGISTRY.get("scheduler.reminder_list")
    canonical = spec.canonical_args({"from": "2025-01-01T00:00:00+00:00", "to": "2025-01-31T00:00:00+00:00"})
    assert set(canonical) == {"from", "to"}
    assert "from_" in _error("scheduler.reminder_list", {"from_": "2025-01-01T00:00:00+00:00"})
    sql = REGISTRY.get("superset.sql_query")
    assert sql.canonical_args({"database": "db", "sql": "SELECT 1", "schema": "public"})["schema"] == "public"
    assert "schema" in sql.json_schema()["properties"]


def test_recurring_reminder_accepted() -> None:
    spec = REGISTRY.get("scheduler.reminder_create")
    raw = {"text": "pills", "at": "2025-01-01T08:00:00+01:00", "recurrence": "FREQ=DAILY;BYHOUR=8,20",
           "until": "2025-03-01", "category": "medication"}
    assert spec.canonical_args(raw)["recurrence"] == "FREQ=DAILY;BYHOUR=8,20"


def _sql(sql: str) -> dict[str, Any]:
    return REGISTRY.get("superset.sql_query").canonical_args({"database": "analytics", "sql": sql})


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM x",
        "SELECT 1; DROP TABLE x",
        "select 1;\nupdate orders set total = 0",
        "WITH d AS (DELETE FROM x RETURNING *) SELECT * FROM d",
        "SELECT * INTO backup FROM orders",
        "/* just a comment */",
        "SELECT 'unterminated",
        "SELECT $$; DROP TABLE x; $$",  # a string in PostgreSQL, statements in MySQL
        "SELECT 'a\\''; DROP TABLE x; -- '",  # a string in MySQL, statements in PostgreSQL
        "SELECT 1 /*! ; DROP TABLE x */",  # executed by MySQL
        "EXPLAIN ANALYZE DELETE FROM x",
    ],
)
def test_sql_query_rejects_anything_but_one_select(sql: str) -> None:
    with pytest.raises(ValidationError) as info:
        _sql(sql)
    assert "sql" in str(info.value)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("WITH a AS (SELECT 1) SELECT * FROM a", "WITH a AS (SELECT 1) SELECT * FROM a"),
        ("select * from orders -- comment", "select * from orders"),
        ("SELECT 1;", "SELECT 1"),
        ("SELECT 'drop; delete' AS note, updated_at FROM t /* insert */ ;", "SELECT 'drop; delete' AS note, updated_at FROM t"),
        ('SELECT "create" FROM t', 'SELECT "create" FROM t'),
    ],
)
def test_sql_query_accepts_one_select(sql: str, expected: str) -> None:
    assert _sql(sql)["sql"] == expected


async def test_text_compose_handler_returns_a_draft() -> None:
    spec = REGISTRY.get("text.compose")
    assert spec.handler is not None
    args = spec.validate_args({"kind": "social_post", "instructions": "Announce the spring sale",
                               "context": "20% off all planters", "tone": "warm"})
    ctx = ToolContext(tenant="acme", user="ana", run_id="run-1")
    result = await spec.handler(ctx, args)
    assert set(result) == {"kind", "text"}
    assert result["kind"] == "social_post"
    assert "Announce the spring sale" in result["text"]
    assert "20% off all planters" in result["text"]
    assert result == await spec.handler(ctx, args)  # deterministic
    assert spec.describe_result(result) == "Drafted social_post."
    assert isinstance(args, TextCompose) and compose_draft(args) == result["text"]


def test_every_catalog_tool_has_a_handler() -> None:
    missing = [spec.id for spec in REGISTRY if spec.handler is None]
    assert missing == []
