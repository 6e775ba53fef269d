"""Root query resolvers (graphql-core calls `root.<field>(info, **args)`)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from sandbox.saleor.auth_mutations import staff_user
from sandbox.saleor.catalog import Catalog
from sandbox.saleor.context import Info, context_of, require_staff
from sandbox.saleor.nodes import (
    CategoryNode,
    ChannelNode,
    CollectionNode,
    ProductTypeNode,
    WarehouseNode,
)
from sandbox.saleor.paging import connection
from sandbox.saleor.product_filters import filter_products, sort_products, visible_products
from sandbox.saleor.product_nodes import ProductNode, VariantNode


def channel_pk_or_error(catalog: Catalog, slug: str | None) -> str | None:
    if slug is None:
        return None
    pk = catalog.channel_pk(slug)
    if pk is None:
        raise GraphQLError(f"Channel with '{slug}' slug does not exist.")
    return pk


def _named_filter(catalog: Catalog, table: str, spec: dict[str, Any] | None) -> list[str]:
    """Rows matching a simple `filter` input: search (name or slug contains), ids, slugs."""
    pks = list(catalog.table(table))
    spec = {k: v for k, v in (spec or {}).items() if v is not None}
    rows = catalog.table(table)
    if "search" in spec:
        needle = str(spec.pop("search")).casefold()
        pks = [pk for pk in pks if needle in rows[pk]["name"].casefold() or needle in rows[pk]["slug"]]
    if "ids" in spec:
        wanted = {catalog.pk_of(table, gid) for gid in spec.pop("ids")}
        pks = [pk for pk in pks if pk in wanted]
    if "slugs" in spec:
        slugs = set(spec.pop("slugs"))
        pks = [pk for pk in pks if rows[pk]["slug"] in slugs]
    spec.pop("metadata", None)
    if spec:
        raise GraphQLError(f"The Saleor sandbox does not support the filter `{next(iter(spec))}`.")
    return sorted(pks, key=lambda pk: rows[pk]["name"].casefold())


class QueryResolvers:
    """The root query fields the sandbox answers."""

    def channel(self, info: Info, id: str | None = None, slug: str | None = None) -> ChannelNode | None:
        catalog = require_staff(info, "AUTHENTICATED_APP, AUTHENTICATED_STAFF_USER").catalog
        pk = catalog.pk_of("channels", id) if id else catalog.channel_pk(slug)
        return ChannelNode(catalog, pk) if pk else None

    def channels(self, info: Info) -> list[ChannelNode]:
        catalog = require_staff(info, "AUTHENTICATED_APP, AUTHENTICATED_STAFF_USER").catalog
        return [ChannelNode(catalog, pk) for pk in catalog.table("channels")]

    def warehouses(self, info: Info, filter: dict[str, Any] | None = None, **page: Any) -> dict[str, Any]:
        catalog = require_staff(info).catalog
        page.pop("sortBy", None)
        pks = _named_filter(catalog, "warehouses", filter)
        return connection([WarehouseNode(catalog, pk) for pk in pks], "warehouses", **page)

    def productTypes(self, info: Info, filter: dict[str, Any] | None = None, **page: Any) -> dict[str, Any]:
        catalog = require_staff(info).catalog
        page.pop("sortBy", None)
        spec = dict(filter or {})
        for ignored in ("configurable", "productType", "kind"):
            spec.pop(ignored, None)
        pks = _named_filter(catalog, "product_types", spec)
        return connection([ProductTypeNode(catalog, pk) for pk in pks], "productTypes", **page)

    def productType(self, info: Info, id: str) -> ProductTypeNode | None:
        catalog = require_staff(info).catalog
        pk = catalog.pk_of("product_types", id)
        return ProductTypeNode(catalog, pk) if pk else None

    def categories(
        self, info: Info, filter: dict[str, Any] | None = None, where: dict[str, Any] | None = None, **page: Any
    ) -> dict[str, Any]:
        catalog = require_staff(info).catalog
        for ignored in ("sortBy", "level"):
            page.pop(ignored, None)
        spec = dict(filter or {})
        spec.pop("updatedAt", None)
        if where and where.get("ids"):
            spec["ids"] = where["ids"]
        pks = _named_filter(catalog, "categories", spec)
        return connection([CategoryNode(catalog, pk) for pk in pks], "categories", **page)

    def category(self, info: Info, id: str | None = None, slug: str | None = None, **_: Any) -> CategoryNode | None:
        catalog = require_staff(info).catalog
        pk = catalog.pk_of("categories", id) if id else (catalog.by_slug("categories", slug) if slug else None)
        return CategoryNode(catalog, pk) if pk else None

    def collections(
        self,
        info: Info,
        filter: dict[str, Any] | None = None,
        where: dict[str, Any] | None = None,
        channel: str | None = None,
        **page: Any,
    ) -> dict[str, Any]:
        catalog = require_staff(info).catalog
        page.pop("sortBy", None)
        channel_pk = channel_pk_or_error(catalog, channel)
        spec = dict(filter or {})
        published = spec.pop("published", None)
        spec.pop("channel", None)
        if where and where.get("ids"):
            spec["ids"] = where["ids"]
        rows = catalog.table("collections")
        pks = [pk for pk in _named_filter(catalog, "collections", spec)
               if channel_pk is None or channel_pk in rows[pk]["listings"]]
        if published is not None:
            want = published == "PUBLISHED"
            pks = [pk for pk in pks
                   if any(bool(item.get("published")) == want for ch, item in rows[pk]["listings"].items()
                          if channel_pk is None or ch == channel_pk)]
        return connection([CollectionNode(catalog, pk, channel) for pk in pks], "collections", **page)

    def collection(
        self, info: Info, id: str | None = None, slug: str | None = None, channel: str | None = None, **_: Any
    ) -> CollectionNode | None:
        catalog = require_staff(info).catalog
        channel_pk = channel_pk_or_error(catalog, channel)
        pk = catalog.pk_of("collections", id) if id else (catalog.by_slug("collections", slug) if slug else None)
        if pk is None or (channel_pk is not None and channel_pk not in catalog.table("collections")[pk]["listings"]):
            return None
        return CollectionNode(catalog, pk, channel)

    def products(
        self,
        info: Info,
        filter: dict[str, Any] | None = None,
        where: dict[str, Any] | None = None,
        sortBy: dict[str, Any] | None = None,
        search: str | None = None,
        channel: str | None = None,
        **page: Any,
    ) -> dict[str, Any]:
        catalog = require_staff(info).catalog
        channel_pk = channel_pk_or_error(catalog, channel)
        pks = filter_products(
            catalog,
            visible_products(catalog, channel_pk),
            channel_pk=channel_pk,
            where=where,
            legacy_filter=filter,
            search=search,
        )
        ordered = sort_products(catalog, pks, sortBy, channel_pk)
        return connection([ProductNode(catalog, pk, channel) for pk in ordered], "products", **page)

    def product(
        self, info: Info, id: str | None = None, slug: str | None = None, channel: str | None = None, **_: Any
    ) -> ProductNode | None:
        catalog = require_staff(info).catalog
        channel_pk = channel_pk_or_error(catalog, channel)
        pk = catalog.pk_of("products", id) if id else (catalog.by_slug("products", slug) if slug else None)
        if pk is None or pk not in visible_products(catalog, channel_pk):
            return None
        return ProductNode(catalog, pk, channel)

    def productVariant(
        self, info: Info, id: str | None = None, sku: str | None = None, channel: str | None = None, **_: Any
    ) -> VariantNode | None:
        catalog = require_staff(info).catalog
        channel_pk_or_error(catalog, channel)
        pk = catalog.pk_of("variants", id) if id else (catalog.by_sku(sku) if sku else None)
        return VariantNode(catalog, pk, channel) if pk else None

    def productVariants(
        self,
        info: Info,
        ids: list[str] | None = None,
        channel: str | None = None,
        search: str | None = None,
        **page: Any,
    ) -> dict[str, Any]:
        catalog = require_staff(info).catalog
        channel_pk_or_error(catalog, channel)
        if page.pop("where", None) or page.pop("filter", None):
            raise GraphQLError("The Saleor sandbox does not support filters on productVariants; use ids or search.")
        page.pop("sortBy", None)
        rows = catalog.table("variants")
        pks = sorted(rows, key=int)
        if ids is not None:
            wanted = {catalog.pk_of("variants", gid) for gid in ids}
            pks = [pk for pk in pks if pk in wanted]
        if search:
            needle = search.casefold()
            pks = [pk for pk in pks if needle in f"{rows[pk].get('sku') or ''} {rows[pk]['name']}".casefold()]
        return connection([VariantNode(catalog, pk, channel) for pk in pks], "productVariants", **page)

    def me(self, info: Info) -> dict[str, Any] | None:
        ctx = context_of(info)
        if ctx.viewer in (None, "app") or ctx.auth_error is not None:
            return None
        return staff_user(ctx.settings.staff_email)
