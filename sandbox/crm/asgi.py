"""The little ASGI plumbing the CRM sandbox needs: a parsed request, JSON answers, DRF-style errors."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass
class Request:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes = b""

    def arg(self, name: str) -> str | None:
        values = [value for key, value in self.query if key == name]
        return values[-1] if values and values[-1] != "" else None

    def json(self) -> dict[str, Any]:
        try:
            data = json.loads(self.body or b"{}")
        except ValueError:
            raise HTTPError(400, {"detail": "JSON parse error - Expecting value"}) from None
        if not isinstance(data, dict):
            raise HTTPError(400, {"non_field_errors": ["Invalid data. Expected a dictionary."]})
        return data


class HTTPError(Exception):
    """An error answer (status and JSON body), raised anywhere in a handler."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def invalid(field: str, message: str) -> HTTPError:
    """django-crm's validation envelope: HTTP 400 `{"error": true, "errors": {field: [message]}}`."""
    return HTTPError(400, {"error": True, "errors": {field: [message]}})


def not_found(what: str) -> HTTPError:
    return HTTPError(404, {"detail": f"No {what} matches the given query."})


async def read_request(scope: Scope, receive: Receive) -> Request:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    return Request(scope["method"].upper(), scope["path"], query, headers, b"".join(chunks))


async def send_json(send: Send, status: int, body: Any) -> None:
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


async def lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
