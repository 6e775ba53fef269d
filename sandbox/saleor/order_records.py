"""Orders as catalog records: money, payment and charge status, stock allocations, numbering.

An order record keeps Saleor's enum names (status "UNFULFILLED") and plain numbers; its lines,
fulfilments, transactions, granted refunds and events live inside it, each with its own key.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.saleor.catalog import Catalog, Record, from_global_id, now_iso

OPEN = ("UNCONFIRMED", "UNFULFILLED", "PARTIALLY_FULFILLED")  # statuses that hold stock allocations
NOT_PLACED = ("DRAFT", "EXPIRED")


def money_round(value: float) -> float:
    return round(float(value) + 0.0, 2)


def number_value(number: Any) -> int | None:
    """The integer in an order number ("1042", or a seeded draft label such as "D-88")."""
    digits = re.sub(r"\D", "", str(number))
    return int(digits) if digits else None


def next_number(catalog: Catalog) -> str:
    values = [number_value(o["number"]) or 0 for o in catalog.table("orders").values()]
    return str(max(values, default=1000) + 1)


def subtotal(order: Record) -> float:
    return money_round(sum(line["quantity"] * line["unit_price"] for line in order["lines"]))


def total(order: Record) -> float:
    return money_round(max(0.0, subtotal(order) - float(order.get("discount") or 0.0)) + float(order["shipping_price"]))


def charged(order: Record) -> float:
    return money_round(sum(t["charged"] for t in order["transactions"]))


def refunded(order: Record) -> float:
    return money_round(sum(t["refunded"] for t in order["transactions"]))


def granted(order: Record) -> float:
    return money_round(sum(g["amount"] for g in order["granted_refunds"]))


def charge_status(order: Record) -> str:
    paid, owed = charged(order), total(order)
    if paid <= 0:
        return "NONE"
    if paid < owed:
        return "PARTIAL"
    return "FULL" if paid == owed else "OVERCHARGED"


def authorize_status(order: Record) -> str:
    covered = charged(order) + sum(t.get("authorized", 0.0) for t in order["transactions"])
    if covered <= 0:
        return "NONE"
    return "FULL" if covered >= total(order) else "PARTIAL"


def payment_status(order: Record) -> str:
    """Saleor's PaymentChargeStatusEnum for the order's money as it stands."""
    paid, back = charged(order), refunded(order)
    if back > 0:
        return "FULLY_REFUNDED" if back >= paid else "PARTIALLY_REFUNDED"
    if paid <= 0:
        return str(order.get("payment_hint") or "NOT_CHARGED")
    return "PARTIALLY_CHARGED" if paid < total(order) else "FULLY_CHARGED"


def fulfilled_status(order: Record) -> str:
    lines = order["lines"]
    done = sum(line["quantity_fulfilled"] for line in lines)
    if lines and all(line["quantity_fulfilled"] >= line["quantity"] for line in lines):
        return "FULFILLED"
    return "PARTIALLY_FULFILLED" if done else "UNFULFILLED"


def allocated(catalog: Catalog, variant_pk: str, warehouse_pk: str) -> int:
    """Units of a variant held for open orders in one warehouse."""
    held = 0
    for order in catalog.table("orders").values():
        if order["status"] in OPEN:
            for line in order["lines"]:
                if line.get("variant") == variant_pk:
                    held += int(line.get("allocations", {}).get(warehouse_pk, 0))
    return held


def allocate(catalog: Catalog, line: Record) -> None:
    """Hold a line's unfulfilled units in the first warehouse with enough free stock (else the first one).

    A seeded line whose SKU the store does not have is held in the first warehouse, so that it can
    be shipped like any other."""
    line["allocations"] = {}
    need = line["quantity"] - line["quantity_fulfilled"]
    if need <= 0:
        return
    variant = catalog.table("variants").get(line.get("variant") or "") or {}
    stocks: dict[str, int] = variant.get("stocks", {})
    choices = [wh for wh, qty in stocks.items() if qty - allocated(catalog, str(line["variant"]), wh) >= need]
    candidates = choices or list(stocks) or list(catalog.table("warehouses"))
    if candidates:
        line["allocations"] = {candidates[0]: need}


def new_order(catalog: Catalog, number: str, status: str, channel_pk: str, customer_pk: str | None,
              email: str | None, created: str | None = None) -> str:
    stamp = created or now_iso()
    record: Record = {
        "number": number,
        "status": status,
        "channel": channel_pk,
        "customer": customer_pk,
        "user_email": email,
        "created": stamp,
        "updated": stamp,
        "lines": [],
        "discount": 0.0,
        "shipping_price": 0.0,
        "shipping_method": None,
        "voucher_code": None,
        "customer_note": "",
        "shipping_address": None,
        "billing_address": None,
        "fulfillments": [],
        "transactions": [],
        "granted_refunds": [],
        "payment_hint": None,
        "events": [],
    }
    return catalog.insert("orders", record)


def new_line(catalog: Catalog, variant_pk: str | None, sku: str | None, quantity: int, unit_price: float,
             product_name: str | None = None) -> Record:
    variant = catalog.table("variants").get(variant_pk or "")
    product = catalog.table("products").get(variant["product"]) if variant else None
    name = product_name or (product["name"] if product else sku or "Item")
    variant_name = variant["name"] if variant and variant["name"] != name else ""
    return {"id": catalog.next_pk(), "variant": variant_pk if variant else None, "sku": sku, "product_name": name,
            "variant_name": variant_name, "quantity": int(quantity), "quantity_fulfilled": 0,
            "unit_price": money_round(unit_price), "allocations": {}}


def variant_price(catalog: Catalog, variant_pk: str | None, channel_pk: str) -> float | None:
    variant = catalog.table("variants").get(variant_pk or "")
    listing = (variant or {}).get("listings", {}).get(channel_pk) or {}
    price = listing.get("price")
    return float(price) if price is not None else None


def add_event(catalog: Catalog, order: Record, kind: str, message: str | None = None, user: str | None = None,
              when: str | None = None) -> None:
    order["events"].append({"id": catalog.next_pk(), "date": when or now_iso(), "type": kind, "message": message,
                            "user": user})


def find_line(order: Record, global_id: Any) -> Record | None:
    parsed = from_global_id(str(global_id)) if global_id else None
    if parsed is None or parsed[0] != "OrderLine":
        return None
    return next((line for line in order["lines"] if line["id"] == parsed[1]), None)


def order_of_granted_refund(catalog: Catalog, global_id: Any) -> tuple[str, Record] | None:
    parsed = from_global_id(str(global_id)) if global_id else None
    if parsed is None or parsed[0] != "OrderGrantedRefund":
        return None
    for pk, order in catalog.table("orders").items():
        for grant in order["granted_refunds"]:
            if grant["id"] == parsed[1]:
                return pk, grant
    return None
