"""Saleor tools (GraphQL store). Argument names and risk classes as in shared/catalog/tools.md."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from tools.context import ToolContext
from tools.spec import DecimalArg, Risk, ToolArgs, ToolResult, ToolSpec

SYSTEM = "saleor"


class OrderLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: str
    quantity: int = Field(gt=0)


class ProductSearch(ToolArgs):
    query: str | None = None
    category: str | None = None
    collection: str | None = None
    in_stock: bool | None = None
    published: bool | None = None
    missing: Literal["description", "image", "seo", "category", "price"] | None = None
    channel: str | None = None
    first: int = Field(default=20, ge=1, le=100)


class ProductCreate(ToolArgs):
    name: str = Field(min_length=1)
    product_type: str = Field(min_length=1)
    category: str = Field(min_length=1)
    description: str | None = None
    sku: str | None = None
    price: DecimalArg | None = Field(default=None, ge=0)
    cost_price: DecimalArg | None = Field(default=None, ge=0)
    attributes: dict[str, Any] | None = None
    seo_title: str | None = None
    seo_description: str | None = None
    channel: str | None = None


class ProductUpdate(ToolArgs):
    product: str = Field(min_length=1)
    name: str | None = None
    description: str | None = None
    price: DecimalArg | None = Field(default=None, ge=0)
    category: str | None = None
    attributes: dict[str, Any] | None = None
    seo_title: str | None = None
    seo_description: str | None = None
    slug: str | None = None
    channel: str | None = None


class ProductPublish(ToolArgs):
    product: str = Field(min_length=1)
    channel: str | None = None
    publish_at: AwareDatetime | None = None


class ProductUnpublish(ToolArgs):
    product: str = Field(min_length=1)
    channel: str | None = None
    reason: str | None = None


class VariantUpsert(ToolArgs):
    sku: str = Field(min_length=1)
    product: str | None = None
    attributes: dict[str, Any] | None = None
    price: DecimalArg | None = Field(default=None, ge=0)
    cost_price: DecimalArg | None = Field(default=None, ge=0)
    weight_kg: DecimalArg | None = Field(default=None, ge=0)
    channel: str | None = None


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
        return self


class CollectionCreate(ToolArgs):
    name: str = Field(min_length=1)
    description: str | None = None
    published: bool | None = None
    channel: str | None = None
    seo_title: str | None = None
    seo_description: str | None = None


class CollectionProducts(ToolArgs):
    collection: str = Field(min_length=1)
    products: list[str] = Field(min_length=1)


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


async def _product_search(ctx: ToolContext, args: ProductSearch) -> ToolResult:
    kwargs = _kwargs(args)
    kwargs.pop("missing", None)  # filtered below: Saleor has no server-side filter for it
    products: list[dict[str, Any]] = await ctx.client(SYSTEM).product_search(**kwargs)
    if args.missing:
        products = [p for p in products if _is_missing(p, args.missing)]
    return {"products": products, "count": len(products)}


def _is_missing(product: dict[str, Any], what: str) -> bool:
    if what == "seo":
        return not product.get("seo_title") or not product.get("seo_description")
    if what == "image":
        return not product.get("images")
    return not product.get(what)


async def _product_create(ctx: ToolContext, args: ProductCreate) -> ToolResult:
    return dict(await ctx.client(SYSTEM).product_create(**_kwargs(args)))


async def _product_update(ctx: ToolContext, args: ProductUpdate) -> ToolResult:
    return dict(await ctx.client(SYSTEM).product_update(**_kwargs(args)))


async def _product_get(ctx: ToolContext, args: ProductUpdate) -> ToolResult:
    return dict(await ctx.client(SYSTEM).product_get(args.product))


async def _product_publish(ctx: ToolContext, args: ProductPublish) -> ToolResult:
    kwargs = _kwargs(args)
    if args.publish_at is not None:
        kwargs["publish_at"] = args.publish_at.isoformat()
    return dict(await ctx.client(SYSTEM).product_publish(**kwargs))


async def _product_unpublish(ctx: ToolContext, args: ProductUnpublish) -> ToolResult:
    return dict(await ctx.client(SYSTEM).product_unpublish(**_kwargs(args)))


async def _variant_upsert(ctx: ToolContext, args: VariantUpsert) -> ToolResult:
    return dict(await ctx.client(SYSTEM).variant_upsert(**_kwargs(args)))


async def _collection_create(ctx: ToolContext, args: CollectionCreate) -> ToolResult:
    return dict(await ctx.client(SYSTEM).collection_create(**_kwargs(args)))


async def _collection_add(ctx: ToolContext, args: CollectionProducts) -> ToolResult:
    return dict(await ctx.client(SYSTEM).collection_add_products(args.collection, args.products))


async def _collection_remove(ctx: ToolContext, args: CollectionProducts) -> ToolResult:
    return dict(await ctx.client(SYSTEM).collection_remove_products(args.collection, args.products))


def _tool(
    name: str, description: str, args: type[ToolArgs], risk: Risk, idempotency: str, **extra: Any
) -> ToolSpec:
    return ToolSpec(
        id=f"{SYSTEM}.{name}", system=SYSTEM, description=description, args_model=args, risk=risk,
        idempotency=idempotency, **extra,
    )


R, W, D = Risk.READ, Risk.WRITE, Risk.DESTRUCTIVE

TOOLS: list[ToolSpec] = [
    _tool("product_search", "Find products by text and filters, each in full (variants, prices, stock, category, collections, SEO)",
          ProductSearch, R, "Safe to repeat.", handler=_product_search, summary="Found {count} product(s)."),
    _tool("product_create", "Create a product with its default variant; it stays unpublished until saleor.product_publish",
          ProductCreate, W, "Create-if-absent by slug.", handler=_product_create,
          summary="Created product {name} (unpublished) at {price} {currency}."),
    _tool("product_update", "Change one product's fields; price sets every variant's price in the channel",
          ProductUpdate, W, "Idempotent: sets absolute values.", handler=_product_update, precondition=_product_get,
          summary="Updated {name}: price {price} {currency}, category {category}."),
    _tool("product_publish", "Publish a product in a channel, now or from a set time", ProductPublish, W, "Idempotent.",
          handler=_product_publish, summary="Published {name}."),
    _tool("product_unpublish", "Hide a product from a channel's storefront and stop its sales", ProductUnpublish, D,
          "Idempotent.", handler=_product_unpublish, summary="Unpublished {name}."),
    _tool("variant_upsert", "Add a variant to a product or change one, keyed by SKU", VariantUpsert, W,
          "Keyed by SKU.", handler=_variant_upsert, summary="Saved variant {sku}."),
    _tool("price_bulk_update", "Change the prices of many products at once over a category, collection or list",
          PriceBulkUpdate, D, "Not idempotent with change_percent."),
    _tool("collection_create", "Create a collection, published or hidden", CollectionCreate, W,
          "Create-if-absent by slug.", handler=_collection_create, summary="Created collection {name}."),
    _tool("collection_add_products", "Add products to a collection", CollectionProducts, W,
          "Idempotent: products already in it are skipped.", handler=_collection_add,
          summary="Collection {name} now holds {product_count} product(s)."),
    _tool("collection_remove_products", "Take products out of a collection", CollectionProducts, W, "Idempotent.",
          handler=_collection_remove, summary="Collection {name} now holds {product_count} product(s)."),
    _tool("stock_list", "Stock per SKU and warehouse", StockList, R, "Safe to repeat."),
    _tool("stock_update", "Set the on-hand quantity of one SKU in one warehouse", StockUpdate, W, "Idempotent."),
    _tool("order_list", "List orders with totals, filtered by status, payment, customer, dates, channel", OrderList, R,
          "Safe to repeat."),
    _tool("order_get", "One order in full", OrderGet, R, "Safe to repeat."),
    _tool("order_fulfill", "Fulfil order lines from a warehouse with optional tracking", OrderFulfill, W,
          "A repeat is a no-op."),
    _tool("order_cancel", "Cancel an order that has not shipped", OrderCancel, D, "Idempotent."),
    _tool("order_refund", "Refund money on an order", OrderRefund, D, "Not idempotent."),
    _tool("draft_order_create", "Build a draft order for a customer", DraftOrderCreate, W, "Not idempotent."),
    _tool("draft_order_complete", "Turn a draft into a real order", DraftOrderComplete, W, "Idempotent."),
    _tool("customer_search", "Find customers with order count, total spent, tags", CustomerSearch, R, "Safe to repeat."),
    _tool("customer_update", "Change one customer's name, note or tags", CustomerUpdate, W, "Idempotent."),
    _tool("voucher_create", "Create a discount code", VoucherCreate, W, "Codes are unique."),
    _tool("voucher_deactivate", "End a discount code now", VoucherDeactivate, D, "Idempotent."),
    _tool("discount_create", "Start an automatic discount with no code over a set of products", DiscountCreate, D,
          "Create-if-absent by name."),
]
