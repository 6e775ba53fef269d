"""A JSON REST transport with a bearer token, over the shared HTTP core.

The CRM and Wagtail speak plain JSON over REST with `Authorization: Bearer`; they differ only
in how an answer is read (`read`, `error_for`), which each adapter's transport overrides.
"""

from __future__ import annotations

from typing import Any

import httpx

from adapters.errors import AdapterError
from adapters.http import (
    CoreClient,
    HttpCore,
    QueryParams,
    RetryPolicy,
    decode_json,
    json_or_none,
    query_params,
)


class BearerJsonTransport(CoreClient):
    """Sends JSON requests to one system as one token holder.

    GET/PUT/DELETE are retried by the core; POST and PATCH never are. The token only travels
    in the Authorization header (and only when `auth`); it is kept out of logs, errors and `repr`.
    """

    system = ""
    name = ""

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
            self.system, self.name, base_url=base_url, transport=transport, timeout=timeout,
            headers={"Accept": "application/json"}, policy=RetryPolicy(max_retries=max_retries, backoff=backoff),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self._core.base_url)!r})"

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
        """Send one request and return its decoded JSON (None for an empty body).

        With `follow_redirects` a redirect is followed on this client's own base URL: a server
        behind a proxy often redirects to its public address, not the one configured here.
        """
        what = f"{method.upper()} {path}"
        headers = {"Authorization": f"Bearer {self._token}"} if auth and self._token else {}
        response = await self._core.send(method, path, what=what, params=query_params(params), json=json,
                                         headers=headers)
        if follow_redirects and response.is_redirect:
            target = site_path(response.headers.get("Location", ""), self._core.base_url)
            return await self.request(method, target, auth=auth)
        return self.read(response, what)

    def read(self, response: httpx.Response, what: str) -> Any:
        """The JSON of a 2xx answer; the system's typed error for a 4xx or 5xx one."""
        if response.status_code >= 400:
            raise self.error_for(response.status_code, json_or_none(response), what=what)
        return decode_json(response, self.system, what)

    def error_for(self, status: int, body: Any, *, what: str) -> AdapterError:
        """The system's typed error for an error answer (each adapter maps its own bodies)."""
        raise NotImplementedError


def site_path(location: str, base_url: httpx.URL) -> str:
    """A redirect target as a path (and query) relative to this client's base URL."""
    target = httpx.URL(location)
    path = target.path
    prefix = base_url.path.rstrip("/")
    if prefix and path.startswith(prefix + "/"):
        path = path[len(prefix):]
    query = target.query.decode()
    return f"{path}?{query}" if query else path
