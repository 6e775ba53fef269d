"""Superset's side of a REST call: JWT login and refresh, CSRF for writes, and its typed errors.

Sending, retries and the connection are the shared HTTP core's (`adapters.http`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx

from adapters.errors import AdapterError, AuthError, Unavailable
from adapters.http import CoreClient, HttpCore, RetryPolicy, Sleep
from adapters.superset.auth import Session
from adapters.superset.failures import (
    SYSTEM,
    body_of,
    error_for,
    is_csrf_error,
    is_token_error,
)

LOGIN = "/api/v1/security/login"
REFRESH = "/api/v1/security/refresh"
CSRF = "/api/v1/security/csrf_token/"
REFRESH_MARGIN = 60.0  # seconds before the access token's `exp` at which it is refreshed

__all__ = ["Reply", "Sleep", "SupersetTransport"]


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any


class SupersetTransport(CoreClient):
    """Sends requests to one Superset (its root URL) as one user.

    Reads (GETs, and POSTs the caller marks `safe` because repeating them changes nothing) are
    retried (see `adapters.http`). Other POSTs are retried only when the connection failed
    before anything was sent.
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
        policy = RetryPolicy(max_retries=max_retries, backoff=backoff, resend_unsent=True)
        self._core = HttpCore(SYSTEM, "Superset", base_url=self.base_url, transport=transport, timeout=timeout,
                              policy=policy, sleep=sleep)
        self._login_lock = asyncio.Lock()

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
        return await self._core.send(method, path, idempotent=safe, params=params, json=json, headers=headers)

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
