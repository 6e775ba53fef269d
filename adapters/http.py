"""The HTTP core every REST and GraphQL adapter sends through.

It owns what the adapters share: one `httpx.AsyncClient` and its lifecycle, timeouts,
retries with exponential backoff and jitter (tenacity) for idempotent calls only, the
`Retry-After` header, and the typed errors for a system that could not be reached or kept
refusing. Each adapter keeps what is its own: authentication, its protocol (REST paths,
GraphQL documents) and the mapping of its error answers to `adapters.errors`.

A call is retried only when repeating it cannot apply it twice: the caller says so with
`idempotent` (by default the HTTP method decides: GET, HEAD, OPTIONS, PUT and DELETE are).
A connection error that happened before anything was sent (`resend_unsent`) is retried for
any call. A `Retry-After` longer than `max_retry_after` ends the retries at once.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Self

import httpx
import structlog
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential

from adapters.errors import AdapterError, RateLimited, Unavailable

log = structlog.get_logger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Errors after which the request may or may not have reached the system.
TRANSIENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
# Errors where the request never left this process: sending it again cannot apply it twice.
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
NOT_RETRIED = "not retried, check before repeating it"

Sleep = Callable[[float], Awaitable[None]]
QueryParams = dict[str, Any] | list[tuple[str, Any]] | None


def retry_after_seconds(value: str | None) -> float | None:
    """A `Retry-After` header in seconds: a number, or an HTTP date (naive dates are UTC)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def query_params(params: QueryParams) -> list[tuple[str, str | int | float | bool | None]] | None:
    """Query parameters without Nones; booleans written `true`/`false`, everything else as text."""
    if params is None:
        return None
    items = params.items() if isinstance(params, dict) else params
    out: list[tuple[str, str | int | float | bool | None]] = []
    for key, value in items:
        if value is None:
            continue
        out.append((key, ("true" if value else "false") if isinstance(value, bool) else str(value)))
    return out


def json_or_none(response: httpx.Response) -> Any:
    """The decoded JSON body, or None for an empty or non-JSON body."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def decode_json(response: httpx.Response, system: str, what: str) -> Any:
    """The JSON of a 2xx answer (None when empty); a redirect or a non-JSON body is Unavailable."""
    status = response.status_code
    if 300 <= status < 400:
        raise Unavailable(system, f"{what}: unexpected redirect (HTTP {status})", status=status)
    body = json_or_none(response)
    if response.content and body is None:
        raise Unavailable(system, f"{what}: the answer was not JSON", status=status)
    return body


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently an adapter repeats a call that may succeed later."""

    max_retries: int = 3
    backoff: float = 0.5  # seconds before the first retry; doubled for each one after
    max_backoff: float = 10.0
    max_retry_after: float = 30.0  # a longer Retry-After ends the retries
    statuses: frozenset[int] = frozenset({429, 502, 503, 504})
    resend_unsent: bool = False  # retry any call whose connection failed before sending

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_retries", max(0, self.max_retries))
        object.__setattr__(self, "backoff", max(0.0, self.backoff))


class _TryAgain(Exception):
    """One attempt failed in a way a later attempt may not (internal to `HttpCore.send`)."""

    def __init__(self, problem: str, *, response: httpx.Response | None = None, cause: BaseException | None = None):
        super().__init__(problem)
        self.problem = problem
        self.response = response
        self.cause = cause
        self.retry_after = retry_after_seconds(response.headers.get("Retry-After")) if response is not None else None


async def _asyncio_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)  # looked up at call time, so a test can replace asyncio.sleep


