"""Run events: stored in Postgres (replayable), published to Redis when configured, and shown live."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from runtime.db import scoped

log = structlog.get_logger(__name__)

Listener = Callable[[dict[str, Any]], Awaitable[None] | None]


def redis_stream_key(run_id: str) -> str:
    return f"brain:run:{run_id}:events"


class EventSink:
    def __init__(self, pool: AsyncConnectionPool[Any], redis: Any | None = None):
        self.pool = pool
        self.redis = redis
        self.listeners: list[Listener] = []

    async def emit(self, run_id: str, tenant: str, type_: str, data: dict[str, Any], key: str | None = None) -> None:
        """Record one event; with a key, a replay of the same event (a resumed node) is dropped."""
        async with scoped(self.pool, run_id) as conn:
            event = await self.insert(conn, run_id, tenant, type_, data, key)
        if event is not None:
            await self.publish(event)

    @staticmethod
    async def insert(conn: Any, run_id: str, tenant: str, type_: str, data: dict[str, Any],
                     key: str | None = None) -> dict[str, Any] | None:
        """Store an event inside the caller's transaction; None when its key was recorded before.
        Publish the returned event once the transaction has committed."""
        cur = await conn.execute(
            "INSERT INTO run_events (run_id, tenant_id, type, data, key) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (run_id, key) DO NOTHING RETURNING seq",
            (run_id, tenant, type_, Jsonb(data), key),
        )
        row = await cur.fetchone()
        if row is None:
            return None
        return {"seq": row["seq"], "run_id": run_id, "type": type_, "data": data}

    async def publish(self, event: dict[str, Any]) -> None:
        """Tell Redis (when configured) and the listeners in this process about a committed event."""
        if self.redis is not None:
            await self.redis.xadd(redis_stream_key(event["run_id"]), {"event": json.dumps(event, default=str)}, maxlen=1000)
        for listener in self.listeners:
            outcome = listener(event)
            if outcome is not None:
                await outcome
        log.debug("run event", run_id=event["run_id"], type=event["type"])

    async def history(self, run_id: str) -> list[dict[str, Any]]:
        async with scoped(self.pool, run_id) as conn:
            cur = await conn.execute(
                "SELECT seq, type, data, created_at FROM run_events WHERE run_id = %s ORDER BY seq", (run_id,)
            )
            return list(await cur.fetchall())
