"""Order tools: list, get, fulfil and cancel. Orders are named by number ("1042") or global ID."""

from __future__ import annotations

from datetime import date
from typing import Any

from adapters.errors import AdapterError, Conflict, InvalidRequest, NotFound, Unavailable
from adapters.saleor import documents
from adapters.saleor.base import Node, SaleorBase
from adapters.saleor.failures import SYSTEM
from adapters.saleor.order_convert import is_order_id, lower, order_number, order_summary, order_to_dict

ORDER_STATUSES = ("unconfirmed", "unfulfilled", "ready_to_fulfill", "ready_to_capture", "partially_fulfilled",
                  "fulfilled", "canceled")
PAYMENT_STATUSES = ("not_charged", "pending", "partially_charged", "fully_charged", "partially_refunded",
                    "fully_refunded", "refused", "cancelled")
_OPEN = ["UNCONFIRMED", "UNFULFILLED", "PARTIALLY_FULFILLED", "FULFILLED"]
# Saleor's `where` has no READY_TO_* status (only the deprecated `filter` has): these are its meaning
# over the statuses `where` does have.
_STATUS_WHERE: dict[str, dict[str, Any]] = {
    **{s: {"status": {"eq": s.upper()}} for s in ("unconfirmed", "unfulfilled", "partially_fulfilled",
                                                   "fulfilled", "canceled")},
    "ready_to_fulfill": {"status": {"oneOf": ["UNFULFILLED", "PARTIALLY_FULFILLED"]},
                         "chargeStatus": {"oneOf": ["FULL", "OVERCHARGED"]}},
    "ready_to_capture": {"status": {"oneOf": _OPEN}, "authorizeStatus": {"oneOf": ["PARTIAL", "FULL"]},
                         "chargeStatus": {"oneOf": ["NONE", "PARTIAL"]}},
}
MAX_PAGES = 10
_SHIPPED = {"FULFILLED", "WAITING_FOR_APPROVAL"}


def _day(value: date | str, end: bool) -> str:
    text = (value.isoformat() if isinstance(value, date) else str(value))[:10]
    return f"{text}T23:59:59.999999+00:00" if end else f"{text}T00:00:00+00:00"


class OrderLookup(SaleorBase):
    """Finding one order by number or ID (shared by the order, refund and draft operations)."""

    async def _order_by_id(self, order_id: str) -> Node | None:
        node = (await self.execute(documents.ORDER_BY_ID, {"id": order_id})).get("order")
        return dict(node) if node else None

    async def _order(self, ref: str, *, field: str = "order", drafts_first: bool = False) -> Node:
        """An order (OrderFields) by global ID or number; drafts are looked up too."""
        ref = str(ref).strip()
        if is_order_id(ref):
            node = await self._order_by_id(ref)
            if node:
                return node
            raise NotFound(SYSTEM, f"no order with ID {ref!r}", field=field)
        number = order_number(ref, field)
        sources = [(documents.ORDER_BY_NUMBER, "orders"), (documents.DRAFT_ORDER_BY_NUMBER, "draftOrders")]
        for document, root in reversed(sources) if drafts_first else sources:
            edges = ((await self.execute(document, {"number": number})).get(root) or {}).get("edges") or []
            if edges:
                return dict(edges[0]["node"])
        raise NotFound(SYSTEM, f"no order or draft order number {number}", field=field)

    async def _reload_order(self, order_id: str) -> dict[str, Any]:
        node = await self._order_by_id(order_id)
        if node is None:
            raise Unavailable(SYSTEM, f"order {order_id} vanished right after it was written")
        return order_to_dict(node)


