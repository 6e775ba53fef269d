"""SaleorClient's order tools over respx-mocked HTTP: list, get, fulfil, cancel, refund, drafts.

Every request is validated against Saleor's real schema when the test ends (`saleor_http`).
"""

from __future__ import annotations

from typing import Any

import pytest

from adapters.errors import Conflict, InvalidRequest, NotFound
from adapters.saleor import SaleorClient, documents, order_documents, shop_documents
from tests.adapters import test_saleor_client as base
from tests.adapters.saleor_orders_data import (
    LINE_MUG,
    LINE_VASE,
    MUMBAI,
    ORDER_ID,
    PUNE,
    TRANSACTION,
    answers,
    by_number,
    line,
    money,
    order_node,
)
from tests.adapters.test_saleor_client import CHANNEL, SaleorHTTP

# The shared respx endpoint (every request checked against the schema) and an app-token client.
saleor_http = base.saleor_http
app_client = base.app_client


def test_new_documents_are_part_of_all_documents() -> None:
    assert set(order_documents.DOCUMENTS) | set(shop_documents.DOCUMENTS) <= set(documents.ALL_DOCUMENTS)
    assert len(order_documents.DOCUMENTS) + len(shop_documents.DOCUMENTS) == 28


# --- order_list --------------------------------------------------------------------------------


