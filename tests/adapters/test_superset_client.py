"""SupersetClient over respx-mocked HTTP: login, refresh, CSRF, lists with Rison, chart data, SQL Lab,
typed errors, retries.

Every request the client sends and every canned response is validated against Superset 6.1's
OpenAPI document when the test ends (`SpecChecker`). Where a live 6.1 server answers outside its
own spec (noted per response as `deviation`), the check asserts the spec does reject it.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from adapters.errors import AuthError, InvalidRequest, NotFound, RateLimited, Unavailable
from adapters.superset import SupersetClient, rison
from adapters.superset.sql_guard import check_read_only
from sandbox.superset.rison import loads as rison_loads

SHARED = Path(os.environ.get("BRAIN_SHARED_DIR", Path(__file__).resolve().parents[2].parent / "shared"))
SPEC_PATH = SHARED / "specs" / "superset" / "openapi.json"
URL = "http://localhost:8088"  # the spec's server, so paths resolve against it
PASSWORD = "s3cret-pw"

# The generated spec renders to-many relations as one object and some list `ids` as strings; a live
# 6.1 server sends arrays and integers. These places are corrected before validating.
TO_MANY = {
    "ChartRestApi.get_list": ("dashboards", "owners", "tags"),
    "DashboardRestApi.get_list": ("owners", "roles", "tags"),
    "DatasetRestApi.get_list": ("owners",),
    "DatasetRestApi.get": ("columns", "metrics", "owners"),
}
INTEGER_IDS = ("/api/v1/chart/", "/api/v1/dataset/", "/api/v1/database/")


def corrected_spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    for name, props in TO_MANY.items():
        for prop in props:
            ref = schemas[name]["properties"][prop]
            assert set(ref) == {"$ref"}, f"{name}.{prop} is no longer a single object: drop the correction"
            schemas[name]["properties"][prop] = {"type": "array", "items": ref}
    for path in INTEGER_IDS:
        body = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        body["properties"]["ids"]["items"] = {"type": "integer"}
    dataset = spec["paths"]["/api/v1/dataset/{id_or_uuid}"]["get"]["responses"]["200"]
    dataset["content"]["application/json"]["schema"]["properties"]["id"] = {"type": "integer"}
    return spec


@pytest.fixture(scope="session")
def superset_openapi() -> OpenAPI:
    # The generated document fails openapi-spec-validator (unresolved path parameters elsewhere),
    # so the document itself is not checked; requests and responses are.
    return OpenAPI.from_dict(corrected_spec(), config=Config(spec_validator_cls=None))


class SpecRequest:
    """openapi-core's Request protocol over an httpx.Request; a Rison `q` is shown as the JSON the spec
    describes (Superset reads both)."""

    def __init__(self, request: httpx.Request) -> None:
        self.request = request
        query = [(k, json.dumps(rison_loads(v)) if k == "q" else v) for k, v in request.url.params.multi_items()]
        cookie = dict(p.strip().split("=", 1) for p in request.headers.get("cookie", "").split(";") if "=" in p)
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(query), header=Headers(dict(request.headers)), cookie=ImmutableMultiDict(cookie)
        )

    host_url = property(lambda self: f"{self.request.url.scheme}://{self.request.url.netloc.decode()}")
    path = property(lambda self: self.request.url.path)
    method = property(lambda self: self.request.method.lower())
    body = property(lambda self: self.request.content or None)
    content_type = property(lambda self: self.request.headers.get("content-type", ""))


class SpecResponse:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response

    status_code = property(lambda self: self.response.status_code)
    content_type = property(lambda self: self.response.headers.get("content-type", ""))
    headers = property(lambda self: Headers(dict(self.response.headers)))
    data = property(lambda self: self.response.content)


@dataclass
class Canned:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    deviation: str | None = None  # why a live server's answer falls outside the spec


@dataclass
class Exchange:
    request: httpx.Request
    response: httpx.Response
    deviation: str | None


class SpecChecker:
    """Collects request/response pairs and validates them all against the spec."""

    def __init__(self, openapi: OpenAPI) -> None:
        self.openapi = openapi
        self.exchanges: list[Exchange] = []

    def record(self, request: httpx.Request, response: httpx.Response, deviation: str | None = None) -> None:
        self.exchanges.append(Exchange(request, response, deviation))

    def check(self) -> None:
        for item in self.exchanges:
            request = SpecRequest(item.request)
            self.openapi.validate_request(request)
            if item.deviation is None:
                self.openapi.validate_response(request, SpecResponse(item.response))
            else:
                with pytest.raises(Exception):  # noqa: B017 - any openapi-core validation error
                    self.openapi.validate_response(request, SpecResponse(item.response))


def jwt(exp_in: float, kind: str = "access") -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256'})}.{part({'exp': int(time.time() + exp_in), 'type': kind})}.sig"


Answer = Canned | Callable[[httpx.Request], Canned]


class SupersetHTTP:
    """One respx route for the whole server, answering per (method, path) from queues or functions."""

    def __init__(self, router: respx.MockRouter, checker: SpecChecker) -> None:
        self.checker = checker
        self.answers: dict[tuple[str, str], list[Answer]] = {}
        self.requests: list[httpx.Request] = []
        self.access = jwt(900)
        self.refresh = jwt(30 * 86400, "refresh")
        self.on("POST", "/api/v1/security/login", Canned(200, {"access_token": self.access,
                                                                 "refresh_token": self.refresh}))
        self.on("GET", "/api/v1/security/csrf_token/", Canned(200, {"result": "csrf-1"},
                                                               {"set-cookie": "session=sess-1; HttpOnly; Path=/"}))
        router.route(host="localhost").mock(side_effect=self._dispatch)

    def on(self, method: str, path: str, *answers: Answer) -> None:
        """Queue answers; the last one repeats."""
        self.answers[(method, path)] = list(answers)

    def _dispatch(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        queue = self.answers.get((request.method, request.url.path))
        assert queue, f"unexpected {request.method} {request.url.path}"
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        canned = answer(request) if callable(answer) else answer
        response = httpx.Response(canned.status, json=canned.body, headers=canned.headers, request=request)
        self.checker.record(request, response, canned.deviation)
        return response

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]

    def q(self, request: httpx.Request) -> Any:
        return rison_loads(request.url.params["q"])


@pytest.fixture
def http(superset_openapi: OpenAPI) -> Iterator[SupersetHTTP]:
    checker = SpecChecker(superset_openapi)
    with respx.mock(assert_all_called=False) as router:
        yield SupersetHTTP(router, checker)
    checker.check()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
async def client(sleeps: list[float]) -> AsyncIterator[SupersetClient]:
    async def record(delay: float) -> None:
        sleeps.append(delay)

    async with SupersetClient(URL, username="admin", password=PASSWORD, backoff=0.1, sleep=record) as superset:
        yield superset


def listing(result: list[dict[str, Any]]) -> Canned:
    return Canned(200, {"count": len(result), "ids": [r["id"] for r in result], "result": result})


USER = {"first_name": "Ana", "last_name": "Silva", "id": 2, "email": "ana@example.com"}
DASHBOARD = {"id": 7, "dashboard_title": "CoreLDove Revenue", "slug": "coreldove-revenue", "published": True,
             "url": "/superset/dashboard/coreldove-revenue/", "changed_on_utc": "2026-11-20T10:00:00.000000+0000",
             "changed_on_delta_humanized": "5 days ago", "owners": [USER],
             "tags": [{"id": 1, "name": "sales", "type": 1}, {"id": 2, "name": "owner:2", "type": 3}]}
CHART = {"id": 11, "slice_name": "Revenue by week", "viz_type": "echarts_timeseries_bar", "description": None,
         "url": "/explore/?slice_id=11", "datasource_id": 3, "datasource_name_text": "orders",
         "changed_on_utc": "2026-11-20T10:00:00.000000+0000", "changed_on_delta_humanized": "5 days ago",
         "dashboards": [{"id": 7, "dashboard_title": "CoreLDove Revenue"}]}
DATASET = {"id": 3, "table_name": "orders", "schema": "main", "description": "Orders", "kind": "physical",
           "sql": None, "database": {"id": 1, "database_name": "analytics"},
           "changed_on_utc": "2026-11-20T10:00:00.000000+0000"}
QUERY_CONTEXT = {
    "datasource": {"id": 3, "type": "table"}, "force": False,
    "queries": [{"columns": [{"timeGrain": "P1W", "columnType": "BASE_AXIS", "sqlExpression": "order_date",
                              "label": "week", "expressionType": "SQL"}],
                 "metrics": [{"expressionType": "SQL", "sqlExpression": "SUM(total)", "label": "revenue"}],
                 "filters": [{"col": "order_date", "op": "TEMPORAL_RANGE", "val": "No filter"}],
                 "row_limit": 10000}],
    "form_data": {"slice_id": 11}, "result_format": "json", "result_type": "full",
}


def chart_result(rows: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"cache_key": "k", "cached_dttm": None, "cache_timeout": 86400, "is_cached": False,
            "queried_dttm": "2026-11-25T08:00:00+00:00", "status": "success", "colnames": list(rows[0]) if rows else [],
            "coltypes": [2, 0], "data": rows, "rowcount": len(rows), "query": "SELECT ...", "applied_filters": [],
            "rejected_filters": [], "from_dttm": None, "to_dttm": None, **extra}


def sqllab_answer(rows: list[dict[str, Any]], limiting: str = "NOT_LIMITED") -> Canned:
    columns = [{"column_name": c, "name": c, "type": "STRING", "type_generic": 1, "is_dttm": False} for c in rows[0]]
    return Canned(200, {"query_id": 4, "status": "success", "data": rows, "columns": columns,
                        "selected_columns": columns, "expanded_columns": [],
                        "query": {"limitingFactor": limiting, "rows": len(rows), "state": "success"}})


# --- Rison and the SQL check --------------------------------------------------------------------


def test_rison_encodes_what_list_queries_need() -> None:
    value = {"filters": [{"col": "dashboard_title", "opr": "title_or_slug", "value": "Ana's 2025 (draft)!"}],
             "page_size": 25, "order_direction": "desc", "flag": True, "none": None, "ratio": 0.5, "empty": ""}
    text = rison.dumps(value)
    assert text == ("(filters:!((col:dashboard_title,opr:title_or_slug,value:'Ana!'s 2025 (draft)!!')),"
                    "page_size:25,order_direction:desc,flag:!t,none:!n,ratio:0.5,empty:'')")
    assert rison_loads(text) == value
    assert rison.dumps(["7", -3, False]) == "!('7',-3,!f)"
    with pytest.raises(TypeError):
        rison.dumps({1: "x"})


@pytest.mark.parametrize("sql", [
    "DELETE FROM orders", "SELECT 1; DROP TABLE x", "WITH d AS (DELETE FROM x RETURNING *) SELECT * FROM d",
    "SELECT * INTO backup FROM orders", "/* only */", "SELECT 'open", "SELECT $$; DROP TABLE x; $$",
    "SELECT 'a\\''; DROP TABLE x; -- '", "SELECT 1 /*! ; DROP TABLE x */", "EXPLAIN DELETE FROM x",
    "select * from t for update", "PRAGMA writable_schema = 1",
])
def test_sql_guard_refuses_anything_but_one_select(sql: str) -> None:
    with pytest.raises(ValueError, match="sql"):
        check_read_only(sql)


@pytest.mark.parametrize(("sql", "clean"), [
    ("select * from orders -- note", "select * from orders"),
    ("WITH a AS (SELECT 1) SELECT * FROM a;", "WITH a AS (SELECT 1) SELECT * FROM a"),
    ("SELECT 'drop; delete' AS note, REPLACE(name, 'a', 'b') FROM t", "SELECT 'drop; delete' AS note, "
     "REPLACE(name, 'a', 'b') FROM t"),
])
def test_sql_guard_keeps_a_select(sql: str, clean: str) -> None:
    assert check_read_only(sql) == clean


# --- auth ----------------------------------------------------------------------------------------


async def test_login_then_dashboards_with_owner_tag_and_charts(http: SupersetHTTP, client: SupersetClient) -> None:
    http.on("GET", "/api/v1/dashboard/related/owners",
            Canned(200, {"count": 1, "result": [{"value": 2, "text": "Ana Silva", "extra": {"email": "ana@example.com"}}]}))
    http.on("GET", "/api/v1/dashboard/", listing([DASHBOARD]))
    http.on("GET", "/api/v1/dashboard/7/charts", Canned(200, {"result": [{"id": 11, "slice_name": "Revenue by week"}]}))

    found = await client.dashboard_list(query="revenue", owner="ana", tag="sales", limit=5)

    assert found == [{
        "id": 7, "title": "CoreLDove Revenue", "slug": "coreldove-revenue",
        "url": f"{URL}/superset/dashboard/coreldove-revenue/", "published": True, "owners": ["Ana Silva"],
        "tags": ["sales"], "charts": [{"id": 11, "name": "Revenue by week"}],
        "changed_on": "2026-11-20T10:00:00.000000+0000", "changed": "5 days ago",
    }]
    [login] = http.sent("POST", "/api/v1/security/login")
    assert json.loads(login.content) == {"username": "admin", "password": PASSWORD, "provider": "db", "refresh": True}
    [listed] = http.sent("GET", "/api/v1/dashboard/")
    assert listed.headers["Authorization"] == f"Bearer {http.access}"
    q = http.q(listed)
    assert q["filters"] == [
        {"col": "dashboard_title", "opr": "title_or_slug", "value": "revenue"},
        {"col": "owners", "opr": "rel_m_m", "value": 2},
        {"col": "tags", "opr": "dashboard_tags", "value": "sales"},
    ]
    assert (q["page_size"], q["order_column"], q["order_direction"]) == (5, "changed_on_delta_humanized", "desc")
    assert http.q(http.sent("GET", "/api/v1/dashboard/related/owners")[0])["filter"] == "ana"


async def test_token_is_refreshed_before_it_expires(http: SupersetHTTP, client: SupersetClient) -> None:
    http.on("POST", "/api/v1/security/login", Canned(200, {"access_token": jwt(30), "refresh_token": http.refresh}))
    fresh = jwt(900)
    http.on("POST", "/api/v1/security/refresh", Canned(200, {"access_token": fresh}))
    http.on("GET", "/api/v1/database/", listing([{"id": 1, "database_name": "analytics"}]))
    http.on("GET", "/api/v1/dataset/", listing([]))

    await client.dataset_list(database="analytics")

    [refresh] = http.sent("POST", "/api/v1/security/refresh")
    assert refresh.headers["Authorization"] == f"Bearer {http.refresh}"
    assert http.sent("GET", "/api/v1/dataset/")[0].headers["Authorization"] == f"Bearer {fresh}"
    assert len(http.sent("POST", "/api/v1/security/login")) == 1


async def test_a_401_refreshes_once_then_retries(http: SupersetHTTP, client: SupersetClient) -> None:
    fresh = jwt(900)
    http.on("POST", "/api/v1/security/refresh", Canned(200, {"access_token": fresh}))
    http.on("GET", "/api/v1/chart/", Canned(401, {"msg": "Token has expired"}), listing([CHART]))

    charts = await client.chart_list()

    assert [c["name"] for c in charts] == ["Revenue by week"]
    auths = [r.headers["Authorization"] for r in http.sent("GET", "/api/v1/chart/")]
    assert auths == [f"Bearer {http.access}", f"Bearer {fresh}"]


async def test_a_refused_refresh_logs_in_again(http: SupersetHTTP, client: SupersetClient) -> None:
    http.on("POST", "/api/v1/security/refresh", Canned(401, {"msg": "Token has been revoked"}))
    http.on("GET", "/api/v1/chart/", Canned(422, {"msg": "Signature verification failed"}), listing([]))
    assert await client.chart_list() == []
    assert len(http.sent("POST", "/api/v1/security/login")) == 2


async def test_a_wrong_password_is_an_auth_error_that_never_shows_it(http: SupersetHTTP,
                                                                       client: SupersetClient) -> None:
    http.on("POST", "/api/v1/security/login", Canned(401, {"message": "Not authorized"}))
    with pytest.raises(AuthError) as info:
        await client.dashboard_list()
    assert "admin" in str(info.value) and PASSWORD not in str(info.value)
    assert PASSWORD not in repr(client) and "admin" in repr(client)
    assert len(http.sent("POST", "/api/v1/security/login")) == 1  # no retry loop on bad credentials


# --- charts ----------------------------------------------------------------------------------


async def test_chart_list_resolves_dashboard_and_dataset_names(http: SupersetHTTP, client: SupersetClient) -> None:
    def charts(request: httpx.Request) -> Canned:
        columns = http.q(request).get("columns")
        if columns == ["id", "slice_name"]:
            return listing([{"id": 11, "slice_name": "Revenue by week"}])
        return listing([CHART])

    http.on("GET", "/api/v1/dashboard/", listing([{"id": 7, "dashboard_title": "CoreLDove Revenue",
                                                   "slug": "coreldove-revenue"},
                                                  {"id": 8, "dashboard_title": "CoreLDove Revenue (old)",
                                                   "slug": "old"}]))
    http.on("GET", "/api/v1/dataset/", listing([{"id": 3, "table_name": "orders",
                                                 "database": {"id": 1, "database_name": "analytics"}}]))
    http.on("GET", "/api/v1/chart/", charts)

    found = await client.chart_list(query="week", dashboard="coreldove revenue", dataset="orders", limit=10)

    assert found == [{"id": 11, "name": "Revenue by week", "viz_type": "echarts_timeseries_bar", "dataset": "orders",
                      "dataset_id": 3, "dashboards": ["CoreLDove Revenue"], "url": f"{URL}/explore/?slice_id=11",
                      "description": None, "changed_on": "2026-11-20T10:00:00.000000+0000"}]
    assert http.q(http.sent("GET", "/api/v1/chart/")[0])["filters"] == [
        {"col": "slice_name", "opr": "chart_all_text", "value": "week"},
        {"col": "dashboards", "opr": "rel_m_m", "value": 7},
        {"col": "datasource_id", "opr": "eq", "value": 3},
    ]


async def test_chart_data_reruns_the_saved_query_context_with_changes(http: SupersetHTTP,
                                                                       client: SupersetClient) -> None:
    http.on("GET", "/api/v1/chart/", listing([{"id": 11, "slice_name": "Revenue by week"}]))
    http.on("GET", "/api/v1/chart/11", Canned(200, {"result": {
        "id": 11, "slice_name": "Revenue by week", "viz_type": "echarts_timeseries_bar", "url": "/explore/?slice_id=11",
        "query_context": json.dumps(QUERY_CONTEXT)}}))
    rows = [{"week": "2025-01-06", "revenue": 120.5}]
    http.on("POST", "/api/v1/chart/data", Canned(200, {"result": [chart_result(
        rows, from_dttm=1735689600000, to_dttm=1743379200000, applied_filters=[{"column": "channel"}],
        rejected_filters=[{"column": "colour", "reason": "not_in_datasource"}])]}))

    data = await client.chart_data("revenue by week", time_range="2025-01-01 : 2025-03-31",
                                   filters={"channel": ["web", "email"], "store": "CoreLDove", "colour": None},
                                   row_limit=50)

    assert data["rows"] == rows and data["columns"] == ["week", "revenue"] and data["row_count"] == 1
    assert (data["chart_id"], data["chart"], data["from"]) == (11, "Revenue by week", "2025-01-01T00:00:00+00:00")
    assert data["applied_filters"] == ["channel"]
    assert data["rejected_filters"] == [{"column": "colour", "reason": "not_in_datasource"}]
    [post] = http.sent("POST", "/api/v1/chart/data")
    assert "X-CSRFToken" not in post.headers  # chart data is CSRF-exempt
    [query] = json.loads(post.content)["queries"]
    assert query["time_range"] == "2025-01-01 : 2025-03-31" and query["row_limit"] == 50
    assert query["filters"] == [
        {"col": "order_date", "op": "TEMPORAL_RANGE", "val": "2025-01-01 : 2025-03-31"},
        {"col": "channel", "op": "IN", "val": ["web", "email"]},
        {"col": "store", "op": "==", "val": "CoreLDove"},
        {"col": "colour", "op": "IS NULL"},
    ]
    assert query["metrics"] == QUERY_CONTEXT["queries"][0]["metrics"]  # type: ignore[index]


async def test_chart_without_saved_query_context(http: SupersetHTTP, client: SupersetClient) -> None:
    http.on("GET", "/api/v1/chart/12", Canned(200, {"result": {"id": 12, "slice_name": "Legacy"}}))
    http.on("GET", "/api/v1/chart/12/data/", Canned(400, {"message": "Chart has no query context saved. "
                                                                     "Please save the chart again."}))
    with pytest.raises(InvalidRequest) as info:
        await client.chart_data("12", filters={"channel": "web"})
    assert info.value.field == "chart" and not http.sent("GET", "/api/v1/chart/12/data/")
    with pytest.raises(InvalidRequest, match="no query context saved") as plain:
        await client.chart_data("12")
    assert plain.value.field == "chart"
    assert http.sent("GET", "/api/v1/chart/12/data/")[0].url.params["format"] == "json"


async def test_chart_data_refuses_an_unknown_filter_operator(http: SupersetHTTP, client: SupersetClient) -> None:
    with pytest.raises(InvalidRequest) as info:
        await client.chart_data("11", filters={"total": {"op": "BETWEEN", "val": [1, 2]}})
    assert info.value.field == "filters" and not http.requests


# --- datasets and SQL Lab --------------------------------------------------------------------------


async def test_dataset_list_with_and_without_columns(http: SupersetHTTP, client: SupersetClient) -> None:
    http.on("GET", "/api/v1/dataset/", listing([DATASET]))
    http.on("GET", "/api/v1/dataset/3", Canned(200, {"id": 3, "result": {
        "id": 3, "table_name": "orders", "database": {"id": 1, "database_name": "analytics"}, "main_dttm_col": "order_date",
        "columns": [{"column_name": "order_date", "type": "DATE", "is_dttm": True, "description": None}],
        "metrics": [{"metric_name": "revenue", "expression": "SUM(total)", "description": "Order revenue"}]}}))

    [full] = await client.dataset_list(query="ord")
    assert full["columns"] == [{"name": "order_date", "type": "DATE", "is_dttm": True, "description": None}]
    assert full["metrics"] == [{"name": "revenue", "expression": "SUM(total)", "description": "Order revenue"}]
    assert (full["database"], full["time_column"], full["kind"]) == ("analytics", "order_date", "physical")
    [short] = await client.dataset_list(query="ord", include_columns=False)
    assert "columns" not in short and len(http.sent("GET", "/api/v1/dataset/3")) == 1


async def test_sql_query_sends_csrf_with_the_session_cookie(http: SupersetHTTP, client: SupersetClient) -> None:
    http.on("GET", "/api/v1/database/", listing([{"id": 1, "database_name": "analytics"},
                                                 {"id": 2, "database_name": "analytics_archive"}]))
    http.on("POST", "/api/v1/sqllab/execute/", sqllab_answer([{"channel": "web", "n": 3}, {"channel": "pos", "n": 1}],
                                                             limiting="UNKNOWN"))

    result = await client.sql_query("Analytics", "SELECT channel, COUNT(*) AS n FROM orders GROUP BY 1; -- c",
                                    schema="main", limit=2)
    await client.sql_query("analytics", "SELECT 1 AS one")

    assert result == {"database": "Analytics", "database_id": 1, "schema": "main",
                      "sql": "SELECT channel, COUNT(*) AS n FROM orders GROUP BY 1", "columns": ["channel", "n"],
                      "rows": [{"channel": "web", "n": 3}, {"channel": "pos", "n": 1}], "row_count": 2,
                      "truncated": True, "query_id": 4}
    first, second = http.sent("POST", "/api/v1/sqllab/execute/")
    assert json.loads(first.content) == {"database_id": 1, "sql": result["sql"], "queryLimit": 2, "runAsync": False,
                                         "schema": "main"}
    assert first.headers["X-CSRFToken"] == "csrf-1" and "session=sess-1" in first.headers["cookie"]
    assert second.headers["X-CSRFToken"] == "csrf-1"
    assert len(http.sent("GET", "/api/v1/security/csrf_token/")) == 1
    assert len(http.sent("GET", "/api/v1/database/")) == 1  # the name's ID is remembered


async def test_sql_query_refuses_writes_before_any_request(http: SupersetHTTP, client: SupersetClient) -> None:
    with pytest.raises(InvalidRequest) as info:
        await client.sql_query("1", "UPDATE orders SET total = 0")
    assert info.value.field == "sql" and not http.requests


async def test_an_expired_csrf_token_is_fetched_again(http: SupersetHTTP, client: SupersetClient) -> None:
    csrf_error = {"errors": [{"message": "400 Bad Request: The CSRF token is invalid.",
                              "error_type": "GENERIC_BACKEND_ERROR", "level": "error", "extra": {}}]}
    http.on("GET", "/api/v1/security/csrf_token/", Canned(200, {"result": "csrf-1"}), Canned(200, {"result": "csrf-2"}))
    http.on("POST", "/api/v1/sqllab/execute/", Canned(400, csrf_error), sqllab_answer([{"one": 1}]))
    await client.sql_query("1", "SELECT 1 AS one")
    tokens = [r.headers["X-CSRFToken"] for r in http.sent("POST", "/api/v1/sqllab/execute/")]
    assert tokens == ["csrf-1", "csrf-2"]


# --- errors --------------------------------------------------------------------------------------

DEVIATION_FIELD_ERRORS = "marshmallow errors are a dict under `message`; the spec says string"


@pytest.mark.parametrize(("answer", "error", "field"), [
    (Canned(400, {"message": {"database_id": ["Not a valid integer."]}}, deviation=DEVIATION_FIELD_ERRORS),
     InvalidRequest, "database"),
    (Canned(500, {"errors": [{"message": "This database does not allow for DDL/DML, but the query mutates data.",
                              "error_type": "DML_NOT_ALLOWED_ERROR", "level": "error", "extra": {}}]}),
     InvalidRequest, "sql"),
    (Canned(422, {"errors": [{"message": "Error parsing near '1' at line 1:7", "error_type": "INVALID_SQL_ERROR",
                              "level": "error", "extra": {}}]}, deviation="a 422 is not documented for execute"),
     InvalidRequest, "sql"),
    (Canned(500, {"errors": [{"message": "The database referenced in this query was not found.",
                              "error_type": "GENERIC_BACKEND_ERROR", "level": "error", "extra": {}}]}),
     NotFound, "database"),
    (Canned(403, {"message": "Forbidden"}), AuthError, None),
    (Canned(404, {"message": "Not found"}), NotFound, "sql"),
])
async def test_superset_errors_are_typed_and_name_the_field(
    http: SupersetHTTP, client: SupersetClient, answer: Canned, error: type[Exception], field: str | None
) -> None:
    http.on("POST", "/api/v1/sqllab/execute/", answer)
    with pytest.raises(error) as info:
        await client.sql_query("1", "SELECT 1 AS one")
    assert getattr(info.value, "field", None) == field
    assert len(http.sent("POST", "/api/v1/sqllab/execute/")) == 1  # none of these is retried


async def test_a_list_filter_superset_refuses_is_invalid_request(http: SupersetHTTP, client: SupersetClient) -> None:
    http.on("GET", "/api/v1/dashboard/", Canned(400, {"message": "Filter column: tags not allowed to filter"}))
    with pytest.raises(InvalidRequest, match="not allowed to filter") as info:
        await client.dashboard_list(tag="x")
    assert info.value.field == "query"


# --- retries -------------------------------------------------------------------------------------

PROXY = "answered by a proxy or rate limiter in front of Superset; not a documented status"


async def test_reads_are_retried_with_backoff(http: SupersetHTTP, client: SupersetClient, sleeps: list[float]) -> None:
    http.on("GET", "/api/v1/chart/", Canned(503, {"message": "busy"}, deviation=PROXY),
            Canned(502, {"message": "bad gateway"}, deviation=PROXY), listing([]))
    assert await client.chart_list() == []
    assert len(http.sent("GET", "/api/v1/chart/")) == 3
    assert len(sleeps) == 2 and 0.05 <= sleeps[0] <= 0.15 and 0.1 <= sleeps[1] <= 0.3


async def test_retry_after_is_honoured_then_rate_limited(http: SupersetHTTP, client: SupersetClient,
                                                         sleeps: list[float]) -> None:
    http.on("GET", "/api/v1/chart/", Canned(429, {"message": "slow down"}, {"Retry-After": "2"}, deviation=PROXY))
    with pytest.raises(RateLimited) as info:
        await client.chart_list()
    assert info.value.retry_after == 2.0
    assert sleeps == [2.0, 2.0, 2.0] and len(http.sent("GET", "/api/v1/chart/")) == 4


async def test_read_only_posts_are_retried(http: SupersetHTTP, client: SupersetClient, sleeps: list[float]) -> None:
    http.on("POST", "/api/v1/sqllab/execute/", Canned(504, {"message": "timeout"}, deviation=PROXY),
            sqllab_answer([{"one": 1}]))
    assert (await client.sql_query("1", "SELECT 1 AS one"))["rows"] == [{"one": 1}]
    assert len(http.sent("POST", "/api/v1/sqllab/execute/")) == 2 and len(sleeps) == 1


async def test_other_posts_are_not_retried(http: SupersetHTTP, client: SupersetClient) -> None:
    http.on("POST", "/api/v1/dashboard/", Canned(503, {"message": "busy"}, deviation=PROXY))
    with pytest.raises(Unavailable, match="not retried"):
        await client._transport.request("POST", "/api/v1/dashboard/", json={"dashboard_title": "New"}, safe=False,
                                        csrf=True)
    [post] = http.sent("POST", "/api/v1/dashboard/")
    assert post.headers["X-CSRFToken"] == "csrf-1"


async def test_connection_errors(http: SupersetHTTP, client: SupersetClient, sleeps: list[float]) -> None:
    def broken(request: httpx.Request) -> Canned:
        raise httpx.ReadTimeout("slow", request=request)

    http.on("GET", "/api/v1/chart/", broken)
    with pytest.raises(Unavailable, match="after 4 attempts"):
        await client.chart_list()
    http.on("POST", "/api/v1/dashboard/", broken)
    with pytest.raises(Unavailable, match="not retried"):
        await client._transport.request("POST", "/api/v1/dashboard/", json={"dashboard_title": "New"}, safe=False)
    assert len(http.sent("POST", "/api/v1/dashboard/")) == 1

    def refused(request: httpx.Request) -> Canned:
        raise httpx.ConnectError("refused", request=request)

    http.on("POST", "/api/v1/dashboard/", refused)  # never reached Superset: safe to send again
    with pytest.raises(Unavailable, match="after 4 attempts"):
        await client._transport.request("POST", "/api/v1/dashboard/", json={"dashboard_title": "New"}, safe=False)
    assert len(http.sent("POST", "/api/v1/dashboard/")) == 5


def test_corrected_places_are_really_wrong_in_the_spec() -> None:
    raw = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    assert set(corrected_spec()["paths"]) == set(raw["paths"])
    assert raw["components"]["schemas"]["ChartRestApi.get_list"]["properties"]["dashboards"] == {
        "$ref": "#/components/schemas/ChartRestApi.get_list.Dashboard"}
    assert copy.deepcopy(raw) == json.loads(SPEC_PATH.read_text(encoding="utf-8"))
