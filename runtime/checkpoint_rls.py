"""Row-level security on LangGraph's checkpoint tables.

`AsyncPostgresSaver.setup()` creates `checkpoints`, `checkpoint_blobs` and `checkpoint_writes` with
no tenant (a row is keyed by thread id, which is our run id). Each gets a `tenant_id` column whose
default is the verified tenant of the inserting transaction (`brain_tenant()`, migration 013) and a
forced policy on it. LangGraph's statements name their columns (INSERT ... (thread_id, ...),
SELECT thread_id, ...), so the extra column changes none of them: its upserts (ON CONFLICT on the
primary key) and `adelete_thread` touch only the caller's rows, and an upsert meeting another
tenant's row fails instead of changing it. Rows written before this existed take their run's tenant.

Idempotent and cheap when already done: it runs at every start, after `setup()`, under the
migrators' lock.
"""

from __future__ import annotations

from typing import Any

import psycopg
import structlog

log = structlog.get_logger(__name__)

TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes")
POLICY = "tenant_rows"


async def secure_checkpoints(conn: psycopg.AsyncConnection[Any], app_role: str) -> None:
    """Add the tenant column, fill it from the runs, default it to the scope, and force the policy."""
    cur = await conn.execute(
        "SELECT count(*) FROM pg_policies WHERE schemaname = current_schema() AND policyname = %s"
        " AND tablename = ANY(%s)", (POLICY, list(TABLES)))
    row = await cur.fetchone()
    assert row is not None
    if _count(row) == len(TABLES):
        return
    async with conn.transaction():
        for table in TABLES:
            await conn.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS tenant_id text")
            await conn.execute(
                f"UPDATE {table} c SET tenant_id = r.tenant_id FROM runs r"
                " WHERE c.tenant_id IS NULL AND r.id::text = c.thread_id")
            await conn.execute(f"ALTER TABLE {table} ALTER COLUMN tenant_id SET DEFAULT brain_tenant()")
            cur = await conn.execute(f"SELECT count(*) FROM {table} WHERE tenant_id IS NULL")
            orphans = await cur.fetchone()
            assert orphans is not None
            if _count(orphans) == 0:  # an insert without a scope then fails loudly instead of hiding
                await conn.execute(f"ALTER TABLE {table} ALTER COLUMN tenant_id SET NOT NULL")
            else:
                log.warning("checkpoint rows of no run stay visible to no tenant", table=table, rows=_count(orphans))
            await conn.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            await conn.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            await conn.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
            await conn.execute(
                f"CREATE POLICY {POLICY} ON {table} TO {app_role}"
                " USING (tenant_id = (SELECT brain_tenant())) WITH CHECK (tenant_id = (SELECT brain_tenant()))")
    log.info("checkpoint tables under row-level security", tables=list(TABLES))


def _count(row: Any) -> int:
    return int(row["count"] if isinstance(row, dict) else row[0])
