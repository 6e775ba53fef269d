"""Seed a catalog from plain data and dump it back in the same shape."""

from __future__ import annotations

from typing import Any

from sandbox.saleor import richtext
from sandbox.saleor.catalog import Catalog, slugify
from sandbox.saleor.shop_dump import dump_shop
from sandbox.saleor.shop_seeding import seed_shop

DEFAULT_CHANNEL = {"slug": "default-channel", "name": "Default Channel", "currency": "USD"}


def _named(item: str | dict[str, Any]) -> dict[str, Any]:
    return {"name": item} if isinstance(item, str) else dict(item)


def _ensure(catalog: Catalog, table: str, name: str, extra: dict[str, Any] | None = None) -> str:
    """The pk of the row named `name`, creating it (with a unique slug) when absent."""
    pk = catalog.by_name(table, name)
    if pk is None:
        pk = catalog.insert(table, {"name": name, "slug": catalog.unique_slug(table, name), **(extra or {})})
    return pk


def _attributes(catalog: Catalog, items: list[Any]) -> list[str]:
    pks = []
    for item in items:
        spec = _named(item)
        pks.append(_ensure(catalog, "attributes", spec["name"], {"input_type": spec.get("input_type", "DROPDOWN")}))
    return pks


def _seed_structure(catalog: Catalog, data: dict[str, Any]) -> None:
    channels = data.get("channels") or ([] if catalog.table("channels") else [DEFAULT_CHANNEL])
    for channel in channels:
        if catalog.by_slug("channels", channel["slug"]) is None:
            row = {"slug": channel["slug"], "name": channel.get("name", channel["slug"])}
            catalog.insert("channels", {**row, "currency": channel.get("currency", "USD")})
    for item in data.get("warehouses") or []:
        _ensure(catalog, "warehouses", _named(item)["name"])
    for item in data.get("product_types") or []:
        spec = _named(item)
        pk = _ensure(catalog, "product_types", spec["name"], {"product_attributes": [], "variant_attributes": []})
        row = catalog.table("product_types")[pk]
        row["product_attributes"] = _attributes(catalog, spec.get("product_attributes") or [])
        row["variant_attributes"] = _attributes(catalog, spec.get("variant_attributes") or [])
    for item in data.get("categories") or []:
        spec = _named(item)
        _ensure(catalog, "categories", spec["name"], {"description": richtext.from_text(spec.get("description"))})
    for item in data.get("collections") or []:
        spec = _named(item)
        if catalog.by_name("collections", spec["name"]) is None:
            slug = spec.get("slug") or catalog.unique_slug("collections", spec["name"])
            row = catalog.table("collections")[catalog.new_collection(spec["name"], slug)]
            row["description"] = richtext.from_text(spec.get("description"))
            for channel_pk in catalog.table("channels"):
                row["listings"][channel_pk] = {"published": bool(spec.get("published", True)), "published_at": None}


def _seed_product(catalog: Catalog, spec: dict[str, Any], channel_pk: str) -> None:
    slug = spec.get("slug") or slugify(spec["name"])
    if catalog.by_slug("products", slug) is not None:
        return
    type_pk = _ensure(catalog, "product_types", spec.get("product_type") or "Default",
                      {"product_attributes": [], "variant_attributes": []})
    category = spec.get("category", "Default")
    category_pk = _ensure(catalog, "categories", category, {"description": None}) if category else None
    pk = catalog.new_product(spec["name"], slug, type_pk, category_pk)
    row = catalog.table("products")[pk]
    row["description"] = richtext.from_text(spec.get("description"))
    row["seo_title"] = spec.get("seo_title")
    row["seo_description"] = spec.get("seo_description")
    published = bool(spec.get("published", True))
    catalog.list_product(pk, channel_pk, published=published, available=published)
    variant_pk = catalog.new_variant(pk, spec.get("sku"), spec["name"])
    variant = catalog.table("variants")[variant_pk]
    variant["weight_kg"] = spec.get("weight_kg")
    if spec.get("price") is not None:
        cost = spec.get("cost_price")
        variant["listings"][channel_pk] = {
            "price": float(spec["price"]),
            "cost_price": float(cost) if cost is not None else None,
        }
    for warehouse_pk in catalog.table("warehouses"):  # the same count in every warehouse (see `stocks` for more)
        variant["stocks"][warehouse_pk] = int(spec.get("stock", 10))
    for name in spec.get("collections") or []:
        collection_pk = catalog.by_name("collections", name)
        if collection_pk is None:
            _seed_structure(catalog, {"collections": [name]})
            collection_pk = catalog.by_name("collections", name)
        assert collection_pk is not None
        catalog.table("collections")[collection_pk]["products"].append(pk)


def seed_catalog(catalog: Catalog, data: dict[str, Any]) -> None:
    """Add what `data` lists (see `demo_seed()` for the shape); existing names are kept."""
    _seed_structure(catalog, data)
    channel_pk = next(iter(catalog.table("channels")))
    for spec in data.get("products") or []:
        _seed_product(catalog, spec, channel_pk)
    seed_shop(catalog, data, channel_pk)
    catalog.touch()


def _attribute_specs(catalog: Catalog, pks: list[str]) -> list[dict[str, Any]]:
    rows = catalog.table("attributes")
    return [{"name": rows[pk]["name"], "input_type": rows[pk]["input_type"]} for pk in pks]


def dump_catalog(catalog: Catalog) -> dict[str, Any]:
    """The catalog in the seed shape; products carry their first variant's SKU and price."""
    channels = catalog.table("channels")
    channel_pk = next(iter(channels), None)
    names = {t: {pk: r["name"] for pk, r in catalog.table(t).items()} for t in ("categories", "product_types")}
    products = []
    for pk, row in catalog.table("products").items():
        variants = catalog.variants_of(pk)
        first = catalog.table("variants")[variants[0]] if variants else {}
        price = (first.get("listings") or {}).get(channel_pk or "", {})
        listing = row["listings"].get(channel_pk or "", {})
        products.append({
            "name": row["name"],
            "slug": row["slug"],
            "product_type": names["product_types"].get(row["product_type"]),
            "category": names["categories"].get(row["category"] or ""),
            "collections": [catalog.table("collections")[c]["name"] for c in catalog.collections_of(pk)],
            "sku": first.get("sku"),
            "price": price.get("price"),
            "cost_price": price.get("cost_price"),
            "published": bool(listing.get("published")),
            "description": richtext.to_text(row.get("description")),
            "seo_title": row.get("seo_title"),
            "seo_description": row.get("seo_description"),
        })
    return {
        "channels": [{"slug": c["slug"], "name": c["name"], "currency": c["currency"]} for c in channels.values()],
        "warehouses": [w["name"] for w in catalog.table("warehouses").values()],
        "product_types": [
            {
                "name": t["name"],
                "product_attributes": _attribute_specs(catalog, t.get("product_attributes", [])),
                "variant_attributes": _attribute_specs(catalog, t.get("variant_attributes", [])),
            }
            for t in catalog.table("product_types").values()
        ],
        "categories": [c["name"] for c in catalog.table("categories").values()],
        "collections": [
            {
                "name": c["name"],
                "slug": c["slug"],
                "published": bool(c["listings"].get(channel_pk or "", {}).get("published")),
                "description": richtext.to_text(c.get("description")),
            }
            for c in catalog.table("collections").values()
        ],
        "products": products,
        **dump_shop(catalog),
    }
