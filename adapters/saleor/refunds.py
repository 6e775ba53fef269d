"""Order refunds: through the order's transaction (granted refund, then the refund request), or
through its legacy payment for orders paid before the Transactions API."""

from __future__ import annotations

from typing import Any

from adapters.errors import AdapterError, Conflict, InvalidRequest, RateLimited, Unavailable
from adapters.saleor import documents
from adapters.saleor.base import Node
from adapters.saleor.convert import amount as money_amount
from adapters.saleor.failures import SYSTEM
from adapters.saleor.order_convert import order_to_dict, transaction_refundable
from adapters.saleor.orders import OrderLookup

CENT = 0.005


def _refunded_per_line(node: Node) -> dict[str, int]:
    done: dict[str, int] = {}
    for grant in node.get("grantedRefunds") or []:
        if grant.get("status") == "FAILURE":
            continue
        for item in grant.get("lines") or []:
            line_id = (item.get("orderLine") or {}).get("id")
            if line_id:
                done[line_id] = done.get(line_id, 0) + int(item["quantity"])
    return done


def _line_refund(node: Node, wanted: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], float]:
    """Saleor's grant lines ({id, quantity}) for `wanted` ({sku, quantity}) and their value."""
    lines: list[Node] = list(node.get("lines") or [])
    done = _refunded_per_line(node)
    grant: dict[str, int] = {}
    value = 0.0
    for item in wanted:
        sku, quantity = str(item.get("sku") or ""), int(item.get("quantity") or 0)
        line = next((li for li in lines if str(li.get("productSku") or "").casefold() == sku.casefold()), None)
        if line is None:
            skus = ", ".join(str(li.get("productSku")) for li in lines) or "none"
            raise InvalidRequest(SYSTEM, f"order {node['number']} has no line with SKU {sku!r} (it has {skus})",
                                 field="lines")
        left = int(line["quantity"]) - done.get(line["id"], 0) - grant.get(line["id"], 0)
        if quantity < 1 or quantity > left:
            raise InvalidRequest(SYSTEM, f"{quantity} x {sku} cannot be refunded: {left} of that line are left "
                                         "to refund", field="lines")
        grant[line["id"]] = grant.get(line["id"], 0) + quantity
        value += quantity * float(money_amount((line.get("unitPrice") or {}).get("gross")) or 0.0)
    return [{"id": k, "quantity": v} for k, v in grant.items()], value


def _shipping_refunded(node: Node) -> bool:
    return any(g.get("shippingCostsIncluded") and g.get("status") != "FAILURE" for g in node.get("grantedRefunds") or [])


class RefundOps(OrderLookup):
    """`order_refund`."""

    async def order_refund(
        self,
        order: str,
        reason: str,
        amount: float | None = None,
        lines: list[dict[str, Any]] | None = None,
        include_shipping: bool | None = None,
    ) -> dict[str, Any]:
        """Refund an amount, given lines ({sku, quantity}) with optional shipping, or (neither given)
        everything still refundable (without shipping when `include_shipping` is false).

        Refuses more than the order's unrefunded total before anything is written. Returns the
        order dict plus `refunded_now` and `reason`.
        """
        node = await self._order(order)
        info = order_to_dict(node)
        number, currency, left = node["number"], info["currency"], info["refundable"]
        if node["status"] == "DRAFT":
            raise Conflict(SYSTEM, f"order {number} is a draft: nothing was paid", field="order")
        if left <= 0:
            raise Conflict(SYSTEM, f"nothing is left to refund on order {number} (charged {info['charged']:g}, "
                                   f"refunded {info['refunded']:g} {currency})", field="order")
        shipping = float(info["shipping_price"] or 0.0)
        fields: dict[str, Any] = {"reason": reason}
        if amount is not None:
            want = float(amount)
            fields["amount"] = round(want, 2)
        elif lines:
            fields["lines"], want = _line_refund(node, lines)
            if include_shipping and not _shipping_refunded(node):
                fields["grantRefundForShipping"] = True
                want += shipping
        else:
            with_shipping = include_shipping is not False and not _shipping_refunded(node)
            want = left if with_shipping else max(0.0, left - (0.0 if _shipping_refunded(node) else shipping))
            fields["amount"] = round(want, 2)
            if with_shipping and shipping > 0:
                fields["grantRefundForShipping"] = True
        want = round(want, 2)
        if want <= 0:
            raise InvalidRequest(SYSTEM, "the refund amount must be more than 0", field="amount")
        if want > left + CENT:
            raise InvalidRequest(SYSTEM, f"a refund of {want:g} {currency} is more than the {left:g} {currency} "
                                         f"not yet refunded on order {number}", field="amount")
        transactions = node.get("transactions") or []
        if transactions:
            await self._refund_transaction(node, transactions, fields, want, currency)
        else:
            await self._mutate(documents.ORDER_REFUND_LEGACY, {"id": node["id"], "amount": want}, "orderRefund")
            await self._mutate(documents.ORDER_NOTE_ADD, {"order": node["id"], "message": f"Refund {want:g} "
                                                          f"{currency}: {reason}"}, "orderNoteAdd")
        return {**(await self._reload_order(node["id"])), "refunded_now": want, "reason": reason}

    async def _refund_transaction(
        self, node: Node, transactions: list[Node], fields: dict[str, Any], want: float, currency: str
    ) -> None:
        """Grant the refund on the transaction with the most left to refund, then request it."""
        best = max(transactions, key=transaction_refundable)
        if want > transaction_refundable(best) + CENT:
            raise InvalidRequest(SYSTEM, f"no single payment of order {node['number']} holds {want:g} {currency}; "
                                         "refund in smaller amounts", field="amount")
        granted = await self._mutate(
            documents.ORDER_GRANT_REFUND_CREATE,
            {"id": node["id"], "input": {**fields, "transactionId": best["id"]}},
            "orderGrantRefundCreate",
        )
        grant_id = granted["grantedRefund"]["id"]
        try:
            await self._mutate(documents.TRANSACTION_REQUEST_REFUND, {"grantedRefundId": grant_id},
                               "transactionRequestRefundForGrantedRefund")
        except AdapterError as exc:
            kind = Unavailable if isinstance(exc, RateLimited) else type(exc)
            raise kind(
                SYSTEM, f"the refund was granted ({grant_id}) but the payment app was not asked to pay it: "
                        f"{exc.message}; send it from the order page before refunding again", field=exc.field,
            ) from exc
