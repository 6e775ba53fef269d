"""Product and variant views (see `nodes` for how graphql-core reads them)."""

from __future__ import annotations

from typing import Any, ClassVar

from sandbox.saleor import richtext
from sandbox.saleor.catalog import to_global_id
from sandbox.saleor.context import Info
from sandbox.saleor.nodes import (
    AttributeNode,
    CategoryNode,
    ChannelNode,
    CollectionNode,
    ProductTypeNode,
    RecordNode,
    WarehouseNode,
    money,
    taxed,
)
from sandbox.saleor.order_records import allocated
from sandbox.saleor.paging import connection
from sandbox.saleor.product_filters import prices


class ProductNode(RecordNode):
    table = "products"
    chargeTaxes = True
    weight = None
    rating = None
    taxType = None
    taxClass = None
    images: ClassVar[tuple[Any, ...]] = ()

    @property
    def description(self) -> str | None:
        return richtext.serialize(self.row.get("description"))

    descriptionJson = description

    @property
    def seoTitle(self) -> Any:
        return self.row.get("seo_title")

    @property
    def seoDescription(self) -> Any:
        return self.row.get("seo_description")

    @property
    def created(self) -> str:
        return str(self.row["created"])

    @property
    def updatedAt(self) -> str:
        return str(self.row["updated"])

    @property
    def productType(self) -> ProductTypeNode:
        return ProductTypeNode(self.catalog, self.row["product_type"])

    @property
    def category(self) -> CategoryNode | None:
        pk = self.row.get("category")
        return CategoryNode(self.catalog, pk) if pk else None

    @property
    def collections(self) -> list[CollectionNode]:
        return [CollectionNode(self.catalog, pk, self.channel) for pk in self.catalog.collections_of(self.pk)]

    @property
    def variants(self) -> list[VariantNode]:
        return [VariantNode(self.catalog, pk, self.channel) for pk in self.catalog.variants_of(self.pk)]

    @property
    def defaultVariant(self) -> VariantNode | None:
        variants = self.variants
        return variants[0] if variants else None

    def productVariants(self, info: Info, **args: Any) -> dict[str, Any]:
        for unsupported in ("where", "filter", "sortBy"):
            args.pop(unsupported, None)
        return connection(self.variants, "productVariants", **args)

    @property
    def attributes(self) -> list[dict[str, Any]]:
        values = self.row.get("attributes", {})
        return [AttributeNode(self.catalog, pk).selected(values.get(pk, [])) for pk in
                self.catalog.table("product_types")[self.row["product_type"]].get("product_attributes", [])]

    def assignedAttributes(self, info: Info, limit: int = 100) -> list[Any]:
        return []  # an interface the sandbox does not model

    def assignedAttribute(self, info: Info, slug: str) -> None:
        return None

    def thumbnail(self, info: Info, **_: Any) -> None:
        return None

    def media(self, info: Info, **_: Any) -> list[Any]:
        return []

    def _listing(self) -> dict[str, Any] | None:
        pk = self.channel_pk
        return self.row["listings"].get(pk) if pk else None

    @property
    def isAvailableForPurchase(self) -> bool | None:
        listing = self._listing()
        return bool(listing.get("available")) if listing else None

    @property
    def availableForPurchaseAt(self) -> Any:
        listing = self._listing()
        return listing.get("available_at") if listing else None

    def isAvailable(self, info: Info, **_: Any) -> bool | None:
        return self.isAvailableForPurchase

    def pricing(self, info: Info, **_: Any) -> dict[str, Any] | None:
        channel_pk = self.channel_pk
        if channel_pk is None:
            return None
        return self._pricing(channel_pk)

    def _pricing(self, channel_pk: str) -> dict[str, Any] | None:
        found = prices(self.catalog, self.pk, channel_pk)
        if not found:
            return None
        currency = str(self.catalog.table("channels")[channel_pk]["currency"])
        price_range = {"start": taxed(min(found), currency), "stop": taxed(max(found), currency)}
        return {"onSale": False, "discount": None, "displayGrossPrices": True, "priceRange": price_range,
                "priceRangeUndiscounted": price_range, "priceRangePrior": None, "discountPrior": None}

    @property
    def channelListings(self) -> list[dict[str, Any]]:
        result = []
        for ch, listing in self.row["listings"].items():
            channel = ChannelNode(self.catalog, ch)
            found = prices(self.catalog, self.pk, ch)
            result.append({
                "id": to_global_id("ProductChannelListing", f"{self.pk}-{ch}"),
                "channel": channel,
                "isPublished": bool(listing.get("published")),
                "publishedAt": listing.get("published_at"),
                "publicationDate": (listing.get("published_at") or "")[:10] or None,
                "visibleInListings": bool(listing.get("visible", True)),
                "isAvailableForPurchase": bool(listing.get("available")),
                "availableForPurchaseAt": listing.get("available_at"),
                "availableForPurchase": (listing.get("available_at") or "")[:10] or None,
                "discountedPrice": money(min(found), channel.currencyCode) if found else None,
                "purchaseCost": None,
                "margin": None,
                "pricing": lambda info, _ch=ch, **_: self._pricing(_ch),
            })
        return result


