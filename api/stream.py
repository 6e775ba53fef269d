"""A run's events as server-sent events: replay what happened after the client's last id, then
follow the run by polling its events until it is done, failed, cancelled or waiting for a person.

Each event goes out as `event: <type>`, `data: <the event's JSON data>`, `id: <seq>`; a client
that reconnects sends `Last-Event-ID` and gets only what it missed.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi.sse import format_sse_event

from runtime.brain import Brain
from runtime.runs import Actor

# A run status that ends a stream, and the event that reports it (emitted just after the status is set).
FINAL = {"done": "done", "failed": "failed", "cancelled": "cancelled"}
# Polls that may pass with a final status but without its event before the stream closes anyway.
FINAL_GRACE_POLLS = 2


def encode(event: dict[str, Any]) -> bytes:
    return format_sse_event(event=str(event["type"]), data_str=json.dumps(event["data"], default=str),
                            id=str(event["seq"]))


async def run_events(brain: Brain, actor: Actor, run_id: str, *, after: int, poll_seconds: float,
                     keepalive_seconds: float) -> AsyncIterator[bytes]:
    """Bytes of the stream. The caller has checked that the actor may see the run."""
    yield format_sse_event(comment=f"events of run {run_id} after {after}", retry=int(poll_seconds * 1000) + 1000)
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
