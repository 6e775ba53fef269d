"""Saleor answers for the order, customer and voucher adapter tests (shapes of the adapter's fragments)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.adapters.test_saleor_client import CHANNEL, Handler, ok, operation

ORDER_ID = "T3JkZXI6MTA0Mg=="
LINE_MUG = "T3JkZXJMaW5lOjE="
LINE_VASE = "T3JkZXJMaW5lOjI="
TRANSACTION = "VHJhbnNhY3Rpb25JdGVtOjE="
PUNE = {"id": "V2FyZWhvdXNlOjE=", "name": "Pune", "slug": "pune"}
MUMBAI = {"id": "V2FyZWhvdXNlOjI=", "name": "Mumbai", "slug": "mumbai"}


def money(amount: float) -> dict[str, Any]:
    return {"amount": amount, "currency": "USD"}


def gross(amount: float) -> dict[str, Any]:
    return {"gross": money(amount)}


def line(line_id: str, sku: str, quantity: int, price: float, fulfilled: int = 0,
         warehouse: dict[str, Any] | None = PUNE) -> dict[str, Any]:
    allocations = [{"quantity": quantity - fulfilled, "warehouse": warehouse}] if warehouse and quantity > fulfilled else []
    return {"id": line_id, "productName": sku.title(), "variantName": "", "productSku": sku, "quantity": quantity,
            "quantityFulfilled": fulfilled, "quantityToFulfill": quantity - fulfilled, "unitPrice": gross(price),
            "totalPrice": gross(price * quantity), "variant": {"id": f"var-{sku}"}, "allocations": allocations}


def order_node(
    number: str = "1042",
    status: str = "UNFULFILLED",
    *,
    lines: list[dict[str, Any]] | None = None,
    shipping: float = 5.0,
    charged: float | None = None,
    refunded: float = 0.0,
    payments: list[dict[str, Any]] | None = None,
    fulfillments: list[dict[str, Any]] | None = None,
    grants: list[dict[str, Any]] | None = None,
    payment_status: str = "FULLY_CHARGED",
) -> dict[str, Any]:
    """An order as OrderFields: a mug (2 x 14) and a vase (1 x 34) plus shipping, paid by one transaction."""
    lines = lines if lines is not None else [line(LINE_MUG, "MUG-RED", 2, 14.0), line(LINE_VASE, "VASE-BLUE", 1, 34.0)]
    subtotal = sum(li["quantity"] * li["unitPrice"]["gross"]["amount"] for li in lines)
    total = subtotal + shipping
    paid = total if charged is None else charged
    transactions = [] if payments is not None else [
        {"id": TRANSACTION, "name": "Card", "chargedAmount": money(paid), "refundedAmount": money(refunded),
         "refundPendingAmount": money(0.0)}]
    return {
        "id": ORDER_ID, "number": number, "status": status, "created": "2026-11-20T10:00:00+00:00",
        "updatedAt": "2026-11-20T10:00:00+00:00", "userEmail": "jon@example.com",
        "user": {"id": "VXNlcjox", "email": "jon@example.com", "firstName": "Jon", "lastName": "Miles"},
        "channel": CHANNEL, "paymentStatus": payment_status, "chargeStatus": "FULL", "total": gross(total),
        "totalCharged": money(paid), "totalRefunded": money(refunded), "authorizeStatus": "FULL", "isPaid": True,
        "customerNote": "", "voucherCode": None, "shippingMethodName": "Standard", "subtotal": gross(subtotal),
        "shippingPrice": gross(shipping), "totalRefundPending": money(0.0), "shippingAddress": None,
        "billingAddress": None, "lines": lines, "fulfillments": fulfillments or [], "transactions": transactions,
        "payments": payments or [], "grantedRefunds": grants or [], "events": [],
    }


Route = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


def answers(routes: dict[str, Route]) -> Handler:
    """A handler answering each operation by name (a dict, or a function of the variables)."""

    def handler(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        name = operation(body)
        assert name in routes, f"unexpected operation {name}"
        route = routes[name]
        return ok(route(body["variables"]) if callable(route) else route)

    return handler


def by_number(node: dict[str, Any] | None, root: str = "orders") -> dict[str, Any]:
    return {root: {"edges": [{"node": node}] if node else []}}
