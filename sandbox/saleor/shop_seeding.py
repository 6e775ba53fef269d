"""Seed and dump the store's customers, orders, vouchers, discounts, shipping methods and stock.

The shape is the eval format's (shared/EVAL_FORMAT.md): collections in the plural whose objects
use the tool argument names; an order is named by its `number`, a customer by `email`, a voucher by
`code`. A seeded object needs only the fields a case is about; the rest get defaults.
"""

from __future__ import annotations

from typing import Any

from sandbox.saleor import order_records as rec
from sandbox.saleor.catalog import Catalog, Record, now_iso
from sandbox.saleor.discount_nodes import parse_when

DEFAULT_SHIPPING = ({"name": "Standard", "price": 5.0}, {"name": "Express", "price": 15.0})
STATUSES = ("draft", "unconfirmed", "unfulfilled", "partially_fulfilled", "fulfilled", "canceled", "returned",
            "partially_returned", "expired")
PAYMENTS = ("not_charged", "pending", "partially_charged", "fully_charged", "partially_refunded", "fully_refunded",
            "refused", "cancelled")
TAGS_KEY = "tags"


def _when(value: Any) -> str | None:
    """An ISO datetime from a date ("2026-11-02") or datetime string (naive ones are UTC)."""
    if value in (None, ""):
        return None
    text = str(value)
    moment = parse_when(f"{text}T10:00:00+00:00" if len(text) == 10 else text)
    return moment.isoformat() if moment else None


def _customer(catalog: Catalog, email: str) -> str | None:
    return next((pk for pk, r in catalog.table("customers").items() if str(r["email"]).casefold() == email.casefold()),
                None)


def _seed_customer(catalog: Catalog, spec: dict[str, Any]) -> str:
    email = str(spec["email"]).strip()
    existing = _customer(catalog, email)
    if existing is not None:
        return existing
    words = [w.capitalize() for w in email.split("@")[0].replace("_", ".").replace("-", ".").split(".") if w.isalpha()]
    derived = "first_name" not in spec and "last_name" not in spec and spec.get("derive_name")
    first = spec.get("first_name") or (words[0] if derived and words else "")
    last = spec.get("last_name") or (" ".join(words[1:]) if derived else "")
    tags = spec.get("tags") or []
    record: Record = {
        "email": email, "first_name": first, "last_name": last, "note": spec.get("note"),
        "is_active": bool(spec.get("is_active", True)), "joined": _when(spec.get("joined")) or now_iso(),
        "metadata": {TAGS_KEY: ", ".join(tags)} if tags else {},
        "address": {"firstName": first, "lastName": last, "streetAddress1": spec.get("street") or "12 Market Street",
                    "city": spec.get("city") or "Pune", "postalCode": spec.get("postal_code") or "411001",
                    "country": spec.get("country") or "IN"},
    }
    return catalog.insert("customers", record)


def _price_lines(catalog: Catalog, spec: dict[str, Any], channel_pk: str) -> list[Record]:
    shipping, discount = float(spec.get("shipping") or 0.0), float(spec.get("discount") or 0.0)
    target = float(spec["total"]) - shipping + discount if spec.get("total") is not None else None
    items = spec.get("lines") or [{"sku": None, "quantity": 1, "product": "Item"}]
    priced: list[tuple[dict[str, Any], str | None, float | None]] = []
    for item in items:
        variant_pk = catalog.by_sku(item["sku"]) if item.get("sku") else None
        price = item.get("price")
        price = float(price) if price is not None else rec.variant_price(catalog, variant_pk, channel_pk)
        priced.append((item, variant_pk, price))
    known = sum(int(i["quantity"]) * p for i, _, p in priced if p is not None)
    unknown_qty = sum(int(i["quantity"]) for i, _, p in priced if p is None)
    share = max(0.0, (target - known) / unknown_qty) if target is not None and unknown_qty else 20.0
    scale = target / known if target is not None and not unknown_qty and known and abs(known - target) > 0.004 else 1.0
    lines = []
    for item, variant_pk, price in priced:
        unit = price * scale if price is not None else share
        line = rec.new_line(catalog, variant_pk, item.get("sku"), int(item["quantity"]), unit, item.get("product"))
        lines.append(line)
    return lines


