"""One GraphQL round trip to Saleor: auth header, token login and refresh, retries, typed errors."""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from typing import Any

import httpx
from graphql import OperationDefinitionNode, OperationType, parse
from graphql.error import GraphQLError

from adapters.errors import AuthError, InvalidRequest, NotFound, RateLimited, Unavailable
from adapters.saleor import documents
from adapters.saleor.auth import Credentials
from adapters.saleor.failures import SYSTEM, graphql_error, mutation_error, retry_after_seconds

logger = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({502, 503, 504})
TRANSIENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
REFRESH_MARGIN = 30.0  # seconds before `exp` at which the access token is refreshed
MAX_BACKOFF = 10.0
MAX_RETRY_AFTER = 30.0  # a longer Retry-After on a 5xx ends the retries


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


class SaleorTransport:
    """Sends documents to one Saleor GraphQL endpoint.

    Reads (queries) are retried on 502/503/504 and connection errors with exponential backoff
    and jitter; mutations are never retried, since Saleor may have applied them.
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
        self._max_retries = max(0, max_retries)
        self._backoff = max(0.0, backoff)
        self._http = httpx.AsyncClient(transport=transport, timeout=timeout)
        self._login_lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self._http.aclose()

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
        attempt = 0
        while True:
            retry_after: float | None = None
            try:
                response = await self._http.post(self._url, json=body, headers=headers)
            except httpx.TransportError as exc:
                problem = f"could not reach Saleor ({type(exc).__name__})"
                if not isinstance(exc, TRANSIENT_ERRORS):
                    raise Unavailable(SYSTEM, f"{problem}; check the Saleor URL") from exc
            else:
                if response.status_code not in RETRYABLE_STATUS:
                    return self._read(response, redact=redact)
                problem = f"Saleor answered HTTP {response.status_code}"
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            if mutation:
                raise Unavailable(SYSTEM, f"{problem}; the mutation was not retried, check before repeating it")
            if attempt >= self._max_retries or (retry_after or 0.0) > MAX_RETRY_AFTER:
                raise Unavailable(SYSTEM, f"{problem} after {attempt + 1} attempts; try again later")
            delay = min(MAX_BACKOFF, self._backoff * 2**attempt) * random.uniform(0.5, 1.5)
            delay = max(delay, retry_after or 0.0)
            logger.info("saleor: %s, retry %d in %.2fs", problem, attempt + 1, delay)
            await asyncio.sleep(delay)
            attempt += 1

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

