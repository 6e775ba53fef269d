"""Postgres: the embedded default (pgserver), the connection pool, and schema migrations."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from importlib import resources
from pathlib import Path
from typing import Any

import psycopg
import structlog
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

log = structlog.get_logger(__name__)

MIGRATIONS_PACKAGE = "runtime.migrations"
APP_ROLE = "brain_app"
CHECKPOINT_TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes", "checkpoint_migrations")

# The tenant (and role) the current task acts for; every store transaction sets it in Postgres.
_scope: ContextVar[tuple[str, str] | None] = ContextVar("brain_tenant_scope", default=None)
_MIGRATION_LOCK = 7_402_118_231  # advisory lock key: one migrator at a time


class DatabaseError(Exception):
    """The database could not be reached or prepared; the message says what to check."""


def start_embedded(pgdata: Path) -> str:
    """Start (or join) the embedded Postgres 16 + pgvector in `pgdata`; return its URL.

    pgserver runs the server as its own system user when we are root, so the folder and its
    parents must be traversable by that user.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")  # platformdirs, on import
        import pgserver

    pgdata = pgdata.resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    try:
        server = pgserver.get_server(pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
    except Exception as exc:  # pgserver raises plain exceptions with the server log
        raise DatabaseError(f"could not start the embedded Postgres in {pgdata}: {exc}") from exc
    return str(server.get_uri())


def resolve_url(database_url: str | None, pgdata: Path) -> str:
    return database_url or start_embedded(pgdata)


def with_database(url: str, dbname: str) -> str:
    """The same server URL pointed at another database."""
    return psycopg.conninfo.make_conninfo(url, dbname=dbname)


def _migration_files() -> list[tuple[str, str]]:
    folder = resources.files(MIGRATIONS_PACKAGE)
    files = sorted((p.name, p.read_text()) for p in folder.iterdir() if p.name.endswith(".sql"))
    return files


async def migrate(url: str) -> list[str]:
    """Apply the ordered SQL files not yet applied; return the versions applied now."""
    applied_now: list[str] = []
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        cur = await conn.execute("SELECT version FROM schema_migrations")
        done = {row[0] for row in await cur.fetchall()}
        for version, sql in _migration_files():
            if version in done:
                continue
            await conn.execute(sql.encode())
            await conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (version,))
            applied_now.append(version)
    if applied_now:
        log.info("migrations applied", versions=applied_now)
    return applied_now


def open_pool(url: str, *, max_size: int = 8) -> AsyncConnectionPool[Any]:
    """A pool whose connections suit both our stores and LangGraph's AsyncPostgresSaver."""
    return AsyncConnectionPool(
        url,
        min_size=1,
        max_size=max_size,
        open=False,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
    )


async def wait_ready(url: str, attempts: int = 20) -> None:
    for attempt in range(attempts):
        try:
            async with await psycopg.AsyncConnection.connect(url, connect_timeout=3) as conn:
                await conn.execute("SELECT 1")
                return
        except psycopg.OperationalError as exc:
            if attempt == attempts - 1:
                raise DatabaseError(f"Postgres is not reachable at the configured URL: {exc}") from exc
            await asyncio.sleep(0.25)


def app_url(owner_url: str, explicit: str | None = None) -> str:
    """The URL the application uses: the non-superuser, non-owner role (trust auth when embedded)."""
    return explicit or psycopg.conninfo.make_conninfo(owner_url, user=APP_ROLE)


@asynccontextmanager
async def schema_lock(conn: psycopg.AsyncConnection[Any]) -> AsyncIterator[None]:
    """Hold the migrators' advisory lock on this (autocommit) connection for the block: two processes
    starting at once must not both create or grant (concurrent GRANTs fail: "tuple concurrently updated")."""
    await conn.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
    try:
        yield
    finally:
        await conn.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))


async def grant_checkpoints(conn: psycopg.AsyncConnection[Any]) -> None:
    """LangGraph's checkpoint tables are created by the owner; the application role uses them."""
    tables = ", ".join(CHECKPOINT_TABLES)
    await conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {tables} TO {APP_ROLE}")


@contextmanager
def tenant_scope(tenant: str, role: str = "operator") -> Iterator[None]:
    """Act for this tenant in the code run inside (tasks started inside inherit it)."""
    token = _scope.set((tenant, role))
    try:
        yield
    finally:
        _scope.reset(token)


def current_tenant() -> str | None:
    scope = _scope.get()
    return scope[0] if scope else None


@asynccontextmanager
async def tenant_conn(pool: AsyncConnectionPool[Any], tenant: str, role: str = "operator") -> AsyncIterator[Any]:
    """A connection in a transaction scoped to the named tenant (for services bound to one tenant)."""
    if not tenant:
        raise ValueError("tenant: must not be empty")
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.tenant_id', %s, true), set_config('app.role', %s, true)",
                           (tenant, role))
        yield conn


@asynccontextmanager
async def scoped(pool: AsyncConnectionPool[Any], run_id: str | None = None) -> AsyncIterator[Any]:
    """A connection in a transaction that names the tenant to Postgres (row-level security).

    The tenant comes from `tenant_scope`; failing that, from the run itself (internal drivers
    keyed by a run id); failing both, none is set and every tenant table reads empty.
    """
    async with pool.connection() as conn, conn.transaction():
        scope = _scope.get()
        if scope is None and run_id is not None:
            cur = await conn.execute("SELECT run_tenant(%s::uuid) AS tenant", (run_id,))
            row = await cur.fetchone()
            scope = (row["tenant"], "operator") if row and row["tenant"] else None
        if scope is not None:
            await conn.execute("SELECT set_config('app.tenant_id', %s, true), set_config('app.role', %s, true)", scope)
        yield conn
