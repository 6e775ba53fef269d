"""Variant tool: create or change one variant, keyed by SKU."""

from __future__ import annotations

from typing import Any

from adapters.errors import Conflict, InvalidRequest, Unavailable
from adapters.saleor import documents
from adapters.saleor.attributes import attribute_inputs, variant_attribute_defs
from adapters.saleor.base import Node, SaleorBase, check_amount
from adapters.saleor.convert import slugify, variant_currency, variant_to_dict
from adapters.saleor.failures import SYSTEM


def _names_product(ref: str, product: Node) -> bool:
    return ref in (product.get("id"), product.get("slug"), slugify(ref)) or (
        ref.casefold() == str(product.get("name", "")).casefold()
    )


class VariantOps(SaleorBase):
    """`variant_upsert`."""

    async def variant_upsert(
        self,
        sku: str,
        product: str | None = None,
        attributes: dict[str, Any] | None = None,
        price: float | None = None,
        cost_price: float | None = None,
        weight_kg: float | None = None,
        channel: str | None = None,
    ) -> dict[str, Any]:
        """Create the variant with this SKU (needs `product`) or set the given values on it.

        Returns the variant dict plus `currency`, `product` (its name) and `created`.
        """
        price = check_amount(price, "price")
        cost_price = check_amount(cost_price, "cost_price")
        weight = check_amount(weight_kg, "weight_kg")
        chan = await self._channel(channel)
        existing = await self._variant_by_sku(sku)
        if existing is None and not product:
            raise InvalidRequest(SYSTEM, f"SKU {sku!r} is new; name the product to add it to", field="product")
        if price is None and cost_price is not None:
            current = variant_to_dict(existing, chan["slug"])["price"] if existing else None
            if current is None:
                raise InvalidRequest(SYSTEM, "cost_price needs a price in this channel", field="price")
            price = current
        if existing is not None:
            variant_id, owner = await self._change(existing, product, attributes, weight)
            if price is not None:
                await self._ensure_listed(owner["id"], owner.get("channelListings"), chan)
                await self._set_variant_price(variant_id, chan, price, cost_price)
        else:
            # A new variant and its price are one productVariantBulkCreate (one transaction in
            # Saleor); the product's listing in the channel, which the price needs, comes first and
            # is whole on its own, so a crash between the two leaves no variant without its price.
            await self._create(sku, str(product), attributes, weight, chan if price is not None else None,
                               price, cost_price)
        fresh = await self._variant_by_sku(sku)
        if fresh is None:
            raise Unavailable(SYSTEM, f"variant {sku!r} vanished right after it was written")
        return {
            **variant_to_dict(fresh, chan["slug"]),
            "currency": variant_currency(fresh, chan["slug"]) or chan.get("currencyCode"),
            "product": fresh["product"]["name"],
            "created": existing is None,
        }

    async def _change(
        self, existing: Node, product: str | None, attributes: dict[str, Any] | None, weight: float | None
    ) -> tuple[str, Node]:
        owner = existing["product"]
        if product and not _names_product(product, owner):
            wanted = await self._product(product)
            if wanted["id"] != owner["id"]:
                raise Conflict(
                    SYSTEM, f"SKU {existing['sku']!r} already belongs to {owner['name']!r}", field="sku"
                )
        fields: dict[str, Any] = {}
        if attributes:
            ptype = await self._product_type(owner["productType"]["id"])
            fields["attributes"] = attribute_inputs(
                variant_attribute_defs(ptype), attributes, type_name=str(ptype["name"])
            )
        if weight is not None:
            fields["weight"] = {"unit": "kg", "value": weight}
        if fields:
            await self._mutate(
                documents.PRODUCT_VARIANT_UPDATE, {"id": existing["id"], "input": fields}, "productVariantUpdate"
            )
        return existing["id"], owner

    async def _create(
        self, sku: str, product: str, attributes: dict[str, Any] | None, weight: float | None,
        chan: Node | None, price: float | None, cost_price: float | None,
    ) -> str:
        owner = await self._product(product)
        ptype = await self._product_type(owner["productType"]["id"])
        values = attribute_inputs(variant_attribute_defs(ptype), attributes, type_name=str(ptype["name"]))
        name = " / ".join(str(v) for v in (attributes or {}).values()) or sku
        fields: dict[str, Any] = {"sku": sku, "name": name, "attributes": values}
        if weight is not None:
            fields["weight"] = {"unit": "kg", "value": weight}
        if chan is not None and price is not None:
            await self._ensure_listed(owner["id"], owner.get("channelListings"), chan)
            listing: dict[str, Any] = {"channelId": chan["id"], "price": price}
            if cost_price is not None:
                listing["costPrice"] = cost_price
            fields["channelListings"] = [listing]
        made = await self._bulk(documents.PRODUCT_VARIANT_BULK_CREATE, {"product": owner["id"], "variants": [fields]},
                                "productVariantBulkCreate", "productVariant")
        return str(made[0]["id"])
