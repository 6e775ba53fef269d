"""Saleor's side of a GraphQL round trip: auth header, token login and refresh, typed errors.

Sending, retries and the connection are the shared HTTP core's (`adapters.http`).
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import httpx
from graphql import OperationDefinitionNode, OperationType, parse
from graphql.error import GraphQLError

from adapters.errors import AuthError, InvalidRequest, NotFound, RateLimited, Unavailable
from adapters.http import CoreClient, HttpCore, RetryPolicy, retry_after_seconds
from adapters.saleor import documents
from adapters.saleor.auth import Credentials
from adapters.saleor.failures import SYSTEM, graphql_error, mutation_error

# A 429 is not retried: it comes back at once as RateLimited with its Retry-After.
RETRYABLE_STATUS = frozenset({502, 503, 504})
REFRESH_MARGIN = 30.0  # seconds before `exp` at which the access token is refreshed


@functools.lru_cache(maxsize=256)
def is_mutation(document: str) -> bool:
    """Whether the document's (first) operation is a mutation; unparsable text counts as one."""
    try:
        tree = parse(document)
    except GraphQLError:
        return True
    for definition in tree.definitions:
        if isinstance(definition, OperationDefinitionNode):
            return definition.operation is OperationType.MUTATION
    return True


class SaleorTransport(CoreClient):
    """Sends documents to one Saleor GraphQL endpoint.

    Reads (queries) are retried on 502/503/504 and connection errors (see `adapters.http`);
    mutations are never retried, since Saleor may have applied them.
    """

    def __init__(
        self,
        url: str,
        credentials: Credentials,
        *,
        transport: httpx.AsyncBaseTransport | None,
        timeout: float,
        max_retries: int,
        backoff: float,
    ) -> None:
        self._url = url
        self._credentials = credentials
        policy = RetryPolicy(max_retries=max_retries, backoff=backoff, statuses=RETRYABLE_STATUS)
        self._core = HttpCore(SYSTEM, "Saleor", transport=transport, timeout=timeout, policy=policy)
        self._login_lock = asyncio.Lock()

    async def execute(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run a document and return its `data`; after an auth error, log in again and retry once."""
        mutation = is_mutation(document)
        renewed = False
        while True:
            await self._ensure_token()
            bearer = self._credentials.bearer()
            try:
                return await self._send(document, variables, mutation=mutation, bearer=bearer)
            except AuthError:
                if renewed or not self._credentials.uses_login:
                    raise
                renewed = True
                await self._renew(failed_token=bearer)

    # --- tokens ------------------------------------------------------------------------------

    async def _ensure_token(self) -> None:
        if not self._credentials.needs_login(margin=REFRESH_MARGIN):
            return
        async with self._login_lock:
            if self._credentials.needs_login(margin=REFRESH_MARGIN):
                await self._obtain_token()

    async def _renew(self, *, failed_token: str | None) -> None:
        async with self._login_lock:
            if self._credentials.bearer() != failed_token:
                return  # another call already renewed it
            self._credentials.forget_access()
            await self._obtain_token()

    async def _obtain_token(self) -> None:
        """Refresh with the refresh token when there is one, else (or when that fails) log in."""
        creds = self._credentials
        if creds.refresh_token:
            try:
                data = await self._send(
                    documents.TOKEN_REFRESH,
                    {"refreshToken": creds.refresh_token},
                    mutation=True,
                    bearer=None,
                    redact=True,
                )
                payload = data.get("tokenRefresh") or {}
                if payload.get("token") and not payload.get("errors"):
                    creds.store_tokens(str(payload["token"]))
                    return
            except (AuthError, InvalidRequest, NotFound):
                pass  # the refresh token is no good: log in again below
            creds.refresh_token = None
        data = await self._send(
            documents.TOKEN_CREATE,
            {"email": creds.email, "password": creds.password},
            mutation=True,
            bearer=None,
            redact=True,
        )
        payload = data.get("tokenCreate") or {}
        errors = payload.get("errors") or []
        if errors or not payload.get("token"):
            codes = ", ".join(str(e.get("code")) for e in errors) or "no token returned"
            raise AuthError(SYSTEM, f"tokenCreate failed ({codes}); check the staff email and password")
        creds.store_tokens(str(payload["token"]), payload.get("refreshToken"))

    # --- HTTP --------------------------------------------------------------------------------

    async def _send(
        self,
        document: str,
        variables: dict[str, Any] | None,
        *,
        mutation: bool,
        bearer: str | None,
        redact: bool = False,
    ) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        body = {"query": document, "variables": variables or {}}
        what = "GraphQL mutation" if mutation else "GraphQL query"
        response = await self._core.send("POST", self._url, idempotent=not mutation, what=what, json=body,
                                         headers=headers)
        return self._read(response, redact=redact)

    @staticmethod
    def _read(response: httpx.Response, *, redact: bool) -> dict[str, Any]:
        status = response.status_code
        if status == 429:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            hint = f"retry after {retry_after:g}s" if retry_after is not None else "slow down"
            raise RateLimited(SYSTEM, f"Saleor rate limit reached; {hint}", retry_after=retry_after)
        if status in (401, 403):
            raise AuthError(SYSTEM, f"HTTP {status}; check the Saleor token or credentials", status=status)
        if status >= 500:
            raise Unavailable(SYSTEM, f"Saleor answered HTTP {status}", status=status)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if status >= 400:
                raise InvalidRequest(SYSTEM, f"HTTP {status} without a GraphQL answer", status=status)
            raise Unavailable(SYSTEM, "Saleor's answer was not GraphQL JSON", status=status)
        errors = body.get("errors")
        if errors:
            error = graphql_error(errors, redact=redact)
            error.status = status
            raise error
        data = body.get("data")
        if status >= 400 or not isinstance(data, dict):
            raise InvalidRequest(SYSTEM, f"HTTP {status} without data", status=status)
        return data


def check_payload(data: dict[str, Any], root: str) -> dict[str, Any]:
    """The payload of mutation `root`, raising the typed error for its own `errors` list."""
    payload = data.get(root)
    if not isinstance(payload, dict):
        raise Unavailable(SYSTEM, f"{root} returned no payload")
    errors = payload.get("errors") or []
    if errors:
        raise mutation_error(root, errors)
    return payload



def check_bulk_payload(data: dict[str, Any], root: str, key: str) -> list[dict[str, Any]]:
    """The created objects (`key`) of bulk mutation `root`, raising the typed error of the first
    refused item. Bulk errors name a `path` (`variants.0.sku`); its last part is the field."""
    payload = check_payload(data, root)
    results = payload.get("results") or []
    errors = [
        {**error, "field": error.get("field") or str(error.get("path") or "").rpartition(".")[2] or None}
        for result in results for error in result.get("errors") or []
    ]
    if errors:
        raise mutation_error(root, errors)
    made = [result[key] for result in results if result.get(key)]
    if not made:
        raise Unavailable(SYSTEM, f"{root} created nothing and reported no error")
    return made
