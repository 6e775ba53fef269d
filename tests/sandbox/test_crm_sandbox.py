"""The real CrmClient against the CRM sandbox app, in process, over the demo CRM.

What any django-crm must do is in `tests/conformance/test_crm.py`, run against this stand-in and
a real server; here are the checks of the demo data, the store and the sandbox's own tokens.

Every successful exchange (request and answer) is validated against django-crm 1.35's OpenAPI
document, as in the adapter tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.crm import CrmClient
from adapters.errors import AuthError, InvalidRequest, NotFound
from sandbox.crm import SANDBOX_TOKEN, CrmStore, create_app
from tests.adapters.test_crm_client import crm_spec
from tests.adapters.test_wagtail_client import spec_problems

URL = "http://crm.sandbox"


class Checked(httpx.AsyncBaseTransport):
    """Records every exchange with the app, to validate it against the CRM's OpenAPI document."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self.exchanges.append((request, response))
        return response

    def problems(self) -> list[str]:
        found: list[str] = []
        for request, response in self.exchanges:
            if response.status_code < 400:  # refusals are asserted by the tests that provoke them
                found += spec_problems(crm_spec(), request, response)
        return found


@pytest.fixture
def store() -> CrmStore:
    return CrmStore.with_demo_data()


@pytest.fixture
def checked(store: CrmStore) -> Iterator[Checked]:
    crm_spec()
    transport = Checked(httpx.ASGITransport(app=create_app(store)))
    yield transport
    assert transport.exchanges and transport.problems() == []


@pytest.fixture
async def client(checked: Checked) -> AsyncIterator[CrmClient]:
    async with CrmClient(URL, SANDBOX_TOKEN, transport=checked, backoff=0) as crm:
        yield crm


def dumped(store: CrmStore, collection: str, key: str) -> dict[str, dict[str, Any]]:
    return {str(row[key]): row for row in store.dump()[collection]}


# --- leads -----------------------------------------------------------------------------------------


async def test_lead_search_filters(client: CrmClient) -> None:
    hot = await client.lead_search(rating="HOT")
    assert [(lead["name"], lead["score"], lead["stage"], lead["owner"]) for lead in hot] == [
        ("Maria Lopez", 82, "Qualified", "priya@agency.example")]
    unscored = {lead["name"] for lead in await client.lead_search(unscored=True)}
    assert {"Sofia Alvarez", "Leo Martin"} <= unscored and "Maria Lopez" not in unscored
    assert {lead["name"] for lead in await client.lead_search(unassigned=True)} >= {"Sofia Alvarez", "Omar Haddad"}
    assert {lead["name"] for lead in await client.lead_search(min_score=60)} == {"Nina Park", "Maria Lopez"}
    assert [lead["name"] for lead in await client.lead_search(query="sunrise")] == ["Omar Haddad"]
    assert [lead["company_name"] for lead in await client.lead_search(owner="Sam Okafor", status="assigned")] == ["Beanbar"]
    assert [lead["name"] for lead in await client.lead_search(tag="seo")] == ["Maria Lopez"]


