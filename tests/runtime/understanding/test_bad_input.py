"""Bad input to the offline planner: a clear answer or one question, nothing planned that was not asked for.

The planner runs as the Brain runs it: entity linking against the tenant's records read through the real
adapters from the sandbox stand-ins."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from agents.registry import load_specs
from bootstrap import client_factory
from runtime.planner.base import Plan, PlanningContext
from runtime.planner.offline import OfflinePlanner
from runtime.settings import Settings
from runtime.understanding.guard import MAX_CHARS, unreadable, vocabulary
from runtime.understanding.records import TenantRecords
from tests.conftest import SHARED
from tools.registry import default_registry

TENANT = "acme"
SPECS = {spec.id: spec for spec in load_specs()}


@pytest.fixture
async def planner(tmp_path: Path) -> AsyncIterator[OfflinePlanner]:
    factory = client_factory(Settings(home=tmp_path / "brain", specs_dir=SHARED / "specs", redis_url=None, model=None))
    factory.sandbox_store("saleor", TENANT, seed_demo=False).seed({"products": [
        {"name": "Oak Board", "price": 30.0, "sku": "OAK-1", "category": "Kitchen"},
        {"name": "Red Mug", "price": 12.0, "sku": "MUG-R", "category": "Kitchen"},
        {"name": "Blue Mug", "price": 12.0, "sku": "MUG-B", "category": "Kitchen"},
    ]})
    yield OfflinePlanner(default_registry(), records=TenantRecords(factory.for_tenant))
    await factory.aclose()


async def _plan(planner: OfflinePlanner, agent: str, request: str) -> Plan:
    return await planner.aplan(PlanningContext(agent=SPECS[agent], request=request, step=1, results=[], tenant=TENANT))


@pytest.mark.parametrize(("request_text", "answer"), [
    ("", "The request is empty: tell me what you would like done."),
    ("   \n ", "The request is empty: tell me what you would like done."),
    ("🙂🙂🔥 !!", "I could not find any words in that request. Please say in words what you would like done."),
    ("Cambia el precio del tablero de roble a 20 dólares",
     "I could not understand that request offline; I read requests written in English. Could you say it in English?"),
    ("ऑर्डर 1042 को अभी रद्द करो",
     "I could not understand that request offline; I read requests written in English. Could you say it in English?"),
])
@pytest.mark.parametrize("agent", ["product_lifecycle_manager", "lead_assignment", "page_publisher"])
async def test_unreadable_requests_get_an_answer_and_no_calls(planner: OfflinePlanner, agent: str, request_text: str,
                                                              answer: str) -> None:
    assert await _plan(planner, agent, request_text) == Plan(answer=answer, confidence=0.0)


async def test_a_very_long_request_is_answered_at_once(planner: OfflinePlanner) -> None:
    started = time.perf_counter()
    plan = await _plan(planner, "product_lifecycle_manager", "unpublish the Oak Board " * 834)
    assert time.perf_counter() - started < 1.0
    assert plan.calls == [] and plan.answer is not None and "20,015 characters" in plan.answer
    assert f"{MAX_CHARS:,}" in plan.answer


async def test_two_objects_one_missing_plans_nothing_and_names_it(planner: OfflinePlanner) -> None:
    plan = await _plan(planner, "product_lifecycle_manager", "unpublish the Oak Board and the Walnut Tray")
    assert plan == Plan(answer="I found no product named 'Walnut Tray' in the store. Nothing was changed; check the name "
                               "and ask again.", confidence=0.0)


async def test_two_objects_both_there_are_linked(planner: OfflinePlanner) -> None:
    plan = await _plan(planner, "product_lifecycle_manager", "unpublish the oak boards and the Red Mug")
    assert [(c.tool, c.args) for c in plan.calls] == [("saleor.product_unpublish", {"product": "Oak Board"}),
                                                      ("saleor.product_unpublish", {"product": "Red Mug"})]


async def test_a_name_fitting_several_records_is_one_question(planner: OfflinePlanner) -> None:
    plan = await _plan(planner, "product_catalog_manager", "put the mug in the Summer collection")
    assert plan == Plan(answer="Which product do you mean: 'Blue Mug' or 'Red Mug'?", confidence=0.0)


def test_names_and_codes_do_not_count_as_foreign_words() -> None:
    known = vocabulary(["change the price of a product"])
    assert unreadable("change the price of Café Olé Tostado to 20", known) is None
    assert unreadable("handle the Casa Verde thing", known) is None  # too few plain words to judge
