"""Limits: request body size (413), request text length (422), requests per tenant per minute (429).

The rate limit is a fixed one-minute window per tenant: a Redis counter (INCR with an expiry)
when the Brain has Redis, so every API replica shares it; a counter in this process otherwise.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import structlog
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ApiError, error_response

log = structlog.get_logger(__name__)
WINDOW_SECONDS = 60


class BodyTooLarge(HTTPException):
    """Raised from the body stream once it passes the limit; FastAPI passes HTTPExceptions through."""

    def __init__(self, limit: int):
        super().__init__(413, f"request body is larger than {limit} bytes")


class BodySizeLimit:
    """ASGI middleware: refuse a body over `max_bytes`, by its Content-Length or while it streams in."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared == -1:
            await error_response(400, "Content-Length is not a number", field="Content-Length")(scope, receive, send)
            return
        if declared is not None and declared > self.max_bytes:
            await error_response(413, f"request body of {declared} bytes is larger than {self.max_bytes} bytes")(
                scope, receive, send)
            return
        received = 0

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, counting, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return -1
    return None


def check_request_text(text: str, max_chars: int, field: str = "request") -> None:
    """422 naming the field when a task's text is longer than the configured limit."""
    if len(text) > max_chars:
        raise ApiError(422, f"{field}: {len(text)} characters is longer than the limit of {max_chars}", field=field)


class RateLimiter:
    """Requests per tenant per minute; `hit` returns the seconds to wait when over the limit."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.time):
        self.per_minute = per_minute
        self.clock = clock
        self._local: dict[tuple[str, int], int] = {}

    async def hit(self, tenant: str, redis: Any | None = None) -> int | None:
        if self.per_minute <= 0:
            return None
        now = self.clock()
        window = int(now // WINDOW_SECONDS)
        count = await self._count(tenant, window, redis)
        if count <= self.per_minute:
            return None
        return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))

    async def _count(self, tenant: str, window: int, redis: Any | None) -> int:
        if redis is not None:
            key = f"brain:ratelimit:{tenant}:{window}"
            try:
                async with redis.pipeline(transaction=True) as pipe:
                    pipe.incr(key)
                    pipe.expire(key, WINDOW_SECONDS * 2)
                    count, _ = await pipe.execute()
                return int(count)
            except Exception as exc:  # Redis down: count here rather than refuse every request
                log.warning("rate limit falls back to this process", error=f"{type(exc).__name__}: {exc}")
        for stale in [k for k in self._local if k[1] < window]:
            del self._local[stale]
        count = self._local.get((tenant, window), 0) + 1
        self._local[(tenant, window)] = count
        return count
