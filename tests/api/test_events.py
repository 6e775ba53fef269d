"""A task's events as server-sent events: live in order, replayed to a late listener."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from fastapi import FastAPI

from api.settings import ApiSettings
from runtime.brain import Brain
from runtime.runs import Actor
from tests.api.conftest import Auth, settle, submit

LIVE = ["routed", "planned", "decision", "waiting"]


def parse(stream: str) -> tuple[list[dict[str, Any]], list[str]]:
    """SSE text -> (events with id, type and data; comment lines)."""
    events, comments = [], []
    for block in stream.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if line.startswith(":"):
                comments.append(line[1:].strip())
            elif ": " in line:
                name, value = line.split(": ", 1)
                fields[name] = value
        if "event" in fields:
            events.append({"id": int(fields["id"]), "type": fields["event"], "data": json.loads(fields["data"])})
    return events, comments


async def test_events_stream_in_order_and_replay_after_last_event_id(
    app: FastAPI, client: httpx.AsyncClient, auth: Auth
) -> None:
    task = await submit(client, auth())
    # Opened right away: follows the run live until it waits for approval, then closes.
    live = await client.get(f"/tasks/{task['id']}/events", headers=auth())
    assert live.status_code == 200
    assert live.headers["content-type"].startswith("text/event-stream")
    events, comments = parse(live.text)
    assert [e["type"] for e in events] == LIVE
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert comments and comments[0].startswith(f"events of run {task['id']}")
    assert events[-1]["data"]["calls"][0]["tool"] == "saleor.product_create"

    await settle(app)
    approved = await client.post(f"/approvals/{task['id']}", json={"all": {"action": "approve"}}, headers=auth())
    assert approved.json()["status"] == "done"

    # A late listener that saw up to `waiting` gets only the rest; one without an id gets everything.
    late = await client.get(f"/tasks/{task['id']}/events", headers={**auth(), "Last-Event-ID": str(events[-1]["id"])})
    rest, _ = parse(late.text)
    assert [e["type"] for e in rest] == ["tool_result", "answer", "done"]
    assert rest[0]["id"] > events[-1]["id"]
    assert "Created product Red Mug" in rest[1]["data"]["text"]
    everything, _ = parse((await client.get(f"/tasks/{task['id']}/events", headers=auth())).text)
    assert [e["type"] for e in everything] == [*LIVE, "tool_result", "answer", "done"]
    by_query, _ = parse((await client.get(f"/tasks/{task['id']}/events", params={"after": events[1]["id"]},
                                          headers=auth())).text)
    assert [e["type"] for e in by_query] == ["decision", "waiting", "tool_result", "answer", "done"]

    bad = await client.get(f"/tasks/{task['id']}/events", headers={**auth(), "Last-Event-ID": "yesterday"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "Last-Event-ID"


async def test_an_idle_stream_sends_keep_alive_comments_until_the_run_ends(
    brain: Brain, app: FastAPI, client: httpx.AsyncClient, auth: Auth, api_settings: ApiSettings
) -> None:
    api_settings.sse_keepalive_seconds = 0.1
    actor = Actor("dana", "demo", "operator")
    run_id, _ = await brain.create_run("score last week's leads", actor)  # queued: nothing happens until cancelled

    async def cancel_later() -> None:
        await asyncio.sleep(1.0)
        await brain.cancel(run_id, actor)

    stream, _ = await asyncio.gather(client.get(f"/tasks/{run_id}/events", headers=auth()), cancel_later())
    events, comments = parse(stream.text)
    assert [e["type"] for e in events] == ["cancelled"]
    assert comments.count("keep-alive") >= 2
