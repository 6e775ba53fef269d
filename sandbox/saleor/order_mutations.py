"""Order mutations: fulfil, cancel, add a note, create and complete a draft.

Each checks its whole input before it writes anything, so a refusal leaves the order as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.saleor import inputs
from sandbox.saleor import order_records as rec
from sandbox.saleor.catalog import Catalog, Record, now_iso
from sandbox.saleor.context import Info, MutationErrors, fail, payload, require_staff
from sandbox.saleor.discount_nodes import is_active
from sandbox.saleor.order_nodes import OrderNode

LEGACY = "orderErrors"


def attempt(legacy: str, keys: tuple[str, ...], action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run a mutation that returns several objects; validation failures become its `errors`."""
    try:
        objects = action()
    except MutationErrors as exc:
        return payload(legacy, exc.errors, **dict.fromkeys(keys))
    return payload(legacy, **objects)


def _on_hand(catalog: Catalog, variant_pk: str | None, warehouse_pk: str) -> int:
    variant = catalog.table("variants").get(variant_pk or "") or {}
    return int(variant.get("stocks", {}).get(warehouse_pk, 0))


def _plan_fulfilment(catalog: Catalog, order: Record, data: dict[str, Any]) -> list[tuple[Record, str, int]]:
    """(line, warehouse, quantity) for each stock of each line input, all checked."""
    plan: list[tuple[Record, str, int]] = []
    seen: set[str] = set()
    for item in data.get("lines") or []:
        line = rec.find_line(order, item.get("orderLineId"))
        if line is None:
            raise fail("orderLineId", "NOT_FOUND", f"Couldn't resolve to an order line: {item.get('orderLineId')}")
        if line["id"] in seen:
            raise fail("orderLineId", "DUPLICATED_INPUT_ITEM", "Duplicated order line ID.")
        seen.add(line["id"])
        stocks = [(inputs.resolve_id(catalog, "warehouses", s.get("warehouse"), "warehouse"), int(s["quantity"]))
                  for s in item.get("stocks") or []]
        wanted = sum(q for _, q in stocks)
        left = line["quantity"] - line["quantity_fulfilled"]
        if wanted > left:
            raise fail("orderLineId", "FULFILL_ORDER_LINE", f"Only {left} items can be fulfilled from line {line['sku']}.")
        plan += [(line, wh, q) for wh, q in stocks if q > 0]
    if not plan:
        raise fail("lines", "ZERO_QUANTITY", "Total quantity must be larger than 0.")
    if not data.get("allowStockToBeExceeded"):
        needs: dict[tuple[str, str], int] = {}
        for line, wh, q in plan:
            if line.get("variant"):
                needs[(line["variant"], wh)] = needs.get((line["variant"], wh), 0) + q
        for (variant_pk, wh), q in needs.items():
            if q > _on_hand(catalog, variant_pk, wh):
                sku = catalog.table("variants")[variant_pk]["sku"]
                raise fail("stocks", "INSUFFICIENT_STOCK", f"Insufficient product stock: {sku}")
    return plan


def _apply_fulfilment(catalog: Catalog, order: Record, plan: list[tuple[Record, str, int]], data: dict[str, Any],
                      viewer: str | None) -> None:
    for line, wh, quantity in plan:
        line["quantity_fulfilled"] += quantity
        variant = catalog.table("variants").get(line.get("variant") or "")
        if variant is not None:
            variant["stocks"][wh] = int(variant["stocks"].get(wh, 0)) - quantity
        allocations: dict[str, int] = line.setdefault("allocations", {})
        left = quantity
        for key in sorted(allocations, key=lambda k: k != wh):
            take = min(left, allocations[key])
            allocations[key] -= take
            left -= take
        line["allocations"] = {k: v for k, v in allocations.items() if v > 0}
    order["fulfillments"].append({
        "id": catalog.next_pk(),
        "number": len(order["fulfillments"]) + 1,
        "status": "FULFILLED",
        "tracking_number": data.get("trackingNumber") or "",
        "warehouse": plan[0][1],
        "created": now_iso(),
        "lines": [{"line": line["id"], "quantity": quantity} for line, _, quantity in plan],
    })
    order["status"] = rec.fulfilled_status(order)
    order["updated"] = now_iso()
    count = sum(q for _, _, q in plan)
    rec.add_event(catalog, order, "FULFILLMENT_FULFILLED_ITEMS", f"Fulfilled {count} item(s)", viewer)
    if data.get("notifyCustomer", True) and order.get("user_email"):
        rec.add_event(catalog, order, "EMAIL_SENT", f"Shipping confirmation sent to {order['user_email']}", viewer)
    catalog.touch()