def _seed_order(catalog: Catalog, spec: dict[str, Any], channel_pk: str) -> None:
    number = str(spec["number"]).strip()
    if any(str(o["number"]) == number for o in catalog.table("orders").values()):
        return
    status = str(spec.get("status") or "unfulfilled").lower()
    if status not in STATUSES:
        raise ValueError(f"order {number}: status {status!r} is not one of {', '.join(STATUSES)}")
    default_payment = "not_charged" if status in ("draft", "unconfirmed", "canceled", "expired") else "fully_charged"
    payment = str(spec.get("payment_status") or default_payment).lower()
    if payment not in PAYMENTS:
        raise ValueError(f"order {number}: payment_status {payment!r} is not one of {', '.join(PAYMENTS)}")
    email = spec.get("customer")
    customer_pk = _seed_customer(catalog, {"email": email, "derive_name": True}) if email else None
    pk = rec.new_order(catalog, number, status.upper(), channel_pk, customer_pk, email, _when(spec.get("created")))
    order = catalog.table("orders")[pk]
    customer = catalog.table("customers").get(customer_pk or "") or {}
    order.update(shipping_price=float(spec.get("shipping") or 0.0), discount=float(spec.get("discount") or 0.0),
                 shipping_method=spec.get("shipping_method") or (DEFAULT_SHIPPING[0]["name"] if customer else None),
                 voucher_code=spec.get("voucher_code"), customer_note=spec.get("note") or "",
                 shipping_address=customer.get("address"), billing_address=customer.get("address"))
    order["lines"] = _price_lines(catalog, spec, channel_pk)
    _seed_fulfilment(catalog, order, spec, status)
    _seed_payment(catalog, order, spec, payment)
    for message in spec.get("notes") or []:
        rec.add_event(catalog, order, "NOTE_ADDED", str(message), None, order["created"])
    if order["status"] in rec.OPEN:
        for line in order["lines"]:
            rec.allocate(catalog, line)


