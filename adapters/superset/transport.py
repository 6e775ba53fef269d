"""One REST call to Superset: JWT login and refresh, CSRF for writes, retries, typed errors."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from adapters.errors import AdapterError, AuthError, Unavailable
from adapters.superset.auth import Session
from adapters.superset.failures import (
    SYSTEM,
    body_of,
    error_for,
    is_csrf_error,
    is_token_error,
    retry_after_seconds,
)

logger = logging.getLogger(__name__)

LOGIN = "/api/v1/security/login"
REFRESH = "/api/v1/security/refresh"
CSRF = "/api/v1/security/csrf_token/"
RETRYABLE_STATUS = frozenset({429, 502, 503, 504})
# Errors where the request never reached Superset: retried even for a write.
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
TRANSIENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
REFRESH_MARGIN = 60.0  # seconds before the access token's `exp` at which it is refreshed
MAX_BACKOFF = 10.0
MAX_RETRY_AFTER = 30.0  # a longer Retry-After ends the retries

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any


class SupersetTransport:
    """Sends requests to one Superset (its root URL) as one user.

    Reads (GETs, and POSTs the caller marks `safe` because repeating them changes nothing) are
    retried on 429/502/503/504 and connection errors with exponential backoff and jitter,
    waiting at least what Retry-After says. Other POSTs are retried only when the connection
    failed before anything was sent.
    """

    def __init__(
        self,
        base_url: str,
        session: Session,
        *,
        transport: httpx.AsyncBaseTransport | None,
        timeout: float,
        max_retries: int,
        backoff: float,
        sleep: Sleep | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = session
        self._max_retries = max(0, max_retries)
        self._backoff = max(0.0, backoff)
        self._sleep = sleep or asyncio.sleep
        self._http = httpx.AsyncClient(base_url=self.base_url, transport=transport, timeout=timeout)
        self._login_lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        safe: bool,
        csrf: bool = False,
        field_hint: str | None = None,
    ) -> Reply:
        """Send with a fresh token (and CSRF token when `csrf`); once more after a token or CSRF refusal."""
        renewed = csrf_renewed = False
        while True:
            await self._ensure_token()
            if csrf and self._session.csrf_token is None:
                await self._fetch_csrf()
            bearer = self._session.access_token
            headers = {"Authorization": f"Bearer {bearer}", "Accept": "application/json"}
            if csrf and self._session.csrf_token:
                headers["X-CSRFToken"] = self._session.csrf_token
                headers["Referer"] = self.base_url
            response = await self._send(method, path, params=params, json=json, headers=headers, safe=safe)
            if is_token_error(response) and not renewed:
                renewed = True
                await self._renew(failed=bearer)
                continue
            if csrf and is_csrf_error(response) and not csrf_renewed:
                csrf_renewed = True
                self._session.csrf_token = None
                continue
            if response.status_code >= 400:
                raise self._scrubbed(error_for(response, field_hint=field_hint))
            body = body_of(response)
            if body is None:
                raise Unavailable(SYSTEM, f"{method} {path} answered HTTP {response.status_code} without JSON")
            return Reply(response.status_code, body)

    # --- tokens ------------------------------------------------------------------------------

    async def _ensure_token(self) -> None:
        if not self._session.expiring(margin=REFRESH_MARGIN):
            return
        async with self._login_lock:
            if self._session.expiring(margin=REFRESH_MARGIN):
                await self._obtain_token()

    async def _renew(self, *, failed: str | None) -> None:
        async with self._login_lock:
            if self._session.access_token != failed:
                return  # another call renewed it already
            self._session.access_token = None
            await self._obtain_token()

    async def _obtain_token(self) -> None:
        """Refresh with the refresh token when there is one; log in when there is none or it fails."""
        session = self._session
        if session.refresh_token:
            headers = {"Authorization": f"Bearer {session.refresh_token}", "Accept": "application/json"}
            response = await self._send("POST", REFRESH, headers=headers, safe=True)
            token = (body_of(response) or {}).get("access_token") if response.status_code == 200 else None
            if isinstance(token, str) and token:
                session.store(token)
                return
            if response.status_code not in (401, 422):
                raise self._scrubbed(error_for(response, redact=True))
            session.refresh_token = None  # expired or revoked: log in again
        body = {"username": session.username, "password": session.password, "provider": session.provider,
                "refresh": True}
        response = await self._send("POST", LOGIN, json=body, headers={"Accept": "application/json"}, safe=True)
        if response.status_code in (400, 401, 403, 422):
            raise AuthError(SYSTEM, f"Superset refused the login of user {session.username!r} (HTTP "
                                    f"{response.status_code}); check the username, password and provider",
                            status=response.status_code)
        if response.status_code != 200:
            raise self._scrubbed(error_for(response, redact=True))
        data = body_of(response) or {}
        if not isinstance(data.get("access_token"), str):
            raise AuthError(SYSTEM, "Superset's login answer had no access_token")
        session.csrf_token = None  # a new login starts a new CSRF session
        session.store(data["access_token"], data.get("refresh_token"))

    async def _fetch_csrf(self) -> None:
        """GET the CSRF token; the `session` cookie it sets stays in the client's cookie jar."""
        reply = await self.request("GET", CSRF, safe=True)
        token = reply.body.get("result") if isinstance(reply.body, dict) else None
        if not isinstance(token, str) or not token:
            raise Unavailable(SYSTEM, "Superset's csrf_token answer had no result")
        self._session.csrf_token = token

    # --- HTTP --------------------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        safe: bool,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        attempt = 0
        while True:
            retry_after: float | None = None
            last: httpx.Response | None = None
            try:
                response = await self._http.request(method, path, params=params, json=json, headers=headers)
            except httpx.TransportError as exc:
                problem = f"could not reach Superset ({type(exc).__name__})"
                if not isinstance(exc, TRANSIENT_ERRORS):
                    raise Unavailable(SYSTEM, f"{problem}; check the Superset URL") from exc
                if not safe and not isinstance(exc, NOT_SENT_ERRORS):
                    raise Unavailable(SYSTEM, f"{problem} during {method} {path}; it was not retried since "
                                              "Superset may have applied it") from exc
            else:
                if response.status_code not in RETRYABLE_STATUS:
                    return response
                last = response
                problem = f"Superset answered HTTP {response.status_code}"
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                if not safe:
                    raise self._final(last, f"{problem} to {method} {path}; it was not retried")
            if attempt >= self._max_retries or (retry_after or 0.0) > MAX_RETRY_AFTER:
                if last is not None:
                    raise self._final(last, f"{problem} after {attempt + 1} attempts; try again later")
                raise Unavailable(SYSTEM, f"{problem} after {attempt + 1} attempts; try again later")
            delay = min(MAX_BACKOFF, self._backoff * 2**attempt) * random.uniform(0.5, 1.5)
            delay = max(delay, retry_after or 0.0)
            logger.info("superset: %s on %s %s, retry %d in %.2fs", problem, method, path, attempt + 1, delay)
            await self._sleep(delay)
            attempt += 1

    def _final(self, response: httpx.Response, problem: str) -> AdapterError:
        if response.status_code == 429:
            return error_for(response)
        return Unavailable(SYSTEM, problem, status=response.status_code)

    def _scrubbed(self, error: AdapterError) -> AdapterError:
        """The same error with any credential or token the server echoed replaced by ***."""
        text = error.message
        for secret in self._session.secrets():
            text = text.replace(secret, "***")
        if text == error.message:
            return error
        clean = type(error).__new__(type(error))
        clean.__dict__.update(error.__dict__)
        AdapterError.__init__(clean, error.system, text, field=error.field, status=error.status)
        return clean
