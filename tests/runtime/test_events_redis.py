"""With REDIS_URL set, run events are also published to a Redis stream per run."""

from __future__ import annotations

import json
from pathlib import Path

from redis.asyncio import Redis

from bootstrap import open_brain
from memory.embeddings import MiniLMEmbedder
from runtime.events import redis_stream_key
from runtime.settings import Settings
from tests.runtime.helpers import ACTOR, REQUEST


async def test_events_reach_redis(settings: Settings, db_url: str, redis_url: str, embedder: MiniLMEmbedder, tmp_path: Path) -> None:
    brain = await open_brain(settings.model_copy(update={"redis_url": redis_url}), embedder=embedder, url=db_url)
    try:
        out = await brain.submit(REQUEST, ACTOR)
    finally:
        await brain.close()
    client = Redis.from_url(redis_url)
    try:
        entries = await client.xrange(redis_stream_key(out.run_id))
    finally:
        await client.aclose()
    types = [json.loads(fields[b"event"])["type"] for _, fields in entries]
    assert types == ["routed", "planned", "decision", "waiting"]
