"""Runs and approval requests in Postgres."""

from __future__ import annotations

import builtins
import uuid
from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from runtime.db import scoped
from runtime.events import EventSink
from runtime.ledger import Entry, append


class RunNotFound(LookupError):
    def __init__(self, run_id: str):
        super().__init__(f"no run {run_id!r}; `brain runs pending` lists the runs waiting for approval")


class RunStateConflict(Exception):
    """The run is not in the state the action needs (e.g. approving a run that is not waiting)."""


class LeaseLost(RunStateConflict):
    """Another process holds the run's lease now: this one must stop advancing it and write nothing."""


class _NotRecorded(Exception):
    """Inside a transaction: roll it back, nothing of the answer may stay."""


RUNS_CHANNEL = "brain_runs_due"  # NOTIFY channel: a run became due (workers LISTEN to wake at once)


@dataclass(frozen=True)
class Actor:
    user: str
    tenant: str
    role: str


class RunStore:
    def __init__(self, pool: AsyncConnectionPool[Any]):
        self.pool = pool

    async def create(self, request: str, actor: Actor, run_id: str | None = None, *, status: str = "running",
                     agent_hint: str | None = None, idempotency_key: str | None = None,
                     lease: tuple[str, float] | None = None, code_version: str | None = None,
                     crew: dict[str, Any] | None = None) -> tuple[str, bool]:
        """Open a run; with an idempotency key already used by this tenant, return that run (created=False).

        With `lease` (owner, seconds) the run is born claimed by that owner, who drives it next;
        without one a queued run is due at once for any worker (workers are woken by a NOTIFY).
        """
        run_id = run_id or str(uuid.uuid4())
        owner, seconds = lease if lease else (None, 0.0)
        async with scoped(self.pool) as conn:
            cur = await conn.execute(
                "INSERT INTO runs (id, tenant_id, user_id, role, request, status, agent_hint, idempotency_key, "
                " lease_owner, lease_expires_at, attempts, code_version, crew) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, "
                " CASE WHEN %s::text IS NULL THEN NULL ELSE clock_timestamp() + make_interval(secs => %s) END, %s, %s, %s) "
                "ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id",
                (run_id, actor.tenant, actor.user, actor.role, request, status, agent_hint, idempotency_key,
                 owner, owner, seconds, 1 if owner else 0, code_version, Jsonb(crew) if crew is not None else None),
            )
            if await cur.fetchone() is not None:
                if owner is None:
                    await conn.execute("SELECT pg_notify(%s, '')", (RUNS_CHANNEL,))
                return run_id, True
            cur = await conn.execute(
                "SELECT id FROM runs WHERE tenant_id = %s AND idempotency_key = %s", (actor.tenant, idempotency_key)
            )
            row = await cur.fetchone()
        assert row is not None
        return str(row["id"]), False

    async def resolve(self, run_id: str) -> str:
        """A full run id from a full id or a unique prefix of at least 6 characters (as git does)."""
        try:
            return str(uuid.UUID(run_id))
        except ValueError:
            pass
        if len(run_id) < 6 or not all(c in "0123456789abcdef-" for c in run_id.lower()):
            raise RunNotFound(run_id)
        async with scoped(self.pool) as conn:
            cur = await conn.execute("SELECT id FROM runs WHERE id::text LIKE %s LIMIT 2", (run_id.lower() + "%",))
            rows = await cur.fetchall()
        if len(rows) != 1:
            raise RunNotFound(run_id) if not rows else RunStateConflict(f"run id prefix {run_id!r} is ambiguous")
        return str(rows[0]["id"])

    async def get(self, run_id: str) -> dict[str, Any]:
        run_id = await self.resolve(run_id)
        async with scoped(self.pool, run_id) as conn:
            cur = await conn.execute("SELECT * FROM runs WHERE id = %s", (run_id,))
            row: dict[str, Any] | None = await cur.fetchone()
        if row is None:
            raise RunNotFound(run_id)
        return row

    async def update(self, run_id: str, **fields: Any) -> None:
        sets = ", ".join(f"{name} = %s" for name in fields)
        async with scoped(self.pool, run_id) as conn:
            await conn.execute(
                f"UPDATE runs SET {sets}, updated_at = now() WHERE id = %s", (*fields.values(), run_id)
            )

    async def claim(self, run_id: str, *, from_status: str, to_status: str) -> None:
        """Move a run between states atomically; the loser of a race gets RunStateConflict."""
        async with scoped(self.pool, run_id) as conn:
            cur = await conn.execute(
                "UPDATE runs SET status = %s, updated_at = now() WHERE id = %s AND status = %s RETURNING id",
                (to_status, run_id, from_status),
            )
            if await cur.fetchone() is None:
                run = await self.get(run_id)
                raise RunStateConflict(f"run {run_id} is {run['status']}, not {from_status}")

    async def list_runs(self, *, tenant: str | None = None, status: str | None = None, limit: int = 50,
                        offset: int = 0) -> builtins.list[dict[str, Any]]:
        where: builtins.list[str] = []
        params: builtins.list[Any] = []
        if tenant:
            where.append("tenant_id = %s")
            params.append(tenant)
        if status:
            where.append("status = %s")
            params.append(status)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        async with scoped(self.pool) as conn:
            cur = await conn.execute(
                f"SELECT * FROM runs {clause} ORDER BY created_at DESC, id LIMIT %s OFFSET %s", (*params, limit, offset)
            )
            return list(await cur.fetchall())

    async def open_approval(self, run_id: str, tenant: str, interrupt_id: str, request: dict[str, Any]) -> None:
        """Record what a run waits for; the time limit starts now."""
        async with scoped(self.pool, run_id) as conn:
            await _insert_approval(conn, run_id, tenant, interrupt_id, request)

    async def due_approvals(self) -> builtins.list[dict[str, Any]]:
        """Approvals past their time limit, across tenants (id, run_id, tenant_id only)."""
        async with scoped(self.pool) as conn:
            cur = await conn.execute("SELECT id, run_id, tenant_id FROM due_approvals()")
            return list(await cur.fetchall())

    async def tenant_of(self, run_id: str) -> str:
        async with scoped(self.pool) as conn:
            cur = await conn.execute("SELECT run_tenant(%s::uuid) AS tenant", (run_id,))
            row = await cur.fetchone()
        if row is None or row["tenant"] is None:
            raise RunNotFound(run_id)
        return str(row["tenant"])

    async def escalate_approval(self, approval_id: str, role: str, minutes: int) -> bool:
        async with scoped(self.pool) as conn:
            cur = await conn.execute(
                "UPDATE approvals SET approver_role = %s, expires_at = now() + make_interval(mins => %s) "
                "WHERE id = %s AND status = 'pending' RETURNING id",
                (role, minutes, approval_id),
            )
            return await cur.fetchone() is not None

    async def pending_approvals(self, *, tenant: str | None = None) -> builtins.list[dict[str, Any]]:
        where, params = ("AND a.tenant_id = %s", [tenant]) if tenant else ("", [])
        async with scoped(self.pool) as conn:
            cur = await conn.execute(
                "SELECT a.*, r.request, r.agent, r.user_id FROM approvals a JOIN runs r ON r.id = a.run_id "
                f"WHERE a.status = 'pending' {where} ORDER BY a.requested_at", params,
            )
            return list(await cur.fetchall())

    async def pending_approval(self, run_id: str) -> dict[str, Any] | None:
        async with scoped(self.pool, run_id) as conn:
            cur = await conn.execute(
                "SELECT * FROM approvals WHERE run_id = %s AND status = 'pending' ORDER BY requested_at DESC LIMIT 1",
                (run_id,),
            )
            row: dict[str, Any] | None = await cur.fetchone()
            return row

    async def close_approval(self, approval_id: str, decided_by: str, response: dict[str, Any], status: str = "decided") -> None:
        async with scoped(self.pool) as conn:
            await conn.execute(
                "UPDATE approvals SET status = %s, decided_at = now(), decided_by = %s, response = %s "
                "WHERE id = %s AND status = 'pending'",
                (status, decided_by, Jsonb(response), approval_id),
            )

    async def last_answer(self, run_id: str) -> dict[str, Any] | None:
        """The most recently closed approval of a run (who answered, when, with what), if any."""
        async with scoped(self.pool, run_id) as conn:
            cur = await conn.execute(
                "SELECT * FROM approvals WHERE run_id = %s AND status <> 'pending' "
                "ORDER BY decided_at DESC NULLS LAST, requested_at DESC LIMIT 1", (run_id,),
            )
            row: dict[str, Any] | None = await cur.fetchone()
            return row

    async def record_answer(self, run_id: str, approval_id: str, decided_by: str, resume: dict[str, Any],
                            entries: builtins.list[Entry], *, owner: str | None, lease_seconds: float,
                            status: str = "decided") -> None:
        """In one transaction: close the pending approval with the checked answer, claim the run
        (waiting -> resuming, leased to `owner`; with no owner, due at once for any worker, which
        is NOTIFYed) and append the answer's ledger entries.

        Nothing is written when the approval was answered meanwhile or the run does not wait:
        RunStateConflict says who answered it.
        """
        try:
            async with scoped(self.pool, run_id) as conn:
                cur = await conn.execute(
                    "UPDATE approvals SET status = %s, decided_at = now(), decided_by = %s, response = %s "
                    "WHERE id = %s AND status = 'pending' RETURNING id",
                    (status, decided_by, Jsonb(resume), approval_id),
                )
                if await cur.fetchone() is None:
                    raise _NotRecorded
                cur = await conn.execute(
                    "UPDATE runs SET status = 'resuming', lease_owner = %s, "
                    " lease_expires_at = clock_timestamp() + make_interval(secs => %s), updated_at = now() "
                    "WHERE id = %s AND status = 'waiting' RETURNING id",
                    (owner, lease_seconds if owner else 0.0, run_id),
                )
                if await cur.fetchone() is None:
                    raise _NotRecorded  # rolls the approval back to pending
                for entry in entries:
                    await append(conn, entry)
                if owner is None:
                    await conn.execute("SELECT pg_notify(%s, '')", (RUNS_CHANNEL,))
        except _NotRecorded:
            raise await self.answer_conflict(run_id) from None

    async def answer_conflict(self, run_id: str) -> RunStateConflict:
        """Why a run's approval cannot be answered now, naming who answered it if someone did."""
        run = await self.get(run_id)
        last = await self.last_answer(run_id)
        if last is not None and last["decided_by"]:
            cancelled = isinstance(last["response"], dict) and last["response"].get("cancelled")
            how = "cancelled" if cancelled else "answered"
            when = f" at {last['decided_at']:%Y-%m-%d %H:%M:%S} UTC" if last["decided_at"] else ""
            return RunStateConflict(f"run {run_id}'s approval was already {how} by {last['decided_by']}{when}; "
                                    f"the run is {run['status']}")
        return RunStateConflict(f"run {run_id} is {run['status']} and waits for no approval")

    async def finish_waiting(self, run_id: str, tenant: str, owner: str, interrupt_id: str, request: dict[str, Any],
                             *, agent: str | None, confidence: float | None) -> None:
        """The run paused for a person: record the approval and the status `waiting` together, and
        give up the lease. LeaseLost (nothing written) when another process holds the run now."""
        async with scoped(self.pool, run_id) as conn:
            cur = await conn.execute(
                "UPDATE runs SET status = 'waiting', agent = %s, confidence = %s, lease_owner = NULL, "
                " lease_expires_at = NULL, updated_at = now() "
                "WHERE id = %s AND lease_owner = %s AND status IN ('running', 'resuming') RETURNING id",
                (agent, confidence, run_id, owner),
            )
            if await cur.fetchone() is None:
                raise LeaseLost(f"run {run_id} is no longer leased to {owner}")
            await _insert_approval(conn, run_id, tenant, interrupt_id, request)

    async def finish(self, run_id: str, tenant: str, owner: str, events: EventSink, *, status: str,
                     event: dict[str, Any], **fields: Any) -> None:
        """End the run (`done` or `failed`) and store its final event in one transaction, giving up
        the lease; the event is published after the commit. LeaseLost when the run is not ours."""
        sets = "".join(f", {name} = %s" for name in fields)
        async with scoped(self.pool, run_id) as conn:
            cur = await conn.execute(
                f"UPDATE runs SET status = %s{sets}, lease_owner = NULL, lease_expires_at = NULL, updated_at = now() "
                "WHERE id = %s AND lease_owner = %s AND status IN ('running', 'resuming') RETURNING id",
                (status, *fields.values(), run_id, owner),
            )
            if await cur.fetchone() is None:
                raise LeaseLost(f"run {run_id} is no longer leased to {owner}")
            stored = await events.insert(conn, run_id, tenant, status, event, status)
        if stored is not None:
            await events.publish(stored)


async def _insert_approval(conn: Any, run_id: str, tenant: str, interrupt_id: str, request: dict[str, Any]) -> None:
    minutes = request.get("timeout_minutes")
    await conn.execute(
        "INSERT INTO approvals (id, run_id, tenant_id, interrupt_id, status, calls, approver_role, "
        " timeout_minutes, on_timeout, expires_at) "
        "VALUES (%s, %s, %s, %s, 'pending', %s, %s, %s, %s, "
        " CASE WHEN %s::int IS NULL THEN NULL ELSE now() + make_interval(mins => %s::int) END) "
        "ON CONFLICT (run_id, interrupt_id) DO NOTHING",
        (str(uuid.uuid4()), run_id, tenant, interrupt_id, Jsonb(request["calls"]), request["approver_role"],
         minutes, request.get("on_timeout", "reject"), minutes, minutes),
    )
