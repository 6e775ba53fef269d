"""The Superset interface: SupersetClient against the sandbox stand-in and a real Apache Superset 6.1.0.

The real server (`servers/superset/`, marker `superset` too: a heavy install) holds an `analytics`
SQLite database with a `sales` table; the stand-in's `analytics` database holds its demo tables.
So these checks are the ones that hold for any data: SQL Lab's read-only queries and errors, the
login, token refresh and CSRF renewal, and a wrong password. The catalog and chart checks of the
real server's own objects stay in `tests/integration/test_superset_real.py`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from adapters.errors import AuthError, InvalidRequest
from adapters.superset import SupersetClient
from bootstrap import stand_ins
from runtime.settings import Settings
from runtime.wiring import superset as superset_wiring
from sandbox.superset import SupersetStore
from tests.conformance.conftest import SANDBOX, real_or_sandbox

DATABASE = "analytics"  # the name of the SQL Lab database on both backends
# Superset 6.1 parses SQL before running it and cannot resolve a CTE's column list (`n(value)`):
# the numbers come from a plain subquery.
NUMBERS = ("SELECT t.value FROM (SELECT 1 AS value UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 "
           "UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7) AS t ORDER BY t.value")


class Recorder(httpx.AsyncBaseTransport):
    """Passes requests on and remembers `METHOD path status` of each."""

    def __init__(self) -> None:
        self.inner: httpx.AsyncBaseTransport = httpx.MockTransport(lambda _: httpx.Response(503))  # set by `connect`
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        self.paths.append(f"{request.method} {request.url.path} {response.status_code}")
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


# Builds a client of the backend: as the runtime does, or with a password and transport of a test's own.
Connect = Callable[..., SupersetClient]


@pytest.fixture(params=real_or_sandbox(pytest.mark.superset, timeout=2400))
def connect(request: pytest.FixtureRequest) -> Connect:
    if request.param == SANDBOX:
        store = SupersetStore.with_demo_data()
        settings = Settings()

        def sandbox(password: str | None = None, record: Recorder | None = None) -> SupersetClient:
            if password is None and record is None:
                return stand_ins.superset_client(settings, store)
            app = httpx.ASGITransport(app=stand_ins.superset_app(settings, store))
            if record is not None:
                record.inner = app
            return SupersetClient("http://superset.sandbox", username=settings.superset_username,
                                  password=password or settings.superset_password.get_secret_value(),
                                  transport=record or app)

        return sandbox
    server = request.getfixturevalue("superset_server")

    def real(password: str | None = None, record: Recorder | None = None) -> SupersetClient:
        if record is not None:
            record.inner = httpx.AsyncHTTPTransport()
        settings = Settings(superset_url=server.url, superset_username=server.username,
                            superset_password=SecretStr(password or server.password))
        if record is not None:
            return SupersetClient(server.url, username=server.username, password=password or server.password,
                                  transport=record)
        client = superset_wiring.real_client(settings, "tenant-conformance")
        assert client is not None
        return client

    return real


@pytest.fixture
async def superset(connect: Connect) -> AsyncIterator[SupersetClient]:
    async with connect() as client:
        yield client


async def test_sql_lab_runs_read_only_queries(superset: SupersetClient) -> None:
    result = await superset.sql_query(DATABASE, NUMBERS)
    assert result["columns"] == ["value"]
    assert [row["value"] for row in result["rows"]] == [1, 2, 3, 4, 5, 6, 7]
    assert (result["row_count"], result["truncated"], isinstance(result["query_id"], int)) == (7, False, True)
    limited = await superset.sql_query(DATABASE, NUMBERS, limit=5)
    assert [row["value"] for row in limited["rows"]] == [1, 2, 3, 4, 5]
    assert (limited["row_count"], limited["truncated"]) == (5, True)


async def test_sql_lab_errors(superset: SupersetClient) -> None:
    with pytest.raises(InvalidRequest) as missing:
        await superset.sql_query(DATABASE, "SELECT * FROM no_such_table")
    assert missing.value.field == "sql" and "no such table" in missing.value.message  # the database's own words
    with pytest.raises(InvalidRequest) as write:
        await superset.sql_query(DATABASE, "DELETE FROM no_such_table")
    assert write.value.field == "sql"
    assert (await superset.sql_query(DATABASE, "SELECT 2 + 3 AS n"))["rows"] == [{"n": 5}]


async def test_login_refresh_and_csrf_renewal(connect: Connect) -> None:
    recorder = Recorder()
    async with connect(record=recorder) as client:
        await client.sql_query(DATABASE, "SELECT 1 AS one")
        assert recorder.paths == ["POST /api/v1/security/login 200", "GET /api/v1/database/ 200",
                                  "GET /api/v1/security/csrf_token/ 200", "POST /api/v1/sqllab/execute/ 200"]
        session: Any = client._session  # white-box: age the token and spoil the CSRF token instead of waiting
        first_access = session.access_token
        session.expires_at = 0.0
        session.csrf_token = "spoiled"
        recorder.paths.clear()
        result = await client.sql_query(DATABASE, "SELECT 2 AS two")
        assert result["rows"] == [{"two": 2}]
        assert recorder.paths == [
            "POST /api/v1/security/refresh 200",  # the refresh token, not a new login
            "POST /api/v1/sqllab/execute/ 400",  # Superset refuses the spoiled CSRF token ...
            "GET /api/v1/security/csrf_token/ 200",  # ... the client fetches a new one ...
            "POST /api/v1/sqllab/execute/ 200",  # ... and sends the query again
        ]
        assert session.access_token != first_access


async def test_a_wrong_password_is_an_auth_error(connect: Connect) -> None:
    async with connect(password="wrong") as client:
        with pytest.raises(AuthError) as caught:
            await client.dashboard_list()
    assert caught.value.status == 401
