"""One HTTP round trip to the CRM: auth header, timeouts, retries, typed errors."""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

import httpx

from adapters.crm.failures import SYSTEM, error_for, retry_after_seconds
from adapters.errors import Unavailable

logger = logging.getLogger(__name__)

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRYABLE_STATUS = frozenset({429, 502, 503, 504})
TRANSIENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
MAX_BACKOFF = 10.0
MAX_RETRY_AFTER = 30.0  # a longer Retry-After ends the retries


class CrmTransport:
    """Sends JSON requests to one django-crm (BottleCRM) server.

    GET/PUT/DELETE are retried on 429/502/503/504 and connection errors with exponential
    backoff and jitter, honouring Retry-After; POST and PATCH never are, since the CRM may have
    applied them. The personal access token only travels in the Authorization header; it is
    kept out of logs, errors and `repr`. A 2xx answer with `error: true` is a failure too.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        transport: httpx.AsyncBaseTransport | None,
        timeout: float,
        max_retries: int,
        backoff: float,
    ) -> None:
        self._token = token
        self._max_retries = max(0, max_retries)
        self._backoff = max(0.0, backoff)
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), transport=transport, timeout=timeout,
            headers={"Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"CrmTransport({str(self._http.base_url)!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        auth: bool = True,
        follow_redirects: bool = False,
    ) -> Any:
        """Send one request and return its decoded JSON (None for an empty body)."""
        method = method.upper()
        headers = {"Authorization": f"Bearer {self._token}"} if auth and self._token else {}
        what = f"{method} {path}"
        idempotent = method in IDEMPOTENT
        attempt = 0
        while True:
            retry_after: float | None = None
            try:
                response = await self._http.request(
                    method, path, params=_clean(params), json=json, headers=headers,
                    follow_redirects=follow_redirects,
                )
            except httpx.TransportError as exc:
                problem = f"could not reach the CRM ({type(exc).__name__})"
                if not isinstance(exc, TRANSIENT_ERRORS):
                    raise Unavailable(SYSTEM, f"{what}: {problem}; check the CRM URL") from exc
                if not idempotent:
                    raise Unavailable(SYSTEM, f"{what}: {problem}; not retried, check before repeating it") from exc
            else:
                if response.status_code not in RETRYABLE_STATUS:
                    return _read(response, what)
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                if not idempotent:
                    raise error_for(response.status_code, _body(response), retry_after=retry_after, what=what,
                                    note="not retried, check before repeating it")
                if attempt >= self._max_retries or (retry_after or 0.0) > MAX_RETRY_AFTER:
                    raise error_for(response.status_code, _body(response), retry_after=retry_after, what=what,
                                    note=f"after {attempt + 1} attempts")
                problem = f"the CRM answered HTTP {response.status_code}"
            if attempt >= self._max_retries:
                raise Unavailable(SYSTEM, f"{what}: {problem} after {attempt + 1} attempts; try again later")
            delay = min(MAX_BACKOFF, self._backoff * 2**attempt) * random.uniform(0.5, 1.5)
            delay = max(delay, retry_after or 0.0)
            logger.info("crm: %s: %s, retry %d in %.2fs", what, problem, attempt + 1, delay)
            await asyncio.sleep(delay)
            attempt += 1


def _clean(params: dict[str, Any] | list[tuple[str, Any]] | None) -> list[tuple[str, str | int | float | bool | None]] | None:
    """Query parameters without Nones; booleans as the CRM writes them."""
    if params is None:
        return None
    items = params.items() if isinstance(params, dict) else params
    out: list[tuple[str, str | int | float | bool | None]] = []
    for key, value in items:
        if value is None:
            continue
        out.append((key, ("true" if value else "false") if isinstance(value, bool) else str(value)))
    return out


def _body(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _read(response: httpx.Response, what: str) -> Any:
    status = response.status_code
    if status >= 400:
        raise error_for(status, _body(response), what=what)
    if status >= 300:
        raise Unavailable(SYSTEM, f"{what}: unexpected redirect (HTTP {status})", status=status)
    body = _body(response)
    if response.content and body is None:
        raise Unavailable(SYSTEM, f"{what}: the answer was not JSON", status=status)
    if isinstance(body, dict) and body.get("error") is True:
        raise error_for(400, body, what=what)
    return body
