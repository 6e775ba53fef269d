"""The sandbox store's state as plain JSON-able tables, with IDs shaped like Saleor's global IDs."""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import unicodedata
from datetime import UTC, datetime
from typing import Any

Record = dict[str, Any]

TABLES = (
    "channels",
    "warehouses",
    "attributes",
    "product_types",
    "categories",
    "collections",
    "products",
    "variants",
    "shipping_methods",
    "customers",
    "orders",
    "vouchers",
    "promotions",
)
# GraphQL type name of the records in each table (the first part of a global ID).
TYPE_OF = {
    "channels": "Channel",
    "warehouses": "Warehouse",
    "attributes": "Attribute",
    "product_types": "ProductType",
    "categories": "Category",
    "collections": "Collection",
    "products": "Product",
    "variants": "ProductVariant",
    "shipping_methods": "ShippingMethodType",
    "customers": "User",
    "orders": "Order",
    "vouchers": "Voucher",
    "promotions": "Promotion",
}


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def slugify(value: str) -> str:
    text = unicodedata.normalize("NFKC", value)
    text = re.sub(r"[^\w\s-]", "", text.lower())
    return re.sub(r"[-\s]+", "-", text).strip("-_")


def to_global_id(type_name: str, pk: str) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def from_global_id(value: str) -> tuple[str, str] | None:
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, sep, pk = decoded.partition(":")
    return (type_name, pk) if sep and type_name and pk else None


def empty_state(secret: str | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {"version": 1, "secret": secret or secrets.token_hex(32), "seq": 0}
    for table in TABLES:
        state[table] = {}
    return state


class Catalog:
    """Typed access to one state dict; every write marks it dirty so the store saves it."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.dirty = False

    @property
    def secret(self) -> str:
        return str(self.state["secret"])

    def table(self, name: str) -> dict[str, Record]:
        # setdefault: a state saved before a table existed gets it empty
        rows: dict[str, Record] = self.state.setdefault(name, {})
        return rows

    def next_pk(self) -> str:
        """A fresh key for a record kept inside another one (an order line, a fulfilment)."""
        self.state["seq"] = int(self.state["seq"]) + 1
        self.dirty = True
        return str(self.state["seq"])

    def insert(self, table: str, record: Record) -> str:
        self.state["seq"] = int(self.state["seq"]) + 1
        pk = str(self.state["seq"])
        self.table(table)[pk] = record
        self.dirty = True
        return pk

    def touch(self) -> None:
        self.dirty = True

    def gid(self, table: str, pk: str) -> str:
        return to_global_id(TYPE_OF[table], pk)

    def pk_of(self, table: str, global_id: str | None) -> str | None:
        """The primary key behind a global ID of this table's type, if it exists."""
        if not global_id:
            return None
        parsed = from_global_id(global_id)
        if parsed is None or parsed[0] != TYPE_OF[table] or parsed[1] not in self.table(table):
            return None
        return parsed[1]

    def by_slug(self, table: str, slug: str) -> str | None:
        return next((pk for pk, row in self.table(table).items() if row.get("slug") == slug), None)

    def by_name(self, table: str, name: str) -> str | None:
        folded = name.casefold()
        rows = self.table(table).items()
        return next((pk for pk, row in rows if str(row.get("name", "")).casefold() == folded), None)

    def by_sku(self, sku: str) -> str | None:
        return next((pk for pk, row in self.table("variants").items() if row.get("sku") == sku), None)

    def unique_slug(self, table: str, name: str) -> str:
        base = slugify(name) or "item"
        slug, n = base, 1
        while self.by_slug(table, slug) is not None:
            n += 1
            slug = f"{base}-{n}"
        return slug

    def channel_pk(self, slug: str | None) -> str | None:
        return self.by_slug("channels", slug) if slug else None

    def variants_of(self, product_pk: str) -> list[str]:
        rows = self.table("variants").items()
        return sorted((pk for pk, row in rows if row["product"] == product_pk), key=int)

    def collections_of(self, product_pk: str) -> list[str]:
        rows = self.table("collections").items()
        return [pk for pk, row in rows if product_pk in row.get("products", [])]

    # --- record builders shared by seeding and mutations --------------------------------------

    def new_product(self, name: str, slug: str, product_type: str, category: str | None) -> str:
        stamp = now_iso()
        record: Record = {
            "name": name,
            "slug": slug,
            "description": None,
            "product_type": product_type,
            "category": category,
            "seo_title": None,
            "seo_description": None,
            "attributes": {},
            "listings": {},
            "created": stamp,
            "updated": stamp,
        }
        return self.insert("products", record)

    def new_variant(self, product_pk: str, sku: str | None, name: str) -> str:
        stamp = now_iso()
        record: Record = {
            "product": product_pk,
            "sku": sku,
            "name": name,
            "weight_kg": None,
            "attributes": {},
            "listings": {},
            "stocks": {},
            "created": stamp,
            "updated": stamp,
        }
        return self.insert("variants", record)

    def new_collection(self, name: str, slug: str) -> str:
        record: Record = {
            "name": name,
            "slug": slug,
            "description": None,
            "seo_title": None,
            "seo_description": None,
            "products": [],
            "listings": {},
        }
        return self.insert("collections", record)

    def list_product(self, product_pk: str, channel_pk: str, **changes: Any) -> None:
        listing = self.table("products")[product_pk]["listings"].setdefault(
            channel_pk,
            {"published": False, "published_at": None, "visible": True, "available": False, "available_at": None},
        )
        listing.update(changes)
        self.touch()
