"""schemathesis against the app's own OpenAPI schema: valid and invalid requests for every
operation, a bounded number each. No 5xx; every 4xx carries the error body with a message;
documented responses match their schemas."""

from __future__ import annotations

import contextlib
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from runtime.brain import Brain
from tests.api.conftest import Auth, FakeMemory, error_of, settle

PER_OPERATION = 4  # examples per operation and mode (positive, negative)
ORIGIN = "http://brain.test"


def generate(app: FastAPI) -> list[Case]:
    schema = schemathesis.openapi.from_dict(app.openapi())
    cases: list[Case] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(max_examples=PER_OPERATION, database=None, deadline=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(operation.as_strategy(generation_mode=mode))
            def collect(case: Case) -> None:
                cases.append(case)

            with contextlib.suppress(Unsatisfiable):  # nothing invalid to generate (no parameters, no body)
                collect()
    return cases


def as_httpx(kwargs: dict[str, Any]) -> dict[str, Any]:
    request = {k: kwargs[k] for k in ("method", "url", "headers", "params", "cookies") if kwargs.get(k) is not None}
    if "json" in kwargs:
        request["json"] = kwargs["json"]
    elif isinstance(kwargs.get("data"), (bytes, str)):
        request["content"] = kwargs["data"]
    elif kwargs.get("data") is not None:
        request["data"] = kwargs["data"]
    return request


async def test_generated_requests_never_get_a_5xx_and_every_4xx_says_why(
    brain: Brain, app: FastAPI, client: httpx.AsyncClient, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(brain, "memory", FakeMemory(), raising=False)
    cases = generate(app)
    identities = [auth("super_admin", tenant="platform"), auth("tenant_admin"), {}]  # {} keeps what was generated
    statuses: dict[int, int] = {}
    sent = 0
    for n, case in enumerate(cases):
        kwargs = case.as_transport_kwargs(base_url=ORIGIN)
        kwargs["headers"] = {**(kwargs.get("headers") or {}), **identities[n % len(identities)]}
        try:
            request = client.build_request(**as_httpx(kwargs))
        except (UnicodeError, httpx.InvalidURL, httpx.LocalProtocolError, TypeError, ValueError):
            continue  # not sendable over HTTP at all (e.g. a non-ASCII header): nothing to check
        response = await client.send(request)
        sent += 1
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        where = f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
        assert response.status_code < 500, where
        if response.status_code >= 400:
            error_of(response)
        case.validate_response(response, checks=[not_a_server_error, content_type_conformance, response_schema_conformance])
    await settle(app)
    assert sent >= len(cases) * 0.8
    assert any(200 <= s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses), statuses
