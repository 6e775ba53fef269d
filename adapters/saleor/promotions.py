"""Automatic discounts with no code: Saleor catalogue promotions (`promotionCreate`).

Saleor's older `saleCreate` is deprecated in favour of promotions; a promotion of type CATALOGUE
with one rule over products, categories or collections is what a sale was.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from adapters.errors import InvalidRequest
from adapters.saleor import documents
from adapters.saleor.base import Node, SaleorBase, check_amount
from adapters.saleor.failures import SYSTEM
from adapters.saleor.vouchers import when

_PREDICATES = {"products": "productPredicate", "categories": "categoryPredicate", "collections": "collectionPredicate"}


def _targets(predicate: Any) -> dict[str, list[str]]:
    """IDs named by a catalogue predicate ({productPredicate: {ids}} or {OR: [...]})."""
    found: dict[str, list[str]] = {key: [] for key in _PREDICATES}
    parts = predicate.get("OR") or [predicate] if isinstance(predicate, dict) else []
    for part in parts:
        for key, name in _PREDICATES.items():
            found[key] += list(((part or {}).get(name) or {}).get("ids") or [])
    return found


def promotion_to_dict(node: Node) -> dict[str, Any]:
    rule = (node.get("rules") or [{}])[0]
    channels = rule.get("channels") or []
    start, end = when(node.get("startDate")), when(node.get("endDate"))
    now = datetime.now(UTC)
    return {
        "id": node["id"],
        "name": node["name"],
        "type": str(node.get("type") or "").lower() or None,
        "discount_type": str(rule.get("rewardValueType") or "").lower() or None,
        "value": float(rule["rewardValue"]) if rule.get("rewardValue") is not None else None,
        "channel": channels[0]["slug"] if channels else None,
        "currency": channels[0].get("currencyCode") if channels else None,
        "starts_at": node.get("startDate"),
        "ends_at": node.get("endDate"),
        "active": (start is None or start <= now) and (end is None or end > now),
        "targets": _targets(rule.get("cataloguePredicate")),
    }


class PromotionOps(SaleorBase):
    """`discount_create`."""

    async def _promotion(self, name: str) -> Node | None:
        data = await self.execute(documents.PROMOTIONS, {"name": name})
        nodes = [edge["node"] for edge in (data.get("promotions") or {}).get("edges") or []]
        return next((dict(n) for n in nodes if str(n["name"]).casefold() == name.casefold()), None)

    async def discount_find(self, name: str) -> dict[str, Any] | None:
        """The promotion with this name (any case), or None."""
        node = await self._promotion(name)
        return promotion_to_dict(node) if node else None

    async def discount_create(
        self,
        name: str,
        discount_type: str,
        value: float,
        starts_at: datetime | str,
        products: list[str] | None = None,
        categories: list[str] | None = None,
        collections: list[str] | None = None,
        ends_at: datetime | str | None = None,
        channel: str | None = None,
    ) -> dict[str, Any]:
        """Create a catalogue promotion over the named products, categories and collections in the
        channel; a promotion with the same name is returned unchanged (`existing`)."""
        if discount_type not in ("percentage", "fixed"):
            raise InvalidRequest(SYSTEM, "discount_type must be percentage or fixed", field="discount_type")
        reward = check_amount(value, "value")
        if not reward:
            raise InvalidRequest(SYSTEM, "value must be more than 0", field="value")
        if discount_type == "percentage" and reward > 100:
            raise InvalidRequest(SYSTEM, f"a percentage cannot be over 100 (got {reward:g})", field="value")
        start, end = when(starts_at), when(ends_at)
        if start is None:
            raise InvalidRequest(SYSTEM, "starts_at is required", field="starts_at")
        if end is not None and end <= start:
            raise InvalidRequest(SYSTEM, "ends_at must be after starts_at", field="ends_at")
        if not (products or categories or collections):
            raise InvalidRequest(SYSTEM, "name the products, categories or collections the discount applies to",
                                 field="products")
        existing = await self._promotion(name)
        if existing is not None:
            return {**promotion_to_dict(existing), "existing": True}
        chan = await self._channel(channel)
        named: dict[str, list[Node]] = {
            "products": [await self._product(p, field="products", by_sku=True) for p in products or []],
            "categories": [await self._category(c, field="categories") for c in categories or []],
            "collections": [await self._collection(c, field="collections") for c in collections or []],
        }
        parts = [{_PREDICATES[key]: {"ids": [n["id"] for n in nodes]}} for key, nodes in named.items() if nodes]
        rule = {
            "name": name,
            "channels": [chan["id"]],
            "rewardValueType": discount_type.upper(),
            "rewardValue": reward,
            "cataloguePredicate": parts[0] if len(parts) == 1 else {"OR": parts},
        }
        fields: dict[str, Any] = {"name": name, "type": "CATALOGUE", "startDate": start.isoformat(), "rules": [rule]}
        if end is not None:
            fields["endDate"] = end.isoformat()
        made = await self._mutate(documents.PROMOTION_CREATE, {"input": fields}, "promotionCreate")
        return {
            **promotion_to_dict(made["promotion"]),
            **{key: [str(n["name"]) for n in nodes] for key, nodes in named.items()},
            "existing": False,
        }
