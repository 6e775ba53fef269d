"""The little ASGI plumbing the Wagtail sandbox needs: a parsed request, JSON answers, errors."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PROBLEM_TYPE = "https://docs.wagtail.org/api/v3/"


@dataclass
class Request:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes = b""

    def arg(self, name: str) -> str | None:
        values = self.args(name)
        return values[-1] if values else None

    def args(self, name: str) -> list[str]:
        return [value for key, value in self.query if key == name]

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            raise problem(400, "Bad Request", "The request body is not valid JSON.") from None


@dataclass
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


class HTTPError(Exception):
    """An error answer; raised anywhere in a handler."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


def v2_error(status: int, message: str) -> HTTPError:
    """API v2's error shape: `{"message": ...}`."""
    return HTTPError(Answer(status, {"message": message}))


def problem(status: int, title: str, detail: str, errors: list[dict[str, Any]] | None = None,
            kind: str = "error") -> HTTPError:
    """API v3's RFC 7807 problem details."""
    body = {"type": f"{PROBLEM_TYPE}{kind}", "title": title, "status": status, "detail": detail, "errors": errors or []}
    return HTTPError(Answer(status, body, content_type="application/problem+json"))


def validation_error(field_path: list[str | int], message: str, error_type: str = "value_error") -> HTTPError:
    return problem(422, "Unprocessable Entity", "Validation failed",
                   [{"loc": ["body", *field_path], "msg": message, "type": error_type}], kind="validation-error")


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


async def send_answer(send: Send, answer: Answer) -> None:
    data = b"" if answer.body is None else json.dumps(answer.body).encode()
    headers = [(b"content-length", str(len(data)).encode())]
    if answer.body is not None:
        headers.append((b"content-type", answer.content_type.encode()))
    headers += [(k.lower().encode(), v.encode()) for k, v in answer.headers.items()]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


async def lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