async def test_order_list_filters_with_where(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    saleor_http.answer(answers({
        "ChannelBySlug": {"channel": CHANNEL},
        "Orders": {"orders": {"totalCount": 1, "pageInfo": {"hasNextPage": False, "endCursor": None},
                              "edges": [{"node": order_node("1099")}]}},
    }))
    found = await app_client.order_list(status="ready_to_fulfill", customer="maria@casaverde.mx",
                                        created_after="2026-11-01", created_before="2026-11-30", channel="default-channel",
                                        first=5)
    assert saleor_http.bodies()[-1]["variables"] == {
        "where": {
            "status": {"oneOf": ["UNFULFILLED", "PARTIALLY_FULFILLED"]},
            "chargeStatus": {"oneOf": ["FULL", "OVERCHARGED"]},
            "userEmail": {"eq": "maria@casaverde.mx"},
            "createdAt": {"gte": "2026-11-01T00:00:00+00:00", "lte": "2026-11-30T23:59:59.999999+00:00"},
            "channelId": {"eq": CHANNEL["id"]},
        },
        "search": None, "first": 5, "after": None,
    }
    assert found == [{
        "id": ORDER_ID, "number": "1099", "status": "unfulfilled", "payment_status": "fully_charged",
        "charge_status": "full", "created": "2026-11-20T10:00:00+00:00", "customer": "jon@example.com",
        "customer_name": "Jon Miles", "channel": "default-channel", "total": 67.0, "currency": "USD", "charged": 67.0,
        "refunded": 0.0, "items": 3, "items_fulfilled": 0,
    }]


async def test_order_list_checks_payment_status_on_each_order_across_pages(
    saleor_http: SaleorHTTP, app_client: SaleorClient
) -> None:
    pages = iter([
        {"orders": {"totalCount": 3, "pageInfo": {"hasNextPage": True, "endCursor": "c1"},
                    "edges": [{"node": order_node("1120", payment_status="NOT_CHARGED")},
                              {"node": order_node("1119")}]}},
        {"orders": {"totalCount": 3, "pageInfo": {"hasNextPage": False, "endCursor": "c2"},
                    "edges": [{"node": order_node("1101", payment_status="NOT_CHARGED")}]}},
    ])
    saleor_http.answer(answers({"Orders": lambda variables: next(pages)}))
    found = await app_client.order_list(payment_status="not_charged", customer="Maria Lopez", first=2)
    assert [o["number"] for o in found] == ["1120", "1101"]
    assert [b["variables"]["after"] for b in saleor_http.bodies()] == [None, "c1"]
    assert saleor_http.bodies()[0]["variables"]["search"] == "Maria Lopez"


async def test_order_list_refuses_an_unknown_status_before_asking(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await app_client.order_list(status="shipped")
    assert caught.value.field == "status"
    assert saleor_http.operations == []


# --- order_get -----------------------------------------------------------------------------------


async def test_order_get_by_number_then_drafts(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    saleor_http.answer(answers({"OrderByNumber": by_number(None),
                                "DraftOrderByNumber": by_number(order_node("88", "DRAFT"), "draftOrders")}))
    order = await app_client.order_get("D-88")
    assert (order["number"], order["status"], order["refundable"]) == ("88", "draft", 67.0)
    assert [b["variables"] for b in saleor_http.bodies()] == [{"number": 88}, {"number": 88}]
    assert order["lines"][0] == {"id": LINE_MUG, "sku": "MUG-RED", "product": "Mug-Red", "variant": None,
                                 "quantity": 2, "quantity_fulfilled": 0, "quantity_to_fulfill": 2, "unit_price": 14.0,
                                 "total": 28.0, "allocated_in": ["Pune"]}


async def test_unknown_order_is_not_found_naming_the_field(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    saleor_http.answer(answers({"OrderByNumber": by_number(None), "DraftOrderByNumber": by_number(None, "draftOrders")}))
    with pytest.raises(NotFound) as caught:
        await app_client.order_get("#4040")
    assert caught.value.field == "order"
    with pytest.raises(InvalidRequest) as bad:
        await app_client.order_get("the blue one")
    assert bad.value.field == "order"


# --- order_fulfill -------------------------------------------------------------------------------


async def test_fulfil_everything_from_its_allocations(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    fulfilled = order_node(status="FULFILLED", lines=[line(LINE_MUG, "MUG-RED", 2, 14.0, 2), line(LINE_VASE, "VASE-BLUE", 1, 34.0, 1)])
    saleor_http.answer(answers({
        "OrderByNumber": by_number(order_node()),
        "OrderFulfill": {"orderFulfill": {"fulfillments": [{"id": "F1", "fulfillmentOrder": 1, "trackingNumber": "DHL1"}],
                                          "order": {"id": ORDER_ID}, "errors": []}},
        "OrderById": {"order": fulfilled},
    }))
    result = await app_client.order_fulfill("1042", tracking_number="DHL1", notify_customer=False)
    assert saleor_http.operations == ["OrderByNumber", "OrderFulfill", "OrderById"]
    assert saleor_http.bodies()[1]["variables"] == {"order": ORDER_ID, "input": {
        "lines": [{"orderLineId": LINE_MUG, "stocks": [{"warehouse": PUNE["id"], "quantity": 2}]},
                  {"orderLineId": LINE_VASE, "stocks": [{"warehouse": PUNE["id"], "quantity": 1}]}],
        "notifyCustomer": False, "trackingNumber": "DHL1"}}
    assert (result["status"], result["fulfilled_quantity"], result["already_fulfilled"]) == ("fulfilled", 3, False)


async def test_fulfil_given_lines_from_a_named_warehouse(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    saleor_http.answer(answers({
        "OrderByNumber": by_number(order_node(lines=[line(LINE_MUG, "MUG-RED", 4, 14.0, 1)])),
        "Warehouses": {"warehouses": {"edges": [{"node": PUNE}, {"node": MUMBAI}]}},
        "OrderFulfill": {"orderFulfill": {"fulfillments": [], "order": {"id": ORDER_ID}, "errors": []}},
        "OrderById": {"order": order_node(status="PARTIALLY_FULFILLED")},
    }))
    result = await app_client.order_fulfill("1042", lines=[{"sku": "mug-red", "quantity": 5}], warehouse="mumbai")
    assert saleor_http.bodies()[2]["variables"]["input"]["lines"] == [
        {"orderLineId": LINE_MUG, "stocks": [{"warehouse": MUMBAI["id"], "quantity": 3}]}]  # only 3 were left
    assert result["fulfilled_now"] == [{"sku": "MUG-RED", "quantity": 3}]


async def test_fulfil_a_fulfilled_order_is_a_no_op(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    done = order_node(status="FULFILLED", lines=[line(LINE_MUG, "MUG-RED", 2, 14.0, 2)])
    saleor_http.answer(answers({"OrderByNumber": by_number(done)}))
    result = await app_client.order_fulfill("1042")
    assert (result["already_fulfilled"], result["fulfilled_quantity"]) == (True, 0)
    assert saleor_http.operations == ["OrderByNumber"]


async def test_fulfil_errors_name_the_tool_field(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    error = {"field": "orderLineId", "code": "FULFILL_ORDER_LINE", "message": "Only 1 items can be fulfilled."}
    saleor_http.answer(answers({
        "OrderByNumber": by_number(order_node()),
        "OrderFulfill": {"orderFulfill": {"fulfillments": None, "order": None, "errors": [error]}},
    }))
    with pytest.raises(InvalidRequest, match="FULFILL_ORDER_LINE") as caught:
        await app_client.order_fulfill("1042")
    assert caught.value.field == "lines"
    with pytest.raises(InvalidRequest) as unknown:
        await app_client.order_fulfill("1042", lines=[{"sku": "TEA-POT", "quantity": 1}])
    assert unknown.value.field == "lines" and "MUG-RED, VASE-BLUE" in str(unknown.value)


async def test_an_unpaid_line_without_allocation_needs_a_warehouse(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    saleor_http.answer(answers({"OrderByNumber": by_number(order_node(lines=[line(LINE_MUG, "MUG-RED", 1, 14.0, warehouse=None)]))}))
    with pytest.raises(InvalidRequest) as caught:
        await app_client.order_fulfill("1042")
    assert caught.value.field == "warehouse"


# --- order_cancel --------------------------------------------------------------------------------


async def test_cancel_then_note_the_reason(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    saleor_http.answer(answers({
        "OrderByNumber": by_number(order_node()),
        "OrderCancel": {"orderCancel": {"order": {"id": ORDER_ID, "status": "CANCELED"}, "errors": []}},
        "OrderNoteAdd": {"orderNoteAdd": {"event": {"id": "E1"}, "errors": []}},
        "OrderById": {"order": order_node(status="CANCELED")},
    }))
    result = await app_client.order_cancel("1042", "customer changed their mind")
    assert saleor_http.operations == ["OrderByNumber", "OrderCancel", "OrderNoteAdd", "OrderById"]
    assert saleor_http.bodies()[2]["variables"] == {"order": ORDER_ID, "message": "Cancelled: customer changed their mind"}
    assert (result["status"], result["already_canceled"], result["reason"]) == ("canceled", False, "customer changed their mind")


async def test_cancel_refuses_a_shipped_order_and_repeats_quietly(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    shipped = order_node(status="FULFILLED", fulfillments=[{"id": "F1", "fulfillmentOrder": 1, "status": "FULFILLED",
                                                           "trackingNumber": "", "created": None, "warehouse": PUNE, "lines": []}])
    nodes = iter([shipped, order_node(status="CANCELED")])
    saleor_http.answer(answers({"OrderByNumber": lambda variables: by_number(next(nodes))}))
    with pytest.raises(Conflict) as caught:
        await app_client.order_cancel("1042", "too late")
    assert caught.value.field == "order" and "refund" in str(caught.value)
    again = await app_client.order_cancel("1042", "twice")
    assert again["already_canceled"] is True
    assert saleor_http.operations == ["OrderByNumber", "OrderByNumber"]


# --- order_refund --------------------------------------------------------------------------------


async def test_refund_an_amount_through_the_transaction(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    saleor_http.answer(answers({
        "OrderByNumber": by_number(order_node()),
        "OrderGrantRefundCreate": {"orderGrantRefundCreate": {"grantedRefund": {"id": "G1", "amount": money(15.0),
                                                                                "status": "NONE"}, "errors": []}},
        "TransactionRequestRefundForGrantedRefund": {"transactionRequestRefundForGrantedRefund": {
            "transaction": {"id": TRANSACTION, "refundedAmount": money(15.0), "refundPendingAmount": money(0.0)},
            "errors": []}},
        "OrderById": {"order": order_node(refunded=15.0, payment_status="PARTIALLY_REFUNDED")},
    }))
    result = await app_client.order_refund("1042", "mug arrived chipped", amount=15)
    assert saleor_http.bodies()[1]["variables"] == {"id": ORDER_ID, "input": {
        "reason": "mug arrived chipped", "amount": 15.0, "transactionId": TRANSACTION}}
    assert saleor_http.bodies()[2]["variables"] == {"grantedRefundId": "G1"}
    assert (result["refunded_now"], result["payment_status"], result["refundable"]) == (15.0, "partially_refunded", 52.0)


async def test_refund_lines_with_shipping(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    saleor_http.answer(answers({
        "OrderByNumber": by_number(order_node()),
        "OrderGrantRefundCreate": {"orderGrantRefundCreate": {"grantedRefund": {"id": "G2", "amount": money(19.0),
                                                                                "status": "NONE"}, "errors": []}},
        "TransactionRequestRefundForGrantedRefund": {"transactionRequestRefundForGrantedRefund": {
            "transaction": None, "errors": []}},
        "OrderById": {"order": order_node(refunded=19.0)},
    }))
    result = await app_client.order_refund("1042", "broken", lines=[{"sku": "MUG-RED", "quantity": 1}], include_shipping=True)
    assert saleor_http.bodies()[1]["variables"]["input"] == {
        "reason": "broken", "lines": [{"id": LINE_MUG, "quantity": 1}], "grantRefundForShipping": True,
        "transactionId": TRANSACTION}
    assert result["refunded_now"] == 19.0


async def test_refund_above_what_is_left_is_refused_before_any_write(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    saleor_http.answer(answers({"OrderByNumber": by_number(order_node(refunded=60.0))}))
    with pytest.raises(InvalidRequest, match="more than the 7 USD") as caught:
        await app_client.order_refund("1042", "again", amount=15)
    assert caught.value.field == "amount"
    with pytest.raises(InvalidRequest) as too_many:
        await app_client.order_refund("1042", "again", lines=[{"sku": "MUG-RED", "quantity": 3}])
    assert too_many.value.field == "lines"
    assert saleor_http.operations == ["OrderByNumber", "OrderByNumber"]


async def test_refund_everything_left_and_grant_errors(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    error = {"field": "amount", "code": "AMOUNT_GREATER_THAN_AVAILABLE", "message": "Too much."}
    saleor_http.answer(answers({
        "OrderByNumber": by_number(order_node(refunded=7.0)),
        "OrderGrantRefundCreate": {"orderGrantRefundCreate": {"grantedRefund": None, "errors": [error]}},
    }))
    with pytest.raises(InvalidRequest, match="AMOUNT_GREATER_THAN_AVAILABLE") as caught:
        await app_client.order_refund("1042", "lost", include_shipping=False)
    assert caught.value.field == "amount"
    assert saleor_http.bodies()[1]["variables"]["input"] == {"reason": "lost", "amount": 55.0, "transactionId": TRANSACTION}


async def test_refund_through_a_legacy_payment(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    payment = {"id": "UGF5bWVudDox", "gateway": "mirumee.payments.dummy", "isActive": True, "chargeStatus": "FULLY_CHARGED",
               "capturedAmount": money(67.0), "availableRefundAmount": money(67.0)}
    saleor_http.answer(answers({
        "OrderByNumber": by_number(order_node(payments=[payment])),
        "OrderRefundLegacy": {"orderRefund": {"order": {"id": ORDER_ID}, "errors": []}},
        "OrderNoteAdd": {"orderNoteAdd": {"event": {"id": "E2"}, "errors": []}},
        "OrderById": {"order": order_node(payments=[{**payment, "availableRefundAmount": money(57.0)}])},
    }))
    result = await app_client.order_refund("1042", "goodwill", amount=10)
    assert saleor_http.bodies()[1]["variables"] == {"id": ORDER_ID, "amount": 10.0}
    assert saleor_http.bodies()[2]["variables"]["message"] == "Refund 10 USD: goodwill"
    assert result["refundable"] == 57.0


# --- draft orders --------------------------------------------------------------------------------


def _customer(email: str = "cafe@beanbar.com") -> dict[str, Any]:
    address = {"firstName": "Beanbar", "lastName": "Cafe", "companyName": "", "streetAddress1": "12 Market Street",
               "streetAddress2": "", "city": "Pune", "postalCode": "411001", "country": {"code": "IN"},
               "countryArea": "", "phone": None}
    return {"id": "VXNlcjo0", "email": email, "firstName": "Beanbar", "lastName": "Cafe", "note": None, "isActive": True,
            "dateJoined": "2026-01-01T00:00:00+00:00", "metadata": [], "defaultShippingAddress": address,
            "defaultBillingAddress": address, "orders": {"totalCount": 0, "edges": []}}


async def test_draft_order_create_resolves_everything_first(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    variant = {"id": "UHJvZHVjdFZhcmlhbnQ6MQ==", "sku": "MUG-RED", "name": "Red Mug", "weight": None,
               "channelListings": [], "product": {"id": "P1", "name": "Red Mug", "slug": "red-mug",
                                                  "productType": {"id": "T1"}, "channelListings": []}}
    saleor_http.answer(answers({
        "ChannelBySlug": {"channel": CHANNEL},
        "Customer": {"user": _customer()},
        "VariantBySku": {"productVariant": variant},
        "ShippingMethods": {"shippingZones": {"edges": [{"node": {"id": "Z1", "name": "Default", "shippingMethods": [
            {"id": "U2hpcHBpbmdNZXRob2RUeXBlOjE=", "name": "Standard"}, {"id": "S2", "name": "Express"}]}}]}},
        "DraftOrderCreate": {"draftOrderCreate": {"order": {"id": ORDER_ID, "number": "1121"}, "errors": []}},
        "OrderById": {"order": order_node("1121", "DRAFT")},
    }))
    result = await app_client.draft_order_create(
        "cafe@beanbar.com", [{"sku": "MUG-RED", "quantity": 12}, {"sku": "MUG-RED", "quantity": 12}],
        voucher_code="WHOLESALE10", shipping_method="standard", note="call first")
    sent = next(b["variables"]["input"] for b in saleor_http.bodies() if "input" in b["variables"])
    address = {"firstName": "Beanbar", "lastName": "Cafe", "streetAddress1": "12 Market Street", "city": "Pune",
               "postalCode": "411001", "country": "IN"}
    assert sent == {"channelId": CHANNEL["id"], "userEmail": "cafe@beanbar.com",
                    "lines": [{"variantId": variant["id"], "quantity": 24}], "user": "VXNlcjo0",
                    "shippingAddress": address, "billingAddress": address, "voucherCode": "WHOLESALE10",
                    "shippingMethod": "U2hpcHBpbmdNZXRob2RUeXBlOjE=", "customerNote": "call first"}
    assert (result["draft"], result["status"]) == ("1121", "draft")
    assert saleor_http.operations.count("VariantBySku") == 1


async def test_draft_order_errors_name_the_tool_fields(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    error = {"field": "voucherCode", "code": "INVALID_VOUCHER_CODE", "message": "Voucher code is not valid."}
    saleor_http.answer(answers({
        "ChannelBySlug": {"channel": CHANNEL},
        "Customer": {"user": None},
        "VariantBySku": lambda variables: {"productVariant": None if variables["sku"] == "NOPE" else {"id": "V1"}},
        "DraftOrderCreate": {"draftOrderCreate": {"order": None, "errors": [error]}},
    }))
    with pytest.raises(NotFound) as missing:
        await app_client.draft_order_create("new@guest.com", [{"sku": "NOPE", "quantity": 1}])
    assert missing.value.field == "lines"
    with pytest.raises(InvalidRequest) as caught:
        await app_client.draft_order_create("new@guest.com", [{"sku": "MUG-RED", "quantity": 1}], voucher_code="BAD")
    assert caught.value.field == "voucher_code"
    guest = next(b["variables"]["input"] for b in saleor_http.bodies() if "input" in b["variables"])
    assert guest["userEmail"] == "new@guest.com" and "user" not in guest  # an unknown email makes a guest draft


async def test_draft_order_complete_looks_at_drafts_first_and_repeats_quietly(
    saleor_http: SaleorHTTP, app_client: SaleorClient
) -> None:
    drafts = iter([by_number(order_node("88", "DRAFT"), "draftOrders"), by_number(None, "draftOrders")])
    saleor_http.answer(answers({
        "DraftOrderByNumber": lambda variables: next(drafts),
        "OrderByNumber": by_number(order_node("88", "UNFULFILLED")),
        "DraftOrderComplete": {"draftOrderComplete": {"order": {"id": ORDER_ID, "number": "88", "status": "UNFULFILLED"},
                                                      "errors": []}},
        "OrderById": {"order": order_node("88", "UNFULFILLED")},
    }))
    done = await app_client.draft_order_complete("D-88")
    assert (done["status"], done["draft"], done["already_completed"]) == ("unfulfilled", "D-88", False)
    again = await app_client.draft_order_complete("D-88")
    assert again["already_completed"] is True
    assert saleor_http.operations == ["DraftOrderByNumber", "DraftOrderComplete", "OrderById", "DraftOrderByNumber",
                                      "OrderByNumber"]
