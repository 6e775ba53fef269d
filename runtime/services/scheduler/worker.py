"""Delivering due reminders: claim, send on Telegram, record, move on to the next occurrence.

Any number of processes may run this (the API's in-process loop, `brain scheduler run` workers):
a reminder is claimed by one process at a time (`claim_due_reminders`, FOR UPDATE SKIP LOCKED
with a lease), an occurrence already recorded as sent is never sent again, and the next
occurrence is written only by the lease holder. A failed send is retried with exponential
backoff, up to `max_attempts`; then the occurrence is recorded failed and the series goes on.
If the scheduler was down, occurrences older than `grace` are skipped, not sent late in a burst.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog

from runtime.db import system_conn, tenant_conn
from runtime.services.scheduler.store import schedule_of
from runtime.services.telegram import TelegramService
from runtime.wiring import sandbox_namespace

if TYPE_CHECKING:
    from runtime.services.ports import ServicePorts

log = structlog.get_logger(__name__)

PREFIX = {"medication": "Medication reminder", "appointment": "Appointment reminder", "check_in": "Check-in"}


def message_for(row: dict[str, Any]) -> str:
    return f"{PREFIX.get(row.get('category') or '', 'Reminder')}: {row['text']}"


@contextlib.contextmanager
def _space(space: str) -> Iterator[None]:
    if not space:
        yield
        return
    with sandbox_namespace(space):
        yield


class ReminderWorker:
    def __init__(self, ports: ServicePorts, *, worker_id: str | None = None, lease_seconds: int = 60, batch: int = 20,
                 max_attempts: int = 5, base_backoff: float = 30.0, grace: timedelta = timedelta(hours=1)) -> None:
        self.ports = ports
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease_seconds, self.batch, self.max_attempts = lease_seconds, batch, max_attempts
        self.base_backoff, self.grace = base_backoff, grace

    async def tick(self) -> list[dict[str, Any]]:
        """Deliver what is due now; one outcome per claimed reminder."""
        async with system_conn(self.ports.pool) as conn:
            cur = await conn.execute("SELECT * FROM claim_due_reminders(%s, %s, %s)",
                                     (self.worker_id, self.lease_seconds, self.batch))
            claims = [dict(r) for r in await cur.fetchall()]
        outcomes = []
        for claim in claims:
            try:
                outcomes.append(await self._deliver(claim))
            except Exception as exc:  # one bad reminder must not stop the others
                log.error("reminder delivery crashed", reminder=str(claim["id"]), error=f"{type(exc).__name__}: {exc}")
                outcomes.append({"id": str(claim["id"]), "status": "crashed", "error": str(exc)})
        return outcomes

    async def run(self, interval: float = 15.0, stop: asyncio.Event | None = None) -> None:
        """Tick every `interval` seconds until `stop` is set (or the task is cancelled)."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                await self.tick()
            except Exception as exc:  # the database may be restarting: try again next tick
                log.warning("scheduler tick failed", error=f"{type(exc).__name__}: {exc}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)

    async def _deliver(self, claim: dict[str, Any]) -> dict[str, Any]:
        tenant, space, occurrence = claim["tenant_id"], claim["space"], claim["occurrence_at"]
        async with tenant_conn(self.ports.pool, tenant) as conn:
            cur = await conn.execute("SELECT * FROM reminders WHERE id = %s AND lease_owner = %s",
                                     (claim["id"], self.worker_id))
            row = await cur.fetchone()
            cur = await conn.execute("SELECT status FROM reminder_deliveries WHERE reminder_id = %s AND occurrence_at = %s",
                                     (claim["id"], occurrence))
            done = await cur.fetchone()
        if row is None:
            return {"id": str(claim["id"]), "status": "lost"}
        if done is not None and done["status"] in ("sent", "skipped"):
            await self._advance(tenant, row, occurrence)
            return {"id": str(row["id"]), "status": "already " + done["status"]}
        telegram = self.ports.services["telegram"]
        assert isinstance(telegram, TelegramService)
        with _space(space):
            link = await telegram.links.get(tenant, space, row["recipient"])
            try:
                if link is None:
                    raise LookupError(f"{row['recipient_name']} ({row['recipient']}) is no longer linked on Telegram")
                sent = await telegram.messenger.send(tenant, space, link, message_for(row), source="reminder",
                                                     run_id=row["run_id"])
            except Exception as exc:
                return await self._failed(tenant, row, occurrence, f"{type(exc).__name__}: {exc}")
        await self._record(tenant, row, occurrence, "sent", row["attempts"] + 1, sent.get("message_id"), None)
        await self._advance(tenant, row, occurrence)
        return {"id": str(row["id"]), "status": "sent", "occurrence": occurrence.isoformat()}

    async def _failed(self, tenant: str, row: dict[str, Any], occurrence: datetime, error: str) -> dict[str, Any]:
        attempts = row["attempts"] + 1
        await self._record(tenant, row, occurrence, "failed", attempts, None, error)
        if attempts >= self.max_attempts:
            await self._advance(tenant, row, occurrence)
            return {"id": str(row["id"]), "status": "failed", "error": error, "attempts": attempts}
        retry = datetime.now(UTC) + timedelta(seconds=self.base_backoff * 2 ** (attempts - 1))
        async with tenant_conn(self.ports.pool, tenant) as conn:
            await conn.execute("UPDATE reminders SET attempts = %s, lease_owner = NULL, lease_until = %s"
                               " WHERE id = %s AND lease_owner = %s", (attempts, retry, row["id"], self.worker_id))
        return {"id": str(row["id"]), "status": "retrying", "error": error, "attempts": attempts,
                "retry_at": retry.isoformat()}

    async def _record(self, tenant: str, row: dict[str, Any], occurrence: datetime, status: str, attempts: int,
                      message_id: Any, error: str | None) -> None:
        async with tenant_conn(self.ports.pool, tenant) as conn:
            await conn.execute(
                "INSERT INTO reminder_deliveries (reminder_id, occurrence_at, tenant_id, space, status, attempts, worker,"
                " message_id, error) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (reminder_id, occurrence_at) DO UPDATE SET status = EXCLUDED.status,"
                " attempts = EXCLUDED.attempts, worker = EXCLUDED.worker, message_id = EXCLUDED.message_id,"
                " error = EXCLUDED.error, updated_at = now()",
                (row["id"], occurrence, tenant, row["space"], status, attempts, self.worker_id, message_id, error))

    async def _advance(self, tenant: str, row: dict[str, Any], occurrence: datetime) -> None:
        """Move to the next occurrence after this one (skipping those older than the grace period)."""
        since = max(occurrence, datetime.now(UTC) - self.grace)
        following = schedule_of(row).next_after(since)
        async with tenant_conn(self.ports.pool, tenant) as conn:
            await conn.execute(
                "UPDATE reminders SET next_at = CASE WHEN status = 'active' THEN %s ELSE next_at END, attempts = 0,"
                " lease_owner = NULL, lease_until = NULL,"
                " status = CASE WHEN %s::timestamptz IS NULL AND status = 'active' THEN 'done' ELSE status END"
                " WHERE id = %s AND lease_owner = %s", (following, following, row["id"], self.worker_id))
