"""Voucher tools: create a discount code (voucherCreate + voucherChannelListingUpdate) and end one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from adapters.errors import Conflict, InvalidRequest, NotFound, Unavailable
from adapters.saleor import documents
from adapters.saleor.base import Node, SaleorBase, check_amount
from adapters.saleor.convert import amount, slugify
from adapters.saleor.failures import SYSTEM

DISCOUNT_TYPES = ("percentage", "fixed", "free_shipping")


def when(value: datetime | str | None) -> datetime | None:
    """An aware datetime from an ISO string or datetime (naive ones are taken as UTC)."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _names(connection: Any) -> list[str]:
    return [edge["node"]["name"] for edge in (connection or {}).get("edges") or []]


def voucher_to_dict(node: Node, channel: str) -> dict[str, Any]:
    """A voucher (VoucherFields) with its value and minimum spend in `channel`."""
    listing = next((x for x in node.get("channelListings") or [] if (x.get("channel") or {}).get("slug") == channel),
                   None) or {}
    codes = [edge["node"] for edge in (node.get("codes") or {}).get("edges") or []]
    shipping = node.get("type") == "SHIPPING"
    start, end = when(node.get("startDate")), when(node.get("endDate"))
    now = datetime.now(UTC)
    return {
        "id": node["id"],
        "code": codes[0]["code"] if codes else None,
        "codes": [c["code"] for c in codes],
        "name": node.get("name"),
        "discount_type": "free_shipping" if shipping else str(node.get("discountValueType") or "").lower() or None,
        "applies_to": str(node.get("type") or "").lower() or None,
        "value": None if shipping or not listing else float(listing["discountValue"]),
        "min_spend": amount(listing.get("minSpent")),
        "currency": (listing.get("channel") or {}).get("currencyCode"),
        "channel": channel if listing else None,
        "usage_limit": node.get("usageLimit"),
        "used": node.get("used"),
        "once_per_customer": bool(node.get("applyOncePerCustomer")),
        "starts_at": node.get("startDate"),
        "ends_at": node.get("endDate"),
        "active": bool(listing) and (start is None or start <= now) and (end is None or end > now),
        "products": _names(node.get("products")),
        "categories": _names(node.get("categories")),
        "collections": _names(node.get("collections")),
    }


