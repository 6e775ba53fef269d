"""The Telegram Bot API interface: TelegramClient against its backends, the sandbox stand-in only.

The real Bot API (api.telegram.org) needs a bot token and network access, and a local Bot API
server needs Telegram's API credentials, so no real backend can run here: this suite has one
backend, the stand-in (`sandbox/telegram`), which answers with Telegram's own wording. Adding a
backend is one more entry in `connect`'s params, built by `runtime.wiring.telegram.real_client`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from adapters.errors import AuthError, InvalidRequest
from adapters.telegram import TelegramClient
from bootstrap import stand_ins
from runtime.settings import Settings
from sandbox.telegram import TelegramStore
from tests.conformance.conftest import SANDBOX

CHAT = 700001  # a chat that started the bot
Connect = Callable[[str | None], TelegramClient]


@pytest.fixture(params=[SANDBOX])
def connect(request: pytest.FixtureRequest) -> Connect:
    store = TelegramStore()
    store.seed({"chats": [{"id": CHAT, "first_name": "Alex", "username": "alex_owner"}]})

    def sandbox(token: str | None = None) -> TelegramClient:
        if token is None:
            return stand_ins.telegram_client(Settings(), store)
        app = stand_ins.telegram_app(Settings(), store)
        return TelegramClient(token, base_url="http://telegram.sandbox/bot", transport=httpx.ASGITransport(app=app))

    return sandbox


@pytest.fixture
async def telegram(connect: Connect) -> AsyncIterator[TelegramClient]:
    async with connect(None) as client:
        yield client


async def test_a_message_with_buttons_is_sent_then_its_buttons_changed(telegram: TelegramClient) -> None:
    sent = await telegram.send_message(CHAT, "Approve the refund?", buttons=["Approve", "Reject"], silent=True)
    assert (sent["chat_id"], sent["text"]) == (CHAT, "Approve the refund?")
    assert sent["buttons"] == [{"text": "Approve", "callback_data": "0:Approve"},
                               {"text": "Reject", "callback_data": "1:Reject"}]
    edited = await telegram.edit_message_reply_markup(CHAT, sent["message_id"], keyboard=[[("Done", "done")]])
    assert (edited["message_id"], edited["buttons"]) == (sent["message_id"], [{"text": "Done", "callback_data": "done"}])
    cleared = await telegram.edit_message_reply_markup(CHAT, sent["message_id"])
    assert cleared["buttons"] == []
    assert await telegram.answer_callback_query("query-1", text="Noted") is True


@pytest.mark.parametrize(("call", "field"), [
    (lambda t: t.send_message(999, "Hello"), "chat_id"),  # a chat that never started the bot
    (lambda t: t.send_message(CHAT, "  "), "text"),
    (lambda t: t.send_message(CHAT, "x" * 4097), "text"),
    (lambda t: t.edit_message_reply_markup(CHAT, 424242, buttons=["Ok"]), "message_id"),
    (lambda t: t.set_webhook("http://brain.example/hook", "s3cret"), "url"),
    (lambda t: t.set_webhook("https://brain.example/hook", "not allowed!"), "secret_token"),
])
async def test_refusals_name_the_field(telegram: TelegramClient, call: Callable[[TelegramClient], object],
                                       field: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await call(telegram)  # type: ignore[misc]
    assert caught.value.field == field


async def test_a_wrong_token_is_an_auth_error_that_keeps_the_token_out(connect: Connect) -> None:
    token = "123456:not-the-bot-token"
    async with connect(token) as client:
        with pytest.raises(AuthError) as caught:
            await client.send_message(CHAT, "Hello")
    assert token not in str(caught.value) and token not in repr(client)
