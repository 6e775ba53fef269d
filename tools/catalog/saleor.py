"""Saleor tools (GraphQL store). Argument names and risk classes as in shared/catalog/tools.md."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, Field

from tools.catalog import saleor_orders as orders
from tools.catalog import saleor_shop as shop
from tools.catalog.declare import Toolset
from tools.context import ToolContext
from tools.spec import DecimalArg, Risk, ToolArgs, ToolResult, ToolSpec

SYSTEM = "saleor"


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


_tool = Toolset(SYSTEM)

R, W, D = Risk.READ, Risk.WRITE, Risk.DESTRUCTIVE

TOOLS: list[ToolSpec] = [
    _tool("product_search", "Find products by text and filters, each in full (variants, prices, stock, category, collections, SEO)",
          ProductSearch, R, "Safe to repeat.", handler=_product_search, summary="Found {count} product(s)."),
    _tool("product_create", "Create a product with its default variant; it stays unpublished until saleor.product_publish",
          ProductCreate, W, "Create-if-absent by slug.", handler=_product_create,
          summary="Created product {name} (unpublished) at {price} {currency}.", resumable=True),
    _tool("product_update", "Change one product's fields; price sets every variant's price in the channel",
          ProductUpdate, W, "Idempotent: sets absolute values.", handler=_product_update, precondition=_product_get,
          summary="Updated {name}: price {price} {currency}, category {category}."),
    _tool("product_publish", "Publish a product in a channel, now or from a set time", ProductPublish, W, "Idempotent.",
          handler=_product_publish, summary="Published {name}."),
    _tool("product_unpublish", "Hide a product from a channel's storefront and stop its sales", ProductUnpublish, D,
          "Idempotent.", handler=_product_unpublish, summary="Unpublished {name}."),
    _tool("variant_upsert", "Add a variant to a product or change one, keyed by SKU", VariantUpsert, W,
          "Keyed by SKU.", handler=_variant_upsert, summary="Saved variant {sku}.", resumable=True),
    _tool("price_bulk_update", "Change the prices of many products at once over a category, collection or list",
          shop.PriceBulkUpdate, D, "Not idempotent with change_percent.", handler=shop.price_bulk_update,
          precondition=shop.prices_now, summary="Repriced {count} variant(s) in {channel} ({currency})."),
    _tool("collection_create", "Create a collection, published or hidden", CollectionCreate, W,
          "Create-if-absent by slug.", handler=_collection_create, summary="Created collection {name}.",
          resumable=True),
    _tool("collection_add_products", "Add products to a collection", CollectionProducts, W,
          "Idempotent: products already in it are skipped.", handler=_collection_add,
          summary="Collection {name} now holds {product_count} product(s)."),
    _tool("collection_remove_products", "Take products out of a collection", CollectionProducts, W, "Idempotent.",
          handler=_collection_remove, summary="Collection {name} now holds {product_count} product(s)."),
    _tool("stock_list", "Stock per SKU and warehouse: on hand, allocated, available; filter to low or zero stock",
          shop.StockList, R, "Safe to repeat.", handler=shop.stock_list, summary="Found {count} stock row(s)."),
    _tool("stock_update", "Set the on-hand quantity of one SKU in one warehouse", shop.StockUpdate, W, "Idempotent.",
          handler=shop.stock_update, precondition=shop.stock_now,
          summary="{sku} at {warehouse}: {quantity} on hand (was {previous})."),
    _tool("order_list", "List orders with totals, filtered by status, payment, customer, dates, channel",
          orders.OrderList, R, "Safe to repeat.", handler=orders.order_list, summary="Found {count} order(s)."),
    _tool("order_get", "One order in full", orders.OrderGet, R, "Safe to repeat.", handler=orders.order_get,
          summary="Order {number}: {status}, payment {payment_status}, total {total} {currency}."),
    _tool("order_fulfill", "Fulfil order lines from a warehouse with optional tracking", orders.OrderFulfill, W,
          "A repeat is a no-op.", handler=orders.order_fulfill, precondition=orders.order_now,
          summary="Order {number}: fulfilled {fulfilled_quantity} item(s), now {status}."),
    _tool("order_cancel", "Cancel an order that has not shipped", orders.OrderCancel, D, "Idempotent.",
          handler=orders.order_cancel, precondition=orders.order_now, summary="Order {number} is {status}."),
    _tool("order_refund", "Refund money on an order", orders.OrderRefund, D, "Not idempotent.",
          handler=orders.order_refund, precondition=orders.order_now,
          summary="Refunded {refunded_now} {currency} on order {number} (payment {payment_status})."),
    _tool("draft_order_create", "Build a draft order for a customer", orders.DraftOrderCreate, W, "Not idempotent.",
          handler=orders.draft_order_create, summary="Draft order {number} for {customer}: {total} {currency}."),
    _tool("draft_order_complete", "Turn a draft into a real order", orders.DraftOrderComplete, W, "Idempotent.",
          handler=orders.draft_order_complete, precondition=orders.draft_now, summary="Order {number} is {status}."),
    _tool("customer_search", "Find customers with order count, total spent, tags", shop.CustomerSearch, R,
          "Safe to repeat.", handler=shop.customer_search, summary="Found {count} customer(s)."),
    _tool("customer_update", "Change one customer's name, note or tags", shop.CustomerUpdate, W, "Idempotent.",
          handler=shop.customer_update, precondition=shop.customer_now,
          summary="Updated customer {email} (tags: {tags})."),
    _tool("voucher_create", "Create a discount code", shop.VoucherCreate, W, "Codes are unique.",
          handler=shop.voucher_create, precondition=shop.voucher_now,
          summary="Voucher {code}: {discount_type} {value}, active {active}.", resumable=True),
    _tool("voucher_deactivate", "End a discount code now", shop.VoucherDeactivate, D, "Idempotent.",
          handler=shop.voucher_deactivate, precondition=shop.voucher_now, summary="Code {code} ended at {ends_at}."),
    _tool("discount_create", "Start an automatic discount with no code over a set of products", shop.DiscountCreate, D,
          "Create-if-absent by name.", handler=shop.discount_create, precondition=shop.discount_now,
          summary="Discount {name}: {value} {discount_type} from {starts_at}."),
]
