"""Voucher, promotion and shipping views (see `nodes` for how graphql-core reads them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sandbox.saleor.catalog import Catalog, to_global_id
from sandbox.saleor.context import Info
from sandbox.saleor.nodes import CategoryNode, ChannelNode, CollectionNode, RecordNode, money
from sandbox.saleor.paging import connection


def parse_when(value: Any) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_active(row: dict[str, Any], now: datetime | None = None) -> bool:
    """A voucher or promotion that has started and not ended."""
    moment = now or datetime.now(UTC)
    start, end = parse_when(row.get("start")), parse_when(row.get("end"))
    return (start is None or start <= moment) and (end is None or end > moment)


class VoucherNode(RecordNode):
    table = "vouchers"
    onlyForStaff = False
    applyOncePerOrder = False
    singleUse = False
    minCheckoutItemsQuantity = 0
    countries: ClassVar[tuple[Any, ...]] = ()

    name = property(lambda self: self.row.get("name"))
    type = property(lambda self: str(self.row["type"]))
    discountValueType = property(lambda self: str(self.row["value_type"]))
    startDate = property(lambda self: str(self.row["start"]))
    endDate = property(lambda self: self.row.get("end"))
    usageLimit = property(lambda self: self.row.get("usage_limit"))
    applyOncePerCustomer = property(lambda self: bool(self.row.get("once_per_customer")))

    @property
    def used(self) -> int:
        return sum(int(c.get("used", 0)) for c in self.row["codes"])

    @property
    def code(self) -> str | None:
        return self.row["codes"][0]["code"] if self.row["codes"] else None

    def codes(self, info: Info, **page: Any) -> dict[str, Any]:
        items = [{"id": to_global_id("VoucherCode", f"{self.pk}-{i}"), "code": c["code"], "used": c.get("used", 0),
                  "isActive": bool(c.get("active", True)), "createdAt": self.row["created"]}
                 for i, c in enumerate(self.row["codes"])]
        return connection(items, "codes", **page)

    def _listing(self) -> tuple[str, dict[str, Any]] | None:
        listings = self.row["listings"]
        pk = self.channel_pk if self.channel_pk in listings else next(iter(listings), None)
        return (pk, listings[pk]) if pk else None

    @property
    def discountValue(self) -> float | None:
        found = self._listing()
        return float(found[1]["value"]) if found else None

    @property
    def currency(self) -> str | None:
        found = self._listing()
        return ChannelNode(self.catalog, found[0]).currencyCode if found else None

    @property
    def minSpent(self) -> dict[str, Any] | None:
        found = self._listing()
        if not found or found[1].get("min_spent") is None:
            return None
        return money(found[1]["min_spent"], ChannelNode(self.catalog, found[0]).currencyCode)

    @property
    def channelListings(self) -> list[dict[str, Any]]:
        result = []
        for ch, listing in self.row["listings"].items():
            channel = ChannelNode(self.catalog, ch)
            spent = listing.get("min_spent")
            result.append({"id": to_global_id("VoucherChannelListing", f"{self.pk}-{ch}"), "channel": channel,
                           "discountValue": float(listing["value"]), "currency": channel.currencyCode,
                           "minSpent": money(spent, channel.currencyCode) if spent is not None else None})
        return result

    def products(self, info: Info, **page: Any) -> dict[str, Any]:
        from sandbox.saleor.product_nodes import ProductNode

        rows = self.catalog.table("products")
        return connection([ProductNode(self.catalog, pk) for pk in self.row["products"] if pk in rows], "products", **page)

    def categories(self, info: Info, **page: Any) -> dict[str, Any]:
        rows = self.catalog.table("categories")
        return connection([CategoryNode(self.catalog, pk) for pk in self.row["categories"] if pk in rows],
                          "categories", **page)

    def collections(self, info: Info, **page: Any) -> dict[str, Any]:
        rows = self.catalog.table("collections")
        return connection([CollectionNode(self.catalog, pk) for pk in self.row["collections"] if pk in rows],
                          "collections", **page)

    def variants(self, info: Info, **page: Any) -> dict[str, Any]:
        return connection([], "variants", **page)

    def translation(self, info: Info, languageCode: str) -> None:
        return None


class PromotionNode(RecordNode):
    table = "promotions"
    events: ClassVar[tuple[Any, ...]] = ()

    name = property(lambda self: str(self.row["name"]))
    type = property(lambda self: str(self.row["type"]))
    description = property(lambda self: self.row.get("description"))
    startDate = property(lambda self: str(self.row["start"]))
    endDate = property(lambda self: self.row.get("end"))
    createdAt = property(lambda self: str(self.row["created"]))
    updatedAt = property(lambda self: str(self.row["created"]))

    @property
    def rules(self) -> list[dict[str, Any]]:
        return [
            {
                "id": to_global_id("PromotionRule", rule["id"]),
                "name": rule.get("name"),
                "description": None,
                "promotion": self,
                "channels": [ChannelNode(self.catalog, ch) for ch in rule["channels"]],
                "rewardValueType": rule["reward_value_type"],
                "rewardValue": rule["reward_value"],
                "rewardType": None,
                "predicateType": self.type,
                "cataloguePredicate": rule["catalogue_predicate"],
                "orderPredicate": None,
                "giftIds": [],
                "giftsLimit": None,
            }
            for rule in self.row["rules"]
        ]

    def translation(self, info: Info, languageCode: str) -> None:
        return None


class ShippingMethodNode(RecordNode):
    table = "shipping_methods"
    type = "PRICE"
    description = None
    maximumDeliveryDays = None
    minimumDeliveryDays = None

    @property
    def channelListings(self) -> list[dict[str, Any]]:
        return [{"id": to_global_id("ShippingMethodChannelListing", f"{self.pk}-{ch}"),
                 "channel": ChannelNode(self.catalog, ch),
                 "price": money(self.row["price"], ChannelNode(self.catalog, ch).currencyCode),
                 "minimumOrderPrice": None, "maximumOrderPrice": None}
                for ch in self.catalog.table("channels")]


def shipping_zone(catalog: Catalog) -> dict[str, Any]:
    """The sandbox's one shipping zone, holding every shipping method in every channel."""
    return {
        "id": to_global_id("ShippingZone", "1"),
        "name": "Default",
        "default": True,
        "description": "",
        "countries": [],
        "metadata": [],
        "privateMetadata": [],
        "priceRange": None,
        "shippingMethods": [ShippingMethodNode(catalog, pk) for pk in catalog.table("shipping_methods")],
        "warehouses": [],
        "channels": [ChannelNode(catalog, pk) for pk in catalog.table("channels")],
    }
