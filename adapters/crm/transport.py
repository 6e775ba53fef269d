"""The CRM's side of a round trip: the token header, and reading its answers into JSON or typed errors."""

from __future__ import annotations

from typing import Any

import httpx

from adapters.crm.failures import SYSTEM, error_for
from adapters.http import HttpCore, QueryParams, RetryPolicy, decode_json, json_or_none, query_params


class CrmTransport:
    """Sends JSON requests to one django-crm (BottleCRM) server through the shared HTTP core.

    GET/PUT/DELETE are retried (see `adapters.http`); POST and PATCH never are, since the CRM
    may have applied them. The personal access token only travels in the Authorization header;
    it is kept out of logs, errors and `repr`. A 2xx answer with `error: true` is a failure too.
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
            SYSTEM, "the CRM", base_url=base_url, transport=transport, timeout=timeout,
            headers={"Accept": "application/json"}, policy=RetryPolicy(max_retries=max_retries, backoff=backoff),
        )

    def __repr__(self) -> str:
        return f"CrmTransport({str(self._core.base_url)!r})"

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
        response = await self._core.send(
            method, path, what=what, params=query_params(params), json=json, headers=headers,
            follow_redirects=follow_redirects,
        )
        if response.status_code >= 400:
            raise error_for(response.status_code, json_or_none(response), what=what)
        body = decode_json(response, SYSTEM, what)
        if isinstance(body, dict) and body.get("error") is True:
            raise error_for(400, body, what=what)
        return body
