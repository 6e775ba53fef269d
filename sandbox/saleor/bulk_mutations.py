"""`productBulkCreate` and `productVariantBulkCreate`: many objects in one mutation, all or nothing.

Saleor runs both in one database transaction; with the default error policy REJECT_EVERYTHING an
error in any item writes nothing and each item's errors carry a `path` (`variants.0.sku`). Here
every item is checked in full before the first write, so a refused request leaves the store as
it was.
"""

from __future__ import annotations

from typing import Any

from sandbox.saleor import inputs
from sandbox.saleor.catalog import Catalog
from sandbox.saleor.context import Info, MutationErrors, fail, require_staff
from sandbox.saleor.product_mutations import apply_product, apply_variant, product_changes, variant_changes
from sandbox.saleor.product_nodes import ProductNode, VariantNode

# Codes of the sandbox's checks that the bulk error enums lack.
_BULK_CODES = {"GRAPHQL_ERROR", "INVALID", "NOT_FOUND", "REQUIRED", "UNIQUE", "DUPLICATED_INPUT_ITEM",
               "PRODUCT_NOT_ASSIGNED_TO_CHANNEL", "PRODUCT_WITHOUT_CATEGORY"}


def _bulk_errors(exc: MutationErrors, prefix: str) -> list[dict[str, Any]]:
    found = []
    for error in exc.errors:
        field = error.get("field")
        path = f"{prefix}{field}" if field else prefix.rstrip(".") or None
        code = error["code"] if error["code"] in _BULK_CODES else "INVALID"
        found.append({"path": path, "field": field, "code": code, "message": error["message"]})
    return found


class _VariantPlan:
    def __init__(self, changes: dict[str, Any], prices: list[tuple[str, float, float | None]]) -> None:
        self.changes = changes
        self.prices = prices


def _plan_variant(catalog: Catalog, data: dict[str, Any], type_pk: str, listed: set[str], skus: set[str]) -> _VariantPlan:
    changes = variant_changes(catalog, data, None, type_pk)
    sku = changes.get("sku")
    if sku is not None:
        if sku in skus:
            raise fail("sku", "DUPLICATED_INPUT_ITEM", f"Duplicated SKU: {sku}")
        skus.add(sku)
    prices = []
    for entry in data.get("channelListings") or []:
        channel_pk = inputs.resolve_id(catalog, "channels", entry.get("channelId"), "channelListings")
        if channel_pk not in listed:
            slug = catalog.table("channels")[channel_pk]["slug"]
            raise fail("channelListings", "PRODUCT_NOT_ASSIGNED_TO_CHANNEL",
                       f"Product not available in channels: {slug}.")
        price = inputs.amount(entry.get("price"), "price")
        if price is None:
            raise fail("price", "REQUIRED", "This field is required.")
        prices.append((channel_pk, price, inputs.amount(entry.get("costPrice"), "costPrice")))
    return _VariantPlan(changes, prices)


def _write_variant(catalog: Catalog, product_pk: str, plan: _VariantPlan) -> str:
    changes = dict(plan.changes)
    pk = catalog.new_variant(product_pk, changes.pop("sku", None), changes.pop("name", ""))
    apply_variant(catalog, pk, changes)
    for channel_pk, price, cost in plan.prices:
        catalog.table("variants")[pk]["listings"][channel_pk] = {"price": price, "cost_price": cost}
    return pk


class _ProductPlan:
    def __init__(self, name: str, slug: str, type_pk: str, changes: dict[str, Any],
                 listings: list[tuple[str, dict[str, Any]]], variants: list[_VariantPlan]) -> None:
        self.name, self.slug, self.type_pk = name, slug, type_pk
        self.changes, self.listings, self.variants = changes, listings, variants


def _listing(catalog: Catalog, entry: dict[str, Any], has_category: bool) -> tuple[str, dict[str, Any]]:
    channel_pk = inputs.resolve_id(catalog, "channels", entry.get("channelId"), "channelId")
    if entry.get("isPublished") and not has_category:
        raise fail("isPublished", "PRODUCT_WITHOUT_CATEGORY", "You must select a category to be able to publish")
    published = bool(entry.get("isPublished"))
    available = bool(entry.get("isAvailableForPurchase")) or bool(entry.get("availableForPurchaseAt"))
    return channel_pk, {
        "published": published,
        "published_at": entry.get("publishedAt") if published or entry.get("publishedAt") else None,
        "visible": bool(entry.get("visibleInListings", False)),
        "available": available,
        "available_at": entry.get("availableForPurchaseAt") if available else None,
    }


