"""SaleorClient: the async client behind the `saleor.*` tools."""

from __future__ import annotations

from adapters.saleor.collections import CollectionOps
from adapters.saleor.customers import CustomerOps
from adapters.saleor.drafts import DraftOrderOps
from adapters.saleor.orders import OrderOps
from adapters.saleor.pricing import PricingOps
from adapters.saleor.products import ProductOps
from adapters.saleor.promotions import PromotionOps
from adapters.saleor.refunds import RefundOps
from adapters.saleor.stock import StockOps
from adapters.saleor.variants import VariantOps
from adapters.saleor.vouchers import VoucherOps


class SaleorClient(
    ProductOps,
    VariantOps,
    CollectionOps,
    PricingOps,
    StockOps,
    OrderOps,
    RefundOps,
    DraftOrderOps,
    CustomerOps,
    VoucherOps,
    PromotionOps,
):
    """Async client for one Saleor GraphQL endpoint (the URL of `/graphql/` itself).

    Authenticates with an app token (`Authorization: Bearer`) or a staff email and password
    (`tokenCreate`, then `tokenRefresh` before the JWT expires and once after an auth error).
    Every method returns plain JSON-able values and raises `adapters.errors` types with
    system "saleor". Use it as `async with SaleorClient(...) as client:` or call `aclose()`.
    """


__all__ = ["SaleorClient"]
