"""Product and variant mutations. Each validates its whole input before writing anything."""

from __future__ import annotations

from typing import Any

from sandbox.saleor import inputs
from sandbox.saleor.catalog import Catalog, now_iso
from sandbox.saleor.context import Info, fail, require_staff
from sandbox.saleor.product_nodes import ProductNode, VariantNode


def product_changes(catalog: Catalog, data: dict[str, Any], pk: str | None, type_pk: str) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "name" in data:
        changes["name"] = inputs.required_name(data)
    if data.get("slug") is not None:
        changes["slug"] = inputs.check_slug(catalog, "products", data["slug"], pk, "Product")
    if "category" in data:
        value = data["category"]
        changes["category"] = inputs.resolve_id(catalog, "categories", value, "category") if value else None
    if "description" in data:
        changes["description"] = inputs.description(data)
    changes.update(inputs.seo_changes(data))
    if data.get("attributes") is not None:
        allowed = catalog.table("product_types")[type_pk].get("product_attributes", [])
        changes["attributes"] = inputs.attribute_values(catalog, allowed, data["attributes"])
    if data.get("collections") is not None:
        changes["collections"] = inputs.resolve_ids(catalog, "collections", data["collections"], "collections")
    return changes


def apply_product(catalog: Catalog, pk: str, changes: dict[str, Any]) -> None:
    row = catalog.table("products")[pk]
    collections = changes.pop("collections", None)
    attributes = changes.pop("attributes", None)
    row.update(changes)
    if attributes:
        row["attributes"].update(attributes)
    for collection_pk in collections or []:
        members = catalog.table("collections")[collection_pk]["products"]
        if pk not in members:
            members.append(pk)
    row["updated"] = now_iso()
    catalog.touch()


def variant_changes(catalog: Catalog, data: dict[str, Any], pk: str | None, type_pk: str) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if data.get("sku") is not None:
        other = catalog.by_sku(data["sku"])
        if other is not None and other != pk:
            raise fail("sku", "UNIQUE", "Product variant with this SKU already exists.")
        changes["sku"] = data["sku"]
    if data.get("name") is not None:
        changes["name"] = data["name"]
    if "weight" in data:
        changes["weight_kg"] = inputs.weight_kg(data["weight"])
    if data.get("attributes") is not None:
        allowed = catalog.table("product_types")[type_pk].get("variant_attributes", [])
        changes["attributes"] = inputs.attribute_values(catalog, allowed, data["attributes"])
    stocks = {}
    for stock in data.get("stocks") or []:
        warehouse = inputs.resolve_id(catalog, "warehouses", stock.get("warehouse"), "stocks")
        stocks[warehouse] = int(stock.get("quantity") or 0)
    if stocks:
        changes["stocks"] = stocks
    return changes


def apply_variant(catalog: Catalog, pk: str, changes: dict[str, Any]) -> None:
    row = catalog.table("variants")[pk]
    for key in ("attributes", "stocks"):
        if key in changes:
            row[key].update(changes.pop(key))
    row.update(changes)
    row["updated"] = now_iso()
    catalog.touch()


def _variant_pk(catalog: Catalog, id: str | None, sku: str | None) -> str:
    if id:
        return inputs.resolve_id(catalog, "variants", id, "id")
    pk = catalog.by_sku(sku) if sku else None
    if pk is None:
        raise fail("sku", "NOT_FOUND", f"Couldn't resolve to a node: {sku}")
    return pk


ListingPlan = tuple[str, dict[str, Any], list[str], list[str]]


def _plan_listing(catalog: Catalog, pk: str, entry: dict[str, Any]) -> ListingPlan:
    """Check one `updateChannels` entry; return (channel, listing changes, variants to add, to remove)."""
    channel_pk = inputs.resolve_id(catalog, "channels", entry.get("channelId"), "channelId")
    row = catalog.table("products")[pk]
    if entry.get("isPublished") and row.get("category") is None:
        raise fail("isPublished", "PRODUCT_WITHOUT_CATEGORY", "You must select a category to be able to publish")
    add = inputs.resolve_ids(catalog, "variants", entry.get("addVariants"), "addVariants")
    remove = inputs.resolve_ids(catalog, "variants", entry.get("removeVariants"), "removeVariants")
    if any(catalog.table("variants")[v]["product"] != pk for v in add + remove):
        raise fail("addVariants", "NOT_PRODUCTS_VARIANT", "Variant does not belong to this product.")
    changes: dict[str, Any] = {}
    published_at = entry.get("publishedAt") or entry.get("publicationDate")
    if entry.get("isPublished") is not None:
        changes["published"] = bool(entry["isPublished"])
        if entry["isPublished"]:
            changes["published_at"] = published_at or row["listings"].get(channel_pk, {}).get("published_at") or now_iso()
    elif published_at:
        changes["published_at"] = published_at
    if entry.get("visibleInListings") is not None:
        changes["visible"] = bool(entry["visibleInListings"])
    available_at = entry.get("availableForPurchaseAt") or entry.get("availableForPurchaseDate")
    if entry.get("isAvailableForPurchase") is not None:
        changes["available"] = bool(entry["isAvailableForPurchase"])
        changes["available_at"] = (available_at or now_iso()) if entry["isAvailableForPurchase"] else None
    elif available_at:
        changes.update(available=True, available_at=available_at)
    return channel_pk, changes, add, remove