class VariantNode(RecordNode):
    table = "variants"
    trackInventory = True
    quantityLimitPerCustomer = None
    images: ClassVar[tuple[Any, ...]] = ()
    preorder = None

    @property
    def name(self) -> str:
        return str(self.row.get("name") or "")

    @property
    def sku(self) -> Any:
        return self.row.get("sku")

    @property
    def product(self) -> ProductNode:
        return ProductNode(self.catalog, self.row["product"], self.channel)

    @property
    def created(self) -> str:
        return str(self.row["created"])

    @property
    def updatedAt(self) -> str:
        return str(self.row["updated"])

    @property
    def weight(self) -> dict[str, Any] | None:
        kg = self.row.get("weight_kg")
        return {"unit": "KG", "value": float(kg)} if kg is not None else None

    def _currency(self, channel_pk: str) -> str:
        return str(self.catalog.table("channels")[channel_pk]["currency"])

    @property
    def channelListings(self) -> list[dict[str, Any]]:
        result = []
        for ch, listing in self.row["listings"].items():
            currency = self._currency(ch)
            price, cost = listing.get("price"), listing.get("cost_price")
            margin = round((price - cost) / price * 100) if price and cost is not None else None
            result.append({
                "id": to_global_id("ProductVariantChannelListing", f"{self.pk}-{ch}"),
                "channel": ChannelNode(self.catalog, ch),
                "price": money(price, currency),
                "costPrice": money(cost, currency),
                "priorPrice": None,
                "margin": margin,
                "preorderThreshold": None,
            })
        return result

    def pricing(self, info: Info, **_: Any) -> dict[str, Any] | None:
        channel_pk = self.channel_pk
        listing = self.row["listings"].get(channel_pk) if channel_pk else None
        if not listing or listing.get("price") is None:
            return None
        price = taxed(listing["price"], self._currency(str(channel_pk)))
        return {"onSale": False, "discount": None, "price": price, "priceUndiscounted": price}

    def attributes(self, info: Info, variantSelection: str | None = None) -> list[dict[str, Any]]:
        values = self.row.get("attributes", {})
        type_row = self.catalog.table("product_types")[self.catalog.table("products")[self.row["product"]]["product_type"]]
        return [AttributeNode(self.catalog, pk).selected(values.get(pk, []))
                for pk in type_row.get("variant_attributes", [])]

    def assignedAttributes(self, info: Info, limit: int = 100) -> list[Any]:
        return []

    def assignedAttribute(self, info: Info, slug: str) -> None:
        return None

    def media(self, info: Info, **_: Any) -> list[Any]:
        return []

    def stocks(self, info: Info, **_: Any) -> list[dict[str, Any]]:
        return [
            {
                "id": to_global_id("Stock", f"{self.pk}-{wh}"),
                "warehouse": WarehouseNode(self.catalog, wh),
                "productVariant": self,
                "quantity": qty,
                "quantityAllocated": allocated(self.catalog, self.pk, wh),
                "quantityReserved": 0,
            }
            for wh, qty in self.row.get("stocks", {}).items()
        ]

    def quantityAvailable(self, info: Info, **_: Any) -> int:
        stocks = self.row.get("stocks", {}).items()
        return sum(max(0, int(q) - allocated(self.catalog, self.pk, wh)) for wh, q in stocks)
