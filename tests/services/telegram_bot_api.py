"""The Telegram Bot API mocked with respx at https://api.telegram.org/bot<token>/<method>, and the
updates Telegram would send. Every call is recorded with the parameters python-telegram-bot sent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
import respx

TOKEN = "123456789:AAH-test-token_xyz"
API = f"https://api.telegram.org/bot{TOKEN}"
HOOK_SECRET = "hook-secret_0123456789"
DATE = 1795593600


@dataclass
class Call:
    method: str
    params: dict[str, Any]

    @property
    def buttons(self) -> list[list[tuple[str, str]]]:
        """The inline keyboard sent, as rows of (text, callback_data); [] for none."""
        markup = self.params.get("reply_markup")
        if not markup:
            return []
        return [[(b["text"], b["callback_data"]) for b in row] for row in markup["inline_keyboard"]]


@dataclass
class BotApi:
    calls: list[Call] = field(default_factory=list)
    next_message_id: int = 500

    def handle(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        params: dict[str, Any] = dict(parse_qsl(request.content.decode()))
        if "reply_markup" in params:
            params["reply_markup"] = json.loads(params["reply_markup"])
        for key in ("chat_id", "message_id"):
            if key in params:
                params[key] = int(params[key])
        self.calls.append(Call(method, params))
        if method == "sendMessage":
            self.next_message_id += 1
            return ok(self._message(self.next_message_id, params))
        if method == "editMessageReplyMarkup":
            return ok(self._message(params["message_id"], params))
        return ok(True)

    @staticmethod
    def _message(message_id: int, params: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"message_id": message_id, "date": DATE, "text": params.get("text", "approval"),
                               "chat": {"id": params["chat_id"], "type": "private", "first_name": "Someone"}}
        if params.get("reply_markup"):
            out["reply_markup"] = params["reply_markup"]
        return out

    def of(self, method: str, chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == method and (chat_id is None or c.params.get("chat_id") == chat_id)]

    def texts(self, chat_id: int) -> list[str]:
        return [c.params["text"] for c in self.of("sendMessage", chat_id)]

    def chats(self) -> set[int]:
        return {c.params["chat_id"] for c in self.of("sendMessage")}

    def approval(self, chat_id: int) -> Call:
        """The last message with buttons sent to a chat."""
        return [c for c in self.of("sendMessage", chat_id) if c.buttons][-1]

    def acks(self) -> list[dict[str, Any]]:
        return [c.params for c in self.of("answerCallbackQuery")]

    def clear(self) -> None:
        self.calls.clear()


def ok(result: Any) -> httpx.Response:
    return httpx.Response(200, json={"ok": True, "result": result})


def mocked_bot_api() -> Iterator[BotApi]:
    api = BotApi()
    with respx.mock(base_url=API, assert_all_called=False) as router:
        router.post(path__regex=r"/\w+$").mock(side_effect=api.handle)
        yield api


def _person(chat_id: int, username: str | None = None) -> dict[str, Any]:
    person: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": f"User{chat_id}"}
    if username:
        person["username"] = username
    return person


def text_update(update_id: int, chat_id: int, text: str, *, chat_type: str = "private",
                username: str | None = None) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": DATE, "text": text, "from": _person(chat_id, username),
        "chat": {"id": chat_id, "type": chat_type, "first_name": f"User{chat_id}"}}}


def press_update(update_id: int, chat_id: int, data: str, message_id: int = 1) -> dict[str, Any]:
    return {"update_id": update_id, "callback_query": {
        "id": f"q{update_id}", "from": _person(chat_id), "chat_instance": "ci", "data": data,
        "message": {"message_id": message_id, "date": DATE, "text": "approval",
                    "chat": {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}}}}
