"""schemathesis against the app's own OpenAPI schema: valid and invalid requests for every
operation, a bounded number each, every schemathesis check on each answer (status codes documented,
schema-valid requests accepted and invalid ones refused, response schemas, headers, auth enforced).
Every 4xx carries the error body with a message; undocumented methods answer 405 with the right
Allow. The long run (>= 3,000 cases) is under the `attack` marker (`make attack`)."""

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
from schemathesis.core import NotSet
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.adapter.security import declares_security
from schemathesis.specs.openapi.checks import ignored_auth

from runtime.brain import Brain
from tests.api.conftest import Auth, FakeMemory, error_of, settle

PER_OPERATION = 4  # examples per operation and mode (positive, negative)
LONG_PER_OPERATION = 60  # the long run: over 3,000 cases
ORIGIN = "http://brain.test"


def generate(app: FastAPI, per_operation: int = PER_OPERATION) -> list[Case]:
    schema = schemathesis.openapi.from_dict(app.openapi())
    cases: list[Case] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(max_examples=per_operation, database=None, deadline=None, derandomize=True,
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


async def exercise(app: FastAPI, client: httpx.AsyncClient, auth: Auth, per_operation: int) -> dict[str, Any]:
    """Send every generated case; run every schemathesis check on each answer. Returns the counts
    and the failures (check name, operation, status, message)."""
    cases = generate(app, per_operation)
    identities = [auth("super_admin", tenant="platform"), auth("tenant_admin"), {}]  # {} keeps what was generated
    statuses: dict[int, int] = {}
    failures: list[str] = []
    sent = 0
    for n, case in enumerate(cases):
        kwargs = case.as_transport_kwargs(base_url=ORIGIN)
        if not (case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER)):
            # A token for one of the identities; a case whose headers are the negated part (its
            # credentials among them) is sent as generated.
            kwargs["headers"] = {**(kwargs.get("headers") or {}), **identities[n % len(identities)]}
        try:
            request = client.build_request(**as_httpx(kwargs))
        except (UnicodeError, httpx.InvalidURL, httpx.LocalProtocolError, TypeError, ValueError):
            continue  # not sendable over HTTP at all (e.g. a non-ASCII header): nothing to check
        response = await client.send(request)
        sent += 1
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        where = f"{case.method} {case.operation.path} -> {response.status_code}"
        if response.status_code >= 400:
            error_of(response)
        try:
            # All of schemathesis's checks but ignored_auth, whose probe goes out over real HTTP
            # (requests) rather than to this app; the same probe is sent below through the app.
            case.validate_response(response, headers=kwargs["headers"], excluded_checks=[ignored_auth])
        except (AssertionError, FailureGroup) as exc:
            for failure in getattr(exc, "exceptions", [exc]):
                sent_as = {k: v for k, v in (("query", case.query), ("headers", case.headers), ("body", case.body))
                           if v and not isinstance(v, NotSet)}
                meta = case.meta.components if case.meta else None
                failures.append(f"{type(failure).__name__}: {where}: {str(failure).splitlines()[0]}: {sent_as} {meta}"[:700])
        if 200 <= response.status_code < 300 and "authorization" in request.headers and declares_security(case.operation):
            for token in (None, "Bearer forged.token.value"):
                probe = client.build_request(**as_httpx(kwargs))
                del probe.headers["authorization"]
                if token:
                    probe.headers["authorization"] = token
                answer = await client.send(probe)
                if answer.status_code != 401:
                    failures.append(f"IgnoredAuth: {where}: {'a forged' if token else 'no'} token got {answer.status_code}")
    await settle(app)
    return {"cases": len(cases), "sent": sent, "statuses": statuses, "failures": failures}


async def methods_not_documented(app: FastAPI, client: httpx.AsyncClient, auth: Auth) -> list[str]:
    """Every path answers an undocumented method (OPTIONS included) with 405 and an Allow header naming
    exactly its documented methods (HEAD beside GET)."""
    failures = []
    for path, item in app.openapi()["paths"].items():
        documented = {m.upper() for m in item if m in ("get", "put", "post", "delete", "patch")}
        expected = documented | ({"HEAD"} if "GET" in documented else set())
        url = ORIGIN + path.replace("{", "x").replace("}", "x")
        for method in sorted({"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"} - documented):
            answer = await client.request(method, url, headers=auth("super_admin", tenant="platform"))
            allow = {m.strip() for m in answer.headers.get("allow", "").split(",") if m.strip()}
            if answer.status_code != 405 or allow != expected:
                failures.append(f"{method} {path}: {answer.status_code}, Allow {sorted(allow)}, expected {sorted(expected)}")
    return failures


async def test_generated_requests_pass_every_schemathesis_check(
    brain: Brain, app: FastAPI, client: httpx.AsyncClient, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(brain, "memory", FakeMemory(), raising=False)
    outcome = await exercise(app, client, auth, PER_OPERATION)
    statuses = outcome["statuses"]
    assert outcome["failures"] == [], "\n".join(outcome["failures"])
    assert outcome["sent"] >= outcome["cases"] * 0.8
    assert any(200 <= s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses), statuses


async def test_undocumented_methods_are_405_with_the_documented_allow(app: FastAPI, client: httpx.AsyncClient,
                                                                       auth: Auth) -> None:
    failures = await methods_not_documented(app, client, auth)
    assert failures == [], "\n".join(failures)


@pytest.mark.attack
async def test_thousands_of_generated_requests_pass_every_schemathesis_check(
    brain: Brain, app: FastAPI, client: httpx.AsyncClient, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The long run (`make attack`): >= 3,000 cases."""
    monkeypatch.setattr(brain, "memory", FakeMemory(), raising=False)
    outcome = await exercise(app, client, auth, LONG_PER_OPERATION)
    print(f"schemathesis: {outcome['sent']} sent of {outcome['cases']} cases, {len(outcome['failures'])} failures, "
          f"statuses {dict(sorted(outcome['statuses'].items()))}")
    assert outcome["failures"] == [], "\n".join(outcome["failures"])
    assert outcome["sent"] >= 3000
