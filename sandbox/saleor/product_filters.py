"""Product search, `where`/`filter` inputs and sorting, as the sandbox understands them.

Unsupported filter keys are refused with an error rather than ignored, so a test never passes
because a filter silently did nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLError

from sandbox.saleor import richtext
from sandbox.saleor.catalog import Catalog

Check = Callable[[str], bool]


def visible_products(catalog: Catalog, channel_pk: str | None) -> list[str]:
    """Products a staff user sees: all of them, or those listed in the channel when one is given."""
    rows = catalog.table("products")
    return [pk for pk, row in rows.items() if channel_pk is None or channel_pk in row["listings"]]


def prices(catalog: Catalog, product_pk: str, channel_pk: str | None) -> list[float]:
    found = []
    for variant_pk in catalog.variants_of(product_pk):
        listings = catalog.table("variants")[variant_pk]["listings"]
        for ch, listing in listings.items():
            if (channel_pk is None or ch == channel_pk) and listing.get("price") is not None:
                found.append(float(listing["price"]))
    return found


def stock_total(catalog: Catalog, product_pk: str) -> int:
    variants = catalog.table("variants")
    return sum(sum(variants[v]["stocks"].values()) for v in catalog.variants_of(product_pk))


def _ids(catalog: Catalog, table: str, values: list[str]) -> set[str]:
    return {pk for pk in (catalog.pk_of(table, v) for v in values) if pk is not None}


def _id_filter(catalog: Catalog, table: str, spec: dict[str, Any]) -> set[str]:
    values = ([spec["eq"]] if spec.get("eq") else []) + list(spec.get("oneOf") or [])
    return _ids(catalog, table, values)


def _string_match(value: str, spec: dict[str, Any]) -> bool:
    if spec.get("eq") is not None:
        return value == str(spec["eq"])
    return value in [str(v) for v in spec.get("oneOf") or []]


def _decimal_match(values: list[float], spec: dict[str, Any]) -> bool:
    def one(v: float) -> bool:
        if spec.get("eq") is not None:
            return v == float(spec["eq"])
        if spec.get("oneOf"):
            return v in {float(x) for x in spec["oneOf"]}
        bounds = spec.get("range") or {}
        low, high = bounds.get("gte"), bounds.get("lte")
        return (low is None or v >= float(low)) and (high is None or v <= float(high))

    return any(one(v) for v in values)


def _listing_flag(catalog: Catalog, pk: str, channel_pk: str | None, key: str) -> bool:
    listings = catalog.table("products")[pk]["listings"]
    chosen = [listings[channel_pk]] if channel_pk in listings else ([] if channel_pk else list(listings.values()))
    return any(bool(listing.get(key)) for listing in chosen)


def _where_check(catalog: Catalog, key: str, value: Any, channel_pk: str | None) -> Check:
    rows = catalog.table("products")
    if key in ("ids", "productType", "category", "collection"):
        table = {"ids": "products", "productType": "product_types", "category": "categories"}.get(key, "collections")
        wanted = _ids(catalog, table, value) if key == "ids" else _id_filter(catalog, table, value)
        if key == "ids":
            return lambda pk: pk in wanted
        if key == "collection":
            return lambda pk: bool(wanted.intersection(catalog.collections_of(pk)))
        column = "product_type" if key == "productType" else "category"
        return lambda pk: rows[pk][column] in wanted
    if key in ("name", "slug"):
        return lambda pk: _string_match(rows[pk][key], value)
    if key in ("isPublished", "isAvailable", "isVisibleInListing"):
        flag = {"isPublished": "published", "isAvailable": "available", "isVisibleInListing": "visible"}[key]
        return lambda pk: _listing_flag(catalog, pk, channel_pk, flag) == bool(value)
    if key == "hasCategory":
        return lambda pk: (rows[pk]["category"] is not None) == bool(value)
    if key == "stockAvailability":
        return lambda pk: (stock_total(catalog, pk) > 0) == (value == "IN_STOCK")
    if key == "price":
        return lambda pk: _decimal_match(prices(catalog, pk, channel_pk), value)
    if key == "minimalPrice":
        return lambda pk: _decimal_match(sorted(prices(catalog, pk, channel_pk))[:1], value)
    if key in ("AND", "OR"):
        checks = [_where(catalog, item, channel_pk) for item in value]
        if key == "AND":
            return lambda pk: all(c(pk) for c in checks)
        return lambda pk: any(c(pk) for c in checks)
    raise GraphQLError(f"The Saleor sandbox does not support the product filter `{key}`.")


def _where(catalog: Catalog, where: dict[str, Any], channel_pk: str | None) -> Check:
    checks = [_where_check(catalog, k, v, channel_pk) for k, v in where.items() if v is not None]
    return lambda pk: all(c(pk) for c in checks)


# The deprecated `filter` argument, mapped onto the `where` keys above.
_LEGACY = {
    "ids": "ids",
    "categories": "category",
    "collections": "collection",
    "productTypes": "productType",
    "isPublished": "isPublished",
    "hasCategory": "hasCategory",
    "stockAvailability": "stockAvailability",
    "isAvailable": "isAvailable",
    "isVisibleInListing": "isVisibleInListing",
}


def _legacy_to_where(legacy: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    where: dict[str, Any] = {}
    search = None
    for key, value in legacy.items():
        if value is None:
            continue
        if key == "search":
            search = value
        elif key == "slugs":
            where["slug"] = {"oneOf": value}
        elif key in ("categories", "collections", "productTypes"):
            where[_LEGACY[key]] = {"oneOf": value}
        elif key in _LEGACY:
            where[_LEGACY[key]] = value
        else:
            raise GraphQLError(f"The Saleor sandbox does not support the product filter `{key}`.")
    return where, search


def search_text(catalog: Catalog, pk: str) -> str:
    row = catalog.table("products")[pk]
    skus = [catalog.table("variants")[v].get("sku") or "" for v in catalog.variants_of(pk)]
    parts = [row["name"], row["slug"], richtext.to_text(row.get("description")) or "", *skus]
    return " ".join(parts).casefold()


def filter_products(
    catalog: Catalog,
    pks: list[str],
    *,
    channel_pk: str | None,
    where: dict[str, Any] | None = None,
    legacy_filter: dict[str, Any] | None = None,
    search: str | None = None,
) -> list[str]:
    """The products among `pks` matching every given condition (search: all words, any case)."""
    if where and legacy_filter:
        raise GraphQLError("Only one filtering argument (filter or where) can be specified.")
    if legacy_filter:
        where, legacy_search = _legacy_to_where(legacy_filter)
        search = search or legacy_search
    check = _where(catalog, where or {}, channel_pk)
    words = (search or "").casefold().split()
    return [pk for pk in pks if check(pk) and all(w in search_text(catalog, pk) for w in words)]


def sort_products(
    catalog: Catalog, pks: list[str], sort_by: dict[str, Any] | None, channel_pk: str | None
) -> list[str]:
    rows = catalog.table("products")
    field_name = (sort_by or {}).get("field") or "NAME"
    keys: dict[str, Callable[[str], Any]] = {
        "CREATED_AT": lambda pk: rows[pk]["created"],
        "LAST_MODIFIED_AT": lambda pk: rows[pk]["updated"],
        "LAST_MODIFIED": lambda pk: rows[pk]["updated"],
        "PRICE": lambda pk: min(prices(catalog, pk, channel_pk), default=0.0),
        "MINIMAL_PRICE": lambda pk: min(prices(catalog, pk, channel_pk), default=0.0),
    }
    key = keys.get(field_name, lambda pk: (rows[pk]["name"].casefold(), int(pk)))
    return sorted(pks, key=key, reverse=(sort_by or {}).get("direction") == "DESC")
