"""Collection tools: create-if-absent, add and remove products, get."""

from __future__ import annotations

from typing import Any

from adapters.errors import InvalidRequest, Unavailable
from adapters.saleor import documents
from adapters.saleor.base import Node, SaleorBase, seo_input
from adapters.saleor.convert import collection_to_dict, slugify, text_to_editorjs
from adapters.saleor.failures import SYSTEM


class CollectionOps(SaleorBase):
    """The collection half of the tool catalog."""

    async def collection_create(
        self,
        name: str,
        description: str | None = None,
        published: bool | None = None,
        channel: str | None = None,
        seo_title: str | None = None,
        seo_description: str | None = None,
    ) -> dict[str, Any]:
        """Create a collection listed in the channel (hidden unless `published`); an existing slug is returned."""
        slug = slugify(name)
        if not slug:
            raise InvalidRequest(SYSTEM, "name must contain a letter or digit", field="name")
        chan = await self._channel(channel)
        existing = await self._collection_by(slug=slug)
        if existing:
            # Saleor has no single mutation for a collection and its listing: a collection left
            # unlisted by a writer that stopped between the two is completed here.
            repaired = []
            if not any((x.get("channel") or {}).get("slug") == chan["slug"] for x in existing.get("channelListings") or []):
                await self._list_collection(existing["id"], chan, published)
                repaired.append("channel listing")
            fresh = await self._reload_collection(existing["id"], chan["slug"]) if repaired else collection_to_dict(
                existing, chan["slug"])
            return {**fresh, "existing": True, "repaired": repaired}
        fields: dict[str, Any] = {"name": name, "slug": slug}
        if description is not None:
            fields["description"] = text_to_editorjs(description)
        if seo := seo_input(seo_title, seo_description):
            fields["seo"] = seo
        created = await self._mutate(documents.COLLECTION_CREATE, {"input": fields}, "collectionCreate")
        collection_id = created["collection"]["id"]
        await self._list_collection(collection_id, chan, published)
        return {**(await self._reload_collection(collection_id, chan["slug"])), "existing": False}

    async def _list_collection(self, collection_id: str, chan: Node, published: bool | None) -> None:
        listing = {"channelId": chan["id"], "isPublished": bool(published)}
        await self._mutate(
            documents.COLLECTION_CHANNEL_LISTING_UPDATE,
            {"id": collection_id, "input": {"addChannels": [listing]}},
            "collectionChannelListingUpdate",
        )

    async def collection_get(self, collection: str, channel: str | None = None) -> dict[str, Any]:
        """A collection by ID, slug or name, with the names of its first 100 products."""
        return collection_to_dict(await self._collection(collection), self._channel_slug(channel))

    async def collection_add_products(
        self, collection: str, products: list[str], channel: str | None = None
    ) -> dict[str, Any]:
        """Add products (ID, slug, name or SKU); ones already in it are skipped.

        Returns the collection dict plus `added` and `skipped` (product names).
        """
        return await self._change_members(collection, products, channel, add=True)

    async def collection_remove_products(
        self, collection: str, products: list[str], channel: str | None = None
    ) -> dict[str, Any]:
        """Take products out; ones not in it are skipped. Returns the dict plus `removed` and `skipped`."""
        return await self._change_members(collection, products, channel, add=False)

    async def _change_members(
        self, collection: str, products: list[str], channel: str | None, *, add: bool
    ) -> dict[str, Any]:
        if not products:
            raise InvalidRequest(SYSTEM, "name at least one product", field="products")
        coll = await self._collection(collection)
        ids: list[str] = []
        changed: list[str] = []
        skipped: list[str] = []
        for ref in products:
            node = await self._product(ref, field="products", by_sku=True)
            member = any(c["id"] == coll["id"] for c in node.get("collections") or [])
            if member == add or node["id"] in ids:
                skipped.append(node["name"])
                continue
            ids.append(node["id"])
            changed.append(node["name"])
        if ids:
            document, root = (
                (documents.COLLECTION_ADD_PRODUCTS, "collectionAddProducts")
                if add
                else (documents.COLLECTION_REMOVE_PRODUCTS, "collectionRemoveProducts")
            )
            await self._mutate(document, {"collectionId": coll["id"], "products": ids}, root)
        result = await self._reload_collection(coll["id"], self._channel_slug(channel))
        return {**result, "added" if add else "removed": changed, "skipped": skipped}

    async def _reload_collection(self, collection_id: str, channel_slug: str) -> dict[str, Any]:
        node = await self._collection_by(id=collection_id)
        if node is None:
            raise Unavailable(SYSTEM, f"collection {collection_id} vanished right after it was written")
        return collection_to_dict(node, channel_slug)
