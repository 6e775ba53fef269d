"""Leases on runs: who advances a run now, renewed by a heartbeat while it works.

A run is advanced only by the holder of its lease. The holder renews the lease every third of
its length; a holder that dies stops renewing, the lease expires, and any worker may claim the
run and continue it from its last checkpoint. A holder that finds its lease taken (it stalled
past the expiry and another process took over) cancels its own work at once and writes nothing
more: every final write is fenced on `lease_owner`.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
import uuid
from types import TracebackType
from typing import Any

import structlog
from psycopg_pool import AsyncConnectionPool

from runtime.db import scoped, system_conn
from runtime.runs import LeaseLost

log = structlog.get_logger(__name__)

ACTIVE = ("queued", "running", "resuming")


def process_owner() -> str:
    """A lease owner name unique to this process (host, pid, a random tag)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Leases:
    """The lease columns of `runs` (migration 012)."""

    def __init__(self, pool: AsyncConnectionPool[Any], owner: str, seconds: float, version: str = ""):
        self.pool = pool
        self.owner = owner
        self.seconds = seconds
        self.version = version  # the code version of this process: started runs of others are left alone

    async def claim(self, run_id: str) -> dict[str, Any] | None:
        """Take the run's lease if it is free, expired or already ours, the run still needs a driver
        and this process can replay it (queued, or started by this code version); a queued run
        becomes running, stamped with this version. The run row as claimed, or None."""
        async with scoped(self.pool, run_id) as conn:
            cur = await conn.execute(
                "UPDATE runs SET lease_owner = %(me)s, "
                " lease_expires_at = clock_timestamp() + make_interval(secs => %(secs)s), "
                " attempts = attempts + CASE WHEN lease_owner IS NOT DISTINCT FROM %(me)s THEN 0 ELSE 1 END, "
                " code_version = CASE WHEN status = 'queued' OR code_version IS NULL THEN %(v)s ELSE code_version END, "
                " status = CASE WHEN status = 'queued' THEN 'running' ELSE status END, updated_at = now() "
                "WHERE id = %(id)s AND status IN ('queued', 'running', 'resuming') "
                " AND (lease_owner IS NULL OR lease_owner = %(me)s OR lease_expires_at < clock_timestamp()) "
                " AND (status = 'queued' OR code_version IS NULL OR code_version = %(v)s) "
                "RETURNING *",
                {"me": self.owner, "secs": self.seconds, "id": run_id, "v": self.version},
            )
            row: dict[str, Any] | None = await cur.fetchone()
            return row

    async def claim_due(self, limit: int) -> list[dict[str, Any]]:
        """Claim up to `limit` due runs across tenants (tenants take turns): id, tenant_id, status."""
        async with system_conn(self.pool) as conn:
            cur = await conn.execute("SELECT * FROM claim_due_runs(%s, %s, %s, %s)",
                                     (self.owner, self.seconds, limit, self.version))
            return [dict(row) for row in await cur.fetchall()]

    async def renew(self, run_id: str) -> bool:
        async with scoped(self.pool, run_id) as conn:
            cur = await conn.execute(
                "UPDATE runs SET lease_expires_at = clock_timestamp() + make_interval(secs => %s) "
                "WHERE id = %s AND lease_owner = %s AND status IN ('running', 'resuming') RETURNING id",
                (self.seconds, run_id, self.owner),
            )
            return await cur.fetchone() is not None

    async def release(self, run_id: str, *, after: float = 0.0) -> None:
        """Give the lease up (the run stays due for any worker, after `after` seconds)."""
        async with scoped(self.pool, run_id) as conn:
            await conn.execute(
                "UPDATE runs SET lease_owner = NULL, lease_expires_at = clock_timestamp() + make_interval(secs => %s) "
                "WHERE id = %s AND lease_owner = %s",
                (after, run_id, self.owner),
            )

    def hold(self, run_id: str) -> Heartbeat:
        """`async with leases.hold(run_id):` renews the lease while the block runs; LeaseLost if it is taken."""
        return Heartbeat(self, run_id)


class Heartbeat:
    """Renews a lease in the background; cancels the block it guards when the lease is lost."""

    def __init__(self, leases: Leases, run_id: str):
        self.leases = leases
        self.run_id = run_id
        self.lost = False
        self._task: asyncio.Task[None] | None = None
        self._guarded: asyncio.Task[Any] | None = None

    async def __aenter__(self) -> Heartbeat:
        self._guarded = asyncio.current_task()
        self._task = asyncio.create_task(self._beat(), name=f"lease {self.run_id}")
        return self

    async def stop(self) -> None:
        """Stop renewing (before the holder's final, fenced write gives the lease up)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()
        if self.lost and isinstance(exc, asyncio.CancelledError) and self._guarded is not None:
            self._guarded.uncancel()
            raise LeaseLost(f"run {self.run_id}: the lease of {self.leases.owner} was taken over; stopped")

    async def _beat(self) -> None:
        interval = max(self.leases.seconds / 3, 0.05)
        renewed = time.monotonic()
        while True:
            await asyncio.sleep(interval)
            try:
                held = await self.leases.renew(self.run_id)
            except Exception as exc:  # the database may be restarting: keep trying until the lease would end
                log.warning("lease renewal failed", run_id=self.run_id, error=f"{type(exc).__name__}: {exc}")
                held = time.monotonic() - renewed < self.leases.seconds
            else:
                renewed = time.monotonic() if held else renewed
            if not held:
                self.lost = True
                log.warning("lease lost; stopping this run here", run_id=self.run_id, owner=self.leases.owner)
                if self._guarded is not None:
                    self._guarded.cancel()
                return
