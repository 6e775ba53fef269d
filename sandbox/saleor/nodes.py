"""GraphQL object views over catalog records, read by graphql-core's default resolver.

A plain attribute or property answers a field without arguments; a method `field(info, **args)`
answers one with arguments. Fields the sandbox does not model resolve to null or empty.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sandbox.saleor import richtext
from sandbox.saleor.catalog import Catalog, slugify, to_global_id
from sandbox.saleor.context import Info
from sandbox.saleor.paging import connection
from sandbox.saleor.product_filters import filter_products, sort_products, visible_products


def money(amount: float | None, currency: str) -> dict[str, Any] | None:
    if amount is None:
        return None
    value = float(amount)
    return {"amount": value, "currency": currency, "fractionalAmount": round(value * 100), "fractionDigits": 2}


def taxed(amount: float | None, currency: str) -> dict[str, Any] | None:
    if amount is None:
        return None
    return {"currency": currency, "gross": money(amount, currency), "net": money(amount, currency),
            "tax": money(0.0, currency)}


class RecordNode:
    """Common fields of every Saleor object backed by a catalog row."""

    table: ClassVar[str] = ""
    metadata: ClassVar[tuple[Any, ...]] = ()
    privateMetadata: ClassVar[tuple[Any, ...]] = ()
    externalReference = None

    def __init__(self, catalog: Catalog, pk: str, channel: str | None = None) -> None:
        self.catalog = catalog
        self.pk = pk
        self.channel = channel  # the channel slug the query asked for

    @property
    def row(self) -> dict[str, Any]:
        return self.catalog.table(self.table)[self.pk]

    @property
    def id(self) -> str:
        return self.catalog.gid(self.table, self.pk)

    @property
    def name(self) -> Any:
        return self.row.get("name")

    @property
    def slug(self) -> Any:
        return self.row.get("slug")

    def metafield(self, info: Info, key: str) -> None:
        return None

    def metafields(self, info: Info, keys: list[str] | None = None) -> dict[str, str]:
        return {}

    privateMetafield = metafield
    privateMetafields = metafields

    @property
    def channel_pk(self) -> str | None:
        return self.catalog.channel_pk(self.channel)


class ChannelNode(RecordNode):
    table = "channels"
    isActive = True
    hasOrders = False
    defaultCountry: ClassVar[dict[str, Any]] = {"code": "US", "country": "United States of America", "vat": None}
    countries: ClassVar[tuple[Any, ...]] = ()
    stockSettings: ClassVar[dict[str, str]] = {"allocationStrategy": "PRIORITIZE_SORTING_ORDER"}

    @property
    def currencyCode(self) -> str:
        return str(self.row["currency"])

    @property
    def warehouses(self) -> list[WarehouseNode]:
        return [WarehouseNode(self.catalog, pk) for pk in self.catalog.table("warehouses")]


class WarehouseNode(RecordNode):
    table = "warehouses"
    email = ""
    isPrivate = False
    companyName = ""
    clickAndCollectOption = "DISABLED"


class AttributeNode(RecordNode):
    table = "attributes"
    entityType = None
    type = "PRODUCT_TYPE"
    unit = None
    valueRequired = False
    visibleInStorefront = True
    filterableInStorefront = True
    filterableInDashboard = True
    availableInGrid = True
    storefrontSearchPosition = 0

    @property
    def inputType(self) -> str:
        return str(self.row["input_type"])

    @property
    def withChoices(self) -> bool:
        return self.inputType in ("DROPDOWN", "MULTISELECT", "SWATCH")

    def selected(self, values: list[str]) -> dict[str, Any]:
        """A SelectedAttribute with these values."""
        kind = self.inputType
        return {
            "attribute": self,
            "values": [
                {
                    "id": to_global_id("AttributeValue", f"{self.pk}-{slugify(v) or 'value'}"),
                    "name": v,
                    "slug": slugify(v),
                    "value": v,
                    "inputType": kind,
                    "plainText": v if kind == "PLAIN_TEXT" else None,
                    "boolean": (v == "true") if kind == "BOOLEAN" else None,
                    "richText": v if kind == "RICH_TEXT" else None,
                    "date": v if kind == "DATE" else None,
                    "dateTime": v if kind == "DATE_TIME" else None,
                    "reference": None,
                    "file": None,
                }
                for v in values
            ],
        }


class ProductTypeNode(RecordNode):
    table = "product_types"
    hasVariants = True
    isShippingRequired = True
    weight = None
    kind = "NORMAL"
    taxClass = None

    @property
    def productAttributes(self) -> list[AttributeNode]:
        return [AttributeNode(self.catalog, pk) for pk in self.row.get("product_attributes", [])]

    def variantAttributes(self, info: Info, variantSelection: str | None = None) -> list[AttributeNode]:
        return [AttributeNode(self.catalog, pk) for pk in self.row.get("variant_attributes", [])]

    def assignedVariantAttributes(self, info: Info, variantSelection: str | None = None) -> list[dict[str, Any]]:
        return [{"attribute": a, "variantSelection": True} for a in self.variantAttributes(info)]

    def products(self, info: Info, channel: str | None = None, **page: Any) -> dict[str, Any]:
        rows = self.catalog.table("products")
        pks = [pk for pk in visible_products(self.catalog, self.catalog.channel_pk(channel))
               if rows[pk]["product_type"] == self.pk]
        return connection([product_node(self.catalog, pk, channel) for pk in pks], "products", **page)


class DescribedNode(RecordNode):
    """Categories and collections: description and SEO fields."""

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

    def backgroundImage(self, info: Info, **_: Any) -> None:
        return None

    def _products(self, pks: list[str], channel: str | None, args: dict[str, Any]) -> dict[str, Any]:
        channel_pk = self.catalog.channel_pk(channel)
        found = filter_products(
            self.catalog,
            pks,
            channel_pk=channel_pk,
            where=args.pop("where", None),
            legacy_filter=args.pop("filter", None),
            search=args.pop("search", None),
        )
        ordered = sort_products(self.catalog, found, args.pop("sortBy", None), channel_pk)
        return connection([product_node(self.catalog, pk, channel) for pk in ordered], "products", **args)


class CategoryNode(DescribedNode):
    table = "categories"
    parent = None
    level = 0
    updatedAt = "2026-01-01T00:00:00+00:00"

    def children(self, info: Info, **page: Any) -> dict[str, Any]:
        return connection([], "children", **page)

    def ancestors(self, info: Info, **page: Any) -> dict[str, Any]:
        return connection([], "ancestors", **page)

    def products(self, info: Info, channel: str | None = None, **args: Any) -> dict[str, Any]:
        rows = self.catalog.table("products")
        pks = [pk for pk in visible_products(self.catalog, self.catalog.channel_pk(channel))
               if rows[pk]["category"] == self.pk]
        return self._products(pks, channel, args)


class CollectionNode(DescribedNode):
    table = "collections"

    @property
    def channelListings(self) -> list[dict[str, Any]]:
        return [
            {
                "id": to_global_id("CollectionChannelListing", f"{self.pk}-{ch}"),
                "channel": ChannelNode(self.catalog, ch),
                "isPublished": bool(listing.get("published")),
                "publishedAt": listing.get("published_at"),
                "publicationDate": (listing.get("published_at") or "")[:10] or None,
            }
            for ch, listing in self.row["listings"].items()
        ]

    def products(self, info: Info, **args: Any) -> dict[str, Any]:
        members = [pk for pk in self.row["products"] if pk in self.catalog.table("products")]
        return self._products(members, self.channel, args)


def product_node(catalog: Catalog, pk: str, channel: str | None) -> RecordNode:
    """A ProductNode; imported here because products link back to these types."""
    from sandbox.saleor.product_nodes import ProductNode

    return ProductNode(catalog, pk, channel)