class HttpCore:
    """One system's connection: sends requests, repeats the ones that may be repeated, closes.

    `system` is the errors' system name ("crm"); `name` is how messages call it ("the CRM").
    Answers that are not retried come back as they are, whatever their status: reading them
    (and mapping error bodies) is the adapter's part.
    """

    def __init__(
        self,
        system: str,
        name: str,
        *,
        base_url: str = "",
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
        policy: RetryPolicy | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self.system = system
        self.name = name
        self.policy = policy or RetryPolicy()
        self._sleep = sleep or _asyncio_sleep
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), transport=transport, timeout=timeout, headers=dict(headers or {})
        )

    @property
    def base_url(self) -> httpx.URL:
        return self._http.base_url

    def __repr__(self) -> str:
        return f"HttpCore({self.system!r}, {str(self._http.base_url)!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(
        self, method: str, url: str, *, idempotent: bool | None = None, what: str | None = None, **request: Any
    ) -> httpx.Response:
        """Send one request (`request` goes to `httpx.AsyncClient.request`) and return the answer.

        Raises Unavailable when the system cannot be reached, and the give-up error (RateLimited
        for a 429, else Unavailable) when it keeps answering a retryable status or the call may
        not be repeated.
        """
        method = method.upper()
        what = what or f"{method} {url}"
        repeatable = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        retrying = AsyncRetrying(
            sleep=self._sleep,
            stop=self._stop,
            wait=self._wait,
            retry=retry_if_exception_type(_TryAgain),
            before_sleep=lambda state: self._log_retry(state, what),
            retry_error_callback=lambda state: self._give_up(state, what),
        )
        response: httpx.Response = await retrying(self._attempt, method, url, repeatable, what, request)
        return response

    async def _attempt(
        self, method: str, url: str, repeatable: bool, what: str, request: dict[str, Any]
    ) -> httpx.Response:
        try:
            response = await self._http.request(method, url, **request)
        except httpx.TransportError as exc:
            problem = f"could not reach {self.name} ({type(exc).__name__})"
            if not isinstance(exc, TRANSIENT_ERRORS):
                raise Unavailable(self.system, f"{what}: {problem}; check the {_bare(self.name)} URL") from exc
            unsent = self.policy.resend_unsent and isinstance(exc, NOT_SENT_ERRORS)
            if not repeatable and not unsent:
                raise Unavailable(self.system, f"{what}: {problem}; {NOT_RETRIED}") from exc
            raise _TryAgain(problem, cause=exc) from exc
        if response.status_code not in self.policy.statuses:
            return response
        if not repeatable:
            raise self.refusal(response, what, NOT_RETRIED)
        raise _TryAgain(f"{self.name} answered HTTP {response.status_code}", response=response)

    # --- the retry policy, as tenacity's hooks ----------------------------------------------

    def _stop(self, state: RetryCallState) -> bool:
        failed = _failure(state)
        too_long = failed is not None and (failed.retry_after or 0.0) > self.policy.max_retry_after
        return too_long or state.attempt_number > self.policy.max_retries

    def _wait(self, state: RetryCallState) -> float:
        base = wait_exponential(multiplier=self.policy.backoff, max=self.policy.max_backoff)(state)
        failed = _failure(state)
        return max(base * random.uniform(0.5, 1.5), (failed.retry_after if failed else None) or 0.0)

    def _log_retry(self, state: RetryCallState, what: str) -> None:
        failed = _failure(state)
        delay = state.next_action.sleep if state.next_action else 0.0
        log.info("adapter call retried", system=self.system, call=what, problem=failed.problem if failed else None,
                 retry=state.attempt_number, delay=round(delay, 2))

    def _give_up(self, state: RetryCallState, what: str) -> httpx.Response:
        failed = _failure(state)
        if failed is None:  # cannot happen: tenacity retries only _TryAgain
            raise Unavailable(self.system, f"{what}: gave up")
        note = f"after {state.attempt_number} attempts"
        if failed.response is not None:
            raise self.refusal(failed.response, what, note)
        raise Unavailable(self.system, f"{what}: {failed.problem} {note}; try again later") from failed.cause

    def refusal(self, response: httpx.Response, what: str, note: str) -> AdapterError:
        """The error for a retryable status that was not, or no longer, retried."""
        status = response.status_code
        if status == 429:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            hint = f"retry after {retry_after:g}s" if retry_after is not None else "slow down"
            return RateLimited(self.system, f"{what}: {_bare(self.name)} rate limit reached; {hint}; {note}",
                               retry_after=retry_after)
        return Unavailable(self.system, f"{what}: {self.name} answered HTTP {status}; {note}", status=status)


class ClientLifecycle:
    """`async with client:` for a client holding connections; `aclose` releases them."""

    async def aclose(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


class CoreClient(ClientLifecycle):
    """A client whose connections are one `HttpCore`, kept in `_core`."""

    _core: HttpCore

    async def aclose(self) -> None:
        await self._core.aclose()


def _failure(state: RetryCallState) -> _TryAgain | None:
    error = state.outcome.exception() if state.outcome is not None else None
    return error if isinstance(error, _TryAgain) else None


def _bare(name: str) -> str:
    """The name without a leading "the", as in "check the CRM URL"."""
    return name.removeprefix("the ")
