"""The shared HTTP core (`adapters.http`): what every REST and GraphQL adapter relies on.

The answers come from a real `httpx.MockTransport` handler; the core, tenacity and the typed
errors are the real ones. The adapters' own suites check the same rules through each client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
import structlog

from adapters.errors import RateLimited, Unavailable
from adapters.http import (
    ClientLifecycle,
    HttpCore,
    RetryPolicy,
    decode_json,
    query_params,
    retry_after_seconds,
)

BASE = "http://system.test"


class Answers:
    """Answers queued for the core's requests, and what it sent."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.queue = list(answers)
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        answer = self.queue.pop(0) if len(self.queue) > 1 else self.queue[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def slept() -> list[float]:
    return []


@pytest.fixture
async def core_of(slept: list[float]) -> AsyncIterator[Callable[..., HttpCore]]:
    """Builds cores over queued answers, with a recording sleep; closes them after the test."""
    cores: list[HttpCore] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    def build(answers: Answers, **policy: Any) -> HttpCore:
        core = HttpCore("demo", "the demo system", base_url=BASE, transport=httpx.MockTransport(answers),
                        policy=RetryPolicy(**policy), sleep=sleep)
        cores.append(core)
        return core

    yield build
    for core in cores:
        await core.aclose()


async def test_reads_are_retried_with_growing_jittered_backoff(core_of: Callable[..., HttpCore],
                                                               slept: list[float]) -> None:
    answers = Answers(httpx.Response(503), httpx.Response(502), httpx.Response(200, json={"ok": True}))
    core = core_of(answers, backoff=1.0)
    response = await core.send("GET", "/things/")
    assert (response.status_code, response.json(), len(answers.sent)) == (200, {"ok": True}, 3)
    assert 0.5 <= slept[0] <= 1.5 and 1.0 <= slept[1] <= 3.0


async def test_giving_up_names_the_call_and_the_attempts(core_of: Callable[..., HttpCore], slept: list[float]) -> None:
    answers = Answers(httpx.Response(503))
    with pytest.raises(Unavailable) as caught:
        await core_of(answers, max_retries=2, backoff=0).send("GET", "/things/")
    assert str(caught.value) == "demo: GET /things/: the demo system answered HTTP 503; after 3 attempts"
    assert (caught.value.status, len(answers.sent), len(slept)) == (503, 3, 2)


async def test_retry_after_sets_the_wait_and_a_long_one_ends_the_retries(core_of: Callable[..., HttpCore],
                                                                         slept: list[float]) -> None:
    answers = Answers(httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(204))
    assert (await core_of(answers, backoff=0).send("GET", "/a")).status_code == 204
    assert slept == [3.0]
    patient = Answers(httpx.Response(429, headers={"Retry-After": "120"}))
    with pytest.raises(RateLimited) as caught:
        await core_of(patient).send("GET", "/a")
    assert (caught.value.retry_after, len(patient.sent), slept) == (120.0, 1, [3.0])


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_writes_are_sent_once(core_of: Callable[..., HttpCore], slept: list[float], method: str) -> None:
    busy = Answers(httpx.Response(503, headers={"Retry-After": "1"}))
    with pytest.raises(Unavailable, match="not retried, check before repeating it"):
        await core_of(busy).send(method, "/things/")
    dropped = Answers(httpx.ReadTimeout("slow"))
    with pytest.raises(Unavailable, match=r"could not reach the demo system \(ReadTimeout\); not retried"):
        await core_of(dropped).send(method, "/things/")
    assert (len(busy.sent), len(dropped.sent), slept) == (1, 1, [])


async def test_a_caller_may_mark_a_post_idempotent(core_of: Callable[..., HttpCore], slept: list[float]) -> None:
    answers = Answers(httpx.Response(504), httpx.Response(200, json={}))
    assert (await core_of(answers, backoff=0).send("POST", "/query", idempotent=True)).status_code == 200
    assert len(answers.sent) == 2


async def test_an_unsent_write_is_resent_only_when_the_policy_says(core_of: Callable[..., HttpCore]) -> None:
    refused = Answers(httpx.ConnectError("refused"), httpx.Response(201, json={}))
    assert (await core_of(refused, backoff=0, resend_unsent=True).send("POST", "/x")).status_code == 201
    strict = Answers(httpx.ConnectError("refused"), httpx.Response(201, json={}))
    with pytest.raises(Unavailable, match="not retried"):
        await core_of(strict, backoff=0).send("POST", "/x")
    assert (len(refused.sent), len(strict.sent)) == (2, 1)


async def test_an_unreachable_system_gives_up_after_the_retries(core_of: Callable[..., HttpCore]) -> None:
    answers = Answers(httpx.ConnectTimeout("no route"))
    with pytest.raises(Unavailable) as caught:
        await core_of(answers, max_retries=1, backoff=0).send("GET", "/x")
    assert str(caught.value) == ("demo: GET /x: could not reach the demo system (ConnectTimeout) after 2 attempts; "
                                 "try again later")
    assert isinstance(caught.value.__cause__, httpx.ConnectTimeout)
    bad_url = Answers(httpx.UnsupportedProtocol("ftp"))
    with pytest.raises(Unavailable, match="check the demo system URL"):
        await core_of(bad_url).send("GET", "/x")
    assert len(bad_url.sent) == 1


async def test_other_statuses_come_back_for_the_adapter_to_read(core_of: Callable[..., HttpCore]) -> None:
    answers = Answers(httpx.Response(404, json={"detail": "gone"}))
    response = await core_of(answers).send("DELETE", "/x")
    assert (response.status_code, len(answers.sent)) == (404, 1)


async def test_retries_are_logged_as_key_values_without_headers(core_of: Callable[..., HttpCore]) -> None:
    answers = Answers(httpx.Response(502), httpx.Response(200, json={}))
    with structlog.testing.capture_logs() as logs:
        await core_of(answers, backoff=0).send("GET", "/x", headers={"Authorization": "Bearer s3cret"})
    assert logs == [{"event": "adapter call retried", "log_level": "info", "system": "demo", "call": "GET /x",
                     "problem": "the demo system answered HTTP 502", "retry": 1, "delay": 0.0}]
    assert answers.sent[1].headers["Authorization"] == "Bearer s3cret"


def test_retry_after_reads_seconds_and_http_dates() -> None:
    later = datetime.now(UTC) + timedelta(seconds=90)
    assert retry_after_seconds("2.5") == 2.5
    assert 85 <= (retry_after_seconds(format_datetime(later, usegmt=True)) or 0) <= 90
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert [retry_after_seconds(v) for v in (None, "", "soon", "-3")] == [None, None, None, 0.0]


def test_query_params_and_bodies() -> None:
    assert query_params({"a": None, "b": True, "c": False, "d": 3}) == [("b", "true"), ("c", "false"), ("d", "3")]
    assert query_params([("x", 1), ("x", 2)]) == [("x", "1"), ("x", "2")]
    assert decode_json(httpx.Response(204), "demo", "GET /") is None
    with pytest.raises(Unavailable, match="the answer was not JSON"):
        decode_json(httpx.Response(200, text="<html>"), "demo", "GET /")
    with pytest.raises(Unavailable, match=r"unexpected redirect \(HTTP 302\)"):
        decode_json(httpx.Response(302, headers={"Location": "/"}), "demo", "GET /")


async def test_async_with_closes_the_client() -> None:
    class Client(ClientLifecycle):
        def __init__(self) -> None:
            self.core = HttpCore("demo", "demo", transport=httpx.MockTransport(lambda r: httpx.Response(200)))

        async def aclose(self) -> None:
            await self.core.aclose()

    async with Client() as client:
        assert (await client.core.send("GET", "http://x/")).status_code == 200
    with pytest.raises(RuntimeError, match="closed"):
        await client.core.send("GET", "http://x/")
