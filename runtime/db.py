"""Postgres: the embedded default (pgserver), the connection pool, schema migrations, and the
tenant scope every transaction runs in.

Threat model of tenant isolation (DESIGN.md invariant 5)
--------------------------------------------------------
Assets: each tenant's runs, ledger, approvals, events, checkpoints (LangGraph's tables, request
text and tool arguments included), memories, policy overrides, Telegram links and messages,
reminders, gamification records; and the global policy.

Adversary: anyone who can run SQL of their choosing as the application role `brain_app`: an SQL
injection anywhere in the application, a bug that builds the wrong statement, a reporting tool or
a person given the `brain_app` login, a stolen `brain_app` password. They may set any setting
(`set_config`), call any function `brain_app` may call, read `pg_stat_activity`, and try SET ROLE.

Defence: row-level security, enabled and forced, on every table holding tenant data; every policy
compares a row's tenant with `brain_tenant()` (and the global policy's writer with `brain_role()`),
which verify an HMAC-SHA256-signed token in the setting `app.scope` (runtime/scope.py, migration
013). The key lives in the schema `brain_private`, which `brain_app` cannot use; the Brain reads it
once, as the owner, when it starts. So the adversary can act only within a scope the process signed
for them: forging `app.tenant_id`, `app.role`, or a token for another tenant, role or expiry gives
nothing. The cross-tenant helper functions (run_tenant, due_approvals, claim_due_reminders,
telegram_chat_link, telegram_redeem_code) answer a tenant scope about itself only, and the
process's own `system` scope (signed too; timers, the reminder claimer, the Telegram webhook) in
full. Tokens expire (TOKEN_TTL_SECONDS) and are sent as bound parameters, never in statement
text, so `pg_stat_activity` does not show them.

Out of scope: whoever holds the owner's credentials or the Brain process's memory holds the key and
is the platform. A personal memory's owner (`app.user_id`) is trusted within its tenant. Sequences
are shared across tenants (`nextval` reveals how many rows all tenants made, not which).
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import psycopg
import structlog
from psycopg_pool import AsyncConnectionPool

from runtime.checkpoint_rls import secure_checkpoints
from runtime.scope import AppPool, ScopeSigner, current_scope, load_signer, set_scope

log = structlog.get_logger(__name__)

__all__ = ["AppPool", "ScopeSigner", "load_signer"]

MIGRATIONS_PACKAGE = "runtime.migrations"
APP_ROLE = "brain_app"
CHECKPOINT_TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes")
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


def open_pool(url: str, *, signer: ScopeSigner | None = None, max_size: int = 8) -> AppPool:
    """A pool whose connections suit both our stores and LangGraph's AsyncPostgresSaver.

    With a signer (the application's pool) every connection names the scope of the task that takes
    it; without one (an owner's pool, in tools and tests) it names none.
    """
    return AppPool(url, signer, max_size=max_size)


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
    """LangGraph's checkpoint tables are created by the owner (its `setup()`); the application role
    uses them, each row under its tenant (checkpoint_rls.py). `checkpoint_migrations` is the
    owner's: the application only reads it."""
    await secure_checkpoints(conn, APP_ROLE)
    tables = ", ".join(CHECKPOINT_TABLES)
    await conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {tables} TO {APP_ROLE}")
    await conn.execute(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON checkpoint_migrations FROM {APP_ROLE}")
    await conn.execute(f"GRANT SELECT ON checkpoint_migrations TO {APP_ROLE}")


@contextmanager
def tenant_scope(tenant: str, role: str = "operator") -> Iterator[None]:
    """Act for this tenant in the code run inside (tasks started inside inherit it)."""
    token = current_scope.set((tenant, role))
    try:
        yield
    finally:
        current_scope.reset(token)


def current_tenant() -> str | None:
    scope = current_scope.get()
    return scope[0] if scope else None


def _signed(pool: AsyncConnectionPool[Any]) -> AppPool | None:
    return pool if isinstance(pool, AppPool) and pool.signer is not None else None


@asynccontextmanager
async def tenant_conn(pool: AsyncConnectionPool[Any], tenant: str, role: str = "operator") -> AsyncIterator[Any]:
    """A connection in a transaction scoped to the named tenant (for services bound to one tenant)."""
    if not tenant:
        raise ValueError("tenant: must not be empty")
    signed = _signed(pool)
    token = signed.scope_token(tenant, role) if signed else ""
    async with pool.connection() as conn, conn.transaction():
        if signed:
            await set_scope(conn, token)
        yield conn


@asynccontextmanager
async def system_conn(pool: AsyncConnectionPool[Any]) -> AsyncIterator[Any]:
    """A connection in a transaction of the process's own cross-tenant scope: it sees no tenant's
    rows; the cross-tenant functions (claim_due_reminders, telegram_chat_link, ...) answer it in full."""
    signed = _signed(pool)
    async with pool.connection() as conn, conn.transaction():
        if signed:
            await set_scope(conn, signed.system_token())
        yield conn


@asynccontextmanager
async def scoped(pool: AsyncConnectionPool[Any], run_id: str | None = None) -> AsyncIterator[Any]:
    """A connection in a transaction that names the tenant to Postgres (row-level security).

    The tenant comes from `tenant_scope` (the connection was set to it when taken); failing that,
    from the run itself (internal drivers keyed by a run id); failing both, the transaction is the
    process's system scope: no tenant's rows, the cross-tenant functions (due_approvals, run_tenant).
    """
    signed = _signed(pool)
    async with pool.connection() as conn, conn.transaction():
        scope = current_scope.get()
        if scope is None and signed:
            await set_scope(conn, signed.system_token())
            if run_id is not None:
                cur = await conn.execute("SELECT run_tenant(%s::uuid) AS tenant", (run_id,))
                row = await cur.fetchone()
                if row and row["tenant"]:
                    await set_scope(conn, signed.scope_token(row["tenant"], "operator"))
        yield conn

