"""The API over the `brain` fixture: an app per test, an httpx client on it, tokens for any role."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from api.app import create_app
from api.auth import mint_token
from api.deps import ApiState
from api.settings import ApiSettings
from memory.kinds import check_kind
from runtime.brain import Brain

SECRET = "test-only-secret-0123456789abcdef0123456789"
BASE = "http://brain.test/api/brain"
REQUEST = "add a product called Red Mug priced 12 USD to the store"

Auth = Callable[..., dict[str, str]]


def make_settings(**overrides: Any) -> ApiSettings:
    values: dict[str, Any] = {"jwt_secret": SecretStr(SECRET), "jwt_jwks_url": None, "rate_limit_per_minute": 0,
                              "expire_interval_seconds": 0, "sse_poll_seconds": 0.05}
    return ApiSettings(**(values | overrides))


@pytest.fixture
def api_settings() -> ApiSettings:
    return make_settings()


@pytest.fixture
async def app(brain: Brain, api_settings: ApiSettings) -> AsyncIterator[FastAPI]:
    built = create_app(brain, api_settings)
    yield built
    await state_of(built).background.stop(30)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        yield http


@pytest.fixture
def auth(api_settings: ApiSettings) -> Auth:
    """Headers with a valid token: auth("tenant_admin", tenant="acme", user="ann")."""

    def headers(role: str = "operator", *, tenant: str = "demo", user: str = "dana") -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(api_settings, user=user, tenant=tenant, role=role)}"}

    return headers


class FakeMemory:
    """Stands in for the shared memory store (memory/store.py): records searches, answers one hit."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def search(self, tenant: str, query: str, *, user: str | None = None, kind: str | None = None,
                     limit: int = 5) -> list[dict[str, Any]]:
        self.calls.append({"tenant": tenant, "query": query, "user": user, "kind": kind, "limit": limit})
        if kind is not None:
            check_kind(kind)  # the store's own check (InvalidMemory is a ValueError)
        return [{"id": uuid.uuid4(), "kind": "campaign_brief", "text": "Spring Sale: 15% off", "created_at": datetime.now(UTC)}]


def state_of(app: FastAPI) -> ApiState:
    state: ApiState = app.state.api
    return state


async def settle(app: FastAPI) -> None:
    """Wait until every run the API started in the background has stopped (waiting, done or failed)."""
    await state_of(app).background.drain()


async def submit(client: httpx.AsyncClient, headers: dict[str, str], request: str = REQUEST, **body: Any) -> dict[str, Any]:
    response = await client.post("/tasks", json={"request": request, **body}, headers=headers)
    assert response.status_code == 202, response.text
    task: dict[str, Any] = response.json()
    return task


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The error body, checked to have the one shape every error has."""
    body = response.json()
    assert set(body) >= {"error"}, body
    error: dict[str, Any] = body["error"]
    assert set(error) <= {"code", "message", "field"} and error["code"] and error["message"], body
    return error
