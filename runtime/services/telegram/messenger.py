"""Sending to linked people: through the tenant's Telegram client, every message recorded.

Messages the tools send (`telegram.message_send`, `telegram.message_broadcast`) count against a
per-tenant daily limit; reminders and approval notices do not (a medication reminder must not be
stopped by a marketing broadcast). A broadcast keeps under Telegram's ~30 messages per second.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from psycopg_pool import AsyncConnectionPool

from adapters.errors import AdapterError, RateLimited
from adapters.telegram.client import Keyboard
from runtime.db import tenant_conn
from runtime.services.telegram.links import Link

LIMITED_SOURCES = ("tool", "broadcast")
BROADCAST_PER_SECOND = 25


class DailyLimitReached(Exception):
    """The tenant's tools have sent as many messages today as the limit allows."""


class Messenger:
    def __init__(self, pool: AsyncConnectionPool[Any], client_for: Any, daily_limit: int) -> None:
        self.pool = pool
        self._client_for = client_for  # tenant -> TelegramClient
        self.daily_limit = daily_limit

    async def sent_today(self, tenant: str, space: str) -> int:
        """Messages the tools sent for this tenant in the last 24 hours."""
        async with tenant_conn(self.pool, tenant) as conn:
            cur = await conn.execute(
                "SELECT count(*) AS n FROM telegram_messages WHERE tenant_id = %s AND space = %s AND status = 'sent'"
                " AND source = ANY(%s) AND created_at > now() - interval '1 day'", (tenant, space, list(LIMITED_SOURCES)))
            row = await cur.fetchone()
            return int(row["n"]) if row else 0

    async def check_limit(self, tenant: str, space: str, count: int) -> None:
        used = await self.sent_today(tenant, space)
        if used + count > self.daily_limit:
            raise DailyLimitReached(
                f"the daily Telegram limit for tenant {tenant!r} is {self.daily_limit} messages; {used} sent in the"
                f" last 24 hours, so {count} more would pass it (BRAIN_TELEGRAM_DAILY_LIMIT)")

    async def send(self, tenant: str, space: str, link: Link, text: str, *, source: str,
                   buttons: Sequence[str] | None = None, silent: bool = False, run_id: str | None = None,
                   keyboard: Keyboard | None = None) -> dict[str, Any]:
        """Send one message and record it, sent or failed; a failure is raised after it is recorded.
        `keyboard` gives rows of (label, callback_data) buttons instead of plain `buttons`."""
        client = self._client_for(tenant)
        try:
            try:
                sent = await client.send_message(link.chat_id, text, buttons, silent, keyboard=keyboard)
            except RateLimited as exc:  # one wait as Telegram asks, then give up
                await asyncio.sleep(min(exc.retry_after or 1.0, 30.0))
                sent = await client.send_message(link.chat_id, text, buttons, silent, keyboard=keyboard)
        except AdapterError as exc:
            await self._record(tenant, space, link, text, source, run_id, "failed", None, str(exc))
            raise
        await self._record(tenant, space, link, text, source, run_id, "sent", sent.get("message_id"), None)
        return {"to": link.name, "user_id": link.user_id, "message_id": sent.get("message_id")}

    async def broadcast(self, tenant: str, space: str, links: Sequence[Link], text: str, *,
                        buttons: Sequence[str] | None = None, run_id: str | None = None) -> dict[str, Any]:
        sent: list[str] = []
        failed: list[dict[str, str]] = []
        for n, link in enumerate(links):
            if n and n % BROADCAST_PER_SECOND == 0:
                await asyncio.sleep(1.0)
            try:
                await self.send(tenant, space, link, text, source="broadcast", buttons=buttons, run_id=run_id)
                sent.append(link.name)
            except AdapterError as exc:
                failed.append({"to": link.name, "error": str(exc)})
        return {"sent": len(sent), "failed": len(failed), "recipients": sent, "failures": failed}

    async def _record(self, tenant: str, space: str, link: Link, text: str, source: str, run_id: str | None,
                      status: str, message_id: Any, error: str | None) -> None:
        async with tenant_conn(self.pool, tenant) as conn:
            await conn.execute(
                "INSERT INTO telegram_messages (tenant_id, space, user_id, chat_id, source, text, run_id, status,"
                " message_id, error) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (tenant, space, link.user_id, link.chat_id, source, text, run_id, status, message_id, error))

    async def forget(self, tenant: str, space: str) -> None:
        async with tenant_conn(self.pool, tenant) as conn:
            await conn.execute("DELETE FROM telegram_messages WHERE tenant_id = %s AND space = %s", (tenant, space))

    async def history(self, tenant: str, space: str, limit: int = 100) -> list[dict[str, Any]]:
        async with tenant_conn(self.pool, tenant) as conn:
            cur = await conn.execute(
                "SELECT user_id, source, text, status, error, created_at FROM telegram_messages"
                " WHERE tenant_id = %s AND space = %s ORDER BY created_at DESC LIMIT %s", (tenant, space, limit))
            return [dict(row) for row in await cur.fetchall()]