def voucher_discount(catalog: Catalog, code: str, channel_pk: str, lines: list[Record], shipping: float) -> tuple[str, float]:
    """(voucher pk, discount) for a code on these lines, or Saleor's voucher error."""
    found = next((pk for pk, v in catalog.table("vouchers").items()
                  if any(c["code"].casefold() == code.casefold() and c.get("active", True) for c in v["codes"])), None)
    voucher = catalog.table("vouchers").get(found or "")
    listing = (voucher or {}).get("listings", {}).get(channel_pk)
    if voucher is None or listing is None or not is_active(voucher):
        raise fail("voucherCode", "INVALID_VOUCHER_CODE", f"Voucher code {code} is not valid.")
    limit = voucher.get("usage_limit")
    if limit is not None and sum(int(c.get("used", 0)) for c in voucher["codes"]) >= limit:
        raise fail("voucherCode", "INVALID_VOUCHER_CODE", f"Voucher code {code} has been used up.")
    subtotal = sum(line["quantity"] * line["unit_price"] for line in lines)
    if listing.get("min_spent") is not None and subtotal < float(listing["min_spent"]):
        raise fail("voucherCode", "INVALID_VOUCHER", f"Voucher {code} needs a minimum spend of {listing['min_spent']}.")
    value, percent = float(listing["value"]), voucher["value_type"] == "PERCENTAGE"
    if voucher["type"] == "SHIPPING":
        base = shipping
    elif voucher["type"] == "SPECIFIC_PRODUCT":
        base = sum(li["quantity"] * li["unit_price"] for li in lines if _voucher_covers(catalog, voucher, li))
    else:
        base = subtotal
    return str(found), rec.money_round(base * value / 100 if percent else min(value, base))


def _voucher_covers(catalog: Catalog, voucher: Record, line: Record) -> bool:
    variant = catalog.table("variants").get(line.get("variant") or "")
    if variant is None:
        return False
    product_pk = variant["product"]
    product = catalog.table("products")[product_pk]
    return (product_pk in voucher["products"] or product.get("category") in voucher["categories"]
            or any(c in voucher["collections"] for c in catalog.collections_of(product_pk)))


