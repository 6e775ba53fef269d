"""The Saleor client's core: connection, `execute`, and finding objects by ID, slug or name."""

from __future__ import annotations

from typing import Any

import httpx

from adapters.errors import InvalidRequest, NotFound
from adapters.http import ClientLifecycle
from adapters.saleor import documents
from adapters.saleor.auth import Credentials
from adapters.saleor.convert import is_global_id, slugify
from adapters.saleor.failures import SYSTEM
from adapters.saleor.transport import SaleorTransport, check_bulk_payload, check_payload

Node = dict[str, Any]


def _edges(connection: Any) -> list[Node]:
    if not isinstance(connection, dict):
        return []
    return [edge["node"] for edge in connection.get("edges") or []]


def match_ref(nodes: list[Node], ref: str) -> list[Node]:
    """Nodes whose ID or slug equals `ref`, or whose name equals it ignoring case."""
    wanted = ref.strip()
    slug = slugify(wanted)
    folded = wanted.casefold()
    exact = [n for n in nodes if n.get("id") == wanted or n.get("slug") in (wanted, slug)]
    return exact or [n for n in nodes if str(n.get("name", "")).casefold() == folded]


class SaleorBase(ClientLifecycle):
    """Connection and lookups shared by the product and collection operations."""

    def __init__(
        self,
        base_url: str,
        *,
        app_token: str | None = None,
        email: str | None = None,
        password: str | None = None,
        channel: str = "default-channel",
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        max_retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        if (email is None) != (password is None):
            raise ValueError("SaleorClient needs both email and password for a staff login, or neither")
        self.channel = channel
        self._credentials = Credentials(app_token=app_token, email=email, password=password)
        self._transport = SaleorTransport(
            base_url,
            self._credentials,
            transport=transport,
            timeout=timeout,
            max_retries=max_retries,
            backoff=backoff,
        )
        self._channels: dict[str, Node] = {}

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def execute(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send any GraphQL document and return its `data` (top-level errors raise typed errors)."""
        return await self._transport.execute(document, variables)

    async def _mutate(self, document: str, variables: dict[str, Any], root: str) -> dict[str, Any]:
        """Run a mutation and return its payload; its own `errors` raise typed errors."""
        return check_payload(await self.execute(document, variables), root)

    async def _bulk(self, document: str, variables: dict[str, Any], root: str, key: str) -> list[Node]:
        """Run a bulk create (all or nothing) and return the created objects."""
        return check_bulk_payload(await self.execute(document, variables), root, key)

    # --- lookups -----------------------------------------------------------------------------

    def _channel_slug(self, channel: str | None) -> str:
        return channel or self.channel

    async def _channel(self, channel: str | None) -> Node:
        slug = self._channel_slug(channel)
        if slug not in self._channels:
            data = await self.execute(documents.CHANNEL_BY_SLUG, {"slug": slug})
            node = data.get("channel")
            if not node:
                raise NotFound(SYSTEM, f"no channel with slug {slug!r}", field="channel")
            self._channels[slug] = node
        return self._channels[slug]

    async def _product_type(self, ref: str) -> Node:
        if is_global_id(ref, "ProductType"):
            node = (await self.execute(documents.PRODUCT_TYPE_BY_ID, {"id": ref})).get("productType")
            if node:
                return dict(node)
        for search in (ref, None):
            data = await self.execute(documents.PRODUCT_TYPES, {"search": search})
            found = match_ref(_edges(data.get("productTypes")), ref)
            if found:
                return found[0]
        raise NotFound(SYSTEM, f"no product type named {ref!r}", field="product_type")

    async def _category(self, ref: str, *, field: str = "category") -> Node:
        if is_global_id(ref, "Category"):
            node = (await self.execute(documents.CATEGORY_BY_ID, {"id": ref})).get("category")
            if node:
                return dict(node)
        for search in (ref, None):
            data = await self.execute(documents.CATEGORIES, {"search": search})
            found = match_ref(_edges(data.get("categories")), ref)
            if found:
                return found[0]
        raise NotFound(SYSTEM, f"no category named {ref!r}", field=field)

    async def _warehouse(self, ref: str, *, field: str = "warehouse") -> Node:
        """A warehouse by ID, slug or name (any case), else the one whose name contains `ref`."""
        known: list[Node] = []
        for search in (ref, None):
            known = _edges((await self.execute(documents.WAREHOUSES, {"search": search})).get("warehouses"))
            found = match_ref(known, ref)
            if found:
                return found[0]
        partial = [n for n in known if ref.strip().casefold() in str(n["name"]).casefold()]
        if len(partial) == 1:
            return partial[0]
        names = ", ".join(sorted(str(n["name"]) for n in known)) or "none"
        raise NotFound(SYSTEM, f"no warehouse {ref!r} (warehouses: {names})", field=field)

    async def _collection_by(self, *, id: str | None = None, slug: str | None = None) -> Node | None:
        data = await self.execute(documents.COLLECTION, {"id": id, "slug": slug})
        node = data.get("collection")
        return dict(node) if node else None

    async def _collection(self, ref: str, *, field: str = "collection") -> Node:
        """A collection (CollectionFields) by ID, slug or name."""
        if is_global_id(ref, "Collection"):
            node = await self._collection_by(id=ref)
        else:
            node = await self._collection_by(slug=slugify(ref))
            if node is None:
                data = await self.execute(documents.COLLECTIONS, {"search": ref})
                found = match_ref(_edges(data.get("collections")), ref)
                node = await self._collection_by(id=found[0]["id"]) if found else None
        if node is None:
            raise NotFound(SYSTEM, f"no collection {ref!r} (tried ID, slug and name)", field=field)
        return node

    async def _product_by(self, *, id: str | None = None, slug: str | None = None) -> Node | None:
        data = await self.execute(documents.PRODUCT, {"id": id, "slug": slug})
        node = data.get("product")
        return dict(node) if node else None

    async def _variant_by_sku(self, sku: str) -> Node | None:
        node = (await self.execute(documents.VARIANT_BY_SKU, {"sku": sku})).get("productVariant")
        return dict(node) if node else None

    async def _product(self, ref: str, *, field: str = "product", by_sku: bool = False) -> Node:
        """A product (ProductFields) by ID, slug, exact name (any case) and, with `by_sku`, SKU."""
        if is_global_id(ref, "Product"):
            node = await self._product_by(id=ref)
            if node:
                return node
        node = await self._product_by(slug=slugify(ref))
        if node:
            return node
        # Exact name first: Saleor fills its search index in a background task, so `search`
        # can miss a product created moments ago. Then `search` for other letter cases.
        named: list[Node] = []
        for variables in ({"where": {"name": {"eq": ref}}}, {"search": ref}):
            data = await self.execute(documents.PRODUCTS_SEARCH, {**variables, "first": 100})
            named = [n for n in _edges(data.get("products")) if str(n["name"]).casefold() == ref.casefold()]
            if named:
                break
        if len(named) > 1:
            slugs = ", ".join(n["slug"] for n in named)
            raise InvalidRequest(SYSTEM, f"{ref!r} names {len(named)} products ({slugs}); use a slug", field=field)
        if named:
            return named[0]
        if by_sku:
            variant = await self._variant_by_sku(ref)
            if variant:
                product = await self._product_by(id=variant["product"]["id"])
                if product:
                    return product
        raise NotFound(SYSTEM, f"no product {ref!r} (tried ID, slug and name)", field=field)

    # --- channel listings shared by products and variants -----------------------------------

    async def _ensure_listed(self, product_id: str, listings: list[Node] | None, channel: Node) -> None:
        """Make the product available in `channel` (unpublished) if it has no listing there yet."""
        if any((item.get("channel") or {}).get("slug") == channel["slug"] for item in listings or []):
            return
        entry = {"channelId": channel["id"], "isPublished": False, "isAvailableForPurchase": False}
        await self._mutate(
            documents.PRODUCT_CHANNEL_LISTING_UPDATE,
            {"id": product_id, "input": {"updateChannels": [entry]}},
            "productChannelListingUpdate",
        )

    async def _set_variant_price(
        self, variant_id: str, channel: Node, price: float, cost_price: float | None
    ) -> None:
        entry: dict[str, Any] = {"channelId": channel["id"], "price": price}
        if cost_price is not None:
            entry["costPrice"] = cost_price
        await self._mutate(
            documents.PRODUCT_VARIANT_CHANNEL_LISTING_UPDATE,
            {"id": variant_id, "input": [entry]},
            "productVariantChannelListingUpdate",
        )


def check_amount(value: float | None, field: str) -> float | None:
    """A price as float, refusing negatives before anything is written."""
    if value is None:
        return None
    number = float(value)
    if number < 0:
        raise InvalidRequest(SYSTEM, f"{field} must not be negative (got {number:g})", field=field)
    return number


def seo_input(title: str | None, description: str | None) -> dict[str, str] | None:
    seo = {k: v for k, v in (("title", title), ("description", description)) if v is not None}
    return seo or None
