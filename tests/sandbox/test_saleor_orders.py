"""The real SaleorClient's order, customer, voucher, discount and stock tools against the Saleor
sandbox, in process over httpx.ASGITransport, with the sandbox executing Saleor's real schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.errors import Conflict, InvalidRequest, NotFound
from adapters.saleor import SaleorClient
from sandbox.saleor import SaleorStore, demo_seed
from tests.sandbox import test_saleor_sandbox as base

# The sandbox fixtures: Saleor's schema built once, a demo store, its app and a staff client.
schema_path = base.schema_path
store = base.store
app = base.app
client = base.client


def rows(store: SaleorStore, collection: str, key: str) -> dict[str, dict[str, Any]]:
    return {str(row[key]): row for row in store.dump()[collection]}


def stock(store: SaleorStore, sku: str, warehouse: str = "Pune") -> tuple[int, int]:
    row = next(r for r in store.dump()["stocks"] if r["sku"] == sku and r["warehouse"] == warehouse)
    return row["quantity"], row["allocated"]


# --- the demo store ------------------------------------------------------------------------------


def test_demo_orders_cover_every_state(store: SaleorStore) -> None:
    orders = rows(store, "orders", "number")
    assert len(orders) >= 10
    assert {o["status"] for o in orders.values()} >= {"unfulfilled", "partially_fulfilled", "fulfilled", "canceled",
                                                      "unconfirmed", "draft"}
    assert {o["payment_status"] for o in orders.values()} >= {"fully_charged", "not_charged", "partially_refunded",
                                                              "pending"}
    late = [n for n, o in orders.items() if o["status"] == "unfulfilled"
            and datetime.fromisoformat(o["created"]) < datetime.now(UTC) - timedelta(days=3)]
    assert late == ["1099"]
    assert orders["1042"]["tracking_number"] == "1234567890"
    assert rows(store, "customers", "email")["jon@example.com"]["tags"] == ["VIP"]
    assert {"SUMMER20", "WELCOME50", "WHOLESALE10"} <= set(rows(store, "vouchers", "code"))


def test_seed_dump_round_trip_with_orders() -> None:
    first = SaleorStore()
    first.seed(demo_seed())
    dumped = first.dump()
    again = SaleorStore()
    again.seed(dumped)
    assert again.dump() == dumped


def test_partial_seed_objects_get_defaults() -> None:
    seeded = SaleorStore()
    seeded.seed({"orders": [{"number": "D-112", "status": "draft", "customer": "hello@glowsalon.in", "total": 288.0},
                            {"number": "1219", "status": "fulfilled", "payment_status": "partially_refunded", "total": 42.0}],
                 "vouchers": [{"code": "FLASH20", "discount_type": "percentage", "value": 20.0}],
                 "customers": [{"email": "maya@studio9.com", "tags": ["VIP"]}]})
    orders = rows(seeded, "orders", "number")
    assert (orders["D-112"]["status"], orders["D-112"]["total"], orders["D-112"]["customer"]) == ("draft", 288.0,
                                                                                                  "hello@glowsalon.in")
    assert (orders["1219"]["payment_status"], orders["1219"]["refunded"], orders["1219"]["customer"]) == (
        "partially_refunded", 21.0, None)
    customers = rows(seeded, "customers", "email")
    assert (customers["hello@glowsalon.in"]["first_name"], customers["maya@studio9.com"]["tags"]) == ("Hello", ["VIP"])
    assert rows(seeded, "vouchers", "code")["FLASH20"]["active"] is True
    with pytest.raises(ValueError, match="status 'shipped'"):
        seeded.seed({"orders": [{"number": "9", "status": "shipped"}]})


# --- orders --------------------------------------------------------------------------------------


async def test_order_list_filters(client: SaleorClient) -> None:
    def numbers(found: list[dict[str, Any]]) -> list[str]:
        return [o["number"] for o in found]

    assert numbers(await client.order_list(status="unfulfilled")) == ["1120", "1099", "1088", "1071", "1051"]
    assert numbers(await client.order_list(status="ready_to_fulfill")) == ["1099", "1088", "1077", "1071", "1051"]
    assert numbers(await client.order_list(payment_status="not_charged")) == ["1120", "1110"]
    assert numbers(await client.order_list(customer="maria@casaverde.mx")) == ["1099", "1060"]
    assert numbers(await client.order_list(customer="Tom Reed")) == ["1077", "1045"]
    week_ago = (datetime.now(UTC) - timedelta(days=5)).date()
    assert numbers(await client.order_list(status="unfulfilled", created_before=week_ago)) == ["1099"]
    assert len(await client.order_list(first=3)) == 3


async def test_fulfil_ships_from_the_warehouse_and_uses_its_stock(store: SaleorStore, client: SaleorClient) -> None:
    assert stock(store, "VASE-BLUE") == (40, 2)
    shipped = await client.order_fulfill("1099", warehouse="Pune", tracking_number="BD123456789IN")
    assert (shipped["status"], shipped["fulfilled_quantity"], shipped["tracking_numbers"]) == (
        "fulfilled", 3, ["BD123456789IN"])
    assert stock(store, "VASE-BLUE") == (39, 1)  # 1088's vase is still held
    assert stock(store, "CUT-BAMBOO") == (58, 6)
    again = await client.order_fulfill("1099")
    assert again["already_fulfilled"] is True
    order = rows(store, "orders", "number")["1099"]
    assert (order["status"], order["tracking_number"], order["warehouse"]) == ("fulfilled", "BD123456789IN", "Pune")


async def test_fulfil_only_some_lines(store: SaleorStore, client: SaleorClient) -> None:
    part = await client.order_fulfill("1088", lines=[{"sku": "MUG-SPECK", "quantity": 2}])
    assert (part["status"], part["fulfilled_now"]) == ("partially_fulfilled", [{"sku": "MUG-SPECK", "quantity": 2}])
    with pytest.raises(InvalidRequest) as caught:
        await client.order_fulfill("1088", lines=[{"sku": "YOGA-MAT", "quantity": 1}])
    assert caught.value.field == "lines"
    with pytest.raises(Conflict) as draft:
        await client.order_fulfill("D-89")
    assert draft.value.field == "order"


async def test_cancel_releases_stock_and_notes_the_reason(store: SaleorStore, client: SaleorClient) -> None:
    assert stock(store, "YOGA-MAT") == (30, 1)
    cancelled = await client.order_cancel("1051", "customer changed their mind")
    assert (cancelled["status"], cancelled["notes"]) == ("canceled", ["Cancelled: customer changed their mind"])
    assert stock(store, "YOGA-MAT") == (30, 0)
    assert (await client.order_cancel("1051", "again"))["already_canceled"] is True
    with pytest.raises(Conflict) as shipped:
        await client.order_cancel("1042", "too late")
    assert shipped.value.field == "order"
    assert rows(store, "orders", "number")["1051"]["status"] == "canceled"


async def test_refunds_move_the_payment_status(store: SaleorStore, client: SaleorClient) -> None:
    part = await client.order_refund("1038", "mug arrived chipped", amount=15)
    assert (part["payment_status"], part["refunded"], part["refundable"], part["refunded_now"]) == (
        "partially_refunded", 15.0, 18.0, 15.0)
    with pytest.raises(InvalidRequest) as caught:
        await client.order_refund("1038", "again", amount=20)
    assert caught.value.field == "amount"
    rest = await client.order_refund("1038", "refund the rest")
    assert (rest["payment_status"], rest["refunded"], rest["refundable"]) == ("fully_refunded", 33.0, 0.0)
    with pytest.raises(Conflict):
        await client.order_refund("1038", "third time")
    lines = await client.order_refund("1060", "it arrived broken", lines=[{"sku": "POUR-CER", "quantity": 1}],
                                      include_shipping=True)
    assert (lines["refunded"], lines["refunds"][-1]["shipping"], lines["refunds"][-1]["reason"]) == (
        47.0, True, "it arrived broken")
    assert rows(store, "orders", "number")["1060"]["payment_status"] == "fully_refunded"


async def test_draft_order_with_a_voucher_then_complete(store: SaleorStore, client: SaleorClient) -> None:
    draft = await client.draft_order_create("cafe@beanbar.com", [{"sku": "VASE-BLUE", "quantity": 3}],
                                            voucher_code="WHOLESALE10", shipping_method="standard", note="call first")
    assert (draft["status"], draft["subtotal"], draft["total"], draft["shipping_address"]["city"]) == (
        "draft", 102.0, 96.8, "Pune")
    done = await client.draft_order_complete(draft["number"])
    assert (done["status"], done["already_completed"]) == ("unfulfilled", False)
    assert rows(store, "vouchers", "code")["WHOLESALE10"]["used"] == 1
    assert stock(store, "VASE-BLUE")[1] == 5
    assert (await client.draft_order_complete("D-88"))["status"] == "unfulfilled"


async def test_draft_order_refusals_name_the_field(client: SaleorClient) -> None:
    with pytest.raises(InvalidRequest) as voucher:
        await client.draft_order_create("cafe@beanbar.com", [{"sku": "COAST-4", "quantity": 1}], voucher_code="WHOLESALE10")
    assert voucher.value.field == "voucher_code"  # below its 100 USD minimum spend
    guest = await client.draft_order_create("walkin@example.com", [{"sku": "COAST-4", "quantity": 1}])
    with pytest.raises(InvalidRequest) as shipping:
        await client.draft_order_complete(guest["number"])
    assert shipping.value.field == "shipping_method"
    with pytest.raises(NotFound) as method:
        await client.draft_order_create("cafe@beanbar.com", [{"sku": "COAST-4", "quantity": 1}], shipping_method="drone")
    assert method.value.field == "shipping_method"


# --- customers, vouchers, discounts --------------------------------------------------------------


async def test_customers_search_and_tags(store: SaleorStore, client: SaleorClient) -> None:
    wholesale = await client.customer_search(tag="wholesale")
    assert [c["email"] for c in wholesale] == ["cafe@beanbar.com", "jake@sunrisebakery.com", "maria@casaverde.mx"]
    assert [c["email"] for c in await client.customer_search(min_orders=2, min_spent=100)] == [
        "jon@example.com", "maria@casaverde.mx", "tom@casaverde.mx"]
    assert [c["email"] for c in await client.customer_search(query="casaverde", min_spent=130)] == ["tom@casaverde.mx"]
    maria = (await client.customer_search(email="maria@casaverde.mx"))[0]
    assert (maria["order_count"], maria["total_spent"], maria["name"]) == (2, 123.0, "Maria Lopez")
    updated = await client.customer_update("jon@example.com", remove_tags=["VIP"], add_tags=["do not discount"],
                                           last_name="Whitaker")
    assert (updated["tags"], updated["last_name"]) == (["do not discount"], "Whitaker")
    assert rows(store, "customers", "email")["jon@example.com"]["tags"] == ["do not discount"]
    assert (await client.customer_get("Tom Reed"))["email"] == "tom@casaverde.mx"


async def test_vouchers_create_repeat_and_end(store: SaleorStore, client: SaleorClient) -> None:
    made = await client.voucher_create("SPRING15", "percentage", value=15, min_spend=50, collections=["Spring"],
                                       ends_at="2027-04-30T23:59:59Z")
    assert (made["existing"], made["applies_to"], made["collections"], made["active"]) == (
        False, "specific_product", ["Spring"], True)
    assert (await client.voucher_create("SPRING15", "percentage", value=15))["existing"] is True
    with pytest.raises(Conflict):
        await client.voucher_create("SPRING15", "fixed", value=15)
    free = await client.voucher_create("FREESHIP", "free_shipping", usage_limit=200)
    assert (free["discount_type"], free["value"], free["usage_limit"]) == ("free_shipping", None, 200)
    ended = await client.voucher_deactivate("SUMMER20", "leaked on a coupon site")
    assert (ended["active"], ended["already_ended"]) == (False, False)
    vouchers = rows(store, "vouchers", "code")
    assert (vouchers["SPRING15"]["min_spend"], vouchers["SUMMER20"]["active"]) == (50.0, False)
    with pytest.raises(NotFound) as missing:
        await client.voucher_deactivate("NOPE")
    assert missing.value.field == "code"


async def test_discount_create_is_stored_as_a_promotion(store: SaleorStore, client: SaleorClient) -> None:
    made = await client.discount_create("Kitchen weekend", "percentage", 20, "2026-11-27T00:00:00Z",
                                        categories=["Kitchen"], ends_at="2026-11-30T23:59:59Z")
    assert (made["existing"], made["categories"], made["value"]) == (False, ["Kitchen"], 20.0)
    assert (await client.discount_create("kitchen weekend", "percentage", 30, "2026-12-01T00:00:00Z",
                                         categories=["Kitchen"]))["existing"] is True
    assert rows(store, "discounts", "name")["Kitchen weekend"]["categories"] == ["Kitchen"]
    with pytest.raises(NotFound) as caught:
        await client.discount_create("Garden", "fixed", 5, "2026-12-01T00:00:00Z", categories=["Garden"])
    assert caught.value.field == "categories"


# --- stock and prices ----------------------------------------------------------------------------


async def test_stock_list_and_update(store: SaleorStore, client: SaleorClient) -> None:
    low = await client.stock_list(below=1, warehouse="Delhi")
    assert [(r["sku"], r["warehouse"], r["available"]) for r in low] == [("BOTTLE-STEEL", "Delhi", 0)]
    mugs = await client.stock_list(product="Speckled Mug")
    assert mugs[0] == {"sku": "MUG-SPECK", "product": "Speckled Mug", "variant": "Speckled Mug", "warehouse": "Pune",
                       "quantity": 60, "allocated": 6, "available": 54}
    assert [(r["warehouse"], r["allocated"]) for r in mugs] == [("Pune", 6), ("Mumbai", 0), ("Delhi", 0), ("Austin", 0)]
    assert [r["sku"] for r in await client.stock_list(product="Yoga Mats", warehouse="Mumbai")] == ["YOGA-MAT"]
    moved = await client.stock_update("MUG-SPECK", "mumbai", 200, reason="delivery")
    assert (moved["quantity"], moved["previous"], moved["warehouse"]) == (200, 60, "Mumbai")
    assert stock(store, "MUG-SPECK", "Mumbai") == (200, 0)
    assert [r["quantity"] for r in await client.stock_list(sku="MUG-SPECK")] == [60, 200, 60, 60]
    with pytest.raises(NotFound) as caught:
        await client.stock_update("MUG-SPECK", "main", 5)
    assert caught.value.field == "warehouse"


async def test_price_bulk_update(store: SaleorStore, client: SaleorClient) -> None:
    result = await client.price_bulk_update(category="Kitchen", change_percent=-25, round_to=0.5)
    assert sorted((c["sku"], c["old_price"], c["new_price"]) for c in result["changes"]) == [
        ("COAST-4", 12.0, 9.0), ("MUG-SPECK", 14.0, 10.5), ("POUR-CER", 42.0, 31.5)]
    products = rows(store, "products", "name")
    assert (products["Speckled Mug"]["price"], products["Blue Vase"]["price"]) == (10.5, 34.0)
    fixed = await client.price_bulk_update(products=["VASE-BLUE", "Yoga Mat"], new_price=30)
    assert [c["new_price"] for c in fixed["changes"]] == [30.0, 30.0]


async def test_sandbox_answers_order_errors_like_saleor(client: SaleorClient) -> None:
    order = await client.order_get("1042")
    cancel = "mutation($id: ID!) { orderCancel(id: $id) { order { id } errors { field code message } } }"
    data = await client.execute(cancel, {"id": order["id"]})
    assert data["orderCancel"] == {"order": None, "errors": [
        {"field": "order", "code": "CANNOT_CANCEL_ORDER", "message": "This order can't be canceled."}]}
    grant = ("mutation($id: ID!, $input: OrderGrantRefundCreateInput!) { orderGrantRefundCreate(id: $id, input: $input) "
             "{ grantedRefund { id } errors { field code } } }")
    data = await client.execute(grant, {"id": order["id"], "input": {"amount": 500, "transactionId": order["payments"][0]["id"]}})
    assert data["orderGrantRefundCreate"] == {"grantedRefund": None,
                                              "errors": [{"field": "amount", "code": "AMOUNT_GREATER_THAN_AVAILABLE"}]}
    with pytest.raises(InvalidRequest, match="hasFulfillments"):
        await client.execute("query { orders(first: 5, where: {hasFulfillments: true}) { edges { node { id } } } }")


async def test_the_example_orders_document_runs_on_the_sandbox(app: Any) -> None:
    login = await base.raw(app, (base.EXAMPLES / "token_create.graphql").read_text(), base.STAFF)
    token = login.json()["data"]["tokenCreate"]["token"]
    listed = await base.raw(app, (base.EXAMPLES / "orders_list.graphql").read_text(), {"first": 20, "search": "1042"}, token)
    [edge] = listed.json()["data"]["orders"]["edges"]
    assert edge["node"]["number"] == "1042" and edge["node"]["userEmail"] == "jon@example.com"
    assert edge["node"]["total"]["gross"] == {"amount": 51.0, "currency": "USD"}