async def test_lead_lifecycle(client: CrmClient, store: CrmStore) -> None:
    created = await client.lead_create(first_name="Ana", last_name="Diaz", email="ana@tacos.example",
                                       company_name="Tacos Ana", source="website", opportunity_amount=900,
                                       tags=["seo"], title="SEO package inquiry")
    again = await client.lead_create(first_name="Ana", email="ana@tacos.example")
    assert (created["existing"], again["existing"], again["id"]) == (False, True, created["id"])
    updated = await client.lead_update("ana@tacos.example", status="in process", stage="Contacted",
                                       next_follow_up=date(2026, 12, 1), add_tags=["restaurant"],
                                       fields={"city": "Puebla"}, reason="Called: wants a quote")
    assert (updated["status"], updated["stage"], sorted(updated["tags"])) == ("in process", "Contacted", ["restaurant", "seo"])
    scored = await client.lead_score_update("Ana Diaz", score=74, rating="WARM", reasons=["Owner", "Budget stated"])
    assert (scored["score"], scored["rating"], scored["score_reasons"]) == (74, "WARM", ["Owner", "Budget stated"])
    assigned = await client.lead_assign("ana@tacos.example", owner="Sam Okafor", reason="Sam covers Puebla")
    assert (assigned["owner"], assigned["status"]) == ("sam@agency.example", "assigned")
    saved = dumped(store, "leads", "email")["ana@tacos.example"]
    assert (saved["score"], saved["stage"], saved["owner"], saved["next_follow_up"]) == (
        74, "Contacted", "sam@agency.example", "2026-12-01")
    notes = await client.note_list("lead:ana@tacos.example")
    assert [n["body"] for n in notes] == ["Sam covers Puebla", "Called: wants a quote"]

    converted = await client.lead_convert("ana@tacos.example", amount=1200, close_date=date(2027, 1, 15))
    assert (converted["account"]["name"], converted["contact"]["email"], converted["opportunity"]["amount"]) == (
        "Tacos Ana", "ana@tacos.example", 1200.0)
    repeat = await client.lead_convert("ana@tacos.example")
    assert repeat["already_converted"] is True and repeat["account"]["id"] == converted["account"]["id"]
    assert dumped(store, "leads", "email")["ana@tacos.example"]["status"] == "converted"
    assert "Tacos Ana" in dumped(store, "accounts", "name")


# --- contacts, accounts, deals ---------------------------------------------------------------------


async def test_contacts_and_accounts_are_upserted_by_key(client: CrmClient, store: CrmStore) -> None:
    made = await client.contact_upsert(email="chef.lopez@casaverde.mx", title="Head Chef", account="Casa Verde",
                                       tags=["kitchen"])
    changed = await client.contact_upsert(email="CHEF.LOPEZ@casaverde.mx", phone="+52 55 0000 1111")
    assert (made["created"], changed["created"], changed["id"]) == (True, False, made["id"])
    assert (changed["name"], changed["account"], changed["phone"], changed["tags"]) == (
        "Chef Lopez", "Casa Verde", "+52 55 0000 1111", ["kitchen"])
    at_casa = {c["email"] for c in await client.contact_search(account="casaverde.mx")}
    assert at_casa == {"hola@casaverde.mx", "chef.lopez@casaverde.mx"}

    account = await client.account_upsert(name="Sol Foods", website="solfoods.example", industry="Food & Beverage",
                                          add_tags=["prospect"], fields={"contract_end": "2027-06-30"})
    renamed = await client.account_upsert(name="Sol Foods S.A.", website="https://www.solfoods.example",
                                          employees=40, owner="dana@agency.example", add_tags=["client"],
                                          remove_tags=["prospect"])
    assert (account["created"], renamed["created"], renamed["id"]) == (True, False, account["id"])
    assert (renamed["name"], renamed["employees"], renamed["owner"], renamed["tags"]) == (
        "Sol Foods S.A.", 40, "dana@agency.example", ["client"])
    clients = {a["name"] for a in await client.account_search(tag="client")}
    assert clients == {"Casa Verde", "Beanbar", "Sol Foods S.A."}
    quiet = {a["name"] for a in await client.account_search(inactive_days=60)}
    assert "Northside Dental" in quiet and "Beanbar" not in quiet
    assert dumped(store, "accounts", "name")["Sol Foods S.A."]["fields"] == {"contract_end": "2027-06-30"}


