"""The Telegram webhook and link codes over HTTP: the secret header, duplicates, a chat linked with
a code from the API, and a task approved with a button, all handled in the background."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from api.telegram import SECRET_HEADER
from runtime.brain import Brain
from runtime.runs import Actor
from runtime.services.telegram import Link, TelegramService
from runtime.services.telegram.approvals import ApprovalDesk
from runtime.settings import Settings
from tests.api.conftest import REQUEST, Auth, error_of, settle
from tests.services.telegram_bot_api import (
    HOOK_SECRET,
    TOKEN,
    BotApi,
    mocked_bot_api,
    press_update,
    text_update,
)

HOOK = "/telegram/webhook"
SIGNED = {SECRET_HEADER: HOOK_SECRET}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"telegram_bot_token": SecretStr(TOKEN),
                                       "telegram_webhook_secret": SecretStr(HOOK_SECRET)})


@pytest.fixture
def bot_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[BotApi]:
    monkeypatch.setattr(ApprovalDesk, "ack_seconds", 120.0)  # a press is acknowledged with the verdict
    yield from mocked_bot_api()


async def _post(client: httpx.AsyncClient, app: FastAPI, update: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(HOOK, json=update, headers=SIGNED)
    assert response.status_code == 200, response.text
    await settle(app)
    body: dict[str, Any] = response.json()
    return body


async def test_a_missing_or_wrong_secret_is_refused(client: httpx.AsyncClient, bot_api: BotApi) -> None:
    update = text_update(1, 4242, "hello")
    missing = await client.post(HOOK, json=update)
    wrong = await client.post(HOOK, json=update, headers={SECRET_HEADER: "not-the-secret"})
    assert (missing.status_code, wrong.status_code) == (403, 403)
    assert error_of(missing)["message"].startswith(f"{SECRET_HEADER}: missing")
    assert error_of(wrong)["message"] == f"{SECRET_HEADER}: does not match the configured webhook secret"
    bad = await client.post(HOOK, json={"message": {}}, headers=SIGNED)
    assert bad.status_code == 422 and error_of(bad)["field"] == "update_id"
    assert bot_api.calls == []


async def test_without_a_configured_secret_the_webhook_is_off(brain: Brain, client: httpx.AsyncClient) -> None:
    brain.settings = brain.settings.model_copy(update={"telegram_webhook_secret": None})
    response = await client.post(HOOK, json=text_update(1, 4242, "hello"), headers=SIGNED)
    assert response.status_code == 503
    assert "BRAIN_TELEGRAM_WEBHOOK_SECRET" in error_of(response)["message"]


async def test_an_update_seen_before_is_ignored(app: FastAPI, client: httpx.AsyncClient, bot_api: BotApi) -> None:
    update = text_update(7, 4242, "hello")
    assert await _post(client, app, update) == {"ok": True}
    assert await _post(client, app, update) == {"ok": True, "duplicate": True}
    assert len(bot_api.of("sendMessage", 4242)) == 1  # the instructions, once


async def test_link_code_from_the_api_then_link_in_the_chat(
    app: FastAPI, client: httpx.AsyncClient, auth: Auth, bot_api: BotApi
) -> None:
    response = await client.post("/telegram/link-code", headers=auth("tenant_admin", user="ann"))
    assert response.status_code == 201, response.text
    body = response.json()
    code = body["code"]
    assert body["instruction"] == f"send /link {code} to the bot"
    assert (body["user"], body["tenant"], body["role"]) == ("ann", "demo", "tenant_admin")
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(minutes=14) < expires - datetime.now(UTC) <= timedelta(minutes=15)

    await _post(client, app, text_update(1, 3001, f"/link {code}"))
    await _post(client, app, text_update(2, 3002, f"/link {code}"))
    assert bot_api.texts(3001) == ["Linked: this chat now acts as ann (tenant_admin) in tenant demo. "
                                   "Type what you want done, or /help."]
    assert bot_api.texts(3002)[0].startswith("That code does not work")

    named = await client.post("/telegram/link-code", json={"name": "Ann Lee"}, headers=auth("viewer"))
    assert named.status_code == 201 and named.json()["role"] == "viewer"
    assert (await client.post("/telegram/link-code")).status_code == 401
    bad = await client.post("/telegram/link-code", json={"name": "a\x00b"}, headers=auth())
    assert bad.status_code == 422 and error_of(bad)["field"] == "name"


async def test_a_task_from_the_chat_is_approved_with_a_button(
    brain: Brain, app: FastAPI, client: httpx.AsyncClient, bot_api: BotApi
) -> None:
    service = brain.services["telegram"]
    assert isinstance(service, TelegramService)
    await service.links.upsert("demo", "", Link("demo", "dana", 1002, "Dana", role="operator"))
    await service.links.upsert("demo", "", Link("demo", "ann", 1001, "Ann", role="tenant_admin"))

    await _post(client, app, text_update(1, 1002, REQUEST))
    [run] = await brain.list_runs(Actor("dana", "demo", "operator"))
    assert run["status"] == "waiting"
    approve = next(data for row in bot_api.approval(1001).buttons for label, data in row if label == "Approve")

    await _post(client, app, press_update(2, 1001, approve))
    done = await brain.get_run(str(run["id"]), Actor("dana", "demo", "operator"))
    assert done["status"] == "done" and "Created product Red Mug" in done["answer"]
    assert bot_api.acks() == [{"callback_query_id": "q2", "text": "Approved"}]
    assert bot_api.texts(1002)[-1] == f"Task {str(run['id'])[:8]} is done.\n{done['answer']}"
