"""The store's customers, orders, vouchers, discounts, shipping methods and stock in the seed shape
(see `shop_seeding`): `seed_shop(dump_shop(...))` rebuilds the same dump."""

from __future__ import annotations

from typing import Any

from sandbox.saleor import order_records as rec
from sandbox.saleor.catalog import Catalog, Record, from_global_id
from sandbox.saleor.discount_nodes import is_active
from sandbox.saleor.shop_seeding import TAGS_KEY


def _names(catalog: Catalog, table: str, pks: list[str]) -> list[str]:
    rows = catalog.table(table)
    return [str(rows[pk]["name"]) for pk in pks if pk in rows]


def _customer(catalog: Catalog, row: Record) -> dict[str, Any]:
    raw = str(row.get("metadata", {}).get(TAGS_KEY) or "")
    address = row.get("address") or {}
    return {
        "email": row["email"],
        "first_name": row.get("first_name") or None,
        "last_name": row.get("last_name") or None,
        "note": row.get("note"),
        "tags": [t.strip() for t in raw.split(",") if t.strip()],
        "city": address.get("city"),
        "is_active": bool(row.get("is_active", True)),
        "joined": row.get("joined"),
    }


def _order(catalog: Catalog, row: Record) -> dict[str, Any]:
    customer = catalog.table("customers").get(row.get("customer") or "")
    tracking = [f["tracking_number"] for f in row["fulfillments"] if f.get("tracking_number")]
    warehouses = [catalog.table("warehouses")[f["warehouse"]]["name"] for f in row["fulfillments"]
                  if f.get("warehouse") in catalog.table("warehouses")]
    return {
        "number": str(row["number"]),
        "status": str(row["status"]).lower(),
        "payment_status": rec.payment_status(row).lower(),
        "customer": customer["email"] if customer else row.get("user_email"),
        "total": rec.total(row),
        "currency": catalog.table("channels")[row["channel"]]["currency"],
        "charged": rec.charged(row),
        "refunded": rec.refunded(row),
        "shipping": float(row["shipping_price"]),
        "discount": float(row.get("discount") or 0.0),
        "shipping_method": row.get("shipping_method"),
        "voucher_code": row.get("voucher_code"),
        "note": row.get("customer_note") or None,
        "created": row["created"],
        "lines": [
            {"sku": line.get("sku"), "product": line["product_name"], "quantity": line["quantity"],
             "quantity_fulfilled": line["quantity_fulfilled"], "price": line["unit_price"]}
            for line in row["lines"]
        ],
        "tracking_number": tracking[0] if tracking else None,
        "warehouse": warehouses[0] if warehouses else None,
        "notes": [e["message"] for e in row["events"] if e["type"] == "NOTE_ADDED"],
    }


def _voucher(catalog: Catalog, row: Record, channel_pk: str | None) -> dict[str, Any]:
    listing = row["listings"].get(channel_pk or "") or next(iter(row["listings"].values()), None) or {}
    shipping = row["type"] == "SHIPPING"
    return {
        "code": row["codes"][0]["code"] if row["codes"] else None,
        "name": row.get("name"),
        "discount_type": "free_shipping" if shipping else str(row["value_type"]).lower(),
        "value": None if shipping else listing.get("value"),
        "min_spend": listing.get("min_spent"),
        "usage_limit": row.get("usage_limit"),
        "used": sum(int(c.get("used", 0)) for c in row["codes"]),
        "once_per_customer": bool(row.get("once_per_customer")),
        "starts_at": row.get("start"),
        "ends_at": row.get("end"),
        "active": bool(listing) and is_active(row),
        "products": _names(catalog, "products", row["products"]),
        "categories": _names(catalog, "categories", row["categories"]),
        "collections": _names(catalog, "collections", row["collections"]),
    }


def _predicate_names(catalog: Catalog, predicate: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"products": [], "categories": [], "collections": []}
    parts = (predicate.get("OR") or [predicate]) if isinstance(predicate, dict) else []
    for part in parts:
        for key, table in (("productPredicate", "products"), ("categoryPredicate", "categories"),
                           ("collectionPredicate", "collections")):
            for gid in ((part or {}).get(key) or {}).get("ids") or []:
                parsed = from_global_id(str(gid))
                if parsed:
                    found[table] += _names(catalog, table, [parsed[1]])
    return found


def _discount(catalog: Catalog, row: Record) -> dict[str, Any]:
    rule = (row.get("rules") or [{}])[0]
    return {
        "name": row["name"],
        "discount_type": str(rule.get("reward_value_type") or "").lower() or None,
        "value": rule.get("reward_value"),
        **_predicate_names(catalog, rule.get("catalogue_predicate")),
        "starts_at": row.get("start"),
        "ends_at": row.get("end"),
        "active": is_active(row),
    }


def dump_shop(catalog: Catalog) -> dict[str, Any]:
    channel_pk = next(iter(catalog.table("channels")), None)
    warehouses = catalog.table("warehouses")
    stocks = [
        {"sku": v["sku"], "warehouse": warehouses[wh]["name"], "quantity": int(qty),
         "allocated": rec.allocated(catalog, pk, wh)}
        for pk, v in catalog.table("variants").items() if v.get("sku")
        for wh, qty in v.get("stocks", {}).items() if wh in warehouses
    ]
    return {
        "shipping_methods": [{"name": m["name"], "price": m["price"]} for m in catalog.table("shipping_methods").values()],
        "stocks": stocks,
        "customers": [_customer(catalog, row) for row in catalog.table("customers").values()],
        "orders": [_order(catalog, row) for row in catalog.table("orders").values()],
        "vouchers": [_voucher(catalog, row, channel_pk) for row in catalog.table("vouchers").values()],
        "discounts": [_discount(catalog, row) for row in catalog.table("promotions").values()],
    }
