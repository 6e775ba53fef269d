"""Product tools: search, get, create-if-absent, update, publish and unpublish."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import structlog

from adapters.errors import Conflict, InvalidRequest, Unavailable
from adapters.saleor import documents
from adapters.saleor.attributes import attribute_inputs, product_attribute_defs
from adapters.saleor.base import Node, SaleorBase, check_amount, seo_input
from adapters.saleor.convert import (
    editorjs_to_text,
    product_to_dict,
    slugify,
    text_to_editorjs,
    variant_nodes,
)
from adapters.saleor.failures import SYSTEM

log = structlog.get_logger(__name__)

MISSING_KINDS = ("description", "image", "seo", "category", "price")


def _lacks(node: Node, kind: str, channel: str) -> bool:
    if kind == "description":
        return not editorjs_to_text(node.get("description"))
    if kind == "image":
        return not node.get("thumbnail")
    if kind == "seo":
        return not node.get("seoTitle") or not node.get("seoDescription")
    return product_to_dict(node, channel)["price"] is None


def _unpublished(channel: Node) -> dict[str, Any]:
    return {"channelId": channel["id"], "isPublished": False, "isAvailableForPurchase": False}


def _default_variant(
    name: str, sku: str | None, channel: Node, price: float | None, cost_price: float | None
) -> dict[str, Any]:
    """A ProductVariantBulkCreateInput: the product's one variant, priced in the channel when a price is given."""
    variant: dict[str, Any] = {"name": name, "attributes": []}
    if sku:
        variant["sku"] = sku
    if price is not None:
        listing: dict[str, Any] = {"channelId": channel["id"], "price": price}
        if cost_price is not None:
            listing["costPrice"] = cost_price
        variant["channelListings"] = [listing]
    return variant