class OrderMutations:
    def orderFulfill(self, info: Info, input: dict[str, Any], order: str | None = None) -> dict[str, Any]:
        ctx = require_staff(info, "MANAGE_ORDERS")
        catalog = ctx.catalog

        def run() -> dict[str, Any]:
            pk = inputs.resolve_id(catalog, "orders", order, "order")
            row = catalog.table("orders")[pk]
            if row["status"] not in ("UNFULFILLED", "PARTIALLY_FULFILLED"):
                raise fail("order", "INVALID", f"Order {row['number']} is {row['status'].lower()}; it cannot be fulfilled.")
            plan = _plan_fulfilment(catalog, row, input)
            _apply_fulfilment(catalog, row, plan, input, ctx.viewer)
            node = OrderNode(catalog, pk)
            return {"order": node, "fulfillments": node.fulfillments[-1:]}

        return attempt(LEGACY, ("order", "fulfillments"), run)

    def orderCancel(self, info: Info, id: str) -> dict[str, Any]:
        ctx = require_staff(info, "MANAGE_ORDERS")
        catalog = ctx.catalog

        def run() -> dict[str, Any]:
            pk = inputs.resolve_id(catalog, "orders", id, "id")
            row = catalog.table("orders")[pk]
            shipped = any(f["status"] == "FULFILLED" for f in row["fulfillments"])
            if row["status"] in ("CANCELED", "DRAFT", "EXPIRED") or shipped:
                raise fail("order", "CANNOT_CANCEL_ORDER", "This order can't be canceled.")
            row["status"] = "CANCELED"
            for line in row["lines"]:
                line["allocations"] = {}
            row["updated"] = now_iso()
            rec.add_event(catalog, row, "CANCELED", None, ctx.viewer)
            catalog.touch()
            return {"order": OrderNode(catalog, pk)}

        return attempt(LEGACY, ("order",), run)

    def orderNoteAdd(self, info: Info, order: str, input: dict[str, Any]) -> dict[str, Any]:
        ctx = require_staff(info, "MANAGE_ORDERS")
        catalog = ctx.catalog

        def run() -> dict[str, Any]:
            pk = inputs.resolve_id(catalog, "orders", order, "order")
            message = str(input.get("message") or "").strip()
            if not message:
                raise fail("message", "REQUIRED", "Message can't be empty.")
            row = catalog.table("orders")[pk]
            rec.add_event(catalog, row, "NOTE_ADDED", message, ctx.viewer)
            catalog.touch()
            node = OrderNode(catalog, pk)
            return {"order": node, "event": node.events[-1]}

        return attempt("errors", ("order", "event"), run)

    def draftOrderCreate(self, info: Info, input: dict[str, Any]) -> dict[str, Any]:
        ctx = require_staff(info, "MANAGE_ORDERS")
        catalog = ctx.catalog

        def run() -> dict[str, Any]:
            if not input.get("channelId"):
                raise fail("channelId", "REQUIRED", "This field is required.")
            channel_pk = inputs.resolve_id(catalog, "channels", input["channelId"], "channelId")
            customer_pk = inputs.resolve_id(catalog, "customers", input["user"], "user") if input.get("user") else None
            email = input.get("userEmail") or (catalog.table("customers")[customer_pk]["email"] if customer_pk else None)
            priced: list[tuple[str, int, float]] = []
            for item in input.get("lines") or []:
                variant_pk = inputs.resolve_id(catalog, "variants", item.get("variantId"), "variantId")
                if int(item.get("quantity") or 0) < 1:
                    raise fail("quantity", "ZERO_QUANTITY", "The quantity should be higher than zero.")
                price = item.get("price")
                price = float(price) if price is not None else rec.variant_price(catalog, variant_pk, channel_pk)
                if price is None:
                    sku = catalog.table("variants")[variant_pk]["sku"]
                    raise fail("lines", "NOT_AVAILABLE_IN_CHANNEL", f"Variant {sku} is not available in the channel.")
                priced.append((variant_pk, int(item["quantity"]), price))
            method_pk = (inputs.resolve_id(catalog, "shipping_methods", input["shippingMethod"], "shippingMethod")
                         if input.get("shippingMethod") else None)
            shipping = float(catalog.table("shipping_methods")[method_pk]["price"]) if method_pk else 0.0
            lines = [rec.new_line(catalog, v, catalog.table("variants")[v]["sku"], q, p) for v, q, p in priced]
            discount = 0.0
            if input.get("voucherCode"):
                discount = voucher_discount(catalog, input["voucherCode"], channel_pk, lines, shipping)[1]
            pk = rec.new_order(catalog, rec.next_number(catalog), "DRAFT", channel_pk, customer_pk, email)
            row = catalog.table("orders")[pk]
            row.update(lines=lines, discount=discount, shipping_price=shipping, voucher_code=input.get("voucherCode"),
                       shipping_method=catalog.table("shipping_methods")[method_pk]["name"] if method_pk else None,
                       customer_note=input.get("customerNote") or "", shipping_address=input.get("shippingAddress"),
                       billing_address=input.get("billingAddress"))
            rec.add_event(catalog, row, "DRAFT_CREATED", None, ctx.viewer)
            return {"order": OrderNode(catalog, pk)}

        return attempt(LEGACY, ("order",), run)

    def draftOrderComplete(self, info: Info, id: str) -> dict[str, Any]:
        ctx = require_staff(info, "MANAGE_ORDERS")
        catalog = ctx.catalog

        def run() -> dict[str, Any]:
            pk = inputs.resolve_id(catalog, "orders", id, "id")
            row = catalog.table("orders")[pk]
            if row["status"] != "DRAFT":
                raise fail("id", "NOT_EDITABLE", "Only draft orders can be completed.")
            if not row["lines"]:
                raise fail("lines", "REQUIRED", "Could not create order without any products.")
            if not row.get("shipping_method"):
                raise fail("shipping", "SHIPPING_METHOD_REQUIRED", "Shipping method is required.")
            if not row.get("shipping_address"):
                raise fail("shippingAddress", "ORDER_NO_SHIPPING_ADDRESS", "Can't finalize draft with no shipping address.")
            if not row.get("billing_address"):
                raise fail("billingAddress", "BILLING_ADDRESS_NOT_SET", "Can't finalize draft with no billing address.")
            voucher_pk = None
            if row.get("voucher_code"):
                voucher_pk, row["discount"] = voucher_discount(catalog, row["voucher_code"], row["channel"], row["lines"],
                                                               row["shipping_price"])
            _check_stock(catalog, row["lines"])
            row["status"] = "UNFULFILLED"
            row["updated"] = now_iso()
            for line in row["lines"]:
                rec.allocate(catalog, line)
            if voucher_pk:
                voucher = catalog.table("vouchers")[voucher_pk]
                code = next(c for c in voucher["codes"] if c["code"].casefold() == row["voucher_code"].casefold())
                code["used"] = int(code.get("used", 0)) + 1
            rec.add_event(catalog, row, "PLACED_FROM_DRAFT", None, ctx.viewer)
            catalog.touch()
            return {"order": OrderNode(catalog, pk)}

        return attempt(LEGACY, ("order",), run)


def _check_stock(catalog: Catalog, lines: list[Record]) -> None:
    needs: dict[str, int] = {}
    for line in lines:
        if line.get("variant"):
            needs[line["variant"]] = needs.get(line["variant"], 0) + line["quantity"]
    for variant_pk, need in needs.items():
        variant = catalog.table("variants")[variant_pk]
        free = sum(int(q) - rec.allocated(catalog, variant_pk, wh) for wh, q in variant.get("stocks", {}).items())
        if need > free:
            raise fail("lines", "INSUFFICIENT_STOCK", f"Insufficient product stock: {variant['sku']}")
