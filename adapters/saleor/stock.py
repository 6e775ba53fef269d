"""Stock tools: list stock per SKU and warehouse, and set one SKU's on-hand count in one warehouse."""

from __future__ import annotations

from typing import Any

from adapters.errors import InvalidRequest, NotFound
from adapters.saleor import documents
from adapters.saleor.base import Node, SaleorBase
from adapters.saleor.failures import SYSTEM

MAX_PAGES = 10


def _row(variant: Node, warehouse: str | None, quantity: int, allocated: int) -> dict[str, Any]:
    return {
        "sku": variant.get("sku"),
        "product": (variant.get("product") or {}).get("name"),
        "variant": variant.get("name") or None,
        "warehouse": warehouse,
        "quantity": quantity,
        "allocated": allocated,
        "available": quantity - allocated,
    }


def stock_rows(variant: Node, warehouse: Node | None = None) -> list[dict[str, Any]]:
    """One row per warehouse the variant is stocked in (or a zero row when it is stocked nowhere,
    or not in `warehouse`)."""
    stocks = [s for s in variant.get("stocks") or [] if warehouse is None or s["warehouse"]["id"] == warehouse["id"]]
    rows = [_row(variant, s["warehouse"]["name"], int(s["quantity"]), int(s["quantityAllocated"])) for s in stocks]
    return rows or [_row(variant, warehouse["name"] if warehouse else None, 0, 0)]


class StockOps(SaleorBase):
    """`stock_list`, `stock_get`, `stock_update`."""

    async def _stock_variant(self, sku: str) -> Node:
        node = (await self.execute(documents.STOCK_BY_SKU, {"sku": sku})).get("productVariant")
        if not node:
            raise NotFound(SYSTEM, f"no variant with SKU {sku!r}", field="sku")
        return dict(node)

    async def _stocked_products(self, ref: str) -> list[Node]:
        """The product `ref` names (ID, slug, name, SKU), else the products a search for it (or for
        its singular: "Cork Blocks") finds."""
        try:
            return [await self._product(ref, by_sku=True)]
        except NotFound:
            pass
        tries = [ref] + [ref[:-n] for n, end in ((1, "s"), (2, "es")) if ref.casefold().endswith(end) and len(ref) > n + 2]
        for text in tries:
            data = await self.execute(documents.PRODUCTS_SEARCH, {"search": text, "first": 20})
            found = [edge["node"] for edge in (data.get("products") or {}).get("edges") or []]
            if found:
                return found
        raise NotFound(SYSTEM, f"no product {ref!r} (tried ID, slug, name, SKU and a search)", field="product")

    async def stock_list(
        self,
        product: str | None = None,
        sku: str | None = None,
        warehouse: str | None = None,
        below: int | None = None,
        first: int | None = None,
    ) -> list[dict[str, Any]]:
        """Stock rows (sku, product, warehouse, quantity on hand, allocated, available); `below`
        keeps rows whose available quantity is under it. Without `sku` or `product` it reads up to
        1,000 variants."""
        first = max(1, min(int(first or 100), 100))
        chosen = await self._warehouse(warehouse) if warehouse else None
        if sku:
            variants = [await self._stock_variant(sku.strip())]
        elif product:
            variants = []
            for node in await self._stocked_products(product.strip()):
                data = await self.execute(documents.PRODUCT_STOCK, {"id": node["id"]})
                connection = (data.get("product") or {}).get("productVariants") or {}
                variants += [edge["node"] for edge in connection.get("edges") or []]
        else:
            variants = []
            after = None
            for _ in range(MAX_PAGES):
                page = (await self.execute(documents.STOCKS, {"first": 100, "after": after})).get("productVariants") or {}
                variants += [edge["node"] for edge in page.get("edges") or []]
                info = page.get("pageInfo") or {}
                if not info.get("hasNextPage"):
                    break
                after = info.get("endCursor")
        rows = [row for variant in variants for row in stock_rows(variant, chosen)]
        if below is not None:
            rows = [row for row in rows if row["available"] < below]
        return rows[:first]

    async def stock_get(self, sku: str, warehouse: str) -> dict[str, Any]:
        """One SKU's stock in one warehouse (zeros when it has none there)."""
        chosen = await self._warehouse(warehouse)
        return stock_rows(await self._stock_variant(sku.strip()), chosen)[0]

    async def stock_update(self, sku: str, warehouse: str, quantity: int, reason: str | None = None) -> dict[str, Any]:
        """Set the on-hand quantity (absolute). Returns the stock row plus `previous` and `reason`
        (Saleor has no field for the reason; the caller keeps it)."""
        if int(quantity) < 0:
            raise InvalidRequest(SYSTEM, f"quantity must not be negative (got {quantity})", field="quantity")
        chosen = await self._warehouse(warehouse)
        before = stock_rows(await self._stock_variant(sku.strip()), chosen)[0]
        await self._mutate(
            documents.VARIANT_STOCKS_UPDATE,
            {"sku": sku.strip(), "stocks": [{"warehouse": chosen["id"], "quantity": int(quantity)}]},
            "productVariantStocksUpdate",
        )
        after = stock_rows(await self._stock_variant(sku.strip()), chosen)[0]
        return {**after, "previous": before["quantity"], "reason": reason}
