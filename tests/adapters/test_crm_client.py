"""CrmClient over respx-mocked HTTP: records, idempotency, typed errors, retries, secrets.

Every request the client sends and every canned 2xx answer is validated against django-crm
1.35's OpenAPI document (`shared/specs/crm/openapi.django-crm-1.35.0.yaml`) when the test ends.
Canned answers are built from the document's own schemas (`example(...)`) with the fields a
test is about filled in, so they carry every field the schemas require.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
import yaml
from openapi_core import Config, OpenAPI

from adapters.crm import CrmClient
from adapters.errors import AuthError, Conflict, InvalidRequest, NotFound, RateLimited, Unavailable
from tests.adapters.test_wagtail_client import spec_problems

SHARED = Path(os.environ.get("BRAIN_SHARED_DIR", Path(__file__).resolve().parents[2].parent / "shared"))
CRM_SPEC_PATH = SHARED / "specs" / "crm" / "openapi.django-crm-1.35.0.yaml"
BASE = "http://crm.local"
TOKEN = "bcrm_pat_secret_value_42"
KEEP = ("readOnly", "writeOnly", "description", "title", "default")


def nullable_compositions(node: Any) -> Any:
    """drf-spectacular writes "X or null" as `{allOf|oneOf: [...], nullable: true}` without a
    `type`; openapi-core follows OAS 3.0.3 to the letter there and refuses null. Read those as
    drf-spectacular (and the server, which answers null) mean them: X, or null."""
    if isinstance(node, list):
        return [nullable_compositions(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: nullable_compositions(value) for key, value in node.items()}
    if node.get("nullable") and "type" not in node and any(k in node for k in ("oneOf", "allOf", "anyOf")):
        inner = {k: v for k, v in node.items() if k != "nullable" and k not in KEEP}
        return {**{k: v for k, v in node.items() if k in KEEP}, "anyOf": [inner, {"nullable": True, "enum": [None]}]}
    return node


@functools.cache
def crm_spec_document() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml reads the 1 MB document in 2 s, not 10
    data: dict[str, Any] = nullable_compositions(yaml.load(CRM_SPEC_PATH.read_text(encoding="utf-8"), Loader=loader))
    return data


@functools.cache
def crm_spec() -> OpenAPI:
    # The document is the one the server serves; checking the document itself would add 4 s a run.
    return OpenAPI.from_dict(crm_spec_document(), config=Config(spec_validator_cls=None))


FORMATS = {"uuid": lambda: str(uuid.uuid4()), "date-time": lambda: "2026-11-20T10:00:00Z", "date": lambda: "2026-11-20",
           "email": lambda: "someone@example.com", "uri": lambda: "https://example.com", "decimal": lambda: "0.00"}


def example_of(schema: dict[str, Any]) -> Any:
    """A minimal value valid for `schema`: required properties only, first choices, empty lists."""
    if "$ref" in schema:
        return example_of(crm_spec_document()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]])
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(example_of(part))
        return merged
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return example_of(schema[key][0])
    if "enum" in schema:
        return next((v for v in schema["enum"] if v not in (None, "")), schema["enum"][0])
    kind = schema.get("type", "object" if "properties" in schema else None)
    if kind == "object":
        props = schema.get("properties", {})
        return {name: example_of(props[name]) for name in schema.get("required", []) if name in props}
    if kind == "array":
        return []
    if kind == "string":
        if schema.get("maxLength") == 0:
            return ""
        if "pattern" in schema and "\\d\\s" in schema["pattern"]:
            return "+1 555 0100"
        return FORMATS.get(schema.get("format", ""), lambda: "x")()
    return {"integer": 0, "number": 0.0, "boolean": False}.get(str(kind), {})


def example(schema: str, /, **values: Any) -> dict[str, Any]:
    data: dict[str, Any] = example_of({"$ref": f"#/components/schemas/{schema}"})
    data.update(values)
    return data


def profile(email: str = "sam@agency.example", name: str = "Sam") -> dict[str, Any]:
    row = example("Profile")
    row["user_details"].update(email=email, name=name)
    return row


def lead(**values: Any) -> dict[str, Any]:
    defaults = {"first_name": "Maria", "last_name": "Lopez", "email": "maria@casaverde.mx",
                "company_name": "Casa Verde", "status": "in process", "stage": None, "custom_fields": {}}
    return example("Lead", **{**defaults, **values})


def lead_list(*leads: dict[str, Any]) -> dict[str, Any]:
    body = example("LeadListResponse")
    body["open_leads"]["open_leads"] = list(leads)
    body["open_leads"]["leads_count"] = len(leads)
    return body


def detail(kind: str, obj: dict[str, Any], **values: Any) -> dict[str, Any]:
    name = {"lead": "LeadDetailResponse", "contact": "ContactDetailResponse", "account": "AccountDetailResponse",
            "opportunity": "OpportunityDetailResponse", "task": "TaskDetailResponse"}[kind]
    return example(name, **{f"{kind}_obj": obj}, **values)


def ok(**values: Any) -> dict[str, Any]:
    return {"error": False, "message": "done", **values}


class CrmHTTP:
    def __init__(self, router: respx.MockRouter) -> None:
        self.router = router

    def problems(self) -> list[str]:
        found: list[str] = []
        for call in self.router.calls:
            found += spec_problems(crm_spec(), call.request, call.response if call.has_response else None)
        return found

    def sent(self, method: str, path: str) -> list[Any]:
        return [json.loads(c.request.content or b"null") for c in self.router.calls
                if c.request.method == method and c.request.url.path == path]


@pytest.fixture
def crm_http() -> Iterator[CrmHTTP]:
    crm_spec()  # load the 1 MB document before the test's clock starts
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        http = CrmHTTP(router)
        yield http
        assert http.problems() == []


@pytest.fixture
async def client() -> Any:
    async with CrmClient(BASE, TOKEN, max_retries=2, backoff=0) as crm:
        yield crm


# --- leads -----------------------------------------------------------------------------------------


async def test_lead_create_posts_the_spec_body_and_reads_it_back(crm_http: CrmHTTP, client: CrmClient) -> None:
    created = lead(first_name="Ana", last_name="Diaz", email="ana@tacos.example", company_name="Tacos Ana",
                   opportunity_amount="999.50", status=None)
    router = crm_http.router
    router.get("/api/leads/").respond(json=lead_list())
    router.post("/api/leads/").respond(json=example("LeadCreateResponse", id=created["id"]))
    router.get(f"/api/leads/{created['id']}/").respond(json=detail("lead", created))
    result = await client.lead_create(first_name="Ana", last_name="Diaz", email="ana@tacos.example",
                                      company_name="Tacos Ana", opportunity_amount=999.5, industry="food & beverage")
    assert (result["name"], result["opportunity_amount"], result["existing"]) == ("Ana Diaz", 999.5, False)
    [body] = crm_http.sent("POST", "/api/leads/")
    assert body == {"first_name": "Ana", "last_name": "Diaz", "email": "ana@tacos.example", "company_name": "Tacos Ana",
                    "industry": "FOOD & BEVERAGE", "opportunity_amount": "999.50", "assigned_to": [], "contacts": [],
                    "teams": []}
    assert router.calls[0].request.url.params["email"] == "ana@tacos.example"
    assert router.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


async def test_lead_create_returns_the_open_lead_with_that_email(crm_http: CrmHTTP, client: CrmClient) -> None:
    crm_http.router.get("/api/leads/").respond(json=lead_list(lead()))
    create = crm_http.router.post("/api/leads/")
    result = await client.lead_create(first_name="Maria", email="MARIA@casaverde.mx")
    assert (result["email"], result["existing"]) == ("maria@casaverde.mx", True)
    assert not create.called


async def test_scores_live_in_custom_fields_created_once(crm_http: CrmHTTP, client: CrmClient) -> None:
    row = lead(custom_fields={"budget": "high"})
    router = crm_http.router
    router.get("/api/custom-fields/").respond(json=example("CustomFieldDefinitionListResponse"))
    router.post("/api/custom-fields/").respond(201, json=example("CustomFieldDefinition"))
    router.get("/api/leads/").respond(json=lead_list(row))
    router.patch(f"/api/leads/{row['id']}/").respond(json=ok())
    scored = {**row, "rating": "HOT", "custom_fields": {"budget": "high", "lead_score": 82, "score_reasons": "Owner\nBudget"}}
    router.get(f"/api/leads/{row['id']}/").respond(json=detail("lead", scored))
    for _ in range(2):
        result = await client.lead_score_update("maria@casaverde.mx", score=82, rating="hot", reasons=["Owner", "Budget"])
    assert (result["score"], result["rating"], result["score_reasons"]) == (82, "HOT", ["Owner", "Budget"])
    assert result["custom_fields"] == {"budget": "high"}
    fields = crm_http.sent("POST", "/api/custom-fields/")
    assert [(f["target_model"], f["key"], f["field_type"]) for f in fields] == [
        ("Lead", "lead_score", "number"), ("Lead", "score_reasons", "textarea")]
    assert crm_http.sent("PATCH", f"/api/leads/{row['id']}/")[0] == {
        "custom_fields": {"budget": "high", "lead_score": 82, "score_reasons": "Owner\nBudget"}, "rating": "HOT"}


async def test_lead_convert_patches_status_and_reads_what_it_became(crm_http: CrmHTTP, client: CrmClient) -> None:
    row = lead()
    account = example("AccountWithRelated", name="Casa Verde")
    contact = example("Contact", first_name="Maria", last_name="Lopez", email="maria@casaverde.mx", account=account["id"])
    deal = example("Opportunity", name="Casa Verde - Maria Lopez", stage="QUALIFICATION", amount="1500.00")
    router = crm_http.router
    router.get("/api/leads/").respond(json=lead_list(row))
    router.patch(f"/api/leads/{row['id']}/").mock(side_effect=[
        httpx.Response(200, json=ok()),
        httpx.Response(200, json=example("LeadPatchResponse", error=False, account_id=account["id"],
                                         contact_id=contact["id"], opportunity_id=deal["id"]))])
    router.get(f"/api/accounts/{account['id']}/").respond(json=detail("account", account))
    router.get(f"/api/contacts/{contact['id']}/").respond(json=detail("contact", contact))
    router.get(f"/api/opportunities/{deal['id']}/").respond(json=detail("opportunity", deal))
    router.get("/api/tags/").respond(json=example("TagsListResponse"))
    result = await client.lead_convert("Maria Lopez", amount=1500, close_date="2026-12-31")
    assert crm_http.sent("PATCH", f"/api/leads/{row['id']}/") == [
        {"opportunity_amount": "1500.00", "close_date": "2026-12-31"}, {"status": "converted"}]
    assert (result["account"]["name"], result["contact"]["email"], result["opportunity"]["amount"]) == (
        "Casa Verde", "maria@casaverde.mx", 1500.0)


# --- tasks, merging, deleting ----------------------------------------------------------------------


async def test_task_create_finds_the_new_task_in_the_list(crm_http: CrmHTTP, client: CrmClient) -> None:
    account = example("Account", name="Beanbar")
    sam = example("UserListRow", id=str(uuid.uuid4()))
    sam["user_details"].update(email="sam@agency.example", name="Sam")
    users = example("UsersListResponse")
    users["active_users"]["active_users"] = [sam]
    task = example("TaskList", title="Send report", due_date="2026-12-01", status="New",
                   account={"id": account["id"], "name": "Beanbar"}, assigned_to=[profile()])
    listing = example("TaskListResponse")
    router = crm_http.router
    accounts = example("AccountListResponse")
    accounts["active_accounts"]["open_accounts"] = [account]
    router.get("/api/accounts/").respond(json=accounts)
    router.get("/api/users/").respond(json=users)
    router.get("/api/tasks/").mock(side_effect=[httpx.Response(200, json=listing),
                                                httpx.Response(200, json={**listing, "tasks": [task]})])
    router.post("/api/tasks/").respond(json=example("TaskCreateResponse", error=False))
    result = await client.task_create(title="Send report", due="2026-12-01", owner="Sam",
                                      related_to="account:Beanbar")
    assert (result["id"], result["related_to"], result["owner"], result["existing"]) == (
        task["id"], "account:Beanbar", "sam@agency.example", False)
    assert crm_http.sent("POST", "/api/tasks/") == [{
        "title": "Send report", "status": "New", "priority": "Medium", "due_date": "2026-12-01",
        "assigned_to": [sam["id"]], "contacts": [], "teams": [], "account": account["id"]}]


async def test_an_owner_named_by_first_name_is_the_one_user_called_that(crm_http: CrmHTTP, client: CrmClient) -> None:
    people = []
    for email, name in (("priya@agency.example", "Priya Shah"), ("dana@agency.example", ""), ("dana.k@agency.example", "")):
        row = example("UserListRow", id=str(uuid.uuid4()))
        row["user_details"].update(email=email, name=name)
        people.append(row)
    users = example("UsersListResponse")
    users["active_users"]["active_users"] = people
    crm_http.router.get("/api/users/").respond(json=users)
    assert await client._profile_id("priya") == people[0]["id"]  # her name's first word and her email's
    with pytest.raises(NotFound, match="no active CRM user 'Dana'"):
        await client._profile_id("Dana")  # two users are called Dana: which one is not guessed


async def test_merge_uses_the_merge_endpoint_and_a_repeat_is_done(crm_http: CrmHTTP, client: CrmClient) -> None:
    keep, dupe = lead(), lead(first_name="M.", email="m.lopez@casaverde.mx")
    router = crm_http.router
    router.get("/api/leads/", params={"email": "maria@casaverde.mx"}).respond(json=lead_list(keep))
    router.get("/api/leads/", params={"email": "m.lopez@casaverde.mx"}).mock(side_effect=[
        httpx.Response(200, json=lead_list(dupe)), httpx.Response(200, json=lead_list())])
    merge = router.post(f"/api/leads/{keep['id']}/merge/").respond(json=example("MergeResponse", id=keep["id"]))
    first = await client.record_merge("lead", keep="maria@casaverde.mx", merge=["m.lopez@casaverde.mx"])
    again = await client.record_merge("lead", keep="maria@casaverde.mx", merge=["m.lopez@casaverde.mx"])
    assert json.loads(merge.calls[0].request.content) == {"merge_id": dupe["id"]}
    assert (len(first["merged"]), again["merged"], again["already_gone"]) == (1, [], ["m.lopez@casaverde.mx"])


async def test_delete_removes_the_notes_first_and_missing_counts_as_deleted(crm_http: CrmHTTP,
                                                                           client: CrmClient) -> None:
    row = lead()
    note = example("LeadComment", comment="Call notes")
    router = crm_http.router
    router.get(f"/api/leads/{row['id']}/").mock(side_effect=[
        httpx.Response(200, json=detail("lead", row)), httpx.Response(200, json=detail("lead", row, comments=[note])),
        httpx.Response(404, json={"detail": "No Lead matches the given query."})])
    drop_note = router.delete(f"/api/leads/comment/{note['id']}/").respond(json=example("LeadCommentDeleteResponse"))
    drop = router.delete(f"/api/leads/{row['id']}/").respond(json=example("LeadDeleteResponse"))
    result = await client.record_delete("lead", row["id"], reason="erasure request")
    again = await client.record_delete("lead", row["id"], reason="erasure request")
    assert drop_note.called and drop.called and result["notes_deleted"] == 1
    assert (again["deleted"], again["already_gone"]) == (False, True)


# --- errors, retries, secrets ----------------------------------------------------------------------


async def test_validation_envelope_names_the_tool_argument(crm_http: CrmHTTP, client: CrmClient) -> None:
    deal = example("OpportunityList", name="Beanbar - Ads", stage="PROPOSAL", stage_kind="open")
    listing = example("OpportunityListResponse", opportunities=[deal])
    crm_http.router.get("/api/opportunities/").respond(json=listing)
    crm_http.router.patch(f"/api/opportunities/{deal['id']}/").respond(400, json={
        "error": True, "errors": {"closed_on": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}})
    with pytest.raises(InvalidRequest) as caught:
        await client.opportunity_update("Beanbar - Ads", close_date="2026-12-31")
    assert (caught.value.field, caught.value.status) == ("close_date", 400)


async def test_an_error_flag_on_a_200_is_a_failure(crm_http: CrmHTTP, client: CrmClient) -> None:
    crm_http.router.get("/api/leads/").respond(json=lead_list())
    crm_http.router.post("/api/leads/").respond(200, json=example(
        "LeadCreateResponse", error=True, message="A lead with these details already exists."))
    with pytest.raises(Conflict) as caught:
        await client.lead_create(first_name="Ana", email="ana@tacos.example")
    assert "already exists" in caught.value.message


@pytest.mark.parametrize(("status", "body", "error", "field"), [
    (401, {"detail": "Authentication credentials were not provided."}, AuthError, None),
    (403, {"detail": "Organization context is required"}, AuthError, None),
    (404, {"detail": "No Lead matches the given query."}, NotFound, "lead"),
])
async def test_auth_and_missing_records_are_typed(crm_http: CrmHTTP, client: CrmClient, status: int,
                                                  body: dict[str, Any], error: type[Exception], field: str | None) -> None:
    lead_id = str(uuid.uuid4())
    crm_http.router.get(f"/api/leads/{lead_id}/").respond(status, json=body)
    with pytest.raises(error) as caught:
        await client.lead_search(lead=lead_id)
    assert getattr(caught.value, "field", None) == field


async def test_reads_retry_on_502_and_429_with_retry_after(crm_http: CrmHTTP, client: CrmClient,
                                                           sleeps: list[float]) -> None:
    crm_http.router.get("/api/leads/").mock(side_effect=[
        httpx.Response(502), httpx.Response(429, headers={"Retry-After": "4"}), httpx.Response(200, json=lead_list())])
    assert await client.lead_search() == []
    assert len(sleeps) == 2 and sleeps[1] == 4.0


@pytest.mark.parametrize(("status", "error"), [(503, Unavailable), (429, RateLimited)])
async def test_creates_are_never_retried(crm_http: CrmHTTP, client: CrmClient, sleeps: list[float],
                                         status: int, error: type[Exception]) -> None:
    crm_http.router.get("/api/leads/").respond(json=lead_list())
    create = crm_http.router.post("/api/leads/").respond(status, headers={"Retry-After": "1"})
    with pytest.raises(error):
        await client.lead_create(first_name="Ana", email="ana@tacos.example")
    assert create.call_count == 1 and sleeps == []


async def test_deletes_are_retried_and_patches_are_not(crm_http: CrmHTTP, client: CrmClient,
                                                        sleeps: list[float]) -> None:
    row = lead()
    router = crm_http.router
    router.get(f"/api/leads/{row['id']}/").respond(json=detail("lead", row))
    drop = router.delete(f"/api/leads/{row['id']}/").mock(side_effect=[
        httpx.ConnectError("reset"), httpx.Response(200, json=example("LeadDeleteResponse"))])
    patch = router.patch(f"/api/leads/{row['id']}/").mock(side_effect=httpx.ConnectError("reset"))
    assert (await client.record_delete("lead", row["id"], reason="duplicate"))["deleted"] is True
    with pytest.raises(Unavailable) as caught:
        await client.lead_update(row["id"], status="closed")
    assert (drop.call_count, patch.call_count, len(sleeps)) == (2, 1, 1)
    assert "not retried" in str(caught.value)


async def test_the_token_never_shows(crm_http: CrmHTTP, client: CrmClient, caplog: pytest.LogCaptureFixture,
                                     sleeps: list[float]) -> None:
    caplog.set_level(logging.DEBUG)
    crm_http.router.get("/api/leads/").respond(503)
    crm_http.router.get("/api/contacts/").respond(401, json={"detail": "Invalid token."})
    for call in (client.lead_search(), client.contact_search()):
        with pytest.raises((Unavailable, AuthError)) as caught:
            await call
        assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
    assert TOKEN not in repr(client) and TOKEN not in caplog.text


def test_the_checks_catch_what_the_spec_forbids() -> None:
    missing_token = httpx.Request("POST", f"{BASE}/api/leads/", json={"first_name": "A"})
    no_id = httpx.Response(200, json={"error": False, "message": "Lead Created Successfully"})
    assert len(spec_problems(crm_spec(), missing_token, no_id)) == 2
