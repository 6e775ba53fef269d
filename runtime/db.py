"""Postgres: the embedded default (pgserver), the connection pool, and schema migrations."""

from __future__ import annotations

import asyncio
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

import psycopg
import structlog
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

log = structlog.get_logger(__name__)

MIGRATIONS_PACKAGE = "runtime.migrations"
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
