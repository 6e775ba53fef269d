"""With Redis, a run's events reach an SSE client of one process while another process (a worker)
advances the run: published to the run's Redis stream and read from it, not polled from Postgres."""

from __future__ import annotations

import asyncio
import time

import httpx

from api.app import create_app
from api.auth import mint_token
from bootstrap import open_brain
from memory.onnx_minilm import OnnxMiniLMEmbedder
from runtime.engine import LeaseWorker
from runtime.settings import Settings
from tests.api.conftest import BASE, REQUEST, make_settings, state_of
from tests.api.test_events import LIVE, parse


async def test_a_workers_events_reach_the_apis_stream_through_redis(
    settings: Settings, db_url: str, redis_url: str, embedder: OnnxMiniLMEmbedder
) -> None:
    shared = settings.model_copy(update={"redis_url": redis_url})
    api_brain = await open_brain(shared, embedder=embedder, url=db_url)
    worker_brain = await open_brain(shared, embedder=embedder, url=db_url)
    # Polling Postgres would take a minute, a quiet Redis 30 s: only the Redis stream is this fast.
    api_settings = make_settings(sse_poll_seconds=60.0, sse_keepalive_seconds=30.0)
    app = create_app(api_brain, api_settings, worker=False)
    headers = {"Authorization": f"Bearer {mint_token(api_settings, user='dana', tenant='demo', role='operator')}"}
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE, timeout=90) as client:
            task = (await client.post("/tasks", json={"request": REQUEST}, headers=headers)).json()
            assert task["status"] == "queued"
            stream = asyncio.create_task(client.get(f"/tasks/{task['id']}/events", headers=headers))
            await asyncio.sleep(0.5)  # the stream has replayed nothing and waits on Redis
            assert await LeaseWorker(worker_brain).drain() == 1  # "another process" drives the run
            drained = time.monotonic()
            response = await asyncio.wait_for(stream, 40)
            waited = time.monotonic() - drained
        events, _ = parse(response.text)
        assert [e["type"] for e in events] == LIVE
        assert [e["id"] for e in events] == sorted(e["id"] for e in events)
        assert waited < 10, f"the stream ended {waited:.1f} s after the run stopped"
    finally:
        await state_of(app).background.stop(5)
        await worker_brain.close()
        await api_brain.close()
