"""Limits: body size (413), request text length (422), requests per tenant per minute (429)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
from redis.asyncio import Redis

from api.app import create_app
from api.auth import mint_token
from runtime import db
from runtime.brain import Brain
from tests.api.conftest import BASE, REQUEST, error_of, make_settings, state_of

MID_WINDOW = 1_800_000_030.0  # 30 s into a one-minute window: the tests never straddle two windows


async def test_body_size_and_request_length_limits(brain: Brain) -> None:
    settings = make_settings(max_body_bytes=300, max_request_chars=60)
    app = create_app(brain, settings)
    headers = {"Authorization": f"Bearer {mint_token(settings, user='dana', tenant='demo', role='operator')}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        body = b'{"request": "' + b"x" * 1000 + b'"}'
        big = await client.post("/tasks", content=body, headers={**headers, "Content-Type": "application/json"})
        assert big.status_code == 413
        assert error_of(big) == {"code": "too_large", "message": f"request body of {len(body)} bytes is larger than 300 bytes"}

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while it streams in
            yield b'{"request": "'
            for _ in range(10):
                yield b"y" * 50
            yield b'"}'

        streamed = await client.post("/tasks", content=chunks(), headers={**headers, "Content-Type": "application/json"})
        assert streamed.status_code == 413 and error_of(streamed)["message"] == "request body is larger than 300 bytes"

        text = REQUEST + " and make it blue please"
        long = await client.post("/tasks", json={"request": text}, headers=headers)
        assert long.status_code == 422
        assert error_of(long) == {"code": "invalid", "field": "request",
                                  "message": f"request: {len(text)} characters is longer than the limit of 60"}
        lead = await client.post("/leads/capture", json={"name": "Maria Lopez", "notes": "n" * 60}, headers=headers)
        assert lead.status_code == 422 and error_of(lead)["field"] == "request"


async def test_rate_limit_per_tenant_in_process(brain: Brain) -> None:
    settings = make_settings(rate_limit_per_minute=3)
    app = create_app(brain, settings)
    state_of(app).limiter.clock = lambda: MID_WINDOW
    demo = {"Authorization": f"Bearer {mint_token(settings, user='dana', tenant='demo', role='viewer')}"}
    acme = {"Authorization": f"Bearer {mint_token(settings, user='ann', tenant='acme', role='viewer')}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        statuses = [(await client.get("/approvals", headers=demo)).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = await client.get("/tasks", headers=demo)
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "30"
        assert "tenant 'demo' made more than 3 requests this minute" in error_of(limited)["message"]
        assert (await client.get("/approvals", headers=acme)).status_code == 200
        assert (await client.get("/health")).status_code == 200  # no tenant, no limit


async def test_rate_limit_is_shared_through_redis(brain: Brain, redis_url: str) -> None:
    settings = make_settings(rate_limit_per_minute=2)
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    headers = {"Authorization": f"Bearer {mint_token(settings, user='dana', tenant=tenant, role='viewer')}"}
    brain.redis = Redis.from_url(redis_url)
    try:
        replicas = [create_app(brain, settings), create_app(brain, settings)]  # two API processes, one counter
        for replica in replicas:
            state_of(replica).limiter.clock = lambda: MID_WINDOW
        statuses = []
        for n in range(3):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=replicas[n % 2]), base_url=BASE) as client:
                response = await client.get("/approvals", headers=headers)
                statuses.append(response.status_code)
        assert statuses == [200, 200, 429]
        assert response.headers["Retry-After"] == "30"
        key = f"brain:ratelimit:{tenant}:{int(MID_WINDOW // 60)}"
        assert [k.decode() async for k in brain.redis.scan_iter(f"brain:ratelimit:{tenant}:*")] == [key]
        assert int(await brain.redis.get(key)) == 3
        assert 0 < await brain.redis.ttl(key) <= 120
    finally:
        await brain.redis.aclose()
        brain.redis = None


async def test_a_tenant_flooding_submissions_gets_429_and_others_still_submit(brain: Brain) -> None:
    settings = make_settings(rate_limit_per_minute=5)
    app = create_app(brain, settings, worker=False)  # recording only: the flood is about the API
    state_of(app).limiter.clock = lambda: MID_WINDOW
    flood = {"Authorization": f"Bearer {mint_token(settings, user='fay', tenant='floody', role='operator')}"}
    calm = {"Authorization": f"Bearer {mint_token(settings, user='dana', tenant='demo', role='operator')}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        answers = [await client.post("/tasks", json={"request": f"{REQUEST} {n}"}, headers=flood) for n in range(8)]
        other = await client.post("/tasks", json={"request": REQUEST}, headers=calm)
    assert [a.status_code for a in answers] == [202] * 5 + [429] * 3
    assert {a.headers["Retry-After"] for a in answers[5:]} == {"30"}
    assert "tenant 'floody' made more than 5 requests this minute" in error_of(answers[-1])["message"]
    assert other.status_code == 202
    with db.tenant_scope("floody"):
        assert len(await brain.runs.list_runs(tenant="floody")) == 5  # nothing recorded for a refused request
