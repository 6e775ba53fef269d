"""Refunds through the Transactions API: grant a refund on a transaction, then request it.

The sandbox plays the payment app as well: a requested refund succeeds at once.
"""

from __future__ import annotations

from typing import Any

from sandbox.saleor import inputs
from sandbox.saleor import order_records as rec
from sandbox.saleor.catalog import Catalog, Record, from_global_id, now_iso
from sandbox.saleor.context import Info, fail, require_staff
from sandbox.saleor.order_mutations import attempt
from sandbox.saleor.order_nodes import OrderNode


def _transaction(order: Record, global_id: Any) -> Record:
    parsed = from_global_id(str(global_id)) if global_id else None
    found: Record | None = next(
        (t for t in order["transactions"] if parsed and parsed[0] == "TransactionItem" and t["id"] == parsed[1]), None)
    if found is None:
        raise fail("transactionId", "NOT_FOUND", f"Couldn't resolve the transaction: {global_id}")
    return found


def _granted_lines(order: Record) -> dict[str, int]:
    done: dict[str, int] = {}
    for grant in order["granted_refunds"]:
        if grant["status"] != "FAILURE":
            for item in grant.get("lines") or []:
                done[item["line"]] = done.get(item["line"], 0) + int(item["quantity"])
    return done


def _grant_lines(order: Record, items: list[dict[str, Any]] | None) -> tuple[list[dict[str, Any]], float]:
    done = _granted_lines(order)
    lines: list[dict[str, Any]] = []
    value = 0.0
    for item in items or []:
        line = rec.find_line(order, item.get("id"))
        if line is None:
            raise fail("lines", "NOT_FOUND", f"Couldn't resolve the order line: {item.get('id')}")
        quantity = int(item.get("quantity") or 0)
        left = line["quantity"] - done.get(line["id"], 0)
        if quantity < 1 or quantity > left:
            raise fail("lines", "INVALID", f"Only {left} of line {line['sku']} can be granted as a refund.")
        lines.append({"line": line["id"], "quantity": quantity})
        value += quantity * line["unit_price"]
    return lines, value


class RefundMutations:
    def orderGrantRefundCreate(self, info: Info, id: str, input: dict[str, Any]) -> dict[str, Any]:
        catalog = require_staff(info, "MANAGE_ORDERS").catalog

        def run() -> dict[str, Any]:
            pk = inputs.resolve_id(catalog, "orders", id, "id")
            order = catalog.table("orders")[pk]
            transaction = _transaction(order, input.get("transactionId"))
            lines, value = _grant_lines(order, input.get("lines"))
            shipping = bool(input.get("grantRefundForShipping"))
            if shipping and any(g.get("shipping") and g["status"] != "FAILURE" for g in order["granted_refunds"]):
                raise fail("grantRefundForShipping", "SHIPPING_COSTS_ALREADY_GRANTED",
                           "Shipping costs have already been granted.")
            if shipping:
                value += float(order["shipping_price"])
            given = input.get("amount")
            if given is None and not lines and not shipping:
                raise fail("amount", "REQUIRED", "Provide amount, lines or grantRefundForShipping.")
            taken = sum(g["amount"] for g in order["granted_refunds"]
                        if g.get("transaction") == transaction["id"] and g["status"] != "FAILURE")
            available = rec.money_round(transaction["charged"] - taken)
            amount = rec.money_round(float(given)) if given is not None else min(rec.money_round(value), available)
            if amount <= 0 or amount > available:
                raise fail("amount", "AMOUNT_GREATER_THAN_AVAILABLE",
                           f"Amount {amount} is more than the {available} available on the transaction.")
            grant = {"id": catalog.next_pk(), "amount": amount, "reason": input.get("reason"), "status": "NONE",
                     "shipping": shipping, "created": now_iso(), "lines": lines, "transaction": transaction["id"]}
            order["granted_refunds"].append(grant)
            order["updated"] = now_iso()
            catalog.touch()
            node = OrderNode(catalog, pk)
            return {"order": node, "grantedRefund": node.grantedRefunds[-1]}

        return attempt("errors", ("order", "grantedRefund"), run)

    def transactionRequestRefundForGrantedRefund(
        self, info: Info, grantedRefundId: str, id: str | None = None, token: str | None = None
    ) -> dict[str, Any]:
        ctx = require_staff(info, "HANDLE_PAYMENTS")
        catalog = ctx.catalog

        def run() -> dict[str, Any]:
            found = rec.order_of_granted_refund(catalog, grantedRefundId)
            if found is None:
                raise fail("grantedRefundId", "NOT_FOUND", f"Couldn't resolve the granted refund: {grantedRefundId}")
            pk, grant = found
            if grant["status"] == "SUCCESS":
                raise fail("grantedRefundId", "REFUND_ALREADY_PROCESSED", "The granted refund is already refunded.")
            order = catalog.table("orders")[pk]
            transaction = next(t for t in order["transactions"] if t["id"] == grant["transaction"])
            available = rec.money_round(transaction["charged"] - transaction["refunded"])
            if grant["amount"] > available:
                raise fail("amount", "AMOUNT_GREATER_THAN_AVAILABLE", f"Only {available} can still be refunded.")
            _pay_back(catalog, order, transaction, grant, ctx.viewer)
            node = OrderNode(catalog, pk)
            wanted = ("TransactionItem", transaction["id"])
            return {"transaction": next(t for t in node.transactions if from_global_id(t["id"]) == wanted)}

        return attempt("errors", ("transaction",), run)


def _pay_back(catalog: Catalog, order: Record, transaction: Record, grant: Record, viewer: str | None) -> None:
    transaction["refunded"] = rec.money_round(transaction["refunded"] + grant["amount"])
    grant["status"] = "SUCCESS"
    order["updated"] = now_iso()
    reason = f": {grant['reason']}" if grant.get("reason") else ""
    rec.add_event(catalog, order, "TRANSACTION_REFUND_REQUESTED", f"Refund of {grant['amount']:g} requested{reason}",
                  viewer)
    rec.add_event(catalog, order, "PAYMENT_REFUNDED", f"Refunded {grant['amount']:g}", viewer)
    catalog.touch()
