"""Customer tools: search with order statistics, and update name, note or tags.

Saleor has no tags on customers: they live in the customer's metadata under `tags`, as one
comma-separated value ("VIP, wholesale").
"""

from __future__ import annotations

from datetime import date
from typing import Any

from adapters.errors import InvalidRequest, NotFound, Unavailable
from adapters.saleor import documents
from adapters.saleor.base import Node, SaleorBase
from adapters.saleor.convert import amount, is_global_id
from adapters.saleor.failures import SYSTEM
from adapters.saleor.order_convert import NOT_PLACED

TAGS_KEY = "tags"
MAX_PAGES = 10


def tags_of(node: Node) -> list[str]:
    raw = next((m["value"] for m in node.get("metadata") or [] if m.get("key") == TAGS_KEY), "")
    return [tag.strip() for tag in str(raw).split(",") if tag.strip()]


def customer_to_dict(node: Node) -> dict[str, Any]:
    """A customer (CustomerFields) with order count, total spent and first/last order dates.

    Drafts, cancelled and expired orders are not counted (from the customer's latest 100 orders).
    """
    placed = [edge["node"] for edge in (node.get("orders") or {}).get("edges") or []
              if edge["node"].get("status") not in NOT_PLACED]
    dates = sorted(str(o["created"]) for o in placed if o.get("created"))
    totals = [(o.get("total") or {}).get("gross") or {} for o in placed]
    name = " ".join(p for p in (node.get("firstName"), node.get("lastName")) if p) or None
    address = node.get("defaultShippingAddress") or {}
    return {
        "id": node["id"],
        "email": node["email"],
        "first_name": node.get("firstName") or None,
        "last_name": node.get("lastName") or None,
        "name": name,
        "note": node.get("note") or None,
        "tags": tags_of(node),
        "is_active": node.get("isActive"),
        "joined": node.get("dateJoined"),
        "city": address.get("city") or None,
        "order_count": len(placed),
        "total_spent": round(sum(amount(t) or 0.0 for t in totals), 2),
        "currency": next((t.get("currency") for t in totals if t.get("currency")), None),
        "first_order": dates[0] if dates else None,
        "last_order": dates[-1] if dates else None,
        "recent_orders": [o["number"] for o in sorted(placed, key=lambda o: str(o.get("created")), reverse=True)[:5]],
    }


def _day(value: date | str) -> str:
    return (value.isoformat() if isinstance(value, date) else str(value))[:10]


class CustomerLookup(SaleorBase):
    """Finding one customer by email, ID or full name."""

    async def _customer_by(self, *, id: str | None = None, email: str | None = None) -> Node | None:
        node = (await self.execute(documents.CUSTOMER, {"id": id, "email": email})).get("user")
        return dict(node) if node else None

    async def _customer(self, ref: str, *, field: str = "customer") -> Node:
        ref = str(ref).strip()
        if is_global_id(ref, "User"):
            node = await self._customer_by(id=ref)
        elif "@" in ref:
            node = await self._customer_by(email=ref)
        else:
            page = (await self.execute(documents.CUSTOMERS, {"search": ref, "first": 100})).get("customers") or {}
            nodes = [edge["node"] for edge in page.get("edges") or []]
            named = [n for n in nodes if customer_to_dict(n)["name"] and str(customer_to_dict(n)["name"]).casefold()
                     == ref.casefold()] or nodes
            if len(named) > 1:
                emails = ", ".join(n["email"] for n in named[:10])
                raise InvalidRequest(SYSTEM, f"{ref!r} names {len(named)} customers ({emails}); use the email",
                                     field=field)
            node = named[0] if named else None
        if node is None:
            raise NotFound(SYSTEM, f"no customer {ref!r} (tried email, ID and name)", field=field)
        return node


class CustomerOps(CustomerLookup):
    """`customer_search`, `customer_get`, `customer_update`."""

    async def customer_search(
        self,
        query: str | None = None,
        email: str | None = None,
        tag: str | None = None,
        last_order_before: date | str | None = None,
        last_order_after: date | str | None = None,
        min_orders: int | None = None,
        min_spent: float | None = None,
        first: int | None = None,
    ) -> list[dict[str, Any]]:
        """Customers matching text and filters. Tags, spend and last-order dates are checked on each
        customer (Saleor has no such filters), reading up to 1,000 customers to fill the page."""
        first = max(1, min(int(first or 20), 100))
        where: dict[str, Any] = {}
        if email:
            where["email"] = {"eq": email.strip()}
        if min_orders:
            where["numberOfOrders"] = {"range": {"gte": int(min_orders)}}
        if last_order_after:
            where["placedOrdersAt"] = {"gte": f"{_day(last_order_after)}T00:00:00+00:00"}

        def keep(item: dict[str, Any]) -> bool:
            last = (item["last_order"] or "")[:10]
            return all((
                tag is None or tag.casefold() in (t.casefold() for t in item["tags"]),
                last_order_before is None or bool(last) and last < _day(last_order_before),
                last_order_after is None or bool(last) and last >= _day(last_order_after),
                min_orders is None or item["order_count"] >= min_orders,
                min_spent is None or item["total_spent"] >= float(min_spent),
            ))

        found: list[dict[str, Any]] = []
        after = None
        for _ in range(MAX_PAGES):
            variables = {"search": query or None, "where": where or None, "first": 100, "after": after}
            page = (await self.execute(documents.CUSTOMERS, variables)).get("customers") or {}
            found += [c for c in (customer_to_dict(e["node"]) for e in page.get("edges") or []) if keep(c)]
            info = page.get("pageInfo") or {}
            if len(found) >= first or not info.get("hasNextPage"):
                break
            after = info.get("endCursor")
        return found[:first]

    async def customer_get(self, customer: str) -> dict[str, Any]:
        """One customer by email, ID or full name."""
        return customer_to_dict(await self._customer(customer))

    async def customer_update(
        self,
        customer: str,
        first_name: str | None = None,
        last_name: str | None = None,
        note: str | None = None,
        add_tags: list[str] | None = None,
        remove_tags: list[str] | None = None,
    ) -> dict[str, Any]:
        """Set name or note, add or remove tags; tags already there (or absent) are skipped."""
        for label, items in (("add_tags", add_tags), ("remove_tags", remove_tags)):
            if any("," in tag for tag in items or []):
                raise InvalidRequest(SYSTEM, "a tag cannot contain a comma", field=label)
        node = await self._customer(customer)
        fields: dict[str, Any] = {k: v for k, v in (("firstName", first_name), ("lastName", last_name),
                                                     ("note", note)) if v is not None}
        tags = tags_of(node)
        if add_tags or remove_tags:
            removed = {t.strip().casefold() for t in remove_tags or []}
            kept = [t for t in tags if t.casefold() not in removed]
            for tag in (t.strip() for t in add_tags or []):
                if tag and tag.casefold() not in (k.casefold() for k in kept):
                    kept.append(tag)
            if kept != tags:
                fields["metadata"] = [{"key": TAGS_KEY, "value": ", ".join(kept)}]
        if fields:
            await self._mutate(documents.CUSTOMER_UPDATE, {"id": node["id"], "input": fields}, "customerUpdate")
            fresh = await self._customer_by(id=node["id"])
            if fresh is None:
                raise Unavailable(SYSTEM, f"customer {node['email']} vanished right after it was written")
            node = fresh
        return {**customer_to_dict(node), "changed": sorted(_changed(fields))}


def _changed(fields: dict[str, Any]) -> set[str]:
    names = {"firstName": "first_name", "lastName": "last_name", "note": "note", "metadata": "tags"}
    return {names[k] for k in fields}
