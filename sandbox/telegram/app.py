"""The ASGI app: Bot API methods at `/bot<token>/<method>`, answered like Telegram answers them.

Every reply is `{"ok": true, "result": ...}` or `{"ok": false, "error_code": N, "description": ...}`
with Telegram's own wording for the errors the Brain can meet: a wrong token is 401 Unauthorized,
a chat that never started the bot is 400 "Bad Request: chat not found", an empty text is 400
"Bad Request: message text is empty".
"""

from __future__ import annotations

import hmac
import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.telegram.store import TelegramStore

MAX_TEXT = 4096


class BotError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


async def _params(request: Request) -> dict[str, Any]:
    body = await request.body()
    if not body:
        return dict(request.query_params)
    if request.headers.get("content-type", "").startswith("application/json"):
        loaded = json.loads(body)
        return dict(loaded) if isinstance(loaded, dict) else {}
    params: dict[str, Any] = dict(parse_qsl(body.decode()))
    for key in ("reply_markup",):  # JSON-serialised fields of a form-encoded call
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params


def _chat_id(params: dict[str, Any]) -> int:
    try:
        return int(params["chat_id"])
    except (KeyError, TypeError, ValueError):
        raise BotError(400, "Bad Request: chat_id is empty") from None


def _message(store: TelegramStore, message: dict[str, Any]) -> dict[str, Any]:
    chat = store.chat(message["chat_id"]) or {"id": message["chat_id"]}
    out: dict[str, Any] = {
        "message_id": message["message_id"], "date": message["date"], "text": message["text"],
        "chat": {"id": chat["id"], "type": "private", "first_name": chat.get("first_name", ""),
                 **({"username": chat["username"]} if chat.get("username") else {})},
        "from": {"id": 1, "is_bot": True, "first_name": "Brain", "username": "brain_sandbox_bot"},
    }
    if message.get("reply_markup"):
        out["reply_markup"] = message["reply_markup"]
    return out


def _flag(value: Any) -> bool:
    return value in (True, "true", "True", "1", 1)


def create_app(store: TelegramStore, *, token: str) -> Starlette:
    def send_message(params: dict[str, Any]) -> Any:
        chat_id = _chat_id(params)
        text = str(params.get("text") or "")
        if not text.strip():
            raise BotError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise BotError(400, "Bad Request: message is too long")
        if store.chat(chat_id) is None:
            raise BotError(400, "Bad Request: chat not found")
        return _message(store, store.add_message(chat_id, text, params.get("reply_markup"),
                                                 _flag(params.get("disable_notification"))))

    def edit_reply_markup(params: dict[str, Any]) -> Any:
        edited = store.edit_markup(_chat_id(params), int(params.get("message_id") or 0), params.get("reply_markup"))
        if edited is None:
            raise BotError(400, "Bad Request: message to edit not found")
        return _message(store, edited)

    def answer_callback(params: dict[str, Any]) -> Any:
        if not params.get("callback_query_id"):
            raise BotError(400, "Bad Request: query id is invalid")
        store.answer_callback(str(params["callback_query_id"]), params.get("text"))
        return True

    def set_webhook(params: dict[str, Any]) -> Any:
        store.set_webhook(params.get("url") or None, params.get("secret_token"))
        return True

    def get_me(params: dict[str, Any]) -> Any:
        return {"id": 1, "is_bot": True, "first_name": "Brain", "username": "brain_sandbox_bot",
                "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}

    methods = {"sendmessage": send_message, "editmessagereplymarkup": edit_reply_markup,
               "answercallbackquery": answer_callback, "setwebhook": set_webhook,
               "deletewebhook": lambda p: set_webhook({}), "getme": get_me}

    async def endpoint(request: Request) -> JSONResponse:
        given, method = request.path_params["token"], request.path_params["method"].lower()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401)
        handler = methods.get(method)
        if handler is None:
            return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"}, status_code=404)
        try:
            return JSONResponse({"ok": True, "result": handler(await _params(request))})
        except BotError as exc:
            return JSONResponse({"ok": False, "error_code": exc.code, "description": exc.description},
                                status_code=exc.code)

    return Starlette(routes=[Route("/bot{token}/{method}", endpoint, methods=["GET", "POST"])])
