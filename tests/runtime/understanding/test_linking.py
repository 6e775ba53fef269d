"""Entity linking of planned calls against a tenant's records, read through the real adapters from the
sandbox stand-ins: names become the records' exact names, several fits become one question, a name
that fits nothing stops a write with a plain answer, and the cache is read again after a write."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bootstrap import client_factory
from runtime.planner.base import Plan, PlannedCall
from runtime.settings import Settings
from runtime.understanding.linking import link_plan, wrote
from runtime.understanding.records import TenantRecords
from runtime.wiring import ClientFactory
from tests.conftest import SHARED
from tools.registry import default_registry

TOOLS = default_registry()
TENANT = "acme"


@pytest.fixture
async def factory(tmp_path: Path) -> AsyncIterator[ClientFactory]:
    made = client_factory(Settings(home=tmp_path / "brain", specs_dir=SHARED / "specs", redis_url=None, model=None))
    store = made.sandbox_store("saleor", TENANT, seed_demo=False)
    store.seed({"products": [
        {"name": "Oak Board", "price": 30.0, "sku": "OAK-1", "category": "Kitchen"},
        {"name": "Red Mug", "price": 12.0, "sku": "MUG-R", "category": "Kitchen"},
        {"name": "Blue Mug", "price": 12.0, "sku": "MUG-B", "category": "Kitchen"},
    ]})
    yield made
    await made.aclose()


def _plan(*calls: tuple[str, dict[str, object]]) -> Plan:
    return Plan(calls=[PlannedCall(f"1.{i}", tool, dict(args)) for i, (tool, args) in enumerate(calls)], confidence=0.95)


async def test_names_become_the_records_names(factory: ClientFactory) -> None:
    records = TenantRecords(factory.for_tenant)
    plan = _plan(("saleor.product_update", {"product": "oak boards", "price": 31}),
                 ("saleor.collection_add_products", {"collection": "Summer", "products": ["red mugs", "the Oak Board photos"]}))
    linked = await link_plan(plan, TENANT, records, TOOLS)
    assert [(c.tool, c.args) for c in linked.calls] == [
        ("saleor.product_update", {"product": "Oak Board", "price": 31.0}),
        ("saleor.collection_add_products", {"collection": "Summer", "products": ["Red Mug", "Oak Board"]}),
    ]
    assert linked.confidence == 0.95
    assert records.reads == 2  # products and collections, once each


async def test_several_fits_become_one_question(factory: ClientFactory) -> None:
    linked = await link_plan(_plan(("saleor.product_publish", {"product": "the mug"})), TENANT,
                             TenantRecords(factory.for_tenant), TOOLS)
    assert linked == Plan(answer="Which product do you mean: 'Blue Mug' or 'Red Mug'?", confidence=0.0)


async def test_a_missing_record_stops_the_write_and_is_named(factory: ClientFactory) -> None:
    plan = _plan(("saleor.product_unpublish", {"product": "Oak Board"}), ("saleor.product_unpublish", {"product": "Walnut Tray"}))
    linked = await link_plan(plan, TENANT, TenantRecords(factory.for_tenant), TOOLS)
    assert linked.calls == []
    assert linked.answer == "I found no product named 'Walnut Tray' in the store. Nothing was changed; check the name and ask again."


async def test_a_search_keeps_text_that_names_nothing(factory: ClientFactory) -> None:
    plan = _plan(("saleor.product_search", {"query": "walnut things"}), ("saleor.product_search", {"query": "oak boards"}))
    linked = await link_plan(plan, TENANT, TenantRecords(factory.for_tenant), TOOLS)
    assert [c.args for c in linked.calls] == [{"query": "walnut things", "first": 20}, {"query": "Oak Board", "first": 20}]


async def test_a_fuzzy_fit_lowers_the_confidence(factory: ClientFactory) -> None:
    linked = await link_plan(_plan(("saleor.product_update", {"product": "oak bord", "price": 5})), TENANT,
                             TenantRecords(factory.for_tenant), TOOLS)
    assert linked.calls[0].args["product"] == "Oak Board" and 0.88 <= linked.confidence < 0.95


async def test_records_are_read_again_after_expiry_and_after_a_write(factory: ClientFactory) -> None:
    moments = [0.0]
    records = TenantRecords(factory.for_tenant, ttl=60, clock=lambda: moments[0])
    first = await records.index(TENANT, "product")
    assert first is not None and "Oak Board" in first.names
    await records.index(TENANT, "product")
    assert records.reads == 1
    factory.sandbox_store("saleor", TENANT, seed_demo=False).seed({"products": [{"name": "Walnut Tray", "price": 9.0, "sku": "WT"}]})
    records.invalidate(TENANT)
    again = await records.index(TENANT, "product")
    assert records.reads == 2 and again is not None
    moments[0] = 61.0
    await records.index(TENANT, "product")
    assert records.reads == 3
    assert wrote([{"tool": "saleor.product_update", "status": "ok"}], TOOLS)
    assert not wrote([{"tool": "saleor.product_search", "status": "ok"}, {"tool": "saleor.product_update", "status": "rejected"}], TOOLS)


async def test_an_unreadable_system_links_nothing(tmp_path: Path) -> None:
    def broken(tenant: str) -> dict[str, object]:
        return {}
    records = TenantRecords(broken)
    plan = _plan(("saleor.product_update", {"product": "oak boards", "price": 31}))
    assert await link_plan(plan, TENANT, records, TOOLS) == plan