def _plan_product(catalog: Catalog, data: dict[str, Any], slugs: set[str], skus: set[str]) -> _ProductPlan:
    name = inputs.required_name(data)
    type_pk = inputs.resolve_id(catalog, "product_types", data.get("productType"), "productType")
    changes = product_changes(catalog, data, None, type_pk)
    slug = changes.pop("slug", None) or catalog.unique_slug("products", name)
    if slug in slugs:
        raise fail("slug", "DUPLICATED_INPUT_ITEM", f"Duplicated slug: {slug}")
    slugs.add(slug)
    listings = [_listing(catalog, entry, changes.get("category") is not None)
                for entry in data.get("channelListings") or []]
    listed = {channel_pk for channel_pk, _ in listings}
    variants = []
    for index, item in enumerate(data.get("variants") or []):
        try:
            variants.append(_plan_variant(catalog, item, type_pk, listed, skus))
        except MutationErrors as exc:
            raise MutationErrors(_bulk_errors(exc, f"variants.{index}.")) from None
    return _ProductPlan(name, slug, type_pk, changes, listings, variants)


class BulkMutations:
    def productBulkCreate(self, info: Info, products: list[dict[str, Any]], errorPolicy: str | None = None) -> dict[str, Any]:
        catalog = require_staff(info).catalog
        plans: list[_ProductPlan | None] = []
        results: list[dict[str, Any]] = []
        slugs: set[str] = set()
        skus: set[str] = set()
        for data in products:
            try:
                plans.append(_plan_product(catalog, data, slugs, skus))
                results.append({"product": None, "errors": []})
            except MutationErrors as exc:
                plans.append(None)
                errors = exc.errors if all("path" in e for e in exc.errors) else _bulk_errors(exc, "")
                results.append({"product": None, "errors": errors})
        failed = any(plan is None for plan in plans)
        if failed and (errorPolicy or "REJECT_EVERYTHING") == "REJECT_EVERYTHING":
            return {"count": 0, "results": results, "errors": []}
        count = 0
        for plan, result in zip(plans, results, strict=True):
            if plan is None:
                continue
            pk = catalog.new_product(plan.name, plan.slug, plan.type_pk, None)
            apply_product(catalog, pk, dict(plan.changes))
            for channel_pk, listing in plan.listings:
                catalog.list_product(pk, channel_pk, **listing)
            for variant in plan.variants:
                _write_variant(catalog, pk, variant)
            result["product"] = ProductNode(catalog, pk)
            count += 1
        catalog.touch()
        return {"count": count, "results": results, "errors": []}

    def productVariantBulkCreate(
        self, info: Info, product: str, variants: list[dict[str, Any]], errorPolicy: str | None = None
    ) -> dict[str, Any]:
        catalog = require_staff(info).catalog
        try:
            product_pk = inputs.resolve_id(catalog, "products", product, "product")
        except MutationErrors as exc:
            return {"count": 0, "productVariants": [], "results": [], "errors": exc.errors, "bulkProductErrors": exc.errors}
        row = catalog.table("products")[product_pk]
        listed = set(row["listings"])
        skus: set[str] = set()
        plans: list[_VariantPlan | None] = []
        results: list[dict[str, Any]] = []
        for index, data in enumerate(variants):
            try:
                plans.append(_plan_variant(catalog, data, row["product_type"], listed, skus))
                results.append({"productVariant": None, "errors": []})
            except MutationErrors as exc:
                plans.append(None)
                results.append({"productVariant": None, "errors": _bulk_errors(exc, f"variants.{index}.")})
        if any(plan is None for plan in plans) and (errorPolicy or "REJECT_EVERYTHING") == "REJECT_EVERYTHING":
            return {"count": 0, "productVariants": [], "results": results, "errors": [], "bulkProductErrors": []}
        made = []
        for plan, result in zip(plans, results, strict=True):
            if plan is not None:
                node = VariantNode(catalog, _write_variant(catalog, product_pk, plan))
                result["productVariant"] = node
                made.append(node)
        catalog.touch()
        return {"count": len(made), "productVariants": made, "results": results, "errors": [], "bulkProductErrors": []}