def _when(value: datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


class ProductOps(SaleorBase):
    """The product half of the tool catalog."""

    async def product_search(
        self,
        query: str | None = None,
        category: str | None = None,
        collection: str | None = None,
        in_stock: bool | None = None,
        published: bool | None = None,
        channel: str | None = None,
        first: int = 20,
        missing: str | None = None,
    ) -> list[dict[str, Any]]:
        """Products matching text and filters, each in full, priced in the channel."""
        first = max(1, min(int(first), 100))
        slug = self._channel_slug(channel)
        where: dict[str, Any] = {}
        if category:
            where["category"] = {"eq": (await self._category(category))["id"]}
        if collection:
            where["collection"] = {"eq": (await self._collection(collection))["id"]}
        if in_stock is not None:
            where["stockAvailability"] = "IN_STOCK" if in_stock else "OUT_OF_STOCK"
        if published is not None:
            where["isPublished"] = published
        client_side: str | None = None
        if missing == "category":
            where["hasCategory"] = False
        elif missing in MISSING_KINDS:
            # Saleor's `where` has no filter for an empty description, image, SEO or price, so
            # these are filtered here after fetching a full page of 100.
            client_side = missing
        elif missing:
            raise InvalidRequest(SYSTEM, f"missing must be one of {', '.join(MISSING_KINDS)}", field="missing")
        variables = {
            "search": query or None,
            "where": where or None,
            "channel": slug,
            "first": 100 if client_side else first,
        }
        data = await self.execute(documents.PRODUCTS_SEARCH, variables)
        nodes = [edge["node"] for edge in (data.get("products") or {}).get("edges") or []]
        if client_side:
            nodes = [n for n in nodes if _lacks(n, client_side, slug)][:first]
        return [product_to_dict(node, slug) for node in nodes]

    async def product_get(self, product: str, channel: str | None = None) -> dict[str, Any]:
        """One product by ID, slug or exact name."""
        return product_to_dict(await self._product(product), self._channel_slug(channel))

    async def product_create(
        self,
        name: str,
        product_type: str,
        category: str,
        description: str | None = None,
        sku: str | None = None,
        price: float | None = None,
        cost_price: float | None = None,
        attributes: dict[str, Any] | None = None,
        seo_title: str | None = None,
        seo_description: str | None = None,
        channel: str | None = None,
    ) -> dict[str, Any]:
        """Create a product with its default variant, listed (unpublished) and priced in the channel.

        The product, its variant, its channel listing and the price are one `productBulkCreate`,
        which Saleor runs in one transaction: a crash or a refusal leaves nothing half-made. A
        product already at this slug is checked for the same parts; a missing part (a product left
        without a variant, listing or price by an older writer) is added and named in `repaired`.
        Everything that can be checked (SKU, product type, category, attributes) is checked
        before the first write.
        """
        slug = slugify(name)
        if not slug:
            raise InvalidRequest(SYSTEM, "name must contain a letter or digit", field="name")
        price = check_amount(price, "price")
        cost_price = check_amount(cost_price, "cost_price")
        if cost_price is not None and price is None:
            raise InvalidRequest(SYSTEM, "cost_price needs a price as well", field="price")
        chan = await self._channel(channel)
        existing = await self._product_by(slug=slug)
        if existing:
            return await self._complete_product(existing, chan, name, sku, price, cost_price)
        if sku:
            await self._check_sku_free(sku)
        ptype = await self._product_type(product_type)
        cat = await self._category(category)
        fields: dict[str, Any] = {"name": name, "slug": slug, "productType": ptype["id"], "category": cat["id"]}
        if description is not None:
            fields["description"] = text_to_editorjs(description)
        if seo := seo_input(seo_title, seo_description):
            fields["seo"] = seo
        if attributes:
            defs = product_attribute_defs(ptype)
            fields["attributes"] = attribute_inputs(defs, attributes, type_name=ptype["name"])
        fields["channelListings"] = [_unpublished(chan)]
        fields["variants"] = [_default_variant(name, sku, chan, price, cost_price)]
        made = await self._bulk(documents.PRODUCT_BULK_CREATE, {"products": [fields]}, "productBulkCreate", "product")
        return {**(await self._reload_product(made[0]["id"], chan["slug"])), "existing": False}

    async def _check_sku_free(self, sku: str) -> None:
        if taken := await self._variant_by_sku(sku):
            owner = taken["product"]["name"]
            raise Conflict(SYSTEM, f"SKU {sku!r} already belongs to {owner!r}; choose another SKU", field="sku")

    async def _complete_product(
        self, node: Node, chan: Node, name: str, sku: str | None, price: float | None, cost_price: float | None
    ) -> dict[str, Any]:
        """An existing product with what product_create promises: a listing in the channel, a
        variant, and the asked price when it has none there. Returns it with `existing: true` and
        `repaired` naming the parts added (empty when it was whole)."""
        repaired: list[str] = []
        listed = any((item.get("channel") or {}).get("slug") == chan["slug"] for item in node.get("channelListings") or [])
        if not listed:
            await self._ensure_listed(node["id"], node.get("channelListings"), chan)
            repaired.append("channel listing")
        variants = variant_nodes(node)
        if not variants:
            if sku:
                await self._check_sku_free(sku)
            variant = _default_variant(name, sku, chan, price, cost_price)
            await self._bulk(documents.PRODUCT_VARIANT_BULK_CREATE, {"product": node["id"], "variants": [variant]},
                             "productVariantBulkCreate", "productVariant")
            repaired.append("variant")
        elif price is not None and product_to_dict(node, chan["slug"])["price"] is None:
            default_id = (node.get("defaultVariant") or {}).get("id") or variants[0]["id"]
            await self._set_variant_price(default_id, chan, price, cost_price)
            repaired.append("price")
        if repaired:
            log.warning("completed a half-made product", product=node["id"], repaired=repaired)
        return {**(await self._reload_product(node["id"], chan["slug"])), "existing": True, "repaired": repaired}

    async def product_update(
        self,
        product: str,
        name: str | None = None,
        description: str | None = None,
        price: float | None = None,
        category: str | None = None,
        attributes: dict[str, Any] | None = None,
        seo_title: str | None = None,
        seo_description: str | None = None,
        slug: str | None = None,
        channel: str | None = None,
    ) -> dict[str, Any]:
        """Set the given fields; `price` sets every variant's price in the channel."""
        price = check_amount(price, "price")
        node = await self._product(product)
        chan_slug = self._channel_slug(channel)
        fields: dict[str, Any] = {}
        if name is not None:
            fields["name"] = name
        if slug is not None:
            fields["slug"] = slug
        if description is not None:
            fields["description"] = text_to_editorjs(description)
        if category is not None:
            fields["category"] = (await self._category(category))["id"]
        if seo := seo_input(seo_title, seo_description):
            fields["seo"] = seo
        if attributes:
            ptype = await self._product_type(node["productType"]["id"])
            fields["attributes"] = attribute_inputs(
                product_attribute_defs(ptype), attributes, type_name=ptype["name"]
            )
        if price is not None and not variant_nodes(node):
            raise InvalidRequest(SYSTEM, "the product has no variants; add one with variant_upsert", field="price")
        if fields:
            await self._mutate(documents.PRODUCT_UPDATE, {"id": node["id"], "input": fields}, "productUpdate")
        if price is not None:
            chan = await self._channel(channel)
            await self._ensure_listed(node["id"], node.get("channelListings"), chan)
            for variant in variant_nodes(node):
                await self._set_variant_price(variant["id"], chan, price, None)
        return await self._reload_product(node["id"], chan_slug)

    async def product_publish(
        self, product: str, channel: str | None = None, publish_at: datetime | str | None = None
    ) -> dict[str, Any]:
        """Publish in the channel and make it purchasable, now or from `publish_at`."""
        entry: dict[str, Any] = {"isPublished": True, "visibleInListings": True, "isAvailableForPurchase": True}
        if when := _when(publish_at):
            entry["publishedAt"] = when
            entry["availableForPurchaseAt"] = when
        return await self._set_listing(product, channel, entry)

    async def product_unpublish(
        self, product: str, channel: str | None = None, reason: str | None = None
    ) -> dict[str, Any]:
        """Hide from the channel and stop sales. Saleor has no field for `reason`; the caller keeps it."""
        return await self._set_listing(product, channel, {"isPublished": False, "isAvailableForPurchase": False})

    async def _set_listing(self, product: str, channel: str | None, entry: dict[str, Any]) -> dict[str, Any]:
        node = await self._product(product)
        chan = await self._channel(channel)
        await self._mutate(
            documents.PRODUCT_CHANNEL_LISTING_UPDATE,
            {"id": node["id"], "input": {"updateChannels": [{"channelId": chan["id"], **entry}]}},
            "productChannelListingUpdate",
        )
        return await self._reload_product(node["id"], chan["slug"])

    async def _reload_product(self, product_id: str, channel_slug: str) -> dict[str, Any]:
        node = await self._product_by(id=product_id)
        if node is None:
            raise Unavailable(SYSTEM, f"product {product_id} vanished right after it was written")
        return product_to_dict(node, channel_slug)