async def test_deals_are_created_once_and_closed_by_stage(client: CrmClient, store: CrmStore) -> None:
    stalled = {d["name"] for d in await client.opportunity_search(stalled=True)}
    assert stalled == {"Beanbar - Google Ads"}
    deal = await client.opportunity_create(account="Glow Salon", name="Glow Salon - Ads", close_date=date(2027, 2, 1),
                                           amount=900, stage="Proposal", type="UPSELL", owner="Priya Shah")
    again = await client.opportunity_create(account="Glow Salon", name="glow salon - ads", close_date=date(2027, 3, 1))
    assert (deal["existing"], again["existing"], again["id"]) == (False, True, deal["id"])
    assert (deal["stage"], deal["amount"], deal["owner"], deal["type"]) == ("Proposal", 900.0, "priya@agency.example", "UPSELL")
    lost = await client.opportunity_update("Glow Salon - Ads", stage="lost", lost_reason="Chose another agency")
    assert (lost["stage"], lost["status"]) == ("Closed Lost", "lost")
    opened = {d["name"] for d in await client.opportunity_search(status="open", account="Glow Salon")}
    assert opened == {"Glow Salon - Local SEO"}
    saved = dumped(store, "opportunities", "name")["Glow Salon - Ads"]
    assert (saved["status"], saved["close_date"]) == ("lost", "2027-02-01")
    assert [n["body"] for n in await client.note_list("deal:Glow Salon - Ads")] == ["Chose another agency"]


# --- tasks and notes -------------------------------------------------------------------------------


async def test_tasks_and_notes(client: CrmClient, store: CrmStore) -> None:
    overdue = {t["title"] for t in await client.task_list(overdue=True)}
    assert overdue == {"Call Maria about the SEO proposal", "Send Beanbar the Ads report"}
    due = datetime.now(UTC).date() + timedelta(days=3)
    task = await client.task_create(title="Send Sol Foods a proposal", due=due, owner="sam@agency.example",
                                    priority="High", related_to="lead:sofia@solfoods.example")
    again = await client.task_create(title="Send Sol Foods a proposal", due=due, owner="sam@agency.example",
                                     priority="High", related_to="lead:sofia@solfoods.example")
    assert (task["existing"], again["existing"], again["id"], task["related_to"]) == (
        False, True, task["id"], "lead:Sofia Alvarez")
    mine = {t["title"] for t in await client.task_list(owner="Sam Okafor", related_to="lead:sofia@solfoods.example")}
    assert mine == {"Send Sol Foods a proposal"}
    done = await client.task_update("Send Sol Foods a proposal", status="Completed", priority="Low")
    assert (done["status"], done["priority"]) == ("Completed", "Low")
    assert dumped(store, "tasks", "title")["Send Sol Foods a proposal"]["status"] == "Completed"

    note = await client.note_add("account:Beanbar", "Meeting: wants Ads for the second location.")
    repeat = await client.note_add("Beanbar", "Meeting: wants Ads for the second location.")
    assert (note["existing"], repeat["existing"], repeat["id"]) == (False, True, note["id"])
    notes = await client.note_list("account:Beanbar", since=datetime.now(UTC).date())
    assert [n["body"] for n in notes] == ["Meeting: wants Ads for the second location."]


async def test_merge_and_delete_are_done_once(client: CrmClient, store: CrmStore) -> None:
    await client.contact_upsert(email="lucia.ramos@casaverde.mx", first_name="Lucia", last_name="Ramos")
    await client.note_add("contact:lucia.ramos@casaverde.mx", "Prefers WhatsApp.")
    merged = await client.record_merge("contact", keep="hola@casaverde.mx", merge=["lucia.ramos@casaverde.mx"])
    again = await client.record_merge("contact", keep="hola@casaverde.mx", merge=["lucia.ramos@casaverde.mx"])
    assert (len(merged["merged"]), again["already_gone"]) == (1, ["lucia.ramos@casaverde.mx"])
    assert [n["body"] for n in await client.note_list("contact:hola@casaverde.mx")] == ["Prefers WhatsApp."]

    deleted = await client.record_delete("lead", "maria@casaverde.mx", reason="privacy erasure request")
    repeat = await client.record_delete("lead", "maria@casaverde.mx", reason="privacy erasure request")
    assert (deleted["deleted"], deleted["notes_deleted"], repeat["already_gone"]) == (True, 1, True)
    assert "maria@casaverde.mx" not in dumped(store, "leads", "email")
    assert not [n for n in store.dump()["notes"] if n["related_to"] == "lead:maria@casaverde.mx"]


