"""Saleor order tools: arguments and handlers (declared in `tools.catalog.saleor`)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.context import ToolContext
from tools.spec import DecimalArg, ToolArgs, ToolResult

SYSTEM = "saleor"


class OrderLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: str
    quantity: int = Field(gt=0)


OrderStatus = Literal[
    "unconfirmed", "unfulfilled", "ready_to_fulfill", "ready_to_capture", "partially_fulfilled", "fulfilled", "canceled"
]
PaymentStatus = Literal[
    "not_charged", "pending", "partially_charged", "fully_charged", "partially_refunded", "fully_refunded", "refused", "cancelled"
]


class OrderList(ToolArgs):
    status: OrderStatus | None = None
    payment_status: PaymentStatus | None = None
    customer: str | None = None
    created_after: date | None = None
    created_before: date | None = None
    channel: str | None = None
    first: int | None = Field(default=None, ge=1, le=100)


class OrderGet(ToolArgs):
    order: str = Field(min_length=1)


class OrderFulfill(ToolArgs):
    order: str = Field(min_length=1)
    lines: list[OrderLine] | None = None
    warehouse: str | None = None
    tracking_number: str | None = None
    notify_customer: bool = True


class OrderCancel(ToolArgs):
    order: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class OrderRefund(ToolArgs):
    order: str = Field(min_length=1)
    amount: DecimalArg | None = Field(default=None, gt=0)
    lines: list[OrderLine] | None = None
    include_shipping: bool | None = None
    reason: str = Field(min_length=1)


class DraftOrderCreate(ToolArgs):
    customer: str = Field(min_length=1)
    lines: list[OrderLine] = Field(min_length=1)
    channel: str | None = None
    voucher_code: str | None = None
    shipping_method: str | None = None
    note: str | None = None


class DraftOrderComplete(ToolArgs):
    draft: str = Field(min_length=1)


def _kwargs(args: ToolArgs) -> dict[str, Any]:
    return args.model_dump(exclude_none=True)


async def order_list(ctx: ToolContext, args: OrderList) -> ToolResult:
    orders: list[dict[str, Any]] = await ctx.client(SYSTEM).order_list(**_kwargs(args))
    return {"orders": orders, "count": len(orders)}


async def order_get(ctx: ToolContext, args: OrderGet) -> ToolResult:
    return dict(await ctx.client(SYSTEM).order_get(args.order))


async def order_fulfill(ctx: ToolContext, args: OrderFulfill) -> ToolResult:
    return dict(await ctx.client(SYSTEM).order_fulfill(**_kwargs(args)))


async def order_cancel(ctx: ToolContext, args: OrderCancel) -> ToolResult:
    return dict(await ctx.client(SYSTEM).order_cancel(args.order, args.reason))


async def order_refund(ctx: ToolContext, args: OrderRefund) -> ToolResult:
    return dict(await ctx.client(SYSTEM).order_refund(**_kwargs(args)))


async def draft_order_create(ctx: ToolContext, args: DraftOrderCreate) -> ToolResult:
    return dict(await ctx.client(SYSTEM).draft_order_create(**_kwargs(args)))


async def draft_order_complete(ctx: ToolContext, args: DraftOrderComplete) -> ToolResult:
    return dict(await ctx.client(SYSTEM).draft_order_complete(args.draft))


# --- preconditions: what a write's approval was given against ---------------------------------

_ORDER_STATE = ("number", "status", "payment_status", "charged", "refunded", "refundable", "items_fulfilled")


async def order_now(ctx: ToolContext, args: OrderFulfill | OrderCancel | OrderRefund) -> ToolResult:
    """The order's status, payment and fulfilment as they are now."""
    order = await ctx.client(SYSTEM).order_get(args.order)
    return {key: order.get(key) for key in _ORDER_STATE}


async def draft_now(ctx: ToolContext, args: DraftOrderComplete) -> ToolResult:
    order = await ctx.client(SYSTEM).order_get(args.draft)
    return {key: order.get(key) for key in ("number", "status", "total")}