def _seed_fulfilment(catalog: Catalog, order: Record, spec: dict[str, Any], status: str) -> None:
    items = spec.get("lines") or []
    for i, line in enumerate(order["lines"]):
        given = items[i].get("quantity_fulfilled") if i < len(items) else None
        if given is not None:
            line["quantity_fulfilled"] = min(int(given), line["quantity"])
        elif status in ("fulfilled", "returned", "partially_returned"):
            line["quantity_fulfilled"] = line["quantity"]
        elif status == "partially_fulfilled" and i == 0:
            line["quantity_fulfilled"] = max(1, line["quantity"] // 2) if len(order["lines"]) == 1 else line["quantity"]
    done = [(line["id"], line["quantity_fulfilled"]) for line in order["lines"] if line["quantity_fulfilled"]]
    if done:
        warehouse = catalog.by_name("warehouses", spec["warehouse"]) if spec.get("warehouse") else None
        order["fulfillments"].append({
            "id": catalog.next_pk(), "number": 1, "status": "FULFILLED",
            "tracking_number": spec.get("tracking_number") or "",
            "warehouse": warehouse or next(iter(catalog.table("warehouses")), None), "created": order["created"],
            "lines": [{"line": line_id, "quantity": q} for line_id, q in done],
        })


def _seed_payment(catalog: Catalog, order: Record, spec: dict[str, Any], payment: str) -> None:
    owed = rec.total(order)
    charged = {"partially_charged": round(owed / 2, 2)}.get(payment, 0.0 if payment in (
        "not_charged", "pending", "refused", "cancelled") else owed)
    charged = float(spec["charged"]) if spec.get("charged") is not None else charged
    default_back = {"partially_refunded": round(charged / 2, 2), "fully_refunded": charged}.get(payment, 0.0)
    back = float(spec["refunded"]) if spec.get("refunded") is not None else default_back
    if payment in ("pending", "refused", "cancelled"):
        order["payment_hint"] = payment.upper()
    if charged <= 0:
        return
    transaction = {"id": catalog.next_pk(), "name": "Card payment", "charged": rec.money_round(charged),
                   "refunded": rec.money_round(min(back, charged)), "authorized": 0.0, "created": order["created"]}
    order["transactions"].append(transaction)
    if transaction["refunded"] > 0:
        order["granted_refunds"].append({"id": catalog.next_pk(), "amount": transaction["refunded"],
                                         "reason": spec.get("refund_reason"), "status": "SUCCESS", "shipping": False,
                                         "created": order["created"], "lines": [], "transaction": transaction["id"]})


def _refs(catalog: Catalog, table: str, names: list[str] | None) -> list[str]:
    found = []
    for name in names or []:
        pk = catalog.by_name(table, name) or catalog.by_slug(table, name)
        if pk is None and table == "products" and (variant := catalog.by_sku(name)):
            pk = catalog.table("variants")[variant]["product"]
        if pk is None:
            raise ValueError(f"no {table[:-1]} {name!r} to attach")
        found.append(pk)
    return found


def _seed_voucher(catalog: Catalog, spec: dict[str, Any], channel_pk: str) -> None:
    code = str(spec["code"]).strip()
    if any(c["code"].casefold() == code.casefold() for v in catalog.table("vouchers").values() for c in v["codes"]):
        return
    kind = str(spec.get("discount_type") or "percentage").lower()
    if kind not in ("percentage", "fixed", "free_shipping"):
        raise ValueError(f"voucher {code}: discount_type {kind!r} is not percentage, fixed or free_shipping")
    targets = {t: _refs(catalog, t, spec.get(t)) for t in ("products", "categories", "collections")}
    given = spec.get("value")
    value = 100.0 if kind == "free_shipping" else float(given if given is not None else 10.0)
    spend = spec.get("min_spend")
    catalog.insert("vouchers", {
        "name": spec.get("name") or code,
        "type": "SHIPPING" if kind == "free_shipping" else ("SPECIFIC_PRODUCT" if any(targets.values()) else "ENTIRE_ORDER"),
        "value_type": "FIXED" if kind == "fixed" else "PERCENTAGE",
        "start": _when(spec.get("starts_at")) or now_iso(), "end": _when(spec.get("ends_at")),
        "usage_limit": spec.get("usage_limit"), "once_per_customer": bool(spec.get("once_per_customer", False)),
        **targets, "created": now_iso(),
        "codes": [{"code": code, "used": int(spec.get("used") or 0), "active": True}],
        "listings": {channel_pk: {"value": value, "min_spent": float(spend) if spend is not None else None}},
    })


def _seed_discount(catalog: Catalog, spec: dict[str, Any], channel_pk: str) -> None:
    if catalog.by_name("promotions", str(spec["name"])) is not None:
        return
    parts = [{key: {"ids": [catalog.gid(table, pk) for pk in _refs(catalog, table, spec.get(table))]}}
             for table, key in (("products", "productPredicate"), ("categories", "categoryPredicate"),
                                ("collections", "collectionPredicate")) if spec.get(table)]
    rule = {"id": catalog.next_pk(), "name": spec["name"], "channels": [channel_pk],
            "reward_value_type": str(spec.get("discount_type") or "percentage").upper(),
            "reward_value": float(spec.get("value") or 10.0),
            "catalogue_predicate": parts[0] if len(parts) == 1 else ({"OR": parts} if parts else {})}
    catalog.insert("promotions", {"name": spec["name"], "type": "CATALOGUE", "description": None,
                                  "start": _when(spec.get("starts_at")) or now_iso(), "end": _when(spec.get("ends_at")),
                                  "created": now_iso(), "rules": [rule]})


def seed_shop(catalog: Catalog, data: dict[str, Any], channel_pk: str) -> None:
    """Add what `data` lists; objects already there (same email, number, code or name) are kept."""
    if not catalog.table("shipping_methods"):
        for method in DEFAULT_SHIPPING:
            catalog.insert("shipping_methods", dict(method))
    for method in data.get("shipping_methods") or []:
        if catalog.by_name("shipping_methods", method["name"]) is None:
            catalog.insert("shipping_methods", {"name": method["name"], "price": float(method.get("price") or 0.0)})
    for item in data.get("stocks") or []:
        variant_pk = catalog.by_sku(item["sku"])
        warehouse_pk = catalog.by_name("warehouses", item["warehouse"])
        if variant_pk is None or warehouse_pk is None:
            raise ValueError(f"stock of {item['sku']!r} at {item['warehouse']!r}: no such SKU or warehouse")
        catalog.table("variants")[variant_pk]["stocks"][warehouse_pk] = int(item["quantity"])
    for spec in data.get("customers") or []:
        _seed_customer(catalog, spec)
    for spec in data.get("orders") or []:
        _seed_order(catalog, spec, channel_pk)
    for spec in data.get("vouchers") or []:
        _seed_voucher(catalog, spec, channel_pk)
    for spec in data.get("discounts") or []:
        _seed_discount(catalog, spec, channel_pk)