def _apply_listing(catalog: Catalog, pk: str, plan: ListingPlan) -> None:
    channel_pk, changes, add, remove = plan
    catalog.list_product(pk, channel_pk, **changes)
    for variant_pk in add:
        catalog.table("variants")[variant_pk]["listings"].setdefault(channel_pk, {"price": None, "cost_price": None})
    for variant_pk in remove:
        catalog.table("variants")[variant_pk]["listings"].pop(channel_pk, None)


class ProductMutations:
    def productCreate(self, info: Info, input: dict[str, Any]) -> dict[str, Any]:
        catalog = require_staff(info).catalog

        def run() -> ProductNode:
            name = inputs.required_name(input)
            type_pk = inputs.resolve_id(catalog, "product_types", input.get("productType"), "productType")
            changes = product_changes(catalog, input, None, type_pk)
            slug = changes.pop("slug", None) or catalog.unique_slug("products", name)
            pk = catalog.new_product(name, slug, type_pk, None)
            apply_product(catalog, pk, changes)
            return ProductNode(catalog, pk)

        return inputs.attempt("productErrors", "product", run)

    def productUpdate(self, info: Info, input: dict[str, Any], id: str | None = None, **_: Any) -> dict[str, Any]:
        catalog = require_staff(info).catalog

        def run() -> ProductNode:
            pk = inputs.resolve_id(catalog, "products", id, "id")
            type_pk = catalog.table("products")[pk]["product_type"]
            apply_product(catalog, pk, product_changes(catalog, input, pk, type_pk))
            return ProductNode(catalog, pk)

        return inputs.attempt("productErrors", "product", run)

    def productVariantCreate(self, info: Info, input: dict[str, Any]) -> dict[str, Any]:
        catalog = require_staff(info).catalog

        def run() -> VariantNode:
            product_pk = inputs.resolve_id(catalog, "products", input.get("product"), "product")
            changes = variant_changes(catalog, input, None, catalog.table("products")[product_pk]["product_type"])
            pk = catalog.new_variant(product_pk, changes.pop("sku", None), changes.pop("name", ""))
            apply_variant(catalog, pk, changes)
            return VariantNode(catalog, pk)

        return inputs.attempt("productErrors", "productVariant", run)

    def productVariantUpdate(
        self, info: Info, input: dict[str, Any], id: str | None = None, sku: str | None = None, **_: Any
    ) -> dict[str, Any]:
        catalog = require_staff(info).catalog

        def run() -> VariantNode:
            pk = _variant_pk(catalog, id, sku)
            product_pk = catalog.table("variants")[pk]["product"]
            type_pk = catalog.table("products")[product_pk]["product_type"]
            apply_variant(catalog, pk, variant_changes(catalog, input, pk, type_pk))
            return VariantNode(catalog, pk)

        return inputs.attempt("productErrors", "productVariant", run)

    def productChannelListingUpdate(self, info: Info, id: str, input: dict[str, Any]) -> dict[str, Any]:
        catalog = require_staff(info).catalog

        def run() -> ProductNode:
            pk = inputs.resolve_id(catalog, "products", id, "id")
            removals = inputs.resolve_ids(catalog, "channels", input.get("removeChannels"), "removeChannels")
            plans = [_plan_listing(catalog, pk, entry) for entry in input.get("updateChannels") or []]
            for plan in plans:
                _apply_listing(catalog, pk, plan)
            for channel_pk in removals:
                catalog.table("products")[pk]["listings"].pop(channel_pk, None)
                for variant_pk in catalog.variants_of(pk):
                    catalog.table("variants")[variant_pk]["listings"].pop(channel_pk, None)
            catalog.touch()
            return ProductNode(catalog, pk)

        return inputs.attempt("productChannelListingErrors", "product", run)

    def productVariantChannelListingUpdate(
        self, info: Info, input: list[dict[str, Any]], id: str | None = None, sku: str | None = None
    ) -> dict[str, Any]:
        catalog = require_staff(info).catalog

        def run() -> VariantNode:
            pk = _variant_pk(catalog, id, sku)
            product = catalog.table("products")[catalog.table("variants")[pk]["product"]]
            planned = []
            for entry in input:
                channel_pk = inputs.resolve_id(catalog, "channels", entry.get("channelId"), "channelId")
                if channel_pk not in product["listings"]:
                    slug = catalog.table("channels")[channel_pk]["slug"]
                    raise fail("channelId", "PRODUCT_NOT_ASSIGNED_TO_CHANNEL", f"Product not available in channels: {slug}.")
                price = inputs.amount(entry.get("price"), "price")
                cost = inputs.amount(entry.get("costPrice"), "costPrice")
                planned.append((channel_pk, price, "costPrice" in entry, cost))
            for channel_pk, price, has_cost, cost in planned:
                listing = catalog.table("variants")[pk]["listings"].setdefault(channel_pk, {"price": None, "cost_price": None})
                listing["price"] = price
                if has_cost:
                    listing["cost_price"] = cost
            catalog.touch()
            return VariantNode(catalog, pk)

        return inputs.attempt("productChannelListingErrors", "variant", run)
