"""Bulk price changes over a category, a collection or a list of products."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from adapters.errors import InvalidRequest
from adapters.saleor import documents
from adapters.saleor.base import Node, SaleorBase
from adapters.saleor.convert import variant_nodes, variant_to_dict
from adapters.saleor.failures import SYSTEM

MAX_PAGES = 20
CENT = Decimal("0.01")


def new_price(old: float | None, change_percent: float | None, price: float | None, round_to: float | None) -> float | None:
    """The price after the change, rounded to the nearest `round_to` and to cents; None without an old price
    for a percentage change."""
    if price is not None:
        value = Decimal(str(price))
    elif old is None or change_percent is None:
        return None
    else:
        value = Decimal(str(old)) * (1 + Decimal(str(change_percent)) / 100)
    if round_to:
        step = Decimal(str(round_to))
        value = (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


@dataclass
class PricePlan:
    channel: Node
    changes: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    products: dict[str, Node] = field(default_factory=dict)


class PricingOps(SaleorBase):
    """`price_bulk_update` (and `price_bulk_preview`, the same plan without writing)."""

    async def price_bulk_preview(
        self,
        category: str | None = None,
        collection: str | None = None,
        products: list[str] | None = None,
        change_percent: float | None = None,
        new_price: float | None = None,
        round_to: float | None = None,
        channel: str | None = None,
    ) -> dict[str, Any]:
        """The old and new price of every variant the change would touch; nothing is written."""
        plan = await self._price_plan(category, collection, products, change_percent, new_price, round_to, channel)
        return _result(plan)

    async def price_bulk_update(
        self,
        category: str | None = None,
        collection: str | None = None,
        products: list[str] | None = None,
        change_percent: float | None = None,
        new_price: float | None = None,
        round_to: float | None = None,
        channel: str | None = None,
    ) -> dict[str, Any]:
        """Set the new prices; returns each variant's old and new price so the change can be reversed.

        Every new price is computed and checked before the first write. Variants without a price
        in the channel are skipped by a percentage change.
        """
        plan = await self._price_plan(category, collection, products, change_percent, new_price, round_to, channel)
        listed: set[str] = set()
        for change in plan.changes:
            product = plan.products[change["product_id"]]
            if product["id"] not in listed:
                await self._ensure_listed(product["id"], product.get("channelListings"), plan.channel)
                listed.add(product["id"])
            await self._set_variant_price(change["variant_id"], plan.channel, change["new_price"], None)
        return _result(plan)

    async def _price_plan(
        self,
        category: str | None,
        collection: str | None,
        products: list[str] | None,
        change_percent: float | None,
        price: float | None,
        round_to: float | None,
        channel: str | None,
    ) -> PricePlan:
        if sum(x is not None for x in (category, collection, products)) != 1:
            raise InvalidRequest(SYSTEM, "give exactly one of category, collection, products", field="category")
        if (change_percent is None) == (price is None):
            raise InvalidRequest(SYSTEM, "give exactly one of change_percent, new_price", field="change_percent")
        if change_percent is not None and float(change_percent) <= -100:
            raise InvalidRequest(SYSTEM, f"a change of {float(change_percent):g}% leaves no price", field="change_percent")
        if price is not None and float(price) < 0:
            raise InvalidRequest(SYSTEM, "new_price must not be negative", field="new_price")
        if round_to is not None and float(round_to) <= 0:
            raise InvalidRequest(SYSTEM, "round_to must be more than 0", field="round_to")
        plan = PricePlan(channel=await self._channel(channel))
        slug = plan.channel["slug"]
        if products is not None:
            if not products:
                raise InvalidRequest(SYSTEM, "name at least one product", field="products")
            nodes = [await self._product(ref, field="products", by_sku=True) for ref in products]
        elif category is not None:
            nodes = await self._products_where({"category": {"eq": (await self._category(category))["id"]}})
        else:
            nodes = await self._products_where({"collection": {"eq": (await self._collection(str(collection)))["id"]}})
        for node in nodes:
            if node["id"] in plan.products:
                continue
            plan.products[node["id"]] = node
            for variant in variant_nodes(node):
                old = variant_to_dict(variant, slug)["price"]
                new = new_price(old, change_percent, price, round_to)
                entry = {"product": node["name"], "sku": variant.get("sku"), "old_price": old}
                if new is None:
                    plan.skipped.append({**entry, "why": f"no price in channel {slug}"})
                    continue
                if new < 0:
                    raise InvalidRequest(SYSTEM, f"{node['name']} would cost {new:g}", field="change_percent")
                plan.changes.append({**entry, "new_price": new, "product_id": node["id"], "variant_id": variant["id"]})
        return plan

    async def _products_where(self, where: dict[str, Any]) -> list[Node]:
        found: list[Node] = []
        after = None
        for _ in range(MAX_PAGES):
            page = (await self.execute(documents.PRODUCTS_PAGE, {"where": where, "after": after})).get("products") or {}
            found += [edge["node"] for edge in page.get("edges") or []]
            info = page.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                break
            after = info.get("endCursor")
        return found


def _result(plan: PricePlan) -> dict[str, Any]:
    changes = [{k: v for k, v in c.items() if k not in ("product_id", "variant_id")} for c in plan.changes]
    return {
        "changes": changes,
        "count": len(changes),
        "skipped": plan.skipped,
        "channel": plan.channel["slug"],
        "currency": plan.channel.get("currencyCode"),
    }
