"""Gateway reads and insights through the adapters (the sandbox stand-ins): viewer role, own tenant,
paginated; the adapters' typed errors mapped to clear HTTP errors."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from adapters.errors import (
    AdapterError,
    AuthError,
    Conflict,
    InvalidRequest,
    NotFound,
    RateLimited,
    Unavailable,
)
from api.errors import ApiError
from api.gateway import adapter_errors
from runtime.brain import Brain
from runtime.wiring import SystemNotConfigured
from tests.api.conftest import Auth, error_of, settle, submit


async def test_each_system_is_read_paginated_in_the_callers_tenant(brain: Brain, client: httpx.AsyncClient, auth: Auth) -> None:
    first = await client.get("/saleor/products", params={"limit": 2}, headers=auth("viewer"))
    assert first.status_code == 200, first.text
    page = first.json()
    assert (page["system"], page["limit"], page["offset"], page["next_offset"], len(page["items"])) == ("saleor", 2, 0, 2, 2)
    second = (await client.get("/saleor/products", params={"limit": 2, "offset": 2}, headers=auth("viewer"))).json()
    assert {p["id"] for p in page["items"]}.isdisjoint(p["id"] for p in second["items"])

    await brain.clients.client("saleor", "demo").product_create(name="Quartz Lamp", product_type="Default",
                                                                category="Default", price=30)
    mine = (await client.get("/saleor/products", params={"q": "Quartz Lamp"}, headers=auth("viewer"))).json()
    theirs = (await client.get("/saleor/products", params={"q": "Quartz Lamp"}, headers=auth("viewer", tenant="acme"))).json()
    assert [p["name"] for p in mine["items"]] == ["Quartz Lamp"] and theirs["items"] == []

    for path, params in (("/django-crm/leads", {"limit": 3}), ("/wagtail/pages", {"status": "draft"}),
                         ("/superset/dashboards", {"limit": 1})):
        answer = await client.get(path, params=params, headers=auth("viewer"))
        assert answer.status_code == 200 and answer.json()["items"], (path, answer.text)
    drafts = (await client.get("/wagtail/pages", params={"status": "draft"}, headers=auth("viewer"))).json()["items"]
    assert {p["status"] for p in drafts} == {"draft"}

    deep = await client.get("/saleor/products", params={"offset": 150}, headers=auth("viewer"))
    assert deep.status_code == 422 and error_of(deep)["field"] == "offset"
    bad = await client.get("/wagtail/pages", params={"status": "archived"}, headers=auth("viewer"))
    assert bad.status_code == 422 and error_of(bad)["field"] == "status"
    assert (await client.get("/saleor/products")).status_code == 401


@pytest.mark.parametrize(("error", "status", "code", "words"), [
    (AuthError("saleor", "token expired"), 502, "bad_gateway", "refused the Brain's credentials"),
    (NotFound("saleor", "no product X", field="product"), 404, "not_found", "no product X"),
    (InvalidRequest("saleor", "must be one of a, b", field="status"), 422, "invalid", "status: saleor rejected it"),
    (RateLimited("saleor", "slow down", retry_after=7.2), 429, "rate_limited", "retry in 7 s"),
    (Conflict("saleor", "slug taken", field="slug"), 409, "conflict", "slug taken"),
    (Unavailable("saleor", "HTTP 503 after 3 tries"), 503, "unavailable", "cannot be reached now"),
    (AdapterError("saleor", "odd answer"), 502, "bad_gateway", "answered an error"),
    (SystemNotConfigured("no stand-in"), 503, "unavailable", "not configured"),
])
async def test_adapter_errors_become_clear_http_errors(error: Exception, status: int, code: str, words: str) -> None:
    with pytest.raises(ApiError) as caught:
        async with adapter_errors("saleor"):
            raise error
    assert (caught.value.status, caught.value.code) == (status, code) and words in caught.value.message
    if isinstance(error, RateLimited):
        assert caught.value.headers == {"Retry-After": "7"}


async def test_insights_count_across_the_systems_and_the_brain(app: FastAPI, client: httpx.AsyncClient, auth: Auth) -> None:
    await submit(client, auth())
    await settle(app)
    answer = await client.get("/agents/insights", headers=auth("viewer"))
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["tenant"] == "demo" and data["runs"] == {"waiting": 1} and data["approvals_waiting"] == 1
    assert data["decisions"] == {"auto": 0, "ask": 1, "deny": 0}
    assert len(data["days"]) == 14 and data["days"][-1]["runs"] == 1 and data["days"][-1]["ask"] == 1
    systems = data["systems"]
    assert all(s["available"] for s in systems.values()), systems
    assert systems["saleor"]["numbers"]["orders"] > 0 and systems["saleor"]["numbers"]["revenue"] > 0
    assert systems["crm"]["numbers"]["open_leads"] > 0 and systems["wagtail"]["numbers"]["drafts"] > 0
    assert systems["superset"]["numbers"]["dashboards"] > 0

    other = (await client.get("/agents/insights", headers=auth("viewer", tenant="acme"))).json()
    assert other["runs"] == {} and other["approvals_waiting"] == 0
    refused = await client.get("/agents/insights", params={"tenant": "acme"}, headers=auth("tenant_admin"))
    assert refused.status_code == 403
    unknown = await client.get("/agents/insights", params={"tenant": "nobody-here"}, headers=auth("super_admin"))
    assert unknown.status_code == 404 and error_of(unknown)["field"] == "tenant"