def _differences(existing: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """The requested settings the existing voucher does not have, as "field: has X, asked Y"."""
    found = []
    for key, value in wanted.items():
        have = existing.get(key)
        if key in ("starts_at", "ends_at"):
            same = when(have) == when(value)
        elif key in ("products", "categories", "collections"):
            same = {slugify(str(v)) for v in value} == {slugify(str(v)) for v in have or []}
        elif key in ("value", "min_spend"):
            same = have is not None and abs(float(have) - float(value)) < 0.005
        else:
            same = have == value
        if not same:
            found.append(f"{key}: has {have!r}, asked {value!r}")
    return found


class VoucherOps(SaleorBase):
    """`voucher_create`, `voucher_get`, `voucher_deactivate`."""

    async def _voucher(self, code: str) -> Node | None:
        data = await self.execute(documents.VOUCHERS, {"search": code, "first": 100})
        nodes = [edge["node"] for edge in (data.get("vouchers") or {}).get("edges") or []]
        codes = [(node, [str(e["node"]["code"]) for e in (node.get("codes") or {}).get("edges") or []])
                 for node in nodes]
        exact = [node for node, names in codes if code in names]
        folded = [node for node, names in codes if code.casefold() in (n.casefold() for n in names)]
        found = exact or folded
        return dict(found[0]) if found else None

    async def voucher_find(self, code: str, channel: str | None = None) -> dict[str, Any] | None:
        """The voucher with this code, or None."""
        node = await self._voucher(code.strip())
        return voucher_to_dict(node, self._channel_slug(channel)) if node else None

    async def voucher_get(self, code: str, channel: str | None = None) -> dict[str, Any]:
        found = await self.voucher_find(code, channel)
        if found is None:
            raise NotFound(SYSTEM, f"no voucher with code {code!r}", field="code")
        return found

    async def voucher_create(
        self,
        code: str,
        discount_type: str,
        value: float | None = None,
        min_spend: float | None = None,
        usage_limit: int | None = None,
        once_per_customer: bool | None = None,
        products: list[str] | None = None,
        categories: list[str] | None = None,
        collections: list[str] | None = None,
        starts_at: datetime | str | None = None,
        ends_at: datetime | str | None = None,
        channel: str | None = None,
    ) -> dict[str, Any]:
        """Create the code, listed in the channel; the same code with the same settings is returned
        (`existing`), with other settings it is a Conflict naming them."""
        code = code.strip()
        if discount_type not in DISCOUNT_TYPES:
            raise InvalidRequest(SYSTEM, f"discount_type must be one of {', '.join(DISCOUNT_TYPES)}",
                                 field="discount_type")
        value = check_amount(value, "value")
        if discount_type != "free_shipping" and not value:
            raise InvalidRequest(SYSTEM, "value is required unless discount_type is free_shipping", field="value")
        if discount_type == "percentage" and value is not None and value > 100:
            raise InvalidRequest(SYSTEM, f"a percentage cannot be over 100 (got {value:g})", field="value")
        start, end = when(starts_at), when(ends_at)
        if start and end and end <= start:
            raise InvalidRequest(SYSTEM, "ends_at must be after starts_at", field="ends_at")
        chan = await self._channel(channel)
        asked = {k: v for k, v in (
            ("discount_type", discount_type), ("value", None if discount_type == "free_shipping" else value),
            ("min_spend", min_spend), ("usage_limit", usage_limit), ("once_per_customer", once_per_customer),
            ("products", products), ("categories", categories), ("collections", collections),
            ("starts_at", starts_at), ("ends_at", ends_at)) if v is not None}
        existing = await self._voucher(code)
        if existing is not None:
            # Saleor has no single mutation for a voucher and its channel values: a code left
            # without them (its writer stopped between the two) gets them here before comparing.
            repaired = []
            if not any((x.get("channel") or {}).get("slug") == chan["slug"] for x in existing.get("channelListings") or []):
                await self._list_voucher(existing["id"], chan, discount_type, value, min_spend)
                repaired.append("channel values")
                existing = (await self.execute(documents.VOUCHER, {"id": existing["id"]})).get("voucher") or existing
            current = voucher_to_dict(existing, chan["slug"])
            if differences := _differences(current, asked):
                raise Conflict(SYSTEM, f"code {code} already exists with other settings ({'; '.join(differences)}); "
                                       "choose another code", field="code")
            return {**current, "existing": True, "repaired": repaired}
        fields: dict[str, Any] = {
            "name": code,
            "addCodes": [code],
            "discountValueType": "FIXED" if discount_type == "fixed" else "PERCENTAGE",
        }
        targets = {
            "products": [(await self._product(p, field="products", by_sku=True))["id"] for p in products or []],
            "categories": [(await self._category(c, field="categories"))["id"] for c in categories or []],
            "collections": [(await self._collection(c, field="collections"))["id"] for c in collections or []],
        }
        fields.update({k: v for k, v in targets.items() if v})
        if discount_type == "free_shipping":
            fields["type"] = "SHIPPING"
        else:
            fields["type"] = "SPECIFIC_PRODUCT" if any(targets.values()) else "ENTIRE_ORDER"
        for key, moment in (("startDate", start), ("endDate", end)):
            if moment:
                fields[key] = moment.isoformat()
        if usage_limit is not None:
            fields["usageLimit"] = int(usage_limit)
        if once_per_customer is not None:
            fields["applyOncePerCustomer"] = bool(once_per_customer)
        made = await self._mutate(documents.VOUCHER_CREATE, {"input": fields}, "voucherCreate")
        voucher_id = made["voucher"]["id"]
        await self._list_voucher(voucher_id, chan, discount_type, value, min_spend)
        return {**(await self._reload_voucher(voucher_id, chan["slug"])), "existing": False}

    async def _list_voucher(
        self, voucher_id: str, chan: Node, discount_type: str, value: float | None, min_spend: float | None
    ) -> None:
        listing: dict[str, Any] = {"channelId": chan["id"], "discountValue": 100 if discount_type == "free_shipping"
                                   else value}
        if min_spend is not None:
            listing["minAmountSpent"] = check_amount(min_spend, "min_spend")
        await self._mutate(documents.VOUCHER_CHANNEL_LISTING_UPDATE,
                           {"id": voucher_id, "input": {"addChannels": [listing]}}, "voucherChannelListingUpdate")

    async def voucher_deactivate(self, code: str, reason: str | None = None, channel: str | None = None) -> dict[str, Any]:
        """End the code now (its end date becomes now); an ended code is returned as is.

        Saleor has no field for `reason`; it is returned for the caller to keep.
        """
        node = await self._voucher(code.strip())
        if node is None:
            raise NotFound(SYSTEM, f"no voucher with code {code!r}", field="code")
        slug = self._channel_slug(channel)
        now = datetime.now(UTC)
        end = when(node.get("endDate"))
        if end is not None and end <= now:
            return {**voucher_to_dict(node, slug), "already_ended": True, "reason": reason}
        fields = {"endDate": now.isoformat()}
        start = when(node.get("startDate"))
        if start is not None and start > now:
            fields["startDate"] = now.isoformat()
        await self._mutate(documents.VOUCHER_UPDATE, {"id": node["id"], "input": fields}, "voucherUpdate")
        return {**(await self._reload_voucher(node["id"], slug)), "already_ended": False, "reason": reason}

    async def _reload_voucher(self, voucher_id: str, channel: str) -> dict[str, Any]:
        node = (await self.execute(documents.VOUCHER, {"id": voucher_id})).get("voucher")
        if not node:
            raise Unavailable(SYSTEM, f"voucher {voucher_id} vanished right after it was written")
        return voucher_to_dict(node, channel)
