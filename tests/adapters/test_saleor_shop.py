"""SaleorClient's customer, voucher, discount, stock and bulk-price tools over respx-mocked HTTP.

Every request is validated against Saleor's real schema when the test ends (`saleor_http`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from adapters.errors import Conflict, InvalidRequest, NotFound
from adapters.saleor import SaleorClient, documents
from adapters.saleor.pricing import new_price
from tests.adapters import test_saleor_client as base
from tests.adapters.saleor_orders_data import MUMBAI, PUNE, answers, money
from tests.adapters.test_saleor_client import CHANNEL, SaleorHTTP

saleor_http = base.saleor_http
app_client = base.app_client

JON = "VXNlcjox"


def red_mug() -> dict[str, Any]:
    """The Red Mug (ProductFields) of the client tests: one variant MUG-RED at 12 USD."""
    answer = base.search_answer({"query": documents.PRODUCTS_SEARCH}, httpx.Request("POST", base.URL))
    node: dict[str, Any] = answer.json()["data"]["products"]["edges"][0]["node"]
    return node


def customer(tags: str = "", orders: list[tuple[str, str, float]] | None = None) -> dict[str, Any]:
    edges = [{"node": {"number": n, "created": f"2026-{n[-2:]}-01T10:00:00+00:00", "status": s,
                       "total": {"gross": money(t)}}} for n, s, t in orders or []]
    return {"id": JON, "email": "jon@example.com", "firstName": "Jon", "lastName": "Miles", "note": None,
            "isActive": True, "dateJoined": "2025-01-01T00:00:00+00:00",
            "metadata": [{"key": "tags", "value": tags}] if tags else [], "defaultShippingAddress": None,
            "defaultBillingAddress": None, "orders": {"totalCount": len(edges), "edges": edges}}


# --- customers -----------------------------------------------------------------------------------


async def test_customer_search_counts_placed_orders_and_filters_tags(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    jon = customer("VIP, wholesale", [("1003", "FULFILLED", 40.0), ("1005", "UNFULFILLED", 20.5),
                                      ("1004", "CANCELED", 99.0), ("1006", "DRAFT", 10.0)])
    other = {**customer(), "id": "VXNlcjoy", "email": "ann@example.com"}
    saleor_http.answer(answers({"Customers": {"customers": {"pageInfo": {"hasNextPage": False, "endCursor": None},
                                                            "edges": [{"node": jon}, {"node": other}]}}}))
    found = await app_client.customer_search(tag="vip", min_orders=2, last_order_after="2026-01-01", min_spent=50)
    assert saleor_http.bodies()[0]["variables"] == {
        "search": None, "first": 100, "after": None,
        "where": {"numberOfOrders": {"range": {"gte": 2}}, "placedOrdersAt": {"gte": "2026-01-01T00:00:00+00:00"}}}
    assert found == [{
        "id": JON, "email": "jon@example.com", "first_name": "Jon", "last_name": "Miles", "name": "Jon Miles",
        "note": None, "tags": ["VIP", "wholesale"], "is_active": True, "joined": "2025-01-01T00:00:00+00:00",
        "city": None, "order_count": 2, "total_spent": 60.5, "currency": "USD",
        "first_order": "2026-03-01T10:00:00+00:00", "last_order": "2026-05-01T10:00:00+00:00",
        "recent_orders": ["1005", "1003"]}]


async def test_customer_update_merges_tags_into_metadata(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    users = iter([customer("VIP, wholesale"), customer("wholesale, do not discount")])
    saleor_http.answer(answers({
        "Customer": lambda variables: {"user": next(users)},
        "CustomerUpdate": {"customerUpdate": {"user": {"id": JON}, "errors": []}},
    }))
    result = await app_client.customer_update("jon@example.com", last_name="Whitaker", add_tags=["Wholesale", "do not discount"],
                                              remove_tags=["vip"])
    assert saleor_http.bodies()[1]["variables"] == {"id": JON, "input": {
        "lastName": "Whitaker", "metadata": [{"key": "tags", "value": "wholesale, do not discount"}]}}
    assert (result["tags"], result["changed"]) == (["wholesale", "do not discount"], ["last_name", "tags"])


async def test_customer_errors_name_the_field(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    error = {"field": "firstName", "code": "INVALID", "message": "Too long."}
    saleor_http.answer(answers({
        "Customer": lambda variables: {"user": customer() if variables["email"] == "jon@example.com" else None},
        "CustomerUpdate": {"customerUpdate": {"user": None, "errors": [error]}},
        "Customers": {"customers": {"pageInfo": {"hasNextPage": False}, "edges": [
            {"node": customer()}, {"node": {**customer(), "email": "jon.m@example.com"}}]}},
    }))
    with pytest.raises(InvalidRequest) as caught:
        await app_client.customer_update("jon@example.com", first_name="J" * 300)
    assert caught.value.field == "first_name"
    with pytest.raises(NotFound) as missing:
        await app_client.customer_update("nobody@example.com", note="x")
    assert missing.value.field == "customer"
    with pytest.raises(InvalidRequest, match="use the email") as ambiguous:
        await app_client.customer_get("Jon Miles")
    assert ambiguous.value.field == "customer"
    with pytest.raises(InvalidRequest) as comma:
        await app_client.customer_update("jon@example.com", add_tags=["a,b"])
    assert comma.value.field == "add_tags"


# --- vouchers and promotions ---------------------------------------------------------------------


def voucher_node(code: str, value: float = 15.0, end: str | None = None, kind: str = "PERCENTAGE") -> dict[str, Any]:
    return {"id": "Vm91Y2hlcjox", "name": code, "type": "ENTIRE_ORDER", "discountValueType": kind,
            "startDate": "2026-01-01T00:00:00+00:00", "endDate": end, "usageLimit": None, "used": 3,
            "applyOncePerCustomer": False, "codes": {"edges": [{"node": {"code": code, "isActive": True, "used": 3}}]},
            "channelListings": [{"channel": CHANNEL, "discountValue": value, "minSpent": money(50.0)}],
            "products": {"edges": []}, "categories": {"edges": [{"node": {"id": "C1", "name": "Kitchen"}}]},
            "collections": {"edges": []}}


async def test_voucher_create_then_channel_listing(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    saleor_http.answer(answers({
        "ChannelBySlug": {"channel": CHANNEL},
        "Vouchers": {"vouchers": {"edges": []}},
        "Categories": {"categories": {"edges": [{"node": {"id": "Q2F0ZWdvcnk6MQ==", "name": "Kitchen", "slug": "kitchen"}}]}},
        "VoucherCreate": {"voucherCreate": {"voucher": {"id": "Vm91Y2hlcjox"}, "errors": []}},
        "VoucherChannelListingUpdate": {"voucherChannelListingUpdate": {"voucher": {"id": "Vm91Y2hlcjox"}, "errors": []}},
        "Voucher": {"voucher": voucher_node("KITCHEN15")},
    }))
    result = await app_client.voucher_create("KITCHEN15", "percentage", value=15, min_spend=50, usage_limit=500,
                                             categories=["Kitchen"], ends_at="2027-04-30T23:59:59Z")
    inputs = [b["variables"] for b in saleor_http.bodies() if b["query"].lstrip().startswith("mutation")]
    assert inputs == [
        {"input": {"name": "KITCHEN15", "addCodes": ["KITCHEN15"], "discountValueType": "PERCENTAGE",
                   "categories": ["Q2F0ZWdvcnk6MQ=="], "type": "SPECIFIC_PRODUCT", "endDate": "2027-04-30T23:59:59+00:00",
                   "usageLimit": 500}},
        {"id": "Vm91Y2hlcjox", "input": {"addChannels": [{"channelId": CHANNEL["id"], "discountValue": 15.0,
                                                          "minAmountSpent": 50.0}]}},
    ]
    assert (result["code"], result["value"], result["min_spend"], result["existing"]) == ("KITCHEN15", 15.0, 50.0, False)


async def test_voucher_repeat_returns_it_and_other_settings_conflict(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    saleor_http.answer(answers({"ChannelBySlug": {"channel": CHANNEL},
                                "Vouchers": {"vouchers": {"edges": [{"node": voucher_node("SPRING15")}]}}}))
    same = await app_client.voucher_create("spring15", "percentage", value=15, min_spend=50, categories=["kitchen"])
    assert same["existing"] is True
    with pytest.raises(Conflict, match="value: has 15.0, asked 20") as caught:
        await app_client.voucher_create("SPRING15", "percentage", value=20)
    assert caught.value.field == "code"
    with pytest.raises(InvalidRequest) as over:
        await app_client.voucher_create("BIG", "percentage", value=150)
    assert over.value.field == "value"
    assert "VoucherCreate" not in saleor_http.operations


async def test_voucher_deactivate_ends_it_now_once(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    nodes = iter([voucher_node("SUMMER20"), voucher_node("SUMMER20", end=past)])
    saleor_http.answer(answers({
        "Vouchers": lambda variables: {"vouchers": {"edges": [{"node": next(nodes)}]}},
        "VoucherUpdate": {"voucherUpdate": {"voucher": {"id": "Vm91Y2hlcjox"}, "errors": []}},
        "Voucher": {"voucher": voucher_node("SUMMER20", end=past)},
    }))
    ended = await app_client.voucher_deactivate("SUMMER20", "leaked")
    sent = saleor_http.bodies()[1]["variables"]
    assert sent["id"] == "Vm91Y2hlcjox" and set(sent["input"]) == {"endDate"}
    assert abs(datetime.fromisoformat(sent["input"]["endDate"]) - datetime.now(UTC)) < timedelta(minutes=1)
    assert (ended["active"], ended["already_ended"], ended["reason"]) == (False, False, "leaked")
    again = await app_client.voucher_deactivate("SUMMER20")
    assert again["already_ended"] is True and saleor_http.operations.count("VoucherUpdate") == 1


async def test_discount_create_is_a_catalogue_promotion(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    promotion = {"id": "UHJvbW90aW9uOjE=", "name": "Kitchen weekend", "type": "CATALOGUE",
                 "startDate": "2026-11-27T00:00:00+00:00", "endDate": "2026-11-30T23:59:59+00:00",
                 "rules": [{"id": "R1", "channels": [CHANNEL], "rewardValueType": "PERCENTAGE", "rewardValue": 20,
                            "cataloguePredicate": {"OR": [{"productPredicate": {"ids": ["UHJvZHVjdDox"]}},
                                                          {"categoryPredicate": {"ids": ["Q2F0ZWdvcnk6MQ=="]}}]}}]}
    saleor_http.answer(answers({
        "Promotions": {"promotions": {"edges": []}},
        "ChannelBySlug": {"channel": CHANNEL},
        "Product": {"product": red_mug()},
        "Categories": {"categories": {"edges": [{"node": {"id": "Q2F0ZWdvcnk6MQ==", "name": "Kitchen", "slug": "kitchen"}}]}},
        "PromotionCreate": {"promotionCreate": {"promotion": promotion, "errors": []}},
    }))
    result = await app_client.discount_create("Kitchen weekend", "percentage", 20, "2026-11-27T00:00:00Z",
                                              products=["red-mug"], categories=["Kitchen"], ends_at="2026-11-30T23:59:59Z")
    assert saleor_http.bodies()[-1]["variables"] == {"input": {
        "name": "Kitchen weekend", "type": "CATALOGUE", "startDate": "2026-11-27T00:00:00+00:00",
        "endDate": "2026-11-30T23:59:59+00:00",
        "rules": [{"name": "Kitchen weekend", "channels": [CHANNEL["id"]], "rewardValueType": "PERCENTAGE",
                   "rewardValue": 20.0, "cataloguePredicate": promotion["rules"][0]["cataloguePredicate"]}]}}
    assert (result["products"], result["categories"], result["value"], result["existing"]) == (
        ["Red Mug"], ["Kitchen"], 20.0, False)
    assert result["targets"]["categories"] == ["Q2F0ZWdvcnk6MQ=="]


async def test_discount_create_needs_targets_and_reuses_a_name(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    existing = {"id": "P9", "name": "Summer Sale", "type": "CATALOGUE", "startDate": "2026-06-01T00:00:00+00:00",
                "endDate": None, "rules": []}
    saleor_http.answer(answers({"Promotions": {"promotions": {"edges": [{"node": existing}]}}}))
    with pytest.raises(InvalidRequest) as caught:
        await app_client.discount_create("Summer Sale", "percentage", 10, "2026-06-01T00:00:00Z")
    assert caught.value.field == "products"
    again = await app_client.discount_create("summer sale", "fixed", 5, "2026-06-01T00:00:00Z", collections=["Summer"])
    assert (again["existing"], again["id"]) == (True, "P9")
    assert saleor_http.operations == ["Promotions"]


# --- stock ---------------------------------------------------------------------------------------


def stock_variant(sku: str, stocks: list[tuple[dict[str, Any], int, int]]) -> dict[str, Any]:
    return {"id": f"V-{sku}", "sku": sku, "name": sku, "product": {"id": "P1", "name": sku.title()},
            "stocks": [{"warehouse": w, "quantity": q, "quantityAllocated": a} for w, q, a in stocks]}


async def test_stock_list_pages_and_keeps_low_rows(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    pages = iter([
        {"productVariants": {"pageInfo": {"hasNextPage": True, "endCursor": "c1"},
                             "edges": [{"node": stock_variant("MUG", [(PUNE, 12, 4), (MUMBAI, 50, 0)])}]}},
        {"productVariants": {"pageInfo": {"hasNextPage": False, "endCursor": None},
                             "edges": [{"node": stock_variant("BOTTLE", [])}]}},
    ])
    saleor_http.answer(answers({"Stocks": lambda variables: next(pages)}))
    rows = await app_client.stock_list(below=10)
    assert rows == [
        {"sku": "MUG", "product": "Mug", "variant": "MUG", "warehouse": "Pune", "quantity": 12, "allocated": 4, "available": 8},
        {"sku": "BOTTLE", "product": "Bottle", "variant": "BOTTLE", "warehouse": None, "quantity": 0, "allocated": 0,
         "available": 0},
    ]


async def test_stock_update_sets_an_absolute_count(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    variants = iter([stock_variant("MUG", [(PUNE, 12, 4)]), stock_variant("MUG", [(PUNE, 12, 4), (MUMBAI, 200, 0)])])
    saleor_http.answer(answers({
        "Warehouses": {"warehouses": {"edges": [{"node": PUNE}, {"node": MUMBAI}]}},
        "StockBySku": lambda variables: {"productVariant": next(variants)},
        "VariantStocksUpdate": {"productVariantStocksUpdate": {"productVariant": {"id": "V-MUG"}, "errors": []}},
    }))
    result = await app_client.stock_update("MUG", "Mumbai", 200, reason="delivery")
    assert saleor_http.bodies()[2]["variables"] == {"sku": "MUG", "stocks": [{"warehouse": MUMBAI["id"], "quantity": 200}]}
    assert (result["warehouse"], result["quantity"], result["previous"], result["reason"]) == ("Mumbai", 200, 0, "delivery")


async def test_stock_errors_name_the_field(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    saleor_http.answer(answers({"Warehouses": {"warehouses": {"edges": [{"node": PUNE}, {"node": MUMBAI}]}},
                                "StockBySku": {"productVariant": None}}))
    with pytest.raises(NotFound, match="warehouses: Mumbai, Pune") as warehouse:
        await app_client.stock_update("MUG", "main", 5)
    assert warehouse.value.field == "warehouse"
    with pytest.raises(NotFound) as sku:
        await app_client.stock_update("NOPE", "pune", 5)
    assert sku.value.field == "sku"


# --- bulk prices ---------------------------------------------------------------------------------


def test_new_price_rounds_to_the_step_then_cents() -> None:
    assert new_price(12.0, -25, None, 0.5) == 9.0
    assert new_price(19.99, 10, None, None) == 21.99
    assert new_price(10.0, 5, None, None) == 10.5
    assert new_price(None, 10, None, None) is None
    assert new_price(None, None, 7.25, 0.5) == 7.5


async def test_price_bulk_update_over_a_category(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    product = red_mug()
    saleor_http.answer(answers({
        "ChannelBySlug": {"channel": CHANNEL},
        "Categories": {"categories": {"edges": [{"node": {"id": "Q2F0ZWdvcnk6MQ==", "name": "Kitchen", "slug": "kitchen"}}]}},
        "ProductsPage": {"products": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "edges": [{"node": product}]}},
        "ProductVariantChannelListingUpdate": {"productVariantChannelListingUpdate": {"variant": {"id": "x"}, "errors": []}},
    }))
    result = await app_client.price_bulk_update(category="Kitchen", change_percent=-25, round_to=0.5)
    assert saleor_http.bodies()[2]["variables"] == {"where": {"category": {"eq": "Q2F0ZWdvcnk6MQ=="}}, "after": None}
    assert saleor_http.bodies()[-1]["variables"] == {"id": "UHJvZHVjdFZhcmlhbnQ6MQ==",
                                                    "input": [{"channelId": CHANNEL["id"], "price": 9.0}]}
    assert result == {"changes": [{"product": "Red Mug", "sku": "MUG-RED", "old_price": 12.0, "new_price": 9.0}],
                      "count": 1, "skipped": [], "channel": "default-channel", "currency": "USD"}
    with pytest.raises(InvalidRequest) as caught:
        await app_client.price_bulk_update(products=["Red Mug"], change_percent=-100)
    assert caught.value.field == "change_percent"
