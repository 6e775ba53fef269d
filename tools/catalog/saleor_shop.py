"""Saleor stock, bulk-pricing, customer, voucher and discount tools: arguments and handlers
(declared in `tools.catalog.saleor`)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import AwareDatetime, Field, model_validator

from tools.context import ToolContext
from tools.spec import DecimalArg, ToolArgs, ToolResult

SYSTEM = "saleor"


class PriceBulkUpdate(ToolArgs):
    category: str | None = None
    collection: str | None = None
    products: list[str] | None = None
    change_percent: DecimalArg | None = None
    new_price: DecimalArg | None = Field(default=None, ge=0)
    round_to: DecimalArg | None = Field(default=None, gt=0)
    channel: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> PriceBulkUpdate:
        targets = [self.category, self.collection, self.products]
        if sum(t is not None for t in targets) != 1:
            raise ValueError("give exactly one of category, collection, products")
        if (self.change_percent is None) == (self.new_price is None):
            raise ValueError("give exactly one of change_percent, new_price")
        if self.change_percent is not None and self.change_percent <= -100:
            raise ValueError("change_percent must be above -100")
        return self


class StockList(ToolArgs):
    product: str | None = None
    sku: str | None = None
    warehouse: str | None = None
    below: int | None = None
    first: int | None = Field(default=None, ge=1, le=100)


class StockUpdate(ToolArgs):
    sku: str = Field(min_length=1)
    warehouse: str = Field(min_length=1)
    quantity: int = Field(ge=0)
    reason: str | None = None


class CustomerSearch(ToolArgs):
    query: str | None = None
    email: str | None = None
    tag: str | None = None
    last_order_before: date | None = None
    last_order_after: date | None = None
    min_orders: int | None = Field(default=None, ge=0)
    min_spent: DecimalArg | None = Field(default=None, ge=0)
    first: int | None = Field(default=None, ge=1, le=100)


class CustomerUpdate(ToolArgs):
    customer: str = Field(min_length=1)
    first_name: str | None = None
    last_name: str | None = None
    note: str | None = None
    add_tags: list[str] | None = None
    remove_tags: list[str] | None = None


class VoucherCreate(ToolArgs):
    code: str = Field(min_length=1)
    discount_type: Literal["percentage", "fixed", "free_shipping"]
    value: DecimalArg | None = Field(default=None, gt=0)
    min_spend: DecimalArg | None = Field(default=None, ge=0)
    usage_limit: int | None = Field(default=None, ge=1)
    once_per_customer: bool | None = None
    products: list[str] | None = None
    categories: list[str] | None = None
    collections: list[str] | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    channel: str | None = None

    @model_validator(mode="after")
    def _value_needed(self) -> VoucherCreate:
        if self.discount_type != "free_shipping" and self.value is None:
            raise ValueError("value is required unless discount_type is free_shipping")
        if self.discount_type == "percentage" and self.value is not None and self.value > 100:
            raise ValueError("a percentage value cannot be over 100")
        return self


class VoucherDeactivate(ToolArgs):
    code: str = Field(min_length=1)
    reason: str | None = None


class DiscountCreate(ToolArgs):
    name: str = Field(min_length=1)
    discount_type: Literal["percentage", "fixed"]
    value: DecimalArg = Field(gt=0)
    products: list[str] | None = None
    categories: list[str] | None = None
    collections: list[str] | None = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    channel: str | None = None


def _kwargs(args: ToolArgs) -> dict[str, Any]:
    return args.model_dump(exclude_none=True)


async def price_bulk_update(ctx: ToolContext, args: PriceBulkUpdate) -> ToolResult:
    return dict(await ctx.client(SYSTEM).price_bulk_update(**_kwargs(args)))


async def stock_list(ctx: ToolContext, args: StockList) -> ToolResult:
    rows: list[dict[str, Any]] = await ctx.client(SYSTEM).stock_list(**_kwargs(args))
    return {"stock": rows, "count": len(rows)}


async def stock_update(ctx: ToolContext, args: StockUpdate) -> ToolResult:
    return dict(await ctx.client(SYSTEM).stock_update(**_kwargs(args)))


async def customer_search(ctx: ToolContext, args: CustomerSearch) -> ToolResult:
    customers: list[dict[str, Any]] = await ctx.client(SYSTEM).customer_search(**_kwargs(args))
    return {"customers": customers, "count": len(customers)}


async def customer_update(ctx: ToolContext, args: CustomerUpdate) -> ToolResult:
    return dict(await ctx.client(SYSTEM).customer_update(**_kwargs(args)))


async def voucher_create(ctx: ToolContext, args: VoucherCreate) -> ToolResult:
    return dict(await ctx.client(SYSTEM).voucher_create(**_kwargs(args)))


async def voucher_deactivate(ctx: ToolContext, args: VoucherDeactivate) -> ToolResult:
    return dict(await ctx.client(SYSTEM).voucher_deactivate(args.code, args.reason))


async def discount_create(ctx: ToolContext, args: DiscountCreate) -> ToolResult:
    return dict(await ctx.client(SYSTEM).discount_create(**_kwargs(args)))


# --- preconditions: what a write's approval was given against ---------------------------------


async def prices_now(ctx: ToolContext, args: PriceBulkUpdate) -> ToolResult:
    """The current price of every variant the change would touch."""
    plan = await ctx.client(SYSTEM).price_bulk_preview(**_kwargs(args))
    return {"prices": [{k: c[k] for k in ("product", "sku", "old_price")} for c in plan["changes"]]}


async def stock_now(ctx: ToolContext, args: StockUpdate) -> ToolResult:
    row = await ctx.client(SYSTEM).stock_get(args.sku, args.warehouse)
    return {key: row[key] for key in ("sku", "warehouse", "quantity")}


async def customer_now(ctx: ToolContext, args: CustomerUpdate) -> ToolResult:
    found = await ctx.client(SYSTEM).customer_get(args.customer)
    return {key: found[key] for key in ("email", "first_name", "last_name", "note", "tags")}


async def voucher_now(ctx: ToolContext, args: VoucherCreate | VoucherDeactivate) -> ToolResult:
    """The voucher with this code (its settings and dates), or that there is none."""
    found = await ctx.client(SYSTEM).voucher_find(args.code)
    if found is None:
        return {"code": args.code, "exists": False}
    keys = ("code", "discount_type", "value", "min_spend", "usage_limit", "starts_at", "ends_at")
    return {"exists": True, **{key: found[key] for key in keys}}


async def discount_now(ctx: ToolContext, args: DiscountCreate) -> ToolResult:
    found = await ctx.client(SYSTEM).discount_find(args.name)
    if found is None:
        return {"name": args.name, "exists": False}
    return {"exists": True, **{key: found[key] for key in ("name", "discount_type", "value", "starts_at", "ends_at")}}
