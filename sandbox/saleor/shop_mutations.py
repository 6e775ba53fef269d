"""Customer, voucher, promotion and stock mutations. Each checks its whole input before writing."""

from __future__ import annotations

from typing import Any

from sandbox.saleor import inputs
from sandbox.saleor.catalog import Catalog, Record, now_iso
from sandbox.saleor.context import Info, fail, require_staff
from sandbox.saleor.discount_nodes import PromotionNode, VoucherNode, parse_when
from sandbox.saleor.order_mutations import attempt
from sandbox.saleor.order_nodes import CustomerNode
from sandbox.saleor.product_nodes import VariantNode

_PREDICATE_TABLES = {"productPredicate": "products", "categoryPredicate": "categories",
                     "collectionPredicate": "collections", "variantPredicate": "variants"}


def _dates(data: dict[str, Any], current: Record | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for key, column in (("startDate", "start"), ("endDate", "end")):
        if key in data:
            try:
                moment = parse_when(data[key])
            except ValueError as exc:
                raise fail(key, "INVALID", f"{data[key]!r} is not a date and time.") from exc
            changes[column] = moment.isoformat() if moment else None
    start = changes.get("start", (current or {}).get("start")) or now_iso()
    end = changes.get("end", (current or {}).get("end"))
    if end and parse_when(end) < parse_when(start):  # type: ignore[operator]
        raise fail("endDate", "INVALID", "End date cannot be before the start date.")
    return changes


def _voucher_changes(catalog: Catalog, data: dict[str, Any], pk: str | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    codes = list(data.get("addCodes") or []) + ([data["code"]] if data.get("code") else [])
    for code in codes:
        owner = next((k for k, v in catalog.table("vouchers").items()
                      if any(c["code"].casefold() == str(code).casefold() for c in v["codes"])), None)
        if owner is not None:
            raise fail("addCodes", "ALREADY_EXISTS", f"Voucher code {code} already exists.")
    if codes:
        changes["new_codes"] = codes
    simple = {"name": "name", "type": "type", "discountValueType": "value_type", "usageLimit": "usage_limit",
              "applyOncePerCustomer": "once_per_customer"}
    changes.update({column: data[key] for key, column in simple.items() if key in data})
    for key, table in (("products", "products"), ("categories", "categories"), ("collections", "collections")):
        if data.get(key) is not None:
            changes[key] = inputs.resolve_ids(catalog, table, data[key], key)
    current = catalog.table("vouchers")[pk] if pk else None
    changes.update(_dates(data, current))
    return changes


def _check_predicate(catalog: Catalog, predicate: Any) -> None:
    if not isinstance(predicate, dict):
        raise fail("cataloguePredicate", "INVALID", "The catalogue predicate must be an object.")
    for key, value in predicate.items():
        if key in ("AND", "OR"):
            for part in value or []:
                _check_predicate(catalog, part)
        elif key in _PREDICATE_TABLES:
            inputs.resolve_ids(catalog, _PREDICATE_TABLES[key], (value or {}).get("ids"), "cataloguePredicate")
        else:
            raise fail("cataloguePredicate", "INVALID", f"The Saleor sandbox does not support the predicate {key}.")


class ShopMutations:
    def customerUpdate(self, info: Info, input: dict[str, Any], id: str | None = None,
                       externalReference: str | None = None) -> dict[str, Any]:
        catalog = require_staff(info, "MANAGE_USERS").catalog

        def run() -> dict[str, Any]:
            pk = inputs.resolve_id(catalog, "customers", id, "id")
            changes: dict[str, Any] = {}
            if input.get("email"):
                other = next((k for k, r in catalog.table("customers").items()
                              if str(r["email"]).casefold() == str(input["email"]).casefold()), None)
                if other not in (None, pk):
                    raise fail("email", "UNIQUE", "User with this Email already exists.")
                changes["email"] = input["email"]
            for key, column in (("firstName", "first_name"), ("lastName", "last_name"), ("note", "note"),
                                ("isActive", "is_active")):
                if key in input:
                    changes[column] = input[key]
            row = catalog.table("customers")[pk]
            row.update(changes)
            for item in input.get("metadata") or []:
                row.setdefault("metadata", {})[str(item["key"])] = str(item["value"])
            catalog.touch()
            return {"user": CustomerNode(catalog, pk)}

        return attempt("accountErrors", ("user",), run)

    def voucherCreate(self, info: Info, input: dict[str, Any]) -> dict[str, Any]:
        catalog = require_staff(info, "MANAGE_DISCOUNTS").catalog

        def run() -> dict[str, Any]:
            changes = _voucher_changes(catalog, input, None)
            codes = changes.pop("new_codes", None)
            if not codes:
                raise fail("addCodes", "REQUIRED", "Give the voucher at least one code.")
            record: Record = {"name": None, "type": "ENTIRE_ORDER", "value_type": "FIXED", "start": now_iso(),
                              "end": None, "usage_limit": None, "once_per_customer": False, "products": [],
                              "categories": [], "collections": [], "listings": {}, "created": now_iso(),
                              "codes": [{"code": c, "used": 0, "active": True} for c in codes]}
            record.update(changes)
            return {"voucher": VoucherNode(catalog, catalog.insert("vouchers", record))}

        return attempt("discountErrors", ("voucher",), run)

    def voucherUpdate(self, info: Info, id: str, input: dict[str, Any]) -> dict[str, Any]:
        catalog = require_staff(info, "MANAGE_DISCOUNTS").catalog

        def run() -> dict[str, Any]:
            pk = inputs.resolve_id(catalog, "vouchers", id, "id")
            changes = _voucher_changes(catalog, input, pk)
            row = catalog.table("vouchers")[pk]
            row["codes"] += [{"code": c, "used": 0, "active": True} for c in changes.pop("new_codes", [])]
            row.update(changes)
            catalog.touch()
            return {"voucher": VoucherNode(catalog, pk)}

        return attempt("discountErrors", ("voucher",), run)

    def voucherChannelListingUpdate(self, info: Info, id: str, input: dict[str, Any]) -> dict[str, Any]:
        catalog = require_staff(info, "MANAGE_DISCOUNTS").catalog

        def run() -> dict[str, Any]:
            pk = inputs.resolve_id(catalog, "vouchers", id, "id")
            row = catalog.table("vouchers")[pk]
            planned = []
            for entry in input.get("addChannels") or []:
                channel_pk = inputs.resolve_id(catalog, "channels", entry.get("channelId"), "channelId")
                value = inputs.amount(entry.get("discountValue"), "discountValue")
                if value is None and channel_pk not in row["listings"]:
                    raise fail("discountValue", "REQUIRED", "The discount value is required.")
                if value is not None and row["value_type"] == "PERCENTAGE" and value > 100:
                    raise fail("discountValue", "INVALID", "Invalid percentage value.")
                planned.append((channel_pk, value, "minAmountSpent" in entry,
                                inputs.amount(entry.get("minAmountSpent"), "minAmountSpent")))
            removals = inputs.resolve_ids(catalog, "channels", input.get("removeChannels"), "removeChannels")
            for channel_pk, value, has_min, minimum in planned:
                listing = row["listings"].setdefault(channel_pk, {"value": value, "min_spent": None})
                if value is not None:
                    listing["value"] = value
                if has_min:
                    listing["min_spent"] = minimum
            for channel_pk in removals:
                row["listings"].pop(channel_pk, None)
            catalog.touch()
            return {"voucher": VoucherNode(catalog, pk)}

        return attempt("discountErrors", ("voucher",), run)

    def promotionCreate(self, info: Info, input: dict[str, Any]) -> dict[str, Any]:
        catalog = require_staff(info, "MANAGE_DISCOUNTS").catalog

        def run() -> dict[str, Any]:
            name = inputs.required_name(input)
            dates = _dates(input, None)
            rules = []
            for rule in input.get("rules") or []:
                channels = inputs.resolve_ids(catalog, "channels", rule.get("channels"), "channels")
                value = inputs.amount(rule.get("rewardValue"), "rewardValue")
                if value is not None and not channels:
                    raise fail("channels", "MISSING_CHANNELS", "Channels are required when a reward value is given.")
                if value is not None and not rule.get("rewardValueType"):
                    raise fail("rewardValueType", "REQUIRED", "The reward value type is required.")
                if rule.get("rewardValueType") == "PERCENTAGE" and (value or 0) > 100:
                    raise fail("rewardValue", "INVALID", "Invalid percentage value.")
                if rule.get("cataloguePredicate") is not None:
                    _check_predicate(catalog, rule["cataloguePredicate"])
                rules.append({"id": catalog.next_pk(), "name": rule.get("name"), "channels": channels,
                              "reward_value_type": rule.get("rewardValueType"), "reward_value": value,
                              "catalogue_predicate": rule.get("cataloguePredicate") or {}})
            record: Record = {"name": name, "type": input.get("type") or "CATALOGUE", "description": None,
                              "start": dates.get("start") or now_iso(), "end": dates.get("end"), "created": now_iso(),
                              "rules": rules}
            return {"promotion": PromotionNode(catalog, catalog.insert("promotions", record))}

        return attempt("errors", ("promotion",), run)

    def productVariantStocksUpdate(self, info: Info, stocks: list[dict[str, Any]], sku: str | None = None,
                                   variantId: str | None = None) -> dict[str, Any]:
        catalog = require_staff(info, "MANAGE_PRODUCTS").catalog

        def run() -> dict[str, Any]:
            if variantId:
                pk = inputs.resolve_id(catalog, "variants", variantId, "variantId")
            else:
                found = catalog.by_sku(sku) if sku else None
                if found is None:
                    raise fail("sku", "NOT_FOUND", f"Couldn't resolve to a node: {sku}")
                pk = found
            planned = []
            for stock in stocks:
                warehouse = inputs.resolve_id(catalog, "warehouses", stock.get("warehouse"), "warehouse")
                quantity = int(stock.get("quantity") or 0)
                if quantity < 0:
                    raise fail("quantity", "INVALID", "Quantity cannot be negative.")
                planned.append((warehouse, quantity))
            variant = catalog.table("variants")[pk]
            for warehouse, quantity in planned:
                variant["stocks"][warehouse] = quantity
            variant["updated"] = now_iso()
            catalog.touch()
            return {"productVariant": VariantNode(catalog, pk)}

        return attempt("bulkStockErrors", ("productVariant",), run)
