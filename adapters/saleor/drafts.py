"""Draft orders: build one for a customer (phone, B2B, quote) and complete it into a real order."""

from __future__ import annotations

from typing import Any

from adapters.errors import InvalidRequest, NotFound
from adapters.saleor import documents
from adapters.saleor.base import Node, match_ref
from adapters.saleor.customers import CustomerLookup
from adapters.saleor.failures import SYSTEM
from adapters.saleor.order_convert import address_input, order_to_dict
from adapters.saleor.orders import OrderLookup


class DraftOrderOps(OrderLookup, CustomerLookup):
    """`draft_order_create`, `draft_order_complete`."""

    async def draft_order_create(
        self,
        customer: str,
        lines: list[dict[str, Any]],
        channel: str | None = None,
        voucher_code: str | None = None,
        shipping_method: str | None = None,
        note: str | None = None,
    ) -> dict[str, Any]:
        """A new draft for a customer (email, ID or name; an unknown email makes a guest draft).

        Lines are {sku, quantity}; the customer's default addresses are copied onto the draft.
        Everything is resolved before the draft is written. Returns the order dict plus `draft`.
        """
        if not lines:
            raise InvalidRequest(SYSTEM, "a draft order needs at least one line", field="lines")
        chan = await self._channel(channel)
        user: Node | None
        try:
            user = await self._customer(customer)
        except NotFound:
            if "@" not in customer:
                raise
            user = None
        quantities: dict[str, int] = {}
        variants: dict[str, str] = {}
        for item in lines:
            sku, quantity = str(item.get("sku") or "").strip(), int(item.get("quantity") or 0)
            if quantity < 1:
                raise InvalidRequest(SYSTEM, f"quantity for {sku!r} must be at least 1", field="lines")
            if sku not in variants:
                variant = await self._variant_by_sku(sku)
                if variant is None:
                    raise NotFound(SYSTEM, f"no variant with SKU {sku!r}", field="lines")
                variants[sku] = variant["id"]
            quantities[sku] = quantities.get(sku, 0) + quantity
        fields: dict[str, Any] = {
            "channelId": chan["id"],
            "userEmail": user["email"] if user else customer.strip(),
            "lines": [{"variantId": variants[sku], "quantity": qty} for sku, qty in quantities.items()],
        }
        if user is not None:
            fields["user"] = user["id"]
            for key, source in (("shippingAddress", "defaultShippingAddress"), ("billingAddress", "defaultBillingAddress")):
                if address := address_input(user.get(source)):
                    fields[key] = address
        if voucher_code:
            fields["voucherCode"] = voucher_code.strip()
        if shipping_method:
            fields["shippingMethod"] = (await self._shipping_method(shipping_method, chan["slug"]))["id"]
        if note:
            fields["customerNote"] = note
        made = await self._mutate(documents.DRAFT_ORDER_CREATE, {"input": fields}, "draftOrderCreate")
        order = await self._reload_order(made["order"]["id"])
        return {**order, "draft": order["number"]}

    async def draft_order_complete(self, draft: str) -> dict[str, Any]:
        """Complete a draft (by number such as "D-88" or "88", or ID); a completed one is returned as is."""
        node = await self._order(draft, field="draft", drafts_first=True)
        if node["status"] != "DRAFT":
            return {**order_to_dict(node), "draft": draft, "already_completed": True}
        await self._mutate(documents.DRAFT_ORDER_COMPLETE, {"id": node["id"]}, "draftOrderComplete")
        return {**(await self._reload_order(node["id"])), "draft": draft, "already_completed": False}

    async def _shipping_method(self, ref: str, channel: str) -> Node:
        data = await self.execute(documents.SHIPPING_METHODS, {"channel": channel})
        methods = [m for edge in (data.get("shippingZones") or {}).get("edges") or []
                   for m in edge["node"].get("shippingMethods") or []]
        found = match_ref(methods, ref) or [m for m in methods if ref.strip().casefold() in str(m["name"]).casefold()]
        if not found:
            names = ", ".join(sorted({str(m["name"]) for m in methods})) or "none"
            raise NotFound(SYSTEM, f"no shipping method {ref!r} in channel {channel} (methods: {names})",
                           field="shipping_method")
        return found[0]
