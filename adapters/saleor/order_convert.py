"""Saleor Order objects (OrderSummaryFields, OrderFields) to the plain dicts the order tools return."""

from __future__ import annotations

import re
from typing import Any

from adapters.errors import InvalidRequest
from adapters.saleor.convert import amount, is_global_id
from adapters.saleor.failures import SYSTEM

Node = dict[str, Any]

# Orders that count as placed (for a customer's order count and total spent).
NOT_PLACED = frozenset({"DRAFT", "CANCELED", "EXPIRED"})


def order_number(ref: str, field: str = "order") -> int:
    """The number in "1042", "#1042", "order 1042" or a draft's "D-88"."""
    digits = re.findall(r"\d+", ref)
    if len(digits) != 1:
        raise InvalidRequest(SYSTEM, f"{ref!r} is not an order number (e.g. 1042) or an order ID", field=field)
    return int(digits[0])


def is_order_id(ref: str) -> bool:
    return is_global_id(ref.strip(), "Order")


def lower(value: Any) -> str | None:
    return str(value).lower() if value else None


def _gross(taxed: Node | None) -> float | None:
    return amount((taxed or {}).get("gross"))


def _money(value: Node | None) -> float:
    return amount(value) or 0.0


def order_summary(node: Node) -> dict[str, Any]:
    """The fields `order_list` returns for each order."""
    user = node.get("user") or {}
    name = " ".join(p for p in (user.get("firstName"), user.get("lastName")) if p) or None
    total = (node.get("total") or {}).get("gross") or {}
    lines = node.get("lines") or []
    return {
        "id": node["id"],
        "number": node["number"],
        "status": lower(node.get("status")),
        "payment_status": lower(node.get("paymentStatus")),
        "charge_status": lower(node.get("chargeStatus")),
        "created": node.get("created"),
        "customer": node.get("userEmail") or user.get("email"),
        "customer_name": name,
        "channel": (node.get("channel") or {}).get("slug"),
        "total": amount(total),
        "currency": total.get("currency") or (node.get("channel") or {}).get("currencyCode"),
        "charged": _money(node.get("totalCharged")),
        "refunded": _money(node.get("totalRefunded")),
        "items": sum(int(line["quantity"]) for line in lines),
        "items_fulfilled": sum(int(line["quantityFulfilled"]) for line in lines),
    }


def _address(node: Node | None) -> dict[str, Any] | None:
    if not node:
        return None
    return {
        "name": " ".join(p for p in (node.get("firstName"), node.get("lastName")) if p) or None,
        "company": node.get("companyName") or None,
        "street": ", ".join(p for p in (node.get("streetAddress1"), node.get("streetAddress2")) if p) or None,
        "city": node.get("city") or None,
        "postal_code": node.get("postalCode") or None,
        "country": (node.get("country") or {}).get("code"),
        "country_area": node.get("countryArea") or None,
        "phone": node.get("phone") or None,
    }


def address_input(node: Node | None) -> dict[str, Any] | None:
    """An AddressFields object as Saleor's AddressInput (empty values left out)."""
    if not node:
        return None
    keys = ("firstName", "lastName", "companyName", "streetAddress1", "streetAddress2", "city", "postalCode",
            "countryArea", "phone")
    found: dict[str, Any] = {k: node[k] for k in keys if node.get(k)}
    if (node.get("country") or {}).get("code"):
        found["country"] = node["country"]["code"]
    return found or None


def _line(node: Node) -> dict[str, Any]:
    return {
        "id": node["id"],
        "sku": node.get("productSku"),
        "product": node.get("productName"),
        "variant": node.get("variantName") or None,
        "quantity": node["quantity"],
        "quantity_fulfilled": node["quantityFulfilled"],
        "quantity_to_fulfill": node.get("quantityToFulfill", node["quantity"] - node["quantityFulfilled"]),
        "unit_price": _gross(node.get("unitPrice")),
        "total": _gross(node.get("totalPrice")),
        "allocated_in": [a["warehouse"]["name"] for a in node.get("allocations") or []],
    }


def _line_refs(lines: list[Node] | None) -> list[dict[str, Any]]:
    return [{"sku": (item.get("orderLine") or {}).get("productSku"), "quantity": item["quantity"]} for item in lines or []]


def refundable(node: Node) -> float:
    """Money still refundable: charged minus refunded and pending, over transactions (or legacy payments)."""
    transactions = node.get("transactions") or []
    if transactions:
        return round(sum(transaction_refundable(t) for t in transactions), 2)
    payments = [p for p in node.get("payments") or [] if p.get("isActive")]
    return round(sum((_money(p.get("availableRefundAmount")) for p in payments), 0.0), 2)


def transaction_refundable(transaction: Node) -> float:
    return round(
        _money(transaction.get("chargedAmount"))
        - _money(transaction.get("refundedAmount"))
        - _money(transaction.get("refundPendingAmount")),
        2,
    )


def order_to_dict(node: Node) -> dict[str, Any]:
    """One order in full (OrderFields): lines, money, fulfilments, refunds, addresses, events."""
    events = node.get("events") or []
    fulfillments = node.get("fulfillments") or []
    return {
        **order_summary(node),
        "is_paid": node.get("isPaid"),
        "subtotal": _gross(node.get("subtotal")),
        "shipping_price": _gross(node.get("shippingPrice")) or 0.0,
        "shipping_method": node.get("shippingMethodName"),
        "voucher_code": node.get("voucherCode"),
        "customer_note": node.get("customerNote") or None,
        "refund_pending": _money(node.get("totalRefundPending")),
        "refundable": refundable(node),
        "lines": [_line(line) for line in node.get("lines") or []],
        "fulfillments": [
            {
                "id": f["id"],
                "number": f.get("fulfillmentOrder"),
                "status": lower(f.get("status")),
                "tracking_number": f.get("trackingNumber") or None,
                "warehouse": (f.get("warehouse") or {}).get("name"),
                "created": f.get("created"),
                "lines": _line_refs(f.get("lines")),
            }
            for f in fulfillments
        ],
        "tracking_numbers": [f["trackingNumber"] for f in fulfillments if f.get("trackingNumber")],
        "refunds": [
            {
                "id": r["id"],
                "amount": amount(r.get("amount")),
                "reason": r.get("reason"),
                "status": lower(r.get("status")),
                "shipping": bool(r.get("shippingCostsIncluded")),
                "created": r.get("createdAt"),
                "lines": _line_refs(r.get("lines")),
            }
            for r in node.get("grantedRefunds") or []
        ],
        "payments": [
            {"id": t["id"], "kind": "transaction", "name": t.get("name"), "charged": _money(t.get("chargedAmount")),
             "refunded": _money(t.get("refundedAmount"))}
            for t in node.get("transactions") or []
        ] + [
            {"id": p["id"], "kind": "payment", "name": p.get("gateway"), "charged": _money(p.get("capturedAmount")),
             "refundable": _money(p.get("availableRefundAmount"))}
            for p in node.get("payments") or []
        ],
        "shipping_address": _address(node.get("shippingAddress")),
        "billing_address": _address(node.get("billingAddress")),
        "events": [
            {"date": e.get("date"), "type": lower(e.get("type")), "message": e.get("message"),
             "user": (e.get("user") or {}).get("email")}
            for e in events
        ],
        "notes": [e["message"] for e in events if e.get("type") == "NOTE_ADDED" and e.get("message")],
    }
