"""Wagtail's side of a round trip: the token header, `find/` redirects, and reading its answers."""

from __future__ import annotations

from typing import Any

import httpx

from adapters.http import HttpCore, QueryParams, RetryPolicy, decode_json, json_or_none, query_params
from adapters.wagtail.failures import SYSTEM, error_for


class WagtailTransport:
    """Sends JSON requests to one Wagtail site through the shared HTTP core.

    GET/PUT/DELETE are retried (see `adapters.http`); POST and PATCH never are, since Wagtail
    may have applied them (a PATCH saves a new revision each time). The token only ever travels
    in the Authorization header of v3 calls; it is kept out of logs, errors and `repr`.
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
        self._core = HttpCore(
            SYSTEM, "Wagtail", base_url=base_url, transport=transport, timeout=timeout,
            headers={"Accept": "application/json"}, policy=RetryPolicy(max_retries=max_retries, backoff=backoff),
        )

    def __repr__(self) -> str:
        return f"WagtailTransport({str(self._core.base_url)!r})"

    async def aclose(self) -> None:
        await self._core.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: QueryParams = None,
        json: Any = None,
        auth: bool = True,
        follow_redirects: bool = False,
    ) -> Any:
        """Send one request and return its decoded JSON (None for an empty body)."""
        headers = {"Authorization": f"Bearer {self._token}"} if auth and self._token else {}
        what = f"{method.upper()} {path}"
        response = await self._core.send(method, path, what=what, params=query_params(params), json=json,
                                         headers=headers)
        if follow_redirects and response.is_redirect:
            # `find/` redirects to an absolute URL built from WAGTAILAPI_BASE_URL or the Site's
            # hostname (the public address, often not the one configured here): follow it on
            # this client's own base URL.
            target = _site_path(response.headers.get("Location", ""), self._core.base_url)
            return await self.request(method, target, auth=auth)
        if response.status_code >= 400:
            raise error_for(response.status_code, json_or_none(response), what=what)
        return decode_json(response, SYSTEM, what)


def _site_path(location: str, base_url: httpx.URL) -> str:
    """A redirect target as a path (and query) relative to this client's base URL."""
    target = httpx.URL(location)
    path = target.path
    prefix = base_url.path.rstrip("/")
    if prefix and path.startswith(prefix + "/"):
        path = path[len(prefix):]
    query = target.query.decode()
    return f"{path}?{query}" if query else path
