"""Flask-AppBuilder list endpoints over the sandbox state: `q` filters, order, page and columns.

Only the filters Superset declares for each resource (and that the adapter or a person would
use) are known; any other column is refused the way Flask-AppBuilder refuses it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.superset import resources
from sandbox.superset.answers import message
from sandbox.superset.rison import RisonError, loads_q
from sandbox.superset.seeding import State

Row = dict[str, Any]
Test = Callable[[State, Row, Any], bool]
LIST_KEYS = {"filters", "columns", "select_columns", "keys", "order_column", "order_direction", "page", "page_size"}
MAX_PAGE_SIZE = 100


def _has(text: Any, value: Any) -> bool:
    return str(value).casefold() in str(text or "").casefold()


def _same(text: Any, value: Any) -> bool:
    return str(text or "").casefold() == str(value).casefold()


def _dataset_name(state: State, chart: Row) -> str:
    return str(state["datasets"][str(chart["dataset_id"])]["name"])


DASHBOARD_FILTERS: dict[str, dict[str, Test]] = {
    "dashboard_title": {
        "title_or_slug": lambda s, d, v: _has(d["title"], v) or _has(d["slug"], v),
        "ct": lambda s, d, v: _has(d["title"], v),
        "eq": lambda s, d, v: d["title"] == v,
    },
    "slug": {"eq": lambda s, d, v: d["slug"] == v},
    "id": {"eq": lambda s, d, v: str(d["id"]) == str(v)},
    "published": {"eq": lambda s, d, v: d["published"] is bool(v)},
    "owners": {"rel_m_m": lambda s, d, v: str(v).isdigit() and int(v) in d["owners"]},
    "tags": {"dashboard_tags": lambda s, d, v: any(_same(t, v) for t in d["tags"])},
}
CHART_FILTERS: dict[str, dict[str, Test]] = {
    "slice_name": {
        "chart_all_text": lambda s, c, v: any(_has(x, v) for x in (c["name"], c["description"], c["viz_type"],
                                                                    _dataset_name(s, c))),
        "ct": lambda s, c, v: _has(c["name"], v),
        "eq": lambda s, c, v: c["name"] == v,
    },
    "id": {"eq": lambda s, c, v: str(c["id"]) == str(v)},
    "viz_type": {"eq": lambda s, c, v: c["viz_type"] == v, "ct": lambda s, c, v: _has(c["viz_type"], v)},
    "datasource_id": {"eq": lambda s, c, v: str(c["dataset_id"]) == str(v)},
    "dashboards": {"rel_m_m": lambda s, c, v: any(str(d["id"]) == str(v) and c["id"] in d["chart_ids"]
                                                  for d in s["dashboards"].values())},
    "owners": {"rel_m_m": lambda s, c, v: str(v).isdigit() and int(v) in c["owners"]},
    "tags": {"chart_tags": lambda s, c, v: any(_same(t, v) for t in c["tags"])},
}
DATASET_FILTERS: dict[str, dict[str, Test]] = {
    "table_name": {
        "ct": lambda s, d, v: _has(d["name"], v),
        "eq": lambda s, d, v: d["name"] == v,
        "sw": lambda s, d, v: str(d["name"]).casefold().startswith(str(v).casefold()),
    },
    "id": {"eq": lambda s, d, v: str(d["id"]) == str(v)},
    "schema": {"eq": lambda s, d, v: d["schema"] == v, "ct": lambda s, d, v: _has(d["schema"], v)},
    "database": {"rel_o_m": lambda s, d, v: str(d["database_id"]) == str(v)},
}
DATABASE_FILTERS: dict[str, dict[str, Test]] = {
    "database_name": {"ct": lambda s, d, v: _has(d["database_name"], v), "eq": lambda s, d, v: d["database_name"] == v},
    "id": {"eq": lambda s, d, v: str(d["id"]) == str(v)},
    "expose_in_sqllab": {"eq": lambda s, d, v: d["expose_in_sqllab"] is bool(v)},
    "allow_dml": {"eq": lambda s, d, v: d["allow_dml"] is bool(v)},
}


@dataclass(frozen=True)
class Listing:
    table: str
    row: Callable[[State, Row], Row]
    filters: dict[str, dict[str, Test]]
    order: dict[str, Callable[[Row], Any]]
    default_order: tuple[str, str]
    max_page_size: int = MAX_PAGE_SIZE


LISTINGS = {
    "dashboard": Listing(
        "dashboards", resources.dashboard_row, DASHBOARD_FILTERS,
        {"dashboard_title": lambda d: d["title"].casefold(), "changed_on_delta_humanized": lambda d: d["changed_on"],
         "changed_on": lambda d: d["changed_on"], "published": lambda d: d["published"]},
        ("changed_on", "desc"),
    ),
    "chart": Listing(
        "charts", resources.chart_row, CHART_FILTERS,
        {"slice_name": lambda c: c["name"].casefold(), "viz_type": lambda c: c["viz_type"],
         "changed_on_delta_humanized": lambda c: c["changed_on"], "datasource_id": lambda c: c["dataset_id"]},
        ("changed_on_delta_humanized", "desc"),
    ),
    "dataset": Listing(
        "datasets", resources.dataset_row, DATASET_FILTERS,
        {"table_name": lambda d: d["name"].casefold(), "schema": lambda d: d["schema"] or "",
         "changed_on_delta_humanized": lambda d: d["changed_on"]},
        ("changed_on_delta_humanized", "desc"),
    ),
    "database": Listing(
        "databases", lambda s, d: resources.database_row(d), DATABASE_FILTERS,
        {"database_name": lambda d: d["database_name"].casefold()}, ("database_name", "asc"), max_page_size=10_000,
    ),
}


def parse_q(raw: str | None, allowed: set[str]) -> Row:
    if not raw:
        return {}
    try:
        value = loads_q(raw)
    except RisonError:
        raise message(400, "Not a valid rison/json argument") from None
    if not isinstance(value, dict) or set(value) - allowed:
        raise message(400, "Not a valid rison/json argument")
    return value


def project(row: Row, columns: list[str]) -> Row:
    """Only the requested columns; `owners.id` keeps `id` inside each owner."""
    tree: dict[str, Any] = {}
    for column in columns:
        node = tree
        for part in column.split("."):
            node = node.setdefault(part, {})
    picked: Row = _pick(row, tree)
    return picked


def _pick(value: Any, tree: dict[str, Any]) -> Any:
    if not tree:
        return value
    if isinstance(value, list):
        return [_pick(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    return {key: _pick(value[key], sub) for key, sub in tree.items() if key in value}


def list_objects(state: State, resource: str, raw_q: str | None) -> Row:
    """The body of GET /api/v1/<resource>/?q=..."""
    spec = LISTINGS[resource]
    query = parse_q(raw_q, LIST_KEYS)
    rows = list(state[spec.table].values())
    for item in query.get("filters") or []:
        if not isinstance(item, dict) or not {"col", "opr", "value"} <= set(item):
            raise message(400, "Not a valid rison/json argument")
        tests = spec.filters.get(str(item["col"]))
        if tests is None:
            raise message(400, f"Filter column: {item['col']} not allowed to filter")
        test = tests.get(str(item["opr"]))
        if test is None:
            raise message(400, f"Filter column: {item['col']} not allowed to filter with {item['opr']}")
        rows = [row for row in rows if test(state, row, item["value"])]
    order_column, direction = query.get("order_column"), query.get("order_direction", "asc")
    if order_column is not None and order_column not in spec.order:
        raise message(400, f"Order column: {order_column} is not allowed")
    key = spec.order[order_column] if order_column else spec.order.get(spec.default_order[0], lambda r: r["id"])
    descending = (direction if order_column else spec.default_order[1]) == "desc"
    rows.sort(key=lambda r: (key(r), r["id"]), reverse=descending)
    page_size = min(int(query.get("page_size", 20)), spec.max_page_size)
    page = int(query.get("page", 0))
    chosen = rows[page * page_size:(page + 1) * page_size] if page_size >= 0 else rows
    columns = query.get("columns") or query.get("select_columns")
    result = [spec.row(state, row) for row in chosen]
    if columns:
        result = [project(row, [str(c) for c in columns]) for row in result]
    return {"count": len(rows), "ids": [row["id"] for row in chosen], "result": result}


def related_owners(state: State, raw_q: str | None) -> Row:
    """GET /api/v1/dashboard/related/owners: users whose name or email contains `filter`."""
    query = parse_q(raw_q, {"filter", "include_ids", "page", "page_size"})
    text = str(query.get("filter") or "")
    matches = [
        int(user_id) for user_id, person in sorted(state["users"].items(), key=lambda kv: int(kv[0]))
        if _has(f"{person['first_name']} {person['last_name']}", text) or _has(person["email"], text)
    ]
    page_size = min(int(query.get("page_size", 20)), MAX_PAGE_SIZE)
    page = int(query.get("page", 0))
    chosen = matches[page * page_size:(page + 1) * page_size]
    return {"count": len(matches), "result": [resources.related_owner(state, u) for u in chosen]}
