"""The Saleor order, customer, voucher, discount, stock and bulk-price tools: each handler through
the real adapter against the Saleor sandbox, with its summary and precondition read."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.errors import AdapterError
from adapters.saleor import SaleorClient
from sandbox.saleor import SaleorStore, create_app
from tools.context import ToolContext
from tools.registry import default_registry
from tools.spec import Risk, ToolResult

SHARED = Path(os.environ.get("BRAIN_SHARED_DIR", Path(__file__).resolve().parents[2].parent / "shared"))
SCHEMA_PATH = SHARED / "specs" / "saleor" / "schema.graphql"
REGISTRY = default_registry()
MINE = ["order_list", "order_get", "order_fulfill", "order_cancel", "order_refund", "draft_order_create",
        "draft_order_complete", "customer_search", "customer_update", "voucher_create", "voucher_deactivate",
        "discount_create", "stock_list", "stock_update", "price_bulk_update"]


@pytest.fixture
def store() -> SaleorStore:
    return SaleorStore.with_demo_data()


@pytest.fixture
async def ctx(store: SaleorStore) -> AsyncIterator[ToolContext]:
    app = create_app(store, schema_path=SCHEMA_PATH)
    async with SaleorClient("http://saleor.sandbox/graphql/", email="staff@example.com", password="sandbox",
                            transport=httpx.ASGITransport(app=app)) as client:
        yield ToolContext(tenant="acme", user="ana", run_id="run-1", clients={"saleor": client})


async def call(ctx: ToolContext, name: str, raw: dict[str, Any]) -> tuple[ToolResult, str]:
    spec = REGISTRY.get(f"saleor.{name}")
    assert spec.handler is not None
    result = await spec.handler(ctx, spec.validate_args(raw))
    return result, spec.describe_result(result)


async def before(ctx: ToolContext, name: str, raw: dict[str, Any]) -> ToolResult:
    spec = REGISTRY.get(f"saleor.{name}")
    assert spec.precondition is not None
    return await spec.precondition(ctx, spec.validate_args(raw))


def dumped(store: SaleorStore, collection: str, key: str) -> dict[str, dict[str, Any]]:
    return {str(row[key]): row for row in store.dump()[collection]}


def test_every_tool_has_a_handler_and_writes_a_precondition() -> None:
    for name in MINE:
        spec = REGISTRY.get(f"saleor.{name}")
        assert spec.handler is not None and spec.summary, name
        if spec.risk is not Risk.READ and name != "draft_order_create":  # a new draft has no target yet
            assert spec.precondition is not None, name
    assert [s.id for s in REGISTRY if s.system == "saleor" and s.handler is None] == []


async def test_order_reads(ctx: ToolContext) -> None:
    listed, line = await call(ctx, "order_list", {"status": "unfulfilled", "customer": "maria@casaverde.mx"})
    assert ([o["number"] for o in listed["orders"]], line) == (["1099"], "Found 1 order(s).")
    order, line = await call(ctx, "order_get", {"order": "1042"})
    assert order["tracking_numbers"] == ["1234567890"]
    assert line == "Order 1042: fulfilled, payment fully_charged, total 51.0 USD."


async def test_order_fulfill_with_its_precondition(store: SaleorStore, ctx: ToolContext) -> None:
    args = {"order": "1099", "warehouse": "Pune", "tracking_number": "BD123456789IN"}
    assert await before(ctx, "order_fulfill", args) == {
        "number": "1099", "status": "unfulfilled", "payment_status": "fully_charged", "charged": 76.0, "refunded": 0.0,
        "refundable": 76.0, "items_fulfilled": 0}
    result, line = await call(ctx, "order_fulfill", args)
    assert line == "Order 1099: fulfilled 3 item(s), now fulfilled."
    assert (await before(ctx, "order_fulfill", args))["status"] == "fulfilled"
    assert dumped(store, "orders", "number")["1099"]["status"] == "fulfilled"


async def test_order_cancel_and_refund(store: SaleorStore, ctx: ToolContext) -> None:
    _, line = await call(ctx, "order_cancel", {"order": "1051", "reason": "customer changed their mind"})
    assert line == "Order 1051 is canceled."
    result, line = await call(ctx, "order_refund", {"order": "1051", "reason": "cancelled order"})
    assert line == "Refunded 43.0 USD on order 1051 (payment fully_refunded)."
    order = dumped(store, "orders", "number")["1051"]
    assert (order["status"], order["payment_status"]) == ("canceled", "fully_refunded")
    with pytest.raises(AdapterError) as caught:
        await call(ctx, "order_refund", {"order": "1038", "amount": 500, "reason": "oops"})
    assert caught.value.field == "amount"


async def test_drafts(store: SaleorStore, ctx: ToolContext) -> None:
    made, line = await call(ctx, "draft_order_create", {
        "customer": "jake@sunrisebakery.com", "lines": [{"sku": "MUG-SPECK", "quantity": 24}, {"sku": "TEE-ORG-M", "quantity": 6}],
        "shipping_method": "Express"})
    assert line == f"Draft order {made['number']} for jake@sunrisebakery.com: 501.0 USD."
    assert await before(ctx, "draft_order_complete", {"draft": "D-88"}) == {"number": "D-88", "status": "draft",
                                                                           "total": 351.0}
    _, line = await call(ctx, "draft_order_complete", {"draft": "D-88"})
    assert line == "Order D-88 is unfulfilled."
    assert dumped(store, "orders", "number")["D-88"]["status"] == "unfulfilled"


async def test_customer_tools(store: SaleorStore, ctx: ToolContext) -> None:
    found, line = await call(ctx, "customer_search", {"tag": "VIP"})
    assert ([c["email"] for c in found["customers"]], line) == (["jon@example.com"], "Found 1 customer(s).")
    args = {"customer": "jon@example.com", "remove_tags": ["VIP"], "add_tags": ["wholesale"]}
    assert await before(ctx, "customer_update", args) == {"email": "jon@example.com", "first_name": "Jon",
                                                          "last_name": "Miles", "note": "Prefers delivery after 6pm",
                                                          "tags": ["VIP"]}
    _, line = await call(ctx, "customer_update", args)
    assert line == "Updated customer jon@example.com (tags: ['wholesale'])."
    assert dumped(store, "customers", "email")["jon@example.com"]["tags"] == ["wholesale"]


async def test_voucher_and_discount_tools(store: SaleorStore, ctx: ToolContext) -> None:
    args = {"code": "MONSOON15", "discount_type": "percentage", "value": 15, "min_spend": 50}
    assert await before(ctx, "voucher_create", args) == {"code": "MONSOON15", "exists": False}
    _, line = await call(ctx, "voucher_create", args)
    assert line == "Voucher MONSOON15: percentage 15.0, active True."
    assert dumped(store, "vouchers", "code")["MONSOON15"]["min_spend"] == 50.0
    assert (await before(ctx, "voucher_deactivate", {"code": "SUMMER20"}))["exists"] is True
    ended, line = await call(ctx, "voucher_deactivate", {"code": "SUMMER20", "reason": "leaked"})
    assert line == f"Code SUMMER20 ended at {ended['ends_at']}."
    sale = {"name": "Kitchen weekend", "discount_type": "percentage", "value": 20, "categories": ["Kitchen"],
            "starts_at": "2026-11-27T00:00:00Z", "ends_at": "2026-11-30T23:59:59Z"}
    assert await before(ctx, "discount_create", sale) == {"name": "Kitchen weekend", "exists": False}
    _, line = await call(ctx, "discount_create", sale)
    assert line == "Discount Kitchen weekend: 20.0 percentage from 2026-11-27T00:00:00+00:00."


async def test_stock_and_price_tools(store: SaleorStore, ctx: ToolContext) -> None:
    rows, line = await call(ctx, "stock_list", {"below": 1, "warehouse": "Pune"})
    assert ([r["sku"] for r in rows["stock"]], line) == (["BOTTLE-STEEL"], "Found 1 stock row(s).")
    args = {"sku": "YOGA-MAT", "warehouse": "Mumbai", "quantity": 84, "reason": "stocktake"}
    assert await before(ctx, "stock_update", args) == {"sku": "YOGA-MAT", "warehouse": "Mumbai", "quantity": 30}
    _, line = await call(ctx, "stock_update", args)
    assert line == "YOGA-MAT at Mumbai: 84 on hand (was 30)."
    bulk = {"category": "Eco Kitchen", "change_percent": 5}
    assert await before(ctx, "price_bulk_update", bulk) == {"prices": [
        {"product": "Bamboo Cutlery Set", "sku": "CUT-BAMBOO", "old_price": 18.5},
        {"product": "Steel Water Bottle", "sku": "BOTTLE-STEEL", "old_price": 22.0}]}
    result, line = await call(ctx, "price_bulk_update", bulk)
    assert line == "Repriced 2 variant(s) in default-channel (USD)."
    products = dumped(store, "products", "name")
    assert (products["Bamboo Cutlery Set"]["price"], products["Steel Water Bottle"]["price"]) == (19.43, 23.1)


def test_argument_checks_name_the_field() -> None:
    from pydantic import ValidationError

    for tool, raw, field in [
        ("price_bulk_update", {"category": "Kitchen", "change_percent": -120}, "change_percent"),
        ("voucher_create", {"code": "X", "discount_type": "percentage", "value": 120}, "percentage"),
        ("order_refund", {"order": "1038", "amount": -5, "reason": "x"}, "amount"),
        ("order_list", {"status": "shipped"}, "status"),
    ]:
        with pytest.raises(ValidationError, match=field):
            REGISTRY.get(f"saleor.{tool}").validate_args(raw)
