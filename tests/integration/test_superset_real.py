"""SupersetClient against a real Apache Superset 6.1.0 (see `servers/superset/`): its own objects.

What holds for any Superset's data (SQL Lab, login, refresh, CSRF, a wrong password) is in
`tests/conformance/test_superset.py`, run against the sandbox stand-in too.

The client is built the way the runtime builds it (`runtime.wiring.superset.real_client`). The
server has one SQLite database (`analytics`) with a `sales` table, its dataset, a dashboard and
two charts, made through Superset's REST API when the session starts; the tests only read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from adapters.errors import InvalidRequest
from adapters.superset import SupersetClient
from runtime.settings import Settings
from runtime.wiring import superset as superset_wiring
from tests.integration.servers.superset.server import DATABASE, SupersetServer, sales_rows

pytestmark = [pytest.mark.integration, pytest.mark.superset, pytest.mark.slow, pytest.mark.timeout(1800)]


def revenue_by_region(rows: list[tuple[str, str, str, int, float]]) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for _, region, _, _, amount in rows:
        totals[region] += amount
    return dict(totals)


@pytest.fixture
async def superset(superset_server: SupersetServer) -> AsyncIterator[SupersetClient]:
    settings = Settings(superset_url=superset_server.url, superset_username=superset_server.username,
                        superset_password=SecretStr(superset_server.password))
    client = superset_wiring.real_client(settings, "tenant-integration")
    assert client is not None
    yield client
    await client.aclose()


# --- catalog ---------------------------------------------------------------------------------------


async def test_dashboards_by_title_owner_and_tag(superset: SupersetClient, superset_server: SupersetServer) -> None:
    dashboards = await superset.dashboard_list()
    assert [(d["id"], d["title"], d["slug"], d["published"]) for d in dashboards] == [
        (superset_server.dashboard_id, "Sales overview", "sales-overview", True)]
    board = dashboards[0]
    assert board["owners"] == ["Ada Admin"]
    assert board["charts"] == [{"id": superset_server.chart_id, "name": "Revenue by region"}]
    assert board["url"] == f"{superset_server.url}/superset/dashboard/sales-overview/"
    assert [d["id"] for d in await superset.dashboard_list(query="sales")] == [superset_server.dashboard_id]
    assert [d["id"] for d in await superset.dashboard_list(owner="admin@example.com")] == [superset_server.dashboard_id]
    assert await superset.dashboard_list(query="inventory") == []
    assert await superset.dashboard_list(tag="no-such-tag") == []


async def test_charts_by_name_dashboard_and_dataset(superset: SupersetClient, superset_server: SupersetServer) -> None:
    charts = {c["name"]: c for c in await superset.chart_list()}
    assert set(charts) == {"Revenue by region", "Units (no saved query)"}
    revenue = charts["Revenue by region"]
    assert (revenue["id"], revenue["viz_type"], revenue["dataset_id"], revenue["dashboards"], revenue["description"]) == (
        superset_server.chart_id, "table", superset_server.dataset_id, ["Sales overview"], "Sum of sales by region")
    assert [c["id"] for c in await superset.chart_list(dashboard="Sales overview")] == [superset_server.chart_id]
    assert [c["id"] for c in await superset.chart_list(dashboard="sales-overview")] == [superset_server.chart_id]
    assert {c["id"] for c in await superset.chart_list(dataset="sales")} == {
        superset_server.chart_id, superset_server.bare_chart_id}
    assert [c["name"] for c in await superset.chart_list(query="units")] == ["Units (no saved query)"]


async def test_datasets_with_columns_and_metrics(superset: SupersetClient, superset_server: SupersetServer) -> None:
    [dataset] = await superset.dataset_list()
    assert (dataset["id"], dataset["name"], dataset["database"], dataset["schema"], dataset["kind"]) == (
        superset_server.dataset_id, "sales", DATABASE, "main", "physical")
    assert dataset["time_column"] == "order_date"
    assert [(c["name"], c["is_dttm"]) for c in dataset["columns"]] == [
        ("order_date", True), ("region", False), ("product", False), ("units", False), ("amount", False)]
    assert [m["name"] for m in dataset["metrics"]] == ["count"]
    [bare] = await superset.dataset_list(database=DATABASE, include_columns=False)
    assert "columns" not in bare and bare["database_id"] == superset_server.database_id
    assert await superset.dataset_list(query="inventory") == []


# --- chart data --------------------------------------------------------------------------------------


async def test_chart_data_runs_the_saved_query_context(superset: SupersetClient) -> None:
    data = await superset.chart_data("Revenue by region")
    assert data["columns"] == ["region", "revenue"]
    assert {row["region"]: row["revenue"] for row in data["rows"]} == revenue_by_region(sales_rows())
    assert data["row_count"] == 3 and "FROM main.sales" in data["sql"]


async def test_chart_data_with_time_range_filters_and_row_limit(superset: SupersetClient,
                                                                superset_server: SupersetServer) -> None:
    # Orders on 2026-01-06 ... 2026-01-31 (SQLite compares the DATE text with Superset's timestamps
    # as strings, so a range starting on an order's own day would leave that order out).
    january = await superset.chart_data("Revenue by region", time_range="2026-01-02 : 2026-02-01")
    expected = revenue_by_region([r for r in sales_rows() if "2026-01-02" <= r[0] < "2026-02-01"])
    assert {row["region"]: row["revenue"] for row in january["rows"]} == expected
    assert (january["from"], january["to"], january["time_range"]) == (
        "2026-01-02T00:00:00+00:00", "2026-02-01T00:00:00+00:00", "2026-01-02 : 2026-02-01")
    red = await superset.chart_data(str(superset_server.chart_id), filters={"product": "Red Mug"}, row_limit=2)
    red_totals = revenue_by_region([r for r in sales_rows() if r[2] == "Red Mug"])
    assert red["row_count"] == 2
    assert red["rows"] == [{"region": region, "revenue": red_totals[region]}
                           for region in sorted(red_totals, key=lambda k: -red_totals[k])[:2]]
    assert "product" in red["applied_filters"] and red["rejected_filters"] == []


async def test_chart_without_saved_query_context_is_refused_with_supersets_message(superset: SupersetClient) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await superset.chart_data("Units (no saved query)")
    assert caught.value.field == "chart" and "query context" in caught.value.message
