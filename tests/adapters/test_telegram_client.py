"""TelegramClient over respx-mocked Bot API calls: the parameters python-telegram-bot sends, the
`{ok, result}` / `{ok: false, error_code, description, parameters}` replies, typed errors, no token leaks."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import respx

from adapters.errors import AuthError, InvalidRequest, RateLimited, Unavailable
from adapters.telegram import TelegramClient
from adapters.telegram.client import callback_data

TOKEN = "123456789:AAH-test-token_xyz"
API = f"https://api.telegram.org/bot{TOKEN}"
CHAT = {"id": 4242, "type": "private", "first_name": "Dana"}


def ok(result: Any) -> httpx.Response:
    return httpx.Response(200, json={"ok": True, "result": result})


def failed(code: int, description: str, **parameters: Any) -> httpx.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return httpx.Response(code, json=body)


def message(**extra: Any) -> dict[str, Any]:
    return {"message_id": 77, "date": 1795593600, "chat": CHAT, "text": "Approve the refund?", **extra}


def params(request: httpx.Request) -> dict[str, str]:
    """The Bot API parameters python-telegram-bot sent (form-encoded; objects as JSON text)."""
    return dict(parse_qsl(request.content.decode()))


@pytest.fixture
def bot_api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=False) as router:
        yield router


@pytest.fixture
async def client() -> AsyncIterator[TelegramClient]:
    async with TelegramClient(TOKEN) as telegram:
        yield telegram


async def test_send_message_with_buttons_silently(bot_api: respx.MockRouter, client: TelegramClient) -> None:
    keyboard = {"inline_keyboard": [[{"text": "Approve", "callback_data": "0:Approve"}],
                                    [{"text": "Reject", "callback_data": "1:Reject"}]]}
    route = bot_api.post("/sendMessage").mock(return_value=ok(message(reply_markup=keyboard)))

    sent = await client.send_message(4242, "Approve the refund?", ["Approve", "Reject"], silent=True)

    sent_params = params(route.calls.last.request)
    assert set(sent_params) == {"chat_id", "text", "reply_markup", "disable_notification"}
    assert (sent_params["chat_id"], sent_params["text"], sent_params["disable_notification"]) == (
        "4242", "Approve the refund?", "true")
    markup = json.loads(sent_params["reply_markup"])
    assert [[(b["text"], b["callback_data"]) for b in row] for row in markup["inline_keyboard"]] == [
        [("Approve", "0:Approve")], [("Reject", "1:Reject")]]
    assert sent == {"message_id": 77, "chat_id": 4242, "date": "2026-11-25T08:00:00+00:00",
                    "text": "Approve the refund?",
                    "buttons": [{"text": "Approve", "callback_data": "0:Approve"},
                                {"text": "Reject", "callback_data": "1:Reject"}]}


async def test_plain_message_sends_only_what_is_needed(bot_api: respx.MockRouter, client: TelegramClient) -> None:
    route = bot_api.post("/sendMessage").mock(return_value=ok(message()))
    assert (await client.send_message("@dana", "hello"))["buttons"] == []
    assert params(route.calls.last.request) == {"chat_id": "@dana", "text": "hello"}


def test_callback_data_fits_64_bytes_and_stays_unique() -> None:
    long = "Genehmigen für Überweisung " * 5
    data = [callback_data(i, long) for i in range(2)]
    assert all(len(d.encode()) <= 64 for d in data) and data[0] != data[1]
    assert data[0].startswith("0:Genehmigen") and "\ufffd" not in data[0]
    assert callback_data(3, "é" * 40).encode().decode() == "3:" + "é" * 31


async def test_answer_callback_then_remove_buttons(bot_api: respx.MockRouter, client: TelegramClient) -> None:
    answer = bot_api.post("/answerCallbackQuery").mock(return_value=ok(True))
    edit = bot_api.post("/editMessageReplyMarkup").mock(return_value=ok(message()))

    assert await client.answer_callback_query("cbq-1", "Approved", show_alert=False) is True
    edited = await client.edit_message_reply_markup(4242, 77)

    assert params(answer.calls.last.request) == {"callback_query_id": "cbq-1", "text": "Approved"}
    assert params(edit.calls.last.request) == {"chat_id": "4242", "message_id": "77"}  # no markup: buttons go
    assert (edited["message_id"], edited["buttons"]) == (77, [])


async def test_set_webhook_with_secret_token(bot_api: respx.MockRouter, client: TelegramClient) -> None:
    route = bot_api.post("/setWebhook").mock(return_value=ok(True))
    assert await client.set_webhook("https://brain.example.com/api/brain/telegram", "s3cret_Token-1") is True
    assert params(route.calls.last.request) == {"url": "https://brain.example.com/api/brain/telegram",
                                                "secret_token": "s3cret_Token-1"}


@pytest.mark.parametrize(("call", "field"), [
    ({"method": "set_webhook", "url": "https://x.example/h", "secret_token": "has space"}, "secret_token"),
    ({"method": "set_webhook", "url": "http://x.example/h", "secret_token": "ok"}, "url"),
    ({"method": "send_message", "chat_id": 1, "text": "  "}, "text"),
    ({"method": "send_message", "chat_id": 1, "text": "x" * 4097}, "text"),
    ({"method": "send_message", "chat_id": 1, "text": "hi", "buttons": ["Yes", ""]}, "buttons"),
])
async def test_bad_input_is_refused_before_any_call(bot_api: respx.MockRouter, client: TelegramClient,
                                                    call: dict[str, Any], field: str) -> None:
    arguments = dict(call)
    method = getattr(client, arguments.pop("method"))
    with pytest.raises(InvalidRequest) as info:
        await method(**arguments)
    assert info.value.field == field and not bot_api.calls


@pytest.mark.parametrize(("reply", "error", "field"), [
    (failed(400, "Bad Request: chat not found"), InvalidRequest, "chat_id"),
    (failed(400, "Bad Request: BUTTON_DATA_INVALID"), InvalidRequest, "buttons"),
    (failed(403, "Forbidden: bot was blocked by the user"), AuthError, None),
    (failed(401, "Unauthorized"), AuthError, None),
    (failed(502, "Bad Gateway"), Unavailable, None),
    (failed(500, "Internal Server Error"), Unavailable, None),
])
async def test_bot_api_errors_are_typed(bot_api: respx.MockRouter, client: TelegramClient, reply: httpx.Response,
                                        error: type[Exception], field: str | None) -> None:
    bot_api.post("/sendMessage").mock(return_value=reply)
    with pytest.raises(error) as info:
        await client.send_message(4242, "hi")
    assert getattr(info.value, "field", None) == field
    assert TOKEN not in str(info.value)


async def test_flood_control_is_rate_limited_with_retry_after(bot_api: respx.MockRouter,
                                                              client: TelegramClient) -> None:
    bot_api.post("/sendMessage").mock(return_value=failed(429, "Too Many Requests: retry after 7", retry_after=7))
    with pytest.raises(RateLimited) as info:
        await client.send_message(4242, "hi")
    assert info.value.retry_after == 7.0


@pytest.mark.parametrize("problem", [httpx.ConnectTimeout("timed out"), httpx.ConnectError("refused")])
async def test_network_failures_are_unavailable(bot_api: respx.MockRouter, client: TelegramClient,
                                                problem: Exception) -> None:
    bot_api.post("/sendMessage").mock(side_effect=problem)
    with pytest.raises(Unavailable) as info:
        await client.send_message(4242, "hi")
    assert TOKEN not in str(info.value)


async def test_token_stays_out_of_repr_and_logs(bot_api: respx.MockRouter, client: TelegramClient,
                                                caplog: pytest.LogCaptureFixture) -> None:
    bot_api.post("/sendMessage").mock(return_value=ok(message()))
    with caplog.at_level(logging.DEBUG):
        await client.send_message(4242, "hi")
    assert caplog.records, "httpx logs each request"
    assert all(TOKEN not in record.getMessage() for record in caplog.records)
    assert any("<token>" in record.getMessage() for record in caplog.records)
    assert TOKEN not in repr(client) and "123456789" in repr(client)
