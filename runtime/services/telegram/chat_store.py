"""What the Telegram chat remembers between updates (runtime/migrations/010_telegram_chat.sql).

Updates already handled, the chat a task came from, and approval messages: the short key their
buttons carry, the per-call draft answer of the chat, and a pending "Edit".
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from runtime.db import system_conn, tenant_conn

EDIT_MINUTES = 15  # how long an "Edit" waits for the JSON of new arguments
UPDATE_DAYS = 2  # Telegram gives up retrying an update after about a day


@dataclass
class ApprovalMessage:
    """One approval request as sent to one chat."""

    id: str
    tenant_id: str
    run_id: str
    chat_id: int
    user_id: str
    calls: list[dict[str, Any]]
    message_id: int | None = None
    draft: dict[str, dict[str, Any]] = field(default_factory=dict)
    editing: str | None = None
    status: str = "open"

    def call(self, index: int) -> dict[str, Any]:
        return self.calls[index]

    def index_of(self, call_id: str) -> int:
        return next(n for n, call in enumerate(self.calls) if call["call_id"] == call_id)

    @property
    def complete(self) -> bool:
        """Every call has an answer in the draft."""
        return all(call["call_id"] in self.draft for call in self.calls)


def _message(row: dict[str, Any]) -> ApprovalMessage:
    return ApprovalMessage(id=row["id"], tenant_id=row["tenant_id"], run_id=str(row["run_id"]), chat_id=int(row["chat_id"]),
                           user_id=row["user_id"], calls=list(row["calls"]), message_id=row["message_id"],
                           draft=dict(row["draft"] or {}), editing=row["editing"], status=row["status"])


class ChatStore:
    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        self.pool = pool

    async def first_sight(self, update_id: int) -> bool:
        """Record an update id; False when it was handled before (a retry by Telegram)."""
        # The webhook's own work (the system scope), through the one function that may write the
        # table (migration 017): a tenant's session cannot mark the bot's updates as seen.
        async with system_conn(self.pool) as conn:
            cur = await conn.execute("SELECT telegram_first_sight(%s, %s) AS fresh", (update_id, UPDATE_DAYS))
            row = await cur.fetchone()
        return bool(row and row["fresh"])

    # -- tasks typed in a chat -------------------------------------------------------------------

    async def remember_run(self, tenant: str, run_id: str, chat_id: int, user_id: str) -> None:
        async with tenant_conn(self.pool, tenant) as conn:
            await conn.execute("INSERT INTO telegram_runs (run_id, tenant_id, chat_id, user_id) VALUES (%s, %s, %s, %s)"
                               " ON CONFLICT DO NOTHING", (run_id, tenant, chat_id, user_id))

    async def run_chat(self, tenant: str, run_id: str) -> tuple[int, str] | None:
        """The chat (and its user) a run was typed in, if it came from Telegram."""
        async with tenant_conn(self.pool, tenant) as conn:
            cur = await conn.execute("SELECT chat_id, user_id FROM telegram_runs WHERE run_id = %s", (run_id,))
            row = await cur.fetchone()
        return (int(row["chat_id"]), row["user_id"]) if row else None

    # -- approval messages ---------------------------------------------------------------------

    async def add_message(self, tenant: str, run_id: str, chat_id: int, user_id: str,
                          calls: list[dict[str, Any]]) -> ApprovalMessage:
        """A new approval message (its message id is set once Telegram has it)."""
        kept = [{"call_id": c["call_id"], "tool": c["tool"], "args": c["args"]} for c in calls]
        key = secrets.token_urlsafe(6)
        async with tenant_conn(self.pool, tenant) as conn:
            await conn.execute(
                "INSERT INTO telegram_approval_messages (id, tenant_id, run_id, chat_id, user_id, calls)"
                " VALUES (%s, %s, %s, %s, %s, %s)", (key, tenant, run_id, chat_id, user_id, Jsonb(kept)))
        return ApprovalMessage(key, tenant, run_id, chat_id, user_id, kept)

    async def set_message_id(self, tenant: str, key: str, message_id: int | None) -> None:
        async with tenant_conn(self.pool, tenant) as conn:
            await conn.execute("UPDATE telegram_approval_messages SET message_id = %s WHERE id = %s", (message_id, key))

    async def message(self, tenant: str, key: str) -> ApprovalMessage | None:
        async with tenant_conn(self.pool, tenant) as conn:
            cur = await conn.execute("SELECT * FROM telegram_approval_messages WHERE id = %s", (key,))
            row = await cur.fetchone()
        return _message(row) if row else None

    async def save_draft(self, tenant: str, key: str, draft: dict[str, dict[str, Any]]) -> None:
        async with tenant_conn(self.pool, tenant) as conn:
            await conn.execute("UPDATE telegram_approval_messages SET draft = %s, editing = NULL, editing_at = NULL"
                               " WHERE id = %s", (Jsonb(draft), key))

    async def close(self, tenant: str, run_id: str) -> list[ApprovalMessage]:
        """Close the run's open approval messages; returns them (their buttons are to be removed)."""
        async with tenant_conn(self.pool, tenant) as conn:
            cur = await conn.execute(
                "UPDATE telegram_approval_messages SET status = 'closed', editing = NULL, editing_at = NULL"
                " WHERE tenant_id = %s AND run_id = %s AND status = 'open' RETURNING *", (tenant, run_id))
            return [_message(row) for row in await cur.fetchall()]

    # -- a pending "Edit" ----------------------------------------------------------------------

    async def start_edit(self, tenant: str, key: str, chat_id: int, call_id: str) -> None:
        """This chat's next message gives the new arguments of `call_id` (any earlier edit is dropped)."""
        async with tenant_conn(self.pool, tenant) as conn:
            await conn.execute("UPDATE telegram_approval_messages SET editing = NULL, editing_at = NULL"
                               " WHERE tenant_id = %s AND chat_id = %s AND editing IS NOT NULL", (tenant, chat_id))
            await conn.execute("UPDATE telegram_approval_messages SET editing = %s, editing_at = now() WHERE id = %s",
                               (call_id, key))

    async def pending_edit(self, tenant: str, chat_id: int) -> ApprovalMessage | None:
        async with tenant_conn(self.pool, tenant) as conn:
            cur = await conn.execute(
                "SELECT * FROM telegram_approval_messages WHERE tenant_id = %s AND chat_id = %s AND editing IS NOT NULL"
                " AND status = 'open' AND editing_at > now() - make_interval(mins => %s)"
                " ORDER BY editing_at DESC LIMIT 1", (tenant, chat_id, EDIT_MINUTES))
            row = await cur.fetchone()
        return _message(row) if row else None

    async def cancel_edit(self, tenant: str, chat_id: int) -> bool:
        async with tenant_conn(self.pool, tenant) as conn:
            cur = await conn.execute("UPDATE telegram_approval_messages SET editing = NULL, editing_at = NULL"
                                     " WHERE tenant_id = %s AND chat_id = %s AND editing IS NOT NULL", (tenant, chat_id))
            return bool(cur.rowcount)
