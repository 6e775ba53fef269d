"""The CRM interface: CrmClient against the sandbox stand-in and a real django-crm 1.35.0 (BottleCRM).

Both backends start alike: the real server from `servers/crm/bootstrap.py` (an organisation, an
admin who owns the token, a sales user, a lead pipeline New, Qualified, Won, custom fields
`budget` on leads and `contract_end` on accounts), the stand-in seeded with `SEED` below to
match. Every test creates records with names of its own, so the tests do not depend on their
order (the real server lives for the whole session).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from adapters.crm import CrmClient
from adapters.errors import AuthError, InvalidRequest, NotFound
from bootstrap import stand_ins
from runtime.settings import Settings
from runtime.wiring import crm as crm_wiring
from sandbox.crm import CrmStore
from tests.conformance.conftest import SANDBOX, real_or_sandbox
from tests.integration.servers.crm.server import ADMIN_EMAIL, SALES_EMAIL

TODAY = datetime.now(UTC).date()
SEED: dict[str, Any] = {
    "users": [{"email": ADMIN_EMAIL, "name": "Ada Admin", "role": "ADMIN"},
              {"email": SALES_EMAIL, "name": "Sam Seller", "role": "USER"}],
    "lead_stages": [["New", None], ["Qualified", "in process"], ["Won", "converted"]],
    "custom_fields": [{"target_model": "Lead", "key": "budget", "label": "Budget", "field_type": "text"}],
}

Connect = Callable[[str | None], CrmClient]


@pytest.fixture(params=real_or_sandbox())
def connect(request: pytest.FixtureRequest) -> Connect:
    """Builds a client of the backend, as the runtime does; with a token, one holding that token."""
    if request.param == SANDBOX:
        store = CrmStore()
        store.seed(SEED)

        def sandbox(token: str | None = None) -> CrmClient:
            if token is None:
                return stand_ins.crm_client(Settings(), store)
            app = stand_ins.crm_app(Settings(), store)
            return CrmClient("http://crm.sandbox", token, transport=httpx.ASGITransport(app=app))

        return sandbox
    server = request.getfixturevalue("crm_server")

    def real(token: str | None = None) -> CrmClient:
        client = crm_wiring.real_client(Settings(crm_url=server.url, crm_token=SecretStr(token or server.token)),
                                        "tenant-conformance")
        assert client is not None
        return client

    return real


@pytest.fixture
async def crm(connect: Connect) -> AsyncIterator[CrmClient]:
    async with connect(None) as client:
        yield client


# --- leads -----------------------------------------------------------------------------------------


async def test_lead_create_is_create_if_absent_and_searchable(crm: CrmClient) -> None:
    lead = await crm.lead_create("Maria", "Lopez", email="maria@acme.test", company_name="Acme", source="email",
                                 industry="technology", opportunity_amount=1200, tags=["vip"])
    assert (lead["name"], lead["email"], lead["company_name"], lead["source"], lead["existing"]) == (
        "Maria Lopez", "maria@acme.test", "Acme", "email", False)
    assert (lead["industry"], lead["opportunity_amount"], lead["tags"], lead["owners"]) == (
        "TECHNOLOGY", 1200.0, ["vip"], [])
    again = await crm.lead_create("Maria", "Lopez", email="MARIA@acme.test")
    assert (again["id"], again["existing"]) == (lead["id"], True)
    nameless = await crm.lead_create("John", "Smith", company_name="Globex")  # no email: name and company
    assert (await crm.lead_create("John", "Smith", company_name="Globex"))["id"] == nameless["id"]

    assert [row["id"] for row in await crm.lead_search(query="Maria")] == [lead["id"]]
    assert lead["id"] in {row["id"] for row in await crm.lead_search(tag="vip")}
    assert await crm.lead_search(tag="no-such-tag") == []
    assert (await crm.lead_search(lead="maria@acme.test"))[0]["id"] == lead["id"]
    assert {lead["id"], nameless["id"]} <= {row["id"] for row in await crm.lead_search(limit=100)}


async def test_lead_update_status_stage_follow_up_tags_fields_and_reason(crm: CrmClient) -> None:
    await crm.lead_create("Nina", "Park", email="nina@parkco.test", company_name="Park & Co", tags=["webinar"])
    follow_up = TODAY + timedelta(days=3)
    updated = await crm.lead_update("nina@parkco.test", status="in process", next_follow_up=follow_up,
                                    add_tags=["spring"], fields={"job_title": "CTO", "budget": "high"},
                                    reason="Called her, she wants a demo")
    assert (updated["status"], updated["next_follow_up"], updated["job_title"]) == (
        "in process", follow_up.isoformat(), "CTO")
    assert sorted(updated["tags"]) == ["spring", "webinar"]
    assert updated["custom_fields"]["budget"] == "high"
    staged = await crm.lead_update("nina@parkco.test", stage="Qualified")
    assert staged["stage"] == "Qualified"
    notes = await crm.note_list("lead:nina@parkco.test")
    assert [(n["body"], n["author"]) for n in notes] == [("Called her, she wants a demo", ADMIN_EMAIL)]
    with pytest.raises(NotFound) as unknown:
        await crm.lead_update("nina@parkco.test", stage="Negotiating")
    assert unknown.value.field == "stage" and "New, Qualified, Won" in unknown.value.message
    with pytest.raises(InvalidRequest) as dedicated:
        await crm.lead_update("nina@parkco.test", fields={"rating": "HOT"})
    assert dedicated.value.field == "fields"
    with pytest.raises(InvalidRequest) as undefined:  # django-crm would drop it silently and answer success
        await crm.lead_update("nina@parkco.test", fields={"favourite_colour": "teal"})
    assert undefined.value.field == "custom_fields" and "budget" in undefined.value.message


async def test_lead_scoring_and_assignment(crm: CrmClient) -> None:
    await crm.lead_create("Omar", "Haddad", email="omar@dunes.test", company_name="Dunes")
    scored = await crm.lead_score_update("omar@dunes.test", 82, rating="hot", reasons=["big budget", "fast reply"])
    assert (scored["score"], scored["rating"], scored["score_reasons"]) == (82, "HOT", ["big budget", "fast reply"])
    again = await crm.lead_score_update("omar@dunes.test", 82, rating="hot", reasons=["big budget", "fast reply"])
    assert (again["score"], again["rating"]) == (82, "HOT")
    assert "omar@dunes.test" in {row["email"] for row in await crm.lead_search(min_score=80)}
    assert "omar@dunes.test" not in {row["email"] for row in await crm.lead_search(unscored=True)}
    with pytest.raises(InvalidRequest):
        await crm.lead_score_update("omar@dunes.test", 101)

    assigned = await crm.lead_assign("omar@dunes.test", SALES_EMAIL, reason="His region")
    assert (assigned["owner"], assigned["owners"], assigned["status"]) == (SALES_EMAIL, [SALES_EMAIL], "assigned")
    assert "omar@dunes.test" in {row["email"] for row in await crm.lead_search(owner=SALES_EMAIL)}
    assert "omar@dunes.test" not in {row["email"] for row in await crm.lead_search(unassigned=True)}
    with pytest.raises(NotFound):
        await crm.lead_assign("omar@dunes.test", "nobody@example.com")


async def test_lead_conversion_creates_account_contact_and_deal(crm: CrmClient) -> None:
    await crm.lead_create("Greta", "Lind", email="greta@nordic.test", company_name="Nordic Mugs")
    close = TODAY + timedelta(days=30)
    converted = await crm.lead_convert("greta@nordic.test", amount=5000, close_date=close, probability=40)
    assert converted["already_converted"] is False
    assert converted["account"]["name"] == "Nordic Mugs"
    assert (converted["contact"]["email"], converted["contact"]["name"]) == ("greta@nordic.test", "Greta Lind")
    assert converted["opportunity"]["amount"] == 5000.0
    assert converted["opportunity"]["account_id"] == converted["account"]["id"]
    repeat = await crm.lead_convert("greta@nordic.test")
    assert repeat["already_converted"] is True
    assert (repeat["account"]["id"], repeat["contact"]["id"]) == (converted["account"]["id"], converted["contact"]["id"])
    assert "greta@nordic.test" not in {row["email"] for row in await crm.lead_search(limit=100)}


# --- contacts and accounts ---------------------------------------------------------------------------


async def test_account_upsert_by_domain_and_search(crm: CrmClient) -> None:
    created = await crm.account_upsert("Initech", website="https://initech.test", industry="technology",
                                       city="Austin", country="US", add_tags=["enterprise", "renewal"],
                                       fields={"contract_end": "2027-06-30"})
    assert (created["created"], created["website"], created["industry"], created["city"]) == (
        True, "https://initech.test", "TECHNOLOGY", "Austin")
    assert created["custom_fields"] == {"contract_end": "2027-06-30"}
    assert sorted(created["tags"]) == ["enterprise", "renewal"]
    updated = await crm.account_upsert("Initech Inc", website="initech.test", phone="+15550001111",
                                       remove_tags=["renewal"])
    assert (updated["id"], updated["created"], updated["phone"], updated["tags"]) == (
        created["id"], False, "+15550001111", ["enterprise"])
    assert [a["id"] for a in await crm.account_search(query="Initech")] == [created["id"]]
    assert created["id"] in {a["id"] for a in await crm.account_search(tag="enterprise")}
    assert created["id"] in {a["id"] for a in await crm.account_search(industry="technology")}
    assert created["id"] not in {a["id"] for a in await crm.account_search(inactive_days=1)}


async def test_contact_upsert_and_search(crm: CrmClient) -> None:
    await crm.account_upsert("Umbrella", website="umbrella.test")
    created = await crm.contact_upsert("lee.chen@umbrella.test", phone="+15551234567", title="Buyer",
                                       tags=["newsletter"])
    assert (created["created"], created["name"], created["title"], created["tags"]) == (
        True, "Lee Chen", "Buyer", ["newsletter"])  # names guessed from the email
    linked = await crm.contact_upsert("lee.chen@umbrella.test", department="Purchasing", account="Umbrella")
    assert (linked["id"], linked["created"], linked["department"], linked["account"]) == (
        created["id"], False, "Purchasing", "Umbrella")
    assert [c["id"] for c in await crm.contact_search(email="LEE.CHEN@umbrella.test")] == [created["id"]]
    assert [c["id"] for c in await crm.contact_search(account="Umbrella")] == [created["id"]]
    assert created["id"] in {c["id"] for c in await crm.contact_search(query="Chen")}


# --- deals -------------------------------------------------------------------------------------------


async def test_opportunity_create_search_update_and_close(crm: CrmClient) -> None:
    await crm.account_upsert("Hooli", website="hooli.test")
    close = TODAY + timedelta(days=20)
    deal = await crm.opportunity_create("Hooli", "Hooli renewal", close_date=close, amount=9000, probability=30)
    assert (deal["name"], deal["account"], deal["stage"], deal["status"], deal["amount"], deal["close_date"]) == (
        "Hooli renewal", "Hooli", "Prospecting", "open", 9000.0, close.isoformat())
    assert (await crm.opportunity_create("Hooli", "Hooli renewal", close_date=close))["existing"] is True
    assert [d["id"] for d in await crm.opportunity_search(account="Hooli")] == [deal["id"]]

    updated = await crm.opportunity_update("Hooli renewal", amount=9500, probability=60, stage="proposal")
    assert (updated["amount"], updated["probability"], updated["stage"]) == (9500.0, 60, "Proposal")
    assert deal["id"] in {d["id"] for d in await crm.opportunity_search(stage="Proposal")}
    with pytest.raises(InvalidRequest) as bad_stage:
        await crm.opportunity_update("Hooli renewal", stage="Dreaming")
    assert bad_stage.value.field == "stage" and "Closed Won" in bad_stage.value.message

    lost = await crm.opportunity_update("Hooli renewal", stage="lost", lost_reason="Chose a competitor")
    assert (lost["stage"], lost["status"]) == ("Closed Lost", "lost")
    assert [n["body"] for n in await crm.note_list(f"opportunity:{deal['id']}")] == ["Chose a competitor"]


# --- tasks and notes ---------------------------------------------------------------------------------


async def test_tasks_linked_to_records_are_created_once_listed_and_completed(crm: CrmClient) -> None:
    await crm.contact_upsert("ana.silva@tasks.test", first_name="Ana", last_name="Silva")
    await crm.account_upsert("Taskers", website="taskers.test")
    due = TODAY + timedelta(days=1)
    call = await crm.task_create("Call Ana", due=due, owner=SALES_EMAIL, priority="High",
                                 related_to="contact:ana.silva@tasks.test", description="About the renewal")
    assert (call["title"], call["owner"], call["priority"], call["due"], call["existing"]) == (
        "Call Ana", SALES_EMAIL, "High", due.isoformat(), False)
    assert call["related_to"] == "contact:ana.silva@tasks.test"
    repeat = await crm.task_create("Call Ana", due=due, owner=SALES_EMAIL, related_to="contact:ana.silva@tasks.test")
    assert (repeat["id"], repeat["existing"]) == (call["id"], True)
    review = await crm.task_create("Review Taskers", due=due, related_to="account:Taskers")
    assert review["related_to"] == "account:Taskers"
    chore = await crm.task_create("Old chore", due=TODAY - timedelta(days=3))
    assert chore["overdue"] is True

    assert [t["id"] for t in await crm.task_list(related_to="contact:ana.silva@tasks.test")] == [call["id"]]
    assert [t["id"] for t in await crm.task_list(related_to="account:Taskers")] == [review["id"]]
    assert chore["id"] in {t["id"] for t in await crm.task_list(overdue=True)}
    assert call["id"] in {t["id"] for t in await crm.task_list(owner=SALES_EMAIL)}
    assert call["id"] not in {t["id"] for t in await crm.task_list(due_before=TODAY)}

    done = await crm.task_update(call["id"], status="Completed")
    assert (done["id"], done["status"]) == (call["id"], "Completed")
    moved = await crm.task_update("Review Taskers", due=TODAY + timedelta(days=7), priority="Low", owner=SALES_EMAIL)
    assert (moved["due"], moved["priority"], moved["owner"]) == ((TODAY + timedelta(days=7)).isoformat(), "Low",
                                                                SALES_EMAIL)


async def test_notes_are_stored_once_and_listed_newest_first(crm: CrmClient) -> None:
    await crm.account_upsert("Notable", website="notable.test")
    first = await crm.note_add("account:Notable", "Met at the fair")
    assert (first["body"], first["author"], first["existing"]) == ("Met at the fair", ADMIN_EMAIL, False)
    assert (await crm.note_add("account:Notable", "Met at the fair"))["existing"] is True
    await crm.note_add("account:Notable", "Sent the price list")
    notes = await crm.note_list("account:Notable")
    assert [n["body"] for n in notes] == ["Sent the price list", "Met at the fair"]
    assert [n["body"] for n in await crm.note_list("account:Notable", limit=1)] == ["Sent the price list"]


# --- maintenance and errors --------------------------------------------------------------------------


async def test_merge_and_delete_records(crm: CrmClient) -> None:
    keep = await crm.contact_upsert("pat.doe@merge.test", first_name="Pat", last_name="Doe")
    dup = await crm.contact_upsert("pat.doe2@merge.test", first_name="Pat", last_name="Doe")
    merged = await crm.record_merge("contact", "pat.doe@merge.test", ["pat.doe2@merge.test"])
    assert (merged["done"], merged["keep"]["id"], [m["id"] for m in merged["merged"]]) == (True, keep["id"], [dup["id"]])
    assert (await crm.record_merge("contact", "pat.doe@merge.test", [dup["id"]]))["already_gone"] == [dup["id"]]
    assert await crm.contact_search(email="pat.doe2@merge.test") == []

    lead = await crm.lead_create("Spam", "Bot", email="spam@bots.test")
    deleted = await crm.record_delete("lead", "spam@bots.test", reason="spam")
    assert (deleted["id"], deleted["deleted"], deleted["already_gone"]) == (lead["id"], True, False)
    assert (await crm.record_delete("lead", "spam@bots.test", reason="spam"))["already_gone"] is True
    assert await crm.lead_search(query="spam@bots.test") == []


@pytest.mark.parametrize(("call", "error", "field"), [
    (lambda c: c.lead_update("nobody@nowhere.example", status="closed"), NotFound, "lead"),
    (lambda c: c.opportunity_create(account="No Such Co", name="x", close_date=TODAY), NotFound, "account"),
    (lambda c: c.task_create(title="x", due=TODAY, related_to="account:No Such Co"), NotFound, "related_to"),
    (lambda c: c.lead_create(first_name="Bad", email="not-an-email"), InvalidRequest, "email"),
])
async def test_refusals_name_the_field(crm: CrmClient, call: Any, error: type[Exception], field: str) -> None:
    with pytest.raises(error) as caught:
        await call(crm)
    assert getattr(caught.value, "field", None) == field


async def test_a_wrong_token_is_an_auth_error(connect: Connect) -> None:
    async with connect("bcrm_pat_not-a-real-token") as client:
        with pytest.raises(AuthError) as caught:
            await client.lead_search()
    # django-crm answers an unknown token 403 "Organization context is required"; so does the stand-in
    assert caught.value.status == 403 and "bcrm_pat_not-a-real-token" not in str(caught.value)
