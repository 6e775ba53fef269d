"""One HTTP round trip to Wagtail: auth header, timeouts, retries, typed errors."""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

import httpx

from adapters.errors import Unavailable
from adapters.wagtail.failures import SYSTEM, error_for, retry_after_seconds

logger = logging.getLogger(__name__)

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRYABLE_STATUS = frozenset({429, 502, 503, 504})
TRANSIENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
MAX_BACKOFF = 10.0
MAX_RETRY_AFTER = 30.0  # a longer Retry-After ends the retries


class WagtailTransport:
    """Sends JSON requests to one Wagtail site.

    GET/PUT/DELETE are retried on 429/502/503/504 and connection errors with exponential
    backoff and jitter, honouring Retry-After; POST and PATCH never are, since Wagtail may have
    applied them (a PATCH saves a new revision each time). The token only ever travels in the
    Authorization header of v3 calls; it is kept out of logs, errors and `repr`.
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
        return f"WagtailTransport({str(self._http.base_url)!r})"

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
                )
            except httpx.TransportError as exc:
                problem = f"could not reach Wagtail ({type(exc).__name__})"
                if not isinstance(exc, TRANSIENT_ERRORS):
                    raise Unavailable(SYSTEM, f"{what}: {problem}; check the Wagtail URL") from exc
                if not idempotent:
                    raise Unavailable(SYSTEM, f"{what}: {problem}; not retried, check before repeating it") from exc
            else:
                if follow_redirects and response.is_redirect:
                    # `find/` redirects to an absolute URL built from WAGTAILAPI_BASE_URL or the
                    # Site's hostname (the public address, often not the one configured here):
                    # follow it on this client's own base URL.
                    target = _site_path(response.headers.get("Location", ""), self._http.base_url)
                    return await self.request(method, target, auth=auth)
                if response.status_code not in RETRYABLE_STATUS:
                    return _read(response, what)
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                if not idempotent:
                    raise error_for(response.status_code, _body(response), retry_after=retry_after, what=what,
                                    note="not retried, check before repeating it")
                if attempt >= self._max_retries or (retry_after or 0.0) > MAX_RETRY_AFTER:
                    raise error_for(response.status_code, _body(response), retry_after=retry_after, what=what,
                                    note=f"after {attempt + 1} attempts")
                problem = f"Wagtail answered HTTP {response.status_code}"
            if attempt >= self._max_retries:
                raise Unavailable(SYSTEM, f"{what}: {problem} after {attempt + 1} attempts; try again later")
            delay = min(MAX_BACKOFF, self._backoff * 2**attempt) * random.uniform(0.5, 1.5)
            delay = max(delay, retry_after or 0.0)
            logger.info("wagtail: %s: %s, retry %d in %.2fs", what, problem, attempt + 1, delay)
            await asyncio.sleep(delay)
            attempt += 1


def _site_path(location: str, base_url: httpx.URL) -> str:
    """A redirect target as a path (and query) relative to this client's base URL."""
    target = httpx.URL(location)
    path = target.path
    prefix = base_url.path.rstrip("/")
    if prefix and path.startswith(prefix + "/"):
        path = path[len(prefix):]
    query = target.query.decode()
    return f"{path}?{query}" if query else path


def _clean(params: dict[str, Any] | list[tuple[str, Any]] | None) -> list[tuple[str, str | int | float | bool | None]] | None:
    """Query parameters without Nones; booleans as Wagtail writes them."""
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
    return body
