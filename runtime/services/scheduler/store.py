"""Reminder rows of one tenant and sandbox space, in Postgres under row-level security."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from psycopg_pool import AsyncConnectionPool

from runtime.db import tenant_conn
from runtime.services.scheduler.recurrence import Schedule

FIELDS = ("id", "recipient", "recipient_name", "text", "category", "first_at", "timezone", "recurrence", "until",
          "next_at", "status", "created_by")


def dedupe_key(recipient: str, first_at: datetime, recurrence: str | None, text: str) -> str:
    """The catalog's idempotency: (recipient, at, recurrence, text)."""
    body = "|".join((recipient, first_at.isoformat(), recurrence or "", " ".join(text.split()).casefold()))
    return hashlib.sha256(body.encode()).hexdigest()


def schedule_of(row: dict[str, Any]) -> Schedule:
    return Schedule(row["first_at"], row["recurrence"], row["until"], row["timezone"])


class ReminderStore:
    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        self.pool = pool

    async def create(self, tenant: str, space: str, *, created_by: str, recipient: str, recipient_name: str,
                     text: str, category: str | None, first_at: datetime, timezone: str | None,
                     recurrence: str | None, until: date | None, next_at: datetime | None,
                     run_id: str | None) -> tuple[dict[str, Any], bool]:
        """The new reminder and True, or the existing identical one and False."""
        key = dedupe_key(recipient, first_at, recurrence, text)
        async with tenant_conn(self.pool, tenant) as conn:
            cur = await conn.execute(
                "INSERT INTO reminders (tenant_id, space, created_by, recipient, recipient_name, text, category,"
                " first_at, timezone, recurrence, until, next_at, dedupe_key, run_id)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (tenant_id, space, dedupe_key) DO NOTHING RETURNING *",
                (tenant, space, created_by, recipient, recipient_name, text, category, first_at, timezone, recurrence,
                 until, next_at, key, run_id))
            row = await cur.fetchone()
            if row is not None:
                return dict(row), True
            cur = await conn.execute("SELECT * FROM reminders WHERE tenant_id = %s AND space = %s AND dedupe_key = %s",
                                     (tenant, space, key))
            existing = await cur.fetchone()
            assert existing is not None
            return dict(existing), False

    async def rows(self, tenant: str, space: str, *, status: str | None = "active") -> list[dict[str, Any]]:
        sql = "SELECT * FROM reminders WHERE tenant_id = %s AND space = %s"
        params: list[Any] = [tenant, space]
        if status is not None:
            sql += " AND status = %s"
            params.append(status)
        async with tenant_conn(self.pool, tenant) as conn:
            cur = await conn.execute(sql + " ORDER BY next_at NULLS LAST, created_at", params)
            return [dict(r) for r in await cur.fetchall()]

    async def get(self, tenant: str, reminder_id: str) -> dict[str, Any] | None:
        async with tenant_conn(self.pool, tenant) as conn:
            cur = await conn.execute("SELECT * FROM reminders WHERE id::text = %s", (reminder_id,))
            row = await cur.fetchone()
            return dict(row) if row else None

    async def cancel(self, tenant: str, reminder_id: str) -> None:
        async with tenant_conn(self.pool, tenant) as conn:
            await conn.execute("UPDATE reminders SET status = 'cancelled', cancelled_at = now(), next_at = NULL"
                               " WHERE id::text = %s AND status = 'active'", (reminder_id,))

    async def skip(self, tenant: str, row: dict[str, Any], following: datetime | None) -> None:
        """Skip the occurrence due next: record it skipped and move on to the one after."""
        async with tenant_conn(self.pool, tenant) as conn:
            await conn.execute(
                "INSERT INTO reminder_deliveries (reminder_id, occurrence_at, tenant_id, space, status, attempts)"
                " VALUES (%s, %s, %s, %s, 'skipped', 0) ON CONFLICT DO NOTHING",
                (row["id"], row["next_at"], tenant, row["space"]))
            await conn.execute(
                "UPDATE reminders SET next_at = %s, status = CASE WHEN %s::timestamptz IS NULL THEN 'done' ELSE status END"
                " WHERE id = %s", (following, following, row["id"]))

    async def deliveries(self, tenant: str, space: str) -> list[dict[str, Any]]:
        async with tenant_conn(self.pool, tenant) as conn:
            cur = await conn.execute(
                "SELECT d.*, r.text FROM reminder_deliveries d JOIN reminders r ON r.id = d.reminder_id"
                " WHERE d.tenant_id = %s AND d.space = %s ORDER BY d.occurrence_at", (tenant, space))
            return [dict(r) for r in await cur.fetchall()]

    async def clear(self, tenant: str, space: str) -> None:
        async with tenant_conn(self.pool, tenant) as conn:
            await conn.execute("DELETE FROM reminders WHERE tenant_id = %s AND space = %s", (tenant, space))