# --- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("call", "error", "field"), [
    (lambda c: c.lead_assign("maria@casaverde.mx", owner="nobody@agency.example"), NotFound, "owner"),
    (lambda c: c.lead_update("maria@casaverde.mx", stage="Dreaming"), NotFound, "stage"),
    (lambda c: c.lead_update("maria@casaverde.mx", fields={"score": 99}), InvalidRequest, "fields"),
    (lambda c: c.opportunity_update("Beanbar - Google Ads", stage="Dreaming"), InvalidRequest, "stage"),
    (lambda c: c.lead_update("maria@casaverde.mx", fields={"budget": "big"}), InvalidRequest, "custom_fields"),
])
async def test_refusals_name_the_field(client: CrmClient, call: Any, error: type[Exception], field: str) -> None:
    with pytest.raises(error) as caught:
        await call(client)
    assert getattr(caught.value, "field", None) == field


async def test_a_token_without_an_organisation_is_refused(store: CrmStore) -> None:
    token, status = "bcrm_pat_no_org", 403  # a wrong token: tests/conformance/test_crm.py
    app = create_app(store, orgless_token="bcrm_pat_no_org")
    async with CrmClient(URL, token, transport=httpx.ASGITransport(app=app)) as crm:
        with pytest.raises(AuthError) as caught:
            await crm.lead_search()
    assert caught.value.status == status and token not in str(caught.value)


# --- the store -------------------------------------------------------------------------------------


async def test_two_stores_on_one_path_share_the_crm(tmp_path: Path) -> None:
    path = tmp_path / "crm.json"
    first = CrmStore.with_demo_data(path)
    async with CrmClient(URL, SANDBOX_TOKEN, transport=httpx.ASGITransport(app=create_app(first))) as crm:
        await crm.lead_score_update("omar@sunrisebakery.example", score=55, rating="WARM")
    second = CrmStore(path)
    assert dumped(second, "leads", "email")["omar@sunrisebakery.example"]["score"] == 55
    assert len(CrmStore.with_demo_data(path).dump()["leads"]) == len(first.dump()["leads"])


def test_seed_and_dump_round_trip(store: CrmStore) -> None:
    before = store.dump()
    store.reset()
    assert all(rows == [] for rows in store.dump().values())
    store.seed(before)
    after = store.dump()
    for collection in ("leads", "contacts", "accounts", "opportunities", "tasks", "notes"):
        strip = [{k: v for k, v in row.items() if k not in ("id", "created_at")} for row in before[collection]]
        assert [{k: v for k, v in row.items() if k not in ("id", "created_at")} for row in after[collection]] == strip, collection
    store.seed({"leads": [{"email": "maria@casaverde.mx", "status": "closed"}]})
    assert dumped(store, "leads", "email")["maria@casaverde.mx"]["status"] == "closed"


def test_partial_records_name_accounts_that_are_made_with_defaults(store: CrmStore) -> None:
    """An eval setup names only what its case is about: a contact's or a deal's account that no
    record lists is made (name only), not refused."""
    store.seed({"contacts": [{"email": "ines@harbourkiln.example", "first_name": "Ines", "account": "Harbour Kiln"}],
                "opportunities": [{"name": "Kiln refit", "account": "Tidewater Glass", "amount": 900}]})
    accounts = dumped(store, "accounts", "name")
    assert (accounts["Harbour Kiln"]["is_active"], accounts["Tidewater Glass"]["is_active"]) == (True, True)
    assert dumped(store, "contacts", "email")["ines@harbourkiln.example"]["account"] == "Harbour Kiln"
    assert dumped(store, "opportunities", "name")["Kiln refit"]["account"] == "Tidewater Glass"
