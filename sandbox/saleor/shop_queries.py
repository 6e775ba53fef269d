"""Root query resolvers for orders, draft orders, customers, vouchers, promotions and shipping.

Like the product filters, unsupported filter keys are refused with an error rather than ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLError

from sandbox.saleor import order_records as rec
from sandbox.saleor.catalog import Catalog, Record
from sandbox.saleor.context import Info, require_staff
from sandbox.saleor.discount_nodes import PromotionNode, VoucherNode, is_active, parse_when, shipping_zone
from sandbox.saleor.order_nodes import CustomerNode, OrderNode
from sandbox.saleor.paging import connection
from sandbox.saleor.queries import channel_pk_or_error

Check = Callable[[str, Record], bool]
_SORT: dict[str, Callable[[Record], Any]] = {
    "NUMBER": lambda r: rec.number_value(r["number"]) or 0, "CREATED_AT": lambda r: r["created"],
    "CREATION_DATE": lambda r: r["created"], "LAST_MODIFIED_AT": lambda r: r["updated"]}


def _one_of(spec: dict[str, Any]) -> list[Any]:
    return ([spec["eq"]] if spec.get("eq") is not None else []) + list(spec.get("oneOf") or [])


def _in_range(value: Any, bounds: dict[str, Any]) -> bool:
    low, high = bounds.get("gte"), bounds.get("lte")
    moment = parse_when(value)
    return moment is not None and (low is None or moment >= parse_when(low)) and (  # type: ignore[operator]
        high is None or moment <= parse_when(high))  # type: ignore[operator]


def _order_check(catalog: Catalog, key: str, value: Any) -> Check:
    if key == "number":
        wanted = {int(v) for v in _one_of(value)}
        bounds = value.get("range") or {}
        return lambda pk, r: (rec.number_value(r["number"]) in wanted if wanted else
                              (bounds.get("gte") is None or (rec.number_value(r["number"]) or 0) >= bounds["gte"]) and
                              (bounds.get("lte") is None or (rec.number_value(r["number"]) or 0) <= bounds["lte"]))
    if key == "ids":
        ids = {catalog.pk_of("orders", v) for v in value}
        return lambda pk, r: pk in ids
    if key in ("status", "chargeStatus", "authorizeStatus"):
        readers: dict[str, Callable[[Record], str]] = {
            "status": lambda r: str(r["status"]), "chargeStatus": rec.charge_status,
            "authorizeStatus": rec.authorize_status}
        read = readers[key]
        allowed = set(_one_of(value))
        return lambda pk, r: read(r) in allowed
    if key == "userEmail":
        emails = {str(v).casefold() for v in _one_of(value)}
        return lambda pk, r: str(r.get("user_email") or "").casefold() in emails
    if key in ("user", "channelId"):
        table, column = ("customers", "customer") if key == "user" else ("channels", "channel")
        pks = {catalog.pk_of(table, v) for v in _one_of(value)}
        return lambda pk, r: r.get(column) in pks
    if key in ("createdAt", "updatedAt"):
        column = "created" if key == "createdAt" else "updated"
        return lambda pk, r: _in_range(r[column], value)
    raise GraphQLError(f"The Saleor sandbox does not support the order filter `{key}`.")


def _order_search(catalog: Catalog, record: Record, needle: str) -> bool:
    customer = catalog.table("customers").get(record.get("customer") or "") or {}
    words = [str(record["number"]), record.get("user_email") or "", customer.get("first_name") or "",
             customer.get("last_name") or "", *(f"{li.get('sku') or ''} {li['product_name']}" for li in record["lines"])]
    return needle.casefold() in " ".join(words).casefold()


def _orders(catalog: Catalog, *, drafts: bool, where: dict[str, Any] | None, search: str | None,
            sort: dict[str, Any] | None) -> list[OrderNode]:
    rows = catalog.table("orders")
    checks = [_order_check(catalog, k, v) for k, v in (where or {}).items() if v is not None]
    pks = [pk for pk, r in rows.items() if (r["status"] == "DRAFT") == drafts and all(c(pk, r) for c in checks)
           and (not search or _order_search(catalog, r, search))]
    field = (sort or {}).get("field") or "NUMBER"
    if field not in _SORT:
        raise GraphQLError(f"The Saleor sandbox cannot sort orders by {field}.")
    pks.sort(key=lambda pk: _SORT[field](rows[pk]), reverse=(sort or {}).get("direction", "DESC") == "DESC")
    return [OrderNode(catalog, pk) for pk in pks]


def _customer_check(catalog: Catalog, key: str, value: Any) -> Check:
    def placed(pk: str) -> list[Record]:
        return [o for o in catalog.table("orders").values() if o.get("customer") == pk and o["status"] not in rec.NOT_PLACED]

    if key == "email":
        emails = {str(v).casefold() for v in _one_of(value)}
        return lambda pk, r: str(r["email"]).casefold() in emails
    if key == "ids":
        ids = {catalog.pk_of("customers", v) for v in value}
        return lambda pk, r: pk in ids
    if key == "numberOfOrders":
        bounds = value.get("range") or {}
        exact = set(_one_of(value))
        return lambda pk, r: (len(placed(pk)) in exact if exact else
                              (bounds.get("gte") is None or len(placed(pk)) >= bounds["gte"]) and
                              (bounds.get("lte") is None or len(placed(pk)) <= bounds["lte"]))
    if key == "placedOrdersAt":
        return lambda pk, r: any(_in_range(o["created"], value) for o in placed(pk))
    if key == "isActive":
        return lambda pk, r: bool(r.get("is_active", True)) == bool(value)
    raise GraphQLError(f"The Saleor sandbox does not support the customer filter `{key}`.")


class ShopQueries:
    """The root query fields for orders, customers, discounts and shipping."""

    def orders(self, info: Info, where: dict[str, Any] | None = None, search: str | None = None,
               sortBy: dict[str, Any] | None = None, filter: dict[str, Any] | None = None, **page: Any) -> dict[str, Any]:
        catalog = require_staff(info, "MANAGE_ORDERS").catalog
        if filter:
            raise GraphQLError("The Saleor sandbox supports `where` on orders, not the deprecated `filter`.")
        if page.pop("channel", None):
            raise GraphQLError("The Saleor sandbox does not support `channel` on orders; use where.channelId.")
        return connection(_orders(catalog, drafts=False, where=where, search=search, sort=sortBy), "orders", **page)

    def draftOrders(self, info: Info, where: dict[str, Any] | None = None, search: str | None = None,
                    sortBy: dict[str, Any] | None = None, filter: dict[str, Any] | None = None,
                    **page: Any) -> dict[str, Any]:
        catalog = require_staff(info, "MANAGE_ORDERS").catalog
        if filter:
            raise GraphQLError("The Saleor sandbox supports `where` on draftOrders, not the deprecated `filter`.")
        return connection(_orders(catalog, drafts=True, where=where, search=search, sort=sortBy), "draftOrders", **page)

    def order(self, info: Info, id: str | None = None, externalReference: str | None = None) -> OrderNode | None:
        catalog = require_staff(info, "MANAGE_ORDERS").catalog
        pk = catalog.pk_of("orders", id)
        return OrderNode(catalog, pk) if pk else None

    def customers(self, info: Info, where: dict[str, Any] | None = None, search: str | None = None,
                  filter: dict[str, Any] | None = None, sortBy: dict[str, Any] | None = None,
                  **page: Any) -> dict[str, Any]:
        catalog = require_staff(info, "MANAGE_USERS").catalog
        if filter:
            raise GraphQLError("The Saleor sandbox supports `where` on customers, not the deprecated `filter`.")
        rows = catalog.table("customers")
        checks = [_customer_check(catalog, k, v) for k, v in (where or {}).items() if v is not None]
        needle = (search or "").casefold()
        pks = [pk for pk, r in rows.items() if all(c(pk, r) for c in checks) and needle in
               f"{r['email']} {r.get('first_name') or ''} {r.get('last_name') or ''}".casefold()]
        pks.sort(key=lambda pk: str(rows[pk]["email"]))
        return connection([CustomerNode(catalog, pk) for pk in pks], "customers", **page)

    def user(self, info: Info, id: str | None = None, email: str | None = None,
             externalReference: str | None = None) -> CustomerNode | None:
        catalog = require_staff(info, "MANAGE_USERS").catalog
        pk = catalog.pk_of("customers", id) if id else None
        if email:
            pk = next((k for k, r in catalog.table("customers").items()
                       if str(r["email"]).casefold() == email.strip().casefold()), None)
        return CustomerNode(catalog, pk) if pk else None

    def vouchers(self, info: Info, filter: dict[str, Any] | None = None, channel: str | None = None,
                 query: str | None = None, sortBy: dict[str, Any] | None = None, **page: Any) -> dict[str, Any]:
        catalog = require_staff(info, "MANAGE_DISCOUNTS").catalog
        channel_pk_or_error(catalog, channel)
        spec = {k: v for k, v in (filter or {}).items() if v is not None}
        needle = str(spec.pop("search", None) or query or "").casefold()
        status = spec.pop("status", None)
        if spec:
            raise GraphQLError(f"The Saleor sandbox does not support the voucher filter `{next(iter(spec))}`.")
        rows = catalog.table("vouchers")
        pks = [pk for pk, r in rows.items()
               if needle in " ".join([str(r.get("name") or ""), *(c["code"] for c in r["codes"])]).casefold()
               and (status is None or ("ACTIVE" if is_active(r) else "EXPIRED") in status)]
        return connection([VoucherNode(catalog, pk, channel) for pk in pks], "vouchers", **page)

    def voucher(self, info: Info, id: str, channel: str | None = None) -> VoucherNode | None:
        catalog = require_staff(info, "MANAGE_DISCOUNTS").catalog
        pk = catalog.pk_of("vouchers", id)
        return VoucherNode(catalog, pk, channel) if pk else None

    def promotions(self, info: Info, where: dict[str, Any] | None = None, sortBy: dict[str, Any] | None = None,
                   **page: Any) -> dict[str, Any]:
        catalog = require_staff(info, "MANAGE_DISCOUNTS").catalog
        spec = {k: v for k, v in (where or {}).items() if v is not None}
        names = {str(v).casefold() for v in _one_of(spec.pop("name", {}))}
        if spec:
            raise GraphQLError(f"The Saleor sandbox does not support the promotion filter `{next(iter(spec))}`.")
        rows = catalog.table("promotions")
        pks = [pk for pk, r in rows.items() if not names or str(r["name"]).casefold() in names]
        return connection([PromotionNode(catalog, pk) for pk in pks], "promotions", **page)

    def promotion(self, info: Info, id: str) -> PromotionNode | None:
        catalog = require_staff(info, "MANAGE_DISCOUNTS").catalog
        pk = catalog.pk_of("promotions", id)
        return PromotionNode(catalog, pk) if pk else None

    def shippingZones(self, info: Info, filter: dict[str, Any] | None = None, channel: str | None = None,
                      **page: Any) -> dict[str, Any]:
        catalog = require_staff(info, "MANAGE_SHIPPING").catalog
        channel_pk_or_error(catalog, channel)
        return connection([shipping_zone(catalog)], "shippingZones", **page)
