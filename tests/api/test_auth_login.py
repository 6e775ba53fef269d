"""Signing in with local users: tokens the API accepts, one 401 for a wrong e-mail or password,
refresh rotation, logout, lockout, the per-address attempt limit, and local sign-in off under a JWKS."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.app import create_app
from runtime.brain import Brain
from runtime.users import UserStore
from tests.api.conftest import BASE, error_of, make_settings, state_of

PASSWORD = "correct horse battery"


async def _client(brain: Brain, **settings: Any) -> tuple[httpx.AsyncClient, Any]:
    app = create_app(brain, make_settings(**settings))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE), app


@pytest.fixture
async def users(brain: Brain) -> UserStore:
    store = UserStore(brain.pool)
    await store.add("Ops@Acme.example", PASSWORD, role="tenant_admin", tenant="acme", created_by="test")
    await store.add("viewer@acme.example", PASSWORD, role="viewer", tenant="acme", created_by="test")
    return store


async def test_login_answers_tokens_the_api_accepts_and_one_401_for_any_wrong_credential(
        brain: Brain, users: UserStore) -> None:
    client, app = await _client(brain)
    async with client:
        signed = await client.post("/auth/login", json={"email": "ops@acme.example", "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        pair = signed.json()
        assert set(pair) == {"access_token", "refresh_token", "token_type", "expires_in"}
        assert pair["token_type"] == "bearer" and pair["expires_in"] == 900
        actor = await state_of(app).verifier.verify(pair["access_token"])
        assert (actor.user, actor.tenant, actor.role) == ("ops@acme.example", "acme", "tenant_admin")
        tasks = await client.get("/tasks", headers={"Authorization": f"Bearer {pair['access_token']}"})
        assert tasks.status_code == 200

        wrong_password = await client.post("/auth/login", json={"email": "ops@acme.example", "password": "nope nope"})
        unknown = await client.post("/auth/login", json={"email": "who@acme.example", "password": PASSWORD})
        assert wrong_password.status_code == unknown.status_code == 401
        assert error_of(wrong_password) == error_of(unknown) == {"code": "unauthorized", "message": "wrong e-mail or password"}
        missing = await client.post("/auth/login", json={"email": "ops@acme.example"})
        assert missing.status_code == 422 and error_of(missing)["field"] == "password"


async def test_refresh_rotates_and_logout_revokes(brain: Brain, users: UserStore) -> None:
    client, _ = await _client(brain)
    async with client:
        first = (await client.post("/auth/login", json={"email": "viewer@acme.example", "password": PASSWORD})).json()
        second = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert second.status_code == 200 and second.json()["refresh_token"] != first["refresh_token"]
        reused = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert reused.status_code == 401 and "sign in again" in error_of(reused)["message"]

        out = await client.post("/auth/logout", json={"refresh_token": second.json()["refresh_token"]})
        assert out.status_code == 204
        after = await client.post("/auth/refresh", json={"refresh_token": second.json()["refresh_token"]})
        assert after.status_code == 401

        third = (await client.post("/auth/login", json={"email": "viewer@acme.example", "password": PASSWORD})).json()
        await users.set_disabled("viewer@acme.example")
        refused = await client.post("/auth/refresh", json={"refresh_token": third["refresh_token"]})
        assert refused.status_code == 401
        disabled = await client.post("/auth/login", json={"email": "viewer@acme.example", "password": PASSWORD})
        assert disabled.status_code == 401 and "disabled" in error_of(disabled)["message"]


async def test_repeated_wrong_passwords_lock_the_account(brain: Brain, users: UserStore) -> None:
    client, _ = await _client(brain, login_max_failures=2, login_lockout_seconds=120)
    async with client:
        for _ in range(2):
            wrong = await client.post("/auth/login", json={"email": "ops@acme.example", "password": "wrong guess"})
            assert wrong.status_code == 401
        locked = await client.post("/auth/login", json={"email": "ops@acme.example", "password": PASSWORD})
        assert locked.status_code == 429 and error_of(locked)["code"] == "locked"
        assert 1 <= int(locked.headers["Retry-After"]) <= 120
    await users.set_password("ops@acme.example", PASSWORD)  # an administrator unlocks it
    client, _ = await _client(brain)
    async with client:
        assert (await client.post("/auth/login", json={"email": "ops@acme.example", "password": PASSWORD})).status_code == 200


async def test_attempts_are_limited_per_address(brain: Brain, users: UserStore) -> None:
    client, _ = await _client(brain, login_per_minute=3)
    async with client:
        codes = [(await client.post("/auth/login", json={"email": f"x{i}@acme.example", "password": "whatever1"})).status_code
                 for i in range(4)]
    assert codes == [401, 401, 401, 429]


async def test_local_sign_in_is_off_when_an_identity_provider_signs_the_tokens(brain: Brain, users: UserStore) -> None:
    client, _ = await _client(brain, jwt_jwks_url="https://id.example.com/.well-known/jwks.json")
    async with client:
        refused = await client.post("/auth/login", json={"email": "ops@acme.example", "password": PASSWORD})
        assert refused.status_code == 503 and "identity provider" in error_of(refused)["message"]
        health = (await client.get("/auth/health")).json()
    assert health == {"status": "off", "local_sign_in": False, "algorithm": "RS256", "access_token_seconds": 900}
    client, _ = await _client(brain)
    async with client:
        assert (await client.get("/auth/health")).json()["status"] == "ok"
