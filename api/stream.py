"""A run's events as server-sent events: replay what happened after the client's last id, then
follow the run until it is done, failed, cancelled or waiting for a person.

Each event goes out as `event: <type>`, `data: <the event's JSON data>`, `id: <seq>`; a client
that reconnects sends `Last-Event-ID` and gets only what it missed.

Following: with Redis (BRAIN_REDIS_URL) the stream reads the run's Redis stream, where every
process that advances the run (any worker, on any machine) publishes each event once it is
committed: events arrive as they happen, with no polling. Postgres stays the record: the replay
comes from it, and while Redis is quiet the stream looks there too (an event whose publisher died
between commit and publish is still delivered). Without Redis it polls Postgres.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import structlog
from fastapi.sse import format_sse_event

from runtime.brain import Brain
from runtime.events import redis_stream_key
from runtime.runs import Actor

log = structlog.get_logger(__name__)

# A run status that ends a stream, and the event that reports it (emitted just after the status is set).
FINAL = {"done": "done", "failed": "failed", "cancelled": "cancelled"}
# Polls that may pass with a final status but without its event before the stream closes anyway.
FINAL_GRACE_POLLS = 2
# A live event of these types means the run stopped: done, failed, cancelled, or waiting for a person.
# (Replayed events are not enough: a run that waited once may be resuming now.)
STOPPING = frozenset({"done", "failed", "cancelled", "waiting"})


def encode(event: dict[str, Any]) -> bytes:
    return format_sse_event(event=str(event["type"]), data_str=json.dumps(event["data"], default=str),
                            id=str(event["seq"]))


async def run_events(brain: Brain, actor: Actor, run_id: str, *, after: int, poll_seconds: float,
                     keepalive_seconds: float) -> AsyncIterator[bytes]:
    """Bytes of the stream. The caller has checked that the actor may see the run."""
    yield format_sse_event(comment=f"events of run {run_id} after {after}", retry=int(poll_seconds * 1000) + 1000)
    if brain.redis is not None:
        try:
            cursor = await _stream_end(brain.redis, run_id)
        except Exception as exc:  # Redis down: Postgres serves alone
            log.warning("following run events by polling: Redis failed", run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        else:
            async for chunk in _follow_redis(brain, brain.redis, actor, run_id, after, cursor, keepalive_seconds):
                yield chunk
            return
    async for chunk in _follow_postgres(brain, actor, run_id, after, poll_seconds, keepalive_seconds):
        yield chunk


async def _follow_postgres(brain: Brain, actor: Actor, run_id: str, after: int, poll_seconds: float,
                           keepalive_seconds: float) -> AsyncIterator[bytes]:
    last, quiet_since, final_polls = after, time.monotonic(), 0
    seen: set[str] = set()
    while True:
        status = (await brain.get_run(run_id, actor))["status"]
        events = await brain.run_events(run_id, actor, after=last)
        for event in events:
            yield encode(event)
            last = event["seq"]
            seen.add(str(event["type"]))
        if events:
            quiet_since = time.monotonic()
        if status == "waiting":
            return
        if status in FINAL:
            final_polls += 1
            if FINAL[status] in seen or final_polls > FINAL_GRACE_POLLS:
                return
        if time.monotonic() - quiet_since >= keepalive_seconds:
            yield format_sse_event(comment="keep-alive")
            quiet_since = time.monotonic()
        await asyncio.sleep(poll_seconds)


async def _stream_end(redis: Any, run_id: str) -> str:
    """The id of the run's newest Redis entry ("0-0" for none): events after it are read live."""
    newest = await redis.xrevrange(redis_stream_key(run_id), count=1)
    if not newest:
        return "0-0"
    entry_id = newest[0][0]
    return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)


async def _follow_redis(brain: Brain, redis: Any, actor: Actor, run_id: str, after: int, cursor: str,
                        keepalive_seconds: float) -> AsyncIterator[bytes]:
    """Replay from Postgres (everything committed before `cursor` was taken is there), then read
    the run's Redis stream from `cursor`; an event is sent once, by its sequence number. Whenever
    Redis is quiet for a while, Postgres is read again."""
    last, final_rounds = after, 0
    seen: set[str] = set()
    key = redis_stream_key(run_id)
    while True:
        status = (await brain.get_run(run_id, actor))["status"]
        for event in await brain.run_events(run_id, actor, after=last):
            yield encode(event)
            last = event["seq"]
            seen.add(str(event["type"]))
        if status == "waiting":
            return
        if status in FINAL:
            final_rounds += 1
            if FINAL[status] in seen or final_rounds > FINAL_GRACE_POLLS:
                return
        wait = keepalive_seconds if status not in FINAL else min(keepalive_seconds, 0.5)
        try:
            answer = await redis.xread({key: cursor}, block=max(int(wait * 1000), 1), count=100)
        except Exception as exc:  # Redis failing mid-stream: the next round reads Postgres, after a pause
            log.warning("reading run events from Redis failed", run_id=run_id, error=f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(min(keepalive_seconds, 1.0))
            continue
        if not answer:
            if status not in FINAL:
                yield format_sse_event(comment="keep-alive")
            continue  # quiet: look at Postgres again (its status, and any event never published)
        for entry_id, fields in answer[0][1]:
            cursor = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
            event = json.loads(fields.get(b"event") or fields.get("event"))
            if event["seq"] <= last:
                continue
            yield encode(event)
            last = event["seq"]
            if event["type"] in STOPPING:
                return
