"""Health, readiness, metrics, agent status, memory search and the app's lifespan."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis

from api.app import create_app
from bootstrap import open_brain
from memory.embeddings import MiniLMEmbedder
from runtime.brain import Brain
from runtime.runs import Actor
from runtime.settings import Settings
from tests.api.conftest import BASE, Auth, FakeMemory, error_of, make_settings, settle, state_of, submit


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


async def test_health_and_readiness(brain: Brain, client: httpx.AsyncClient, redis_url: str) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    assert (await client.get("/ready")).json() == {"status": "ready", "checks": {"database": "ok"}}

    brain.redis = Redis.from_url(redis_url)
    try:
        assert (await client.get("/ready")).json()["checks"] == {"database": "ok", "redis": "ok"}
    finally:
        await brain.redis.aclose()
    brain.redis = Redis.from_url("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        broken = await client.get("/ready")
    finally:
        await brain.redis.aclose()
        brain.redis = None
    assert broken.status_code == 503
    assert broken.json()["checks"]["database"] == "ok" and broken.json()["checks"]["redis"] != "ok"
    assert error_of(broken)["message"].startswith("not ready: redis:")


async def test_metrics_and_agent_status_follow_the_runs(
    brain: Brain, app: FastAPI, client: httpx.AsyncClient, auth: Auth
) -> None:
    task = await submit(client, auth())
    await settle(app)
    await client.post(f"/approvals/{task['id']}", json={"all": {"action": "approve"}}, headers=auth())
    await brain.create_run("score last week's leads", Actor("olga", "other", "operator"))

    response = await client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    assert samples[("brain_tasks_submitted_total", (("via", "tasks"),))] == 1
    assert samples[("brain_runs_total", (("status", "waiting"),))] == 1
    assert samples[("brain_runs_total", (("status", "done"),))] == 1
    assert samples[("brain_decisions_total", (("outcome", "ask"),))] == 1
    assert samples[("brain_approval_answers_total", (("action", "approve"),))] == 1
    assert samples[("brain_tool_seconds_count", (("status", "ok"), ("tool", "saleor.product_create")))] == 1
    assert samples[("brain_http_request_seconds_count",
                    (("method", "POST"), ("route", "/api/brain/tasks"), ("status", "202")))] == 1

    status = (await client.get("/agents/status", headers=auth("viewer"))).json()
    agents = {a["id"]: a for a in status["agents"]}
    assert len(agents) == len(brain.agents) == 93
    catalog = agents["product_catalog_manager"]
    assert (catalog["workflow"], catalog["domain"]) == ("product_sourcing", "ecommerce_catalog")
    assert "saleor.product_create" in catalog["tools"]
    assert (catalog["runs"], catalog["success_rate"]) == ({"done": 1, "failed": 0}, 1.0)
    assert agents["lead_scoring"]["success_rate"] is None  # the other tenant's run is not counted


async def test_memory_search_uses_the_store_or_says_it_is_missing(
    brain: Brain, client: httpx.AsyncClient, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(brain, "memory", None, raising=False)
    missing = await client.post("/memory/search", json={"query": "spring brief"}, headers=auth())
    assert missing.status_code == 503 and "memory is not available" in error_of(missing)["message"]

    memory = FakeMemory()
    monkeypatch.setattr(brain, "memory", memory, raising=False)
    found = await client.post("/memory/search", json={"query": "spring brief", "kind": "campaign_brief", "limit": 3},
                              headers=auth("viewer", user="vic"))
    assert found.status_code == 200 and found.json()["items"][0]["text"] == "Spring Sale: 15% off"
    assert memory.calls == [{"tenant": "demo", "query": "spring brief", "user": "vic", "kind": "campaign_brief", "limit": 3}]
    bad_kind = await client.post("/memory/search", json={"query": "x", "kind": "gossip"}, headers=auth())
    assert bad_kind.status_code == 422 and error_of(bad_kind)["field"] == "kind"
    empty = await client.post("/memory/search", json={"query": ""}, headers=auth())
    assert empty.status_code == 422 and error_of(empty)["field"] == "query"


async def test_lifespan_applies_approval_time_limits_and_keeps_a_given_brain_open(
    brain: Brain, monkeypatch: pytest.MonkeyPatch
) -> None:
    rounds: list[float] = []

    async def expire() -> list[dict[str, Any]]:
        rounds.append(asyncio.get_running_loop().time())
        return []

    monkeypatch.setattr(brain, "expire_approvals", expire)
    app = create_app(brain, make_settings(expire_interval_seconds=0.05))
    async with app.router.lifespan_context(app):
        await asyncio.sleep(0.6)
    assert len(rounds) >= 3
    assert await brain.list_runs(Actor("dana", "demo", "viewer")) == []  # still open: the caller owns it


async def test_a_brain_factory_is_opened_and_closed_by_the_app(
    settings: Settings, db_url: str, embedder: MiniLMEmbedder, auth: Auth
) -> None:
    app = create_app(lambda: open_brain(settings, embedder=embedder, url=db_url), make_settings())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        before = await client.get("/tasks", headers=auth())
        assert before.status_code == 503 and "starting or stopping" in error_of(before)["message"]
        assert (await client.get("/ready")).status_code == 503
        async with app.router.lifespan_context(app):
            opened = state_of(app).brain
            assert opened is not None
            assert (await client.get("/ready")).status_code == 200
            assert (await client.get("/tasks", headers=auth())).status_code == 200
        assert state_of(app).brain is None and opened.pool.closed
