"""The real SupersetClient and the superset.* tools against the Superset sandbox, in process.

Every exchange the client has with the sandbox is validated against Superset's OpenAPI document
(the same corrected spec as the adapter tests), and numbers are checked against sums computed here
from the demo tables themselves.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_core import OpenAPI

from adapters.errors import InvalidRequest, NotFound
from adapters.superset import SupersetClient
from sandbox.superset import SupersetStore, create_app, demo_seed, demo_tables
from tests.adapters.test_superset_client import SpecChecker, superset_openapi
from tools.context import ToolContext
from tools.registry import default_registry

URL = "http://localhost:8088"
TODAY = date(2026, 11, 25)
REGISTRY = default_registry()
__all__ = ["superset_openapi"]  # the adapter tests' session fixture: the corrected Superset spec


class Recording(httpx.AsyncBaseTransport):
    """Passes requests to the app and records each exchange for the spec check."""

    def __init__(self, app: Any, checker: SpecChecker) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.checker = checker

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        copy = httpx.Response(response.status_code, headers=response.headers, content=content, request=request)
        self.checker.record(request, copy)
        return copy


@pytest.fixture
def store() -> SupersetStore:
    return SupersetStore.with_demo_data()


@pytest.fixture
def app(store: SupersetStore) -> Any:
    return create_app(store, today=TODAY)


@pytest.fixture
async def client(app: Any, superset_openapi: OpenAPI) -> AsyncIterator[SupersetClient]:
    checker = SpecChecker(superset_openapi)
    async with SupersetClient(URL, username="admin", password="sandbox", transport=Recording(app, checker)) as superset:
        yield superset
    checker.check()


async def call(client: SupersetClient, tool: str, **args: Any) -> dict[str, Any]:
    spec = REGISTRY.get(f"superset.{tool}")
    assert spec.handler is not None
    ctx = ToolContext(tenant="demo", user="dana", run_id="run-1", clients={"superset": client})
    result = await spec.handler(ctx, spec.validate_args(args))
    return result


def rows(table: str) -> list[dict[str, Any]]:
    return demo_tables()[table].dicts()


# --- every tool --------------------------------------------------------------------------------------


async def test_dashboard_list(client: SupersetClient) -> None:
    everything = await call(client, "dashboard_list")
    assert everything["count"] == 6
    assert {d["title"] for d in everything["dashboards"]} == {
        "CoreLDove Revenue", "Marketing Performance", "Sales Pipeline", "Casa Verde Client Dashboard",
        "Beanbar Client Dashboard", "Platform Usage"}
    revenue = next(d for d in everything["dashboards"] if d["title"] == "CoreLDove Revenue")
    assert revenue["url"] == f"{URL}/superset/dashboard/coreldove-revenue/" and revenue["owners"] == ["Ana Silva"]
    assert [c["name"] for c in revenue["charts"]][:2] == ["Revenue by week", "Orders by channel"]
    by_owner = await call(client, "dashboard_list", owner="maria garcia")
    assert {d["title"] for d in by_owner["dashboards"]} == {"Casa Verde Client Dashboard", "Beanbar Client Dashboard"}
    assert [d["title"] for d in (await call(client, "dashboard_list", tag="casa-verde"))["dashboards"]] == [
        "Casa Verde Client Dashboard"]
    assert (await call(client, "dashboard_list", query="pipeline", limit=1))["count"] == 1
    with pytest.raises(NotFound):
        await call(client, "dashboard_list", owner="nobody@nowhere")


async def test_chart_list(client: SupersetClient) -> None:
    pipeline = await call(client, "chart_list", dashboard="Sales Pipeline")
    assert {c["name"] for c in pipeline["charts"]} == {"Deals by stage", "Leads by source", "Days from lead to won deal"}
    leads = next(c for c in pipeline["charts"] if c["name"] == "Leads by source")
    assert leads["dataset"] == "leads" and set(leads["dashboards"]) == {"Marketing Performance", "Sales Pipeline"}
    on_leads = await call(client, "chart_list", dataset="leads")
    assert {c["name"] for c in on_leads["charts"]} == {
        "Leads by source", "Days from lead to won deal", "Casa Verde monthly leads", "Casa Verde leads by source"}
    assert [c["name"] for c in (await call(client, "chart_list", query="roas"))["charts"]] == [
        "Spring Sale campaign ROAS"]


async def test_chart_data_matches_the_demo_rows(client: SupersetClient) -> None:
    data = await call(client, "chart_data", chart="Orders by channel", time_range="2025-01-01 : 2026-01-01",
                      filters={"channel": ["web", "email"]})
    expected: Counter[str] = Counter()
    for order in rows("orders"):
        if order["store"] == "CoreLDove" and order["order_date"].startswith("2025") and order["channel"] in ("web", "email"):
            expected[order["channel"]] += 1
    assert {r["channel"]: r["orders"] for r in data["rows"]} == dict(expected)
    assert data["columns"] == ["channel", "orders", "revenue"]
    assert sorted(data["applied_filters"]) == ["__time_range", "channel"]
    assert (data["from"], data["to"]) == ("2025-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00")


async def test_chart_data_time_grains_and_relative_ranges(client: SupersetClient) -> None:
    monthly = await call(client, "chart_data", chart="Casa Verde monthly leads", time_range="2026-01-01 : 2026-04-01")
    expected = Counter(lead["created_on"][:7] + "-01" for lead in rows("leads")
                       if lead["client"] == "Casa Verde" and "2026-01" <= lead["created_on"][:7] <= "2026-03")
    assert {r["month"]: r["leads"] for r in monthly["rows"]} == dict(expected)
    assert [r["month"] for r in monthly["rows"]] == sorted(expected)
    week = await call(client, "chart_data", chart="Runs per tenant", time_range="Last week", row_limit=100)
    since = TODAY - timedelta(days=7)
    runs = sum(u["runs"] for u in rows("tenant_usage") if since.isoformat() <= u["day"] < TODAY.isoformat())
    assert sum(r["runs"] for r in week["rows"]) == runs
    odd = await call(client, "chart_data", chart="Funnel", filters={"colour": "red"})
    assert odd["rejected_filters"] == [{"column": "colour", "reason": "not_in_datasource"}]
    with pytest.raises(InvalidRequest):
        await call(client, "chart_data", chart="Funnel", time_range="whenever it was")


async def test_dataset_list(client: SupersetClient) -> None:
    found = await call(client, "dataset_list", query="orders", database="analytics")
    by_name = {d["name"]: d for d in found["datasets"]}
    assert set(by_name) == {"orders", "customer_orders"}
    orders = by_name["orders"]
    assert [c["name"] for c in orders["columns"]] == [name for name, _ in demo_tables()["orders"].columns]
    assert {"name": "revenue", "expression": "SUM(total)", "description": None} in orders["metrics"]
    assert orders["time_column"] == "order_date" and by_name["customer_orders"]["kind"] == "virtual"
    short = await call(client, "dataset_list", include_columns=False, limit=100)
    assert short["count"] == len(demo_seed()["datasets"]) and "columns" not in short["datasets"][0]


async def test_sql_query_aggregation_is_right(client: SupersetClient) -> None:
    sql = """
        WITH per_customer AS (
            SELECT customer_id, COUNT(*) AS n FROM orders WHERE store = 'CoreLDove' AND status != 'canceled'
            GROUP BY customer_id
        )
        SELECT o.channel, COUNT(*) AS orders, ROUND(SUM(o.total), 2) AS revenue,
               SUM(CASE WHEN o.discount_code IS NOT NULL THEN 1 ELSE 0 END) AS discounted,
               (SELECT COUNT(*) FROM per_customer WHERE n > 3) AS loyal_customers
        FROM orders o
        WHERE o.store = 'CoreLDove' AND o.status != 'canceled' AND o.order_date BETWEEN '2025-01-01' AND '2025-12-31'
        GROUP BY o.channel ORDER BY o.channel
    """
    result = await call(client, "sql_query", database="analytics", sql=sql, limit=50)
    kept = [o for o in rows("orders") if o["store"] == "CoreLDove" and o["status"] != "canceled"]
    per_channel: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for order in kept:
        if order["order_date"].startswith("2025"):
            per_channel[order["channel"]].append(order)
    loyal = sum(1 for n in Counter(o["customer_id"] for o in kept).values() if n > 3)
    assert result["columns"] == ["channel", "orders", "revenue", "discounted", "loyal_customers"]
    assert result["rows"] == [
        {"channel": channel, "orders": len(items), "revenue": round(sum(o["total"] for o in items), 2),
         "discounted": sum(1 for o in items if o["discount_code"]), "loyal_customers": loyal}
        for channel, items in sorted(per_channel.items())
    ]
    assert result["truncated"] is False and result["query_id"] >= 1


async def test_sql_query_limit_and_engine_errors(client: SupersetClient) -> None:
    limited = await client.sql_query("analytics", "SELECT id FROM orders ORDER BY id", limit=5)
    assert [r["id"] for r in limited["rows"]] == [1, 2, 3, 4, 5] and limited["truncated"] is True
    with pytest.raises(InvalidRequest, match="no such table") as info:
        await client.sql_query("analytics", "SELECT * FROM invoices")
    assert info.value.field == "sql"
    with pytest.raises(NotFound):
        await client.sql_query("warehouse", "SELECT 1")


# --- what the sandbox refuses, as Superset does --------------------------------------------------------


async def session(app: Any) -> tuple[httpx.AsyncClient, dict[str, str]]:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=URL)
    tokens = (await http.post("/api/v1/security/login", json={"username": "admin", "password": "sandbox",
                                                               "provider": "db", "refresh": True})).json()
    return http, tokens


async def test_non_select_sql_is_refused_like_a_read_only_database(app: Any) -> None:
    http, tokens = await session(app)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    csrf = (await http.get("/api/v1/security/csrf_token/", headers=bearer)).json()["result"]
    headers = {**bearer, "X-CSRFToken": csrf}
    for sql in ("DELETE FROM orders", "SELECT 1; DROP TABLE orders", "UPDATE orders SET total = 0",
                "CREATE TABLE t AS SELECT 1", "SELECT * INTO copy FROM orders"):
        answer = await http.post("/api/v1/sqllab/execute/", headers=headers, json={"database_id": 1, "sql": sql})
        assert answer.status_code == 500, sql
        assert answer.json()["errors"][0]["error_type"] == "DML_NOT_ALLOWED_ERROR"
    syntax = await http.post("/api/v1/sqllab/execute/", headers=headers, json={"database_id": 1, "sql": "SELEC 1"})
    assert (syntax.status_code, syntax.json()["errors"][0]["error_type"]) == (422, "INVALID_SQL_ERROR")
    unknown = await http.post("/api/v1/sqllab/execute/", headers=headers, json={"sql": "SELECT 1", "bogus": 1})
    assert unknown.status_code == 400
    assert unknown.json() == {"message": {"bogus": ["Unknown field."], "database_id": ["Missing data for required field."]}}
    count = await http.post("/api/v1/sqllab/execute/", headers=headers,
                            json={"database_id": 1, "sql": "SELECT COUNT(*) AS n FROM orders"})
    assert count.json()["data"] == [{"n": len(rows("orders"))}]
    await http.aclose()


async def test_auth_is_checked_like_superset(app: Any) -> None:
    http, tokens = await session(app)
    missing = await http.get("/api/v1/dashboard/")
    assert (missing.status_code, missing.json()) == (401, {"msg": "Missing Authorization Header"})
    forged = await http.get("/api/v1/dashboard/", headers={"Authorization": f"Bearer {tokens['access_token']}x"})
    assert (forged.status_code, forged.json()) == (422, {"msg": "Signature verification failed"})
    wrong_kind = await http.get("/api/v1/dashboard/", headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    assert wrong_kind.status_code == 422
    refreshed = await http.post("/api/v1/security/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    assert set(refreshed.json()) == {"access_token"}
    bad_login = await http.post("/api/v1/security/login", json={"username": "admin", "password": "nope", "provider": "db"})
    assert (bad_login.status_code, bad_login.json()) == (401, {"message": "Not authorized"})
    no_csrf = await http.post("/api/v1/sqllab/execute/", headers={"Authorization": f"Bearer {tokens['access_token']}"},
                              json={"database_id": 1, "sql": "SELECT 1"})
    assert no_csrf.status_code == 400 and "CSRF token is missing" in no_csrf.json()["errors"][0]["message"]
    await http.aclose()  # a wrong password through the client: tests/conformance/test_superset.py


async def test_short_lived_tokens_are_refreshed(store: SupersetStore) -> None:
    app = create_app(store, access_ttl=30, today=TODAY)  # inside the client's refresh margin
    calls: list[str] = []
    inner = httpx.ASGITransport(app=app)

    async def spy(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return await inner.handle_async_request(request)

    async with SupersetClient(URL, username="admin", password="sandbox", transport=httpx.MockTransport(spy)) as c:
        for _ in range(3):
            await c.chart_list()
    # Each call after the first finds the 30-second token inside the refresh margin and refreshes it.
    assert calls.count("/api/v1/security/login") == 1 and calls.count("/api/v1/security/refresh") == 2


# --- the store --------------------------------------------------------------------------------------


async def test_persisted_store_is_shared_and_keeps_tokens(tmp_path: Path) -> None:
    path = tmp_path / "superset.json"
    first = SupersetStore.with_demo_data(persist_path=path)
    http, tokens = await session(create_app(first))
    await http.aclose()
    second = SupersetStore(persist_path=path)
    assert second.dump() == first.dump()
    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(second)), base_url=URL)
    listed = await other.get("/api/v1/chart/", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert listed.status_code == 200 and listed.json()["count"] == len(demo_seed()["charts"])
    await other.aclose()


def test_seed_dump_and_reset() -> None:
    store = SupersetStore.with_demo_data()
    dumped = store.dump()
    assert [d["title"] for d in dumped["dashboards"]] == [d["title"] for d in demo_seed()["dashboards"]]
    assert [c["name"] for c in dumped["charts"]] == [c["name"] for c in demo_seed()["charts"]]
    assert dumped["datasets"][0]["database"] == "analytics"
    store.seed(demo_seed())  # names that exist are kept, not doubled
    assert store.dump() == dumped
    store.reset()
    assert {k: store.dump()[k] for k in ("dashboards", "charts", "datasets")} == {"dashboards": [], "charts": [],
                                                                                  "datasets": []}
    store.seed({"datasets": [{"name": "leads", "metrics": {"n": "COUNT(*)"}}],
                "charts": [{"name": "Lead count", "dataset": "leads", "metrics": {"n": "COUNT(*)"}}],
                "dashboards": [{"title": "Mine", "owners": ["Ana Silva"], "tags": ["x"], "charts": ["Lead count"]}]})
    again = SupersetStore()
    again.seed(store.dump())
    assert again.dump() == store.dump()
    # Partial records (an eval setup names only what its case is about): defaults fill the rest.
    store.seed({"charts": [{"name": "Named dataset", "dataset": "nope"}, {"name": "Only a name"}],
                "dashboards": [{"title": "Partial", "charts": ["Unlisted chart"]}]})
    partial = store.dump()
    charts = {c["name"]: c for c in partial["charts"]}
    assert (charts["Named dataset"]["dataset"], charts["Only a name"]["dataset"], charts["Unlisted chart"]["dataset"]) == (
        "nope", "leads", "leads")
    assert [d["charts"] for d in partial["dashboards"] if d["title"] == "Partial"] == [["Unlisted chart"]]
    with pytest.raises(ValueError, match="no dataset to read"):
        SupersetStore().seed({"charts": [{"name": "Nothing to read"}]})