class OrderOps(OrderLookup):
    """`order_list`, `order_get`, `order_fulfill`, `order_cancel`."""

    async def order_list(
        self,
        status: str | None = None,
        payment_status: str | None = None,
        customer: str | None = None,
        created_after: date | str | None = None,
        created_before: date | str | None = None,
        channel: str | None = None,
        first: int | None = None,
    ) -> list[dict[str, Any]]:
        """Orders, newest number first. `payment_status` is checked on each order's `paymentStatus`
        (Saleor's `where` cannot filter by it), reading up to 1,000 orders to fill the page."""
        first = max(1, min(int(first or 20), 100))
        where: dict[str, Any] = {}
        if status is not None:
            if status not in _STATUS_WHERE:
                raise InvalidRequest(SYSTEM, f"status must be one of {', '.join(ORDER_STATUSES)}", field="status")
            where.update(_STATUS_WHERE[status])
        if payment_status is not None and payment_status not in PAYMENT_STATUSES:
            raise InvalidRequest(SYSTEM, f"payment_status must be one of {', '.join(PAYMENT_STATUSES)}",
                                 field="payment_status")
        search = None
        if customer and "@" in customer:
            where["userEmail"] = {"eq": customer.strip()}
        elif customer:
            search = customer.strip()
        if created_after or created_before:
            where["createdAt"] = {k: _day(v, k == "lte") for k, v in (("gte", created_after), ("lte", created_before))
                                  if v}
        if channel:
            where["channelId"] = {"eq": (await self._channel(channel))["id"]}
        found: list[Node] = []
        after = None
        for _ in range(MAX_PAGES):
            variables = {"where": where or None, "search": search, "first": 100 if payment_status else first,
                         "after": after}
            page = (await self.execute(documents.ORDERS, variables)).get("orders") or {}
            nodes = [edge["node"] for edge in page.get("edges") or []]
            found += [n for n in nodes if payment_status is None or lower(n.get("paymentStatus")) == payment_status]
            info = page.get("pageInfo") or {}
            if len(found) >= first or not info.get("hasNextPage"):
                break
            after = info.get("endCursor")
        return [order_summary(node) for node in found[:first]]

    async def order_get(self, order: str) -> dict[str, Any]:
        """One order in full by number or ID."""
        return order_to_dict(await self._order(order))

    async def order_fulfill(
        self,
        order: str,
        lines: list[dict[str, Any]] | None = None,
        warehouse: str | None = None,
        tracking_number: str | None = None,
        notify_customer: bool = True,
    ) -> dict[str, Any]:
        """Fulfil the given lines ({sku, quantity}) or everything unfulfilled.

        Only quantities still unfulfilled are sent, so a repeat is a no-op. Each line ships from
        `warehouse`, else from the warehouses its stock is allocated in.
        """
        node = await self._order(order)
        status = str(node["status"])
        if status in ("DRAFT", "UNCONFIRMED", "CANCELED", "EXPIRED"):
            raise Conflict(SYSTEM, f"order {node['number']} is {status.lower()}; only confirmed orders can be fulfilled",
                           field="order")
        plan = _plan_lines(node, lines)
        if not plan:
            return {**order_to_dict(node), "fulfilled_now": [], "fulfilled_quantity": 0, "already_fulfilled": True}
        chosen = await self._warehouse(warehouse) if warehouse else None
        inputs = [{"orderLineId": line["id"], "stocks": _stocks(line, quantity, chosen)} for line, quantity in plan]
        fields: dict[str, Any] = {"lines": inputs, "notifyCustomer": notify_customer}
        if tracking_number:
            fields["trackingNumber"] = tracking_number
        await self._mutate(documents.ORDER_FULFILL, {"order": node["id"], "input": fields}, "orderFulfill")
        shipped = [{"sku": line.get("productSku"), "quantity": quantity} for line, quantity in plan]
        return {
            **(await self._reload_order(node["id"])),
            "fulfilled_now": shipped,
            "fulfilled_quantity": sum(quantity for _, quantity in plan),
            "already_fulfilled": False,
        }

    async def order_cancel(self, order: str, reason: str) -> dict[str, Any]:
        """Cancel an order that has not shipped (its stock is released); the reason becomes an order note.

        A cancelled order is returned as it is. Cancelling does not refund a payment.
        """
        node = await self._order(order)
        number, status = node["number"], str(node["status"])
        if status == "CANCELED":
            return {**order_to_dict(node), "already_canceled": True, "reason": reason}
        if status in ("DRAFT", "EXPIRED"):
            raise Conflict(SYSTEM, f"order {number} is {status.lower()}, not a placed order", field="order")
        shipped = [f for f in node.get("fulfillments") or [] if f.get("status") in _SHIPPED]
        if shipped:
            raise Conflict(SYSTEM, f"order {number} has shipped ({len(shipped)} fulfilment(s)); it cannot be "
                                   "cancelled: refund or return it instead", field="order")
        await self._mutate(documents.ORDER_CANCEL, {"id": node["id"]}, "orderCancel")
        result: dict[str, Any] = {"already_canceled": False, "reason": reason}
        try:
            await self._mutate(documents.ORDER_NOTE_ADD, {"order": node["id"], "message": f"Cancelled: {reason}"},
                               "orderNoteAdd")
        except AdapterError as exc:  # the order is cancelled; only the note is missing
            result["note_error"] = str(exc)
        return {**(await self._reload_order(node["id"])), **result}


def _plan_lines(node: Node, wanted: list[dict[str, Any]] | None) -> list[tuple[Node, int]]:
    """(order line, quantity) to fulfil now: the quantities still unfulfilled, capped per line."""
    lines: list[Node] = list(node.get("lines") or [])
    if not wanted:
        return [(line, int(line["quantityToFulfill"])) for line in lines if int(line["quantityToFulfill"]) > 0]
    plan: list[tuple[Node, int]] = []
    for item in wanted:
        sku = str(item.get("sku") or "")
        quantity = int(item.get("quantity") or 0)
        if quantity <= 0:
            raise InvalidRequest(SYSTEM, f"quantity for {sku!r} must be at least 1", field="lines")
        matches = [line for line in lines if str(line.get("productSku") or "").casefold() == sku.casefold()]
        if not matches:
            skus = ", ".join(str(line.get("productSku")) for line in lines) or "none"
            raise InvalidRequest(SYSTEM, f"order {node['number']} has no line with SKU {sku!r} (it has {skus})",
                                 field="lines")
        for line in matches:
            taken = sum(q for planned, q in plan if planned["id"] == line["id"])
            now = min(quantity, int(line["quantityToFulfill"]) - taken)
            if now > 0:
                plan.append((line, now))
                quantity -= now
    return plan


def _stocks(line: Node, quantity: int, warehouse: Node | None) -> list[dict[str, Any]]:
    if warehouse is not None:
        return [{"warehouse": warehouse["id"], "quantity": quantity}]
    allocations = [a for a in line.get("allocations") or [] if int(a["quantity"]) > 0]
    if not allocations:
        raise InvalidRequest(SYSTEM, f"line {line.get('productSku')!r} has no stock allocated; name the warehouse "
                                     "to ship it from", field="warehouse")
    stocks: list[dict[str, Any]] = []
    left = quantity
    for allocation in allocations:
        take = min(left, int(allocation["quantity"]))
        if take:
            stocks.append({"warehouse": allocation["warehouse"]["id"], "quantity": take})
            left -= take
    if left:
        stocks[0]["quantity"] += left
    return stocks
