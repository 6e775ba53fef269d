"""Collection mutations: create, update, channel listings, add and remove products."""

from __future__ import annotations

from typing import Any

from sandbox.saleor import inputs
from sandbox.saleor.catalog import Catalog, now_iso
from sandbox.saleor.context import Info, require_staff
from sandbox.saleor.nodes import CollectionNode

LEGACY = "collectionErrors"


def _collection_changes(catalog: Catalog, data: dict[str, Any], pk: str | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "name" in data:
        changes["name"] = inputs.required_name(data)
    if data.get("slug") is not None:
        changes["slug"] = inputs.check_slug(catalog, "collections", data["slug"], pk, "Collection")
    if "description" in data:
        changes["description"] = inputs.description(data)
    changes.update(inputs.seo_changes(data))
    if data.get("products") is not None:
        changes["products"] = inputs.resolve_ids(catalog, "products", data["products"], "products")
    return changes


class CollectionMutations:
    def collectionCreate(self, info: Info, input: dict[str, Any]) -> dict[str, Any]:
        catalog = require_staff(info).catalog

        def run() -> CollectionNode:
            name = inputs.required_name(input)
            changes = _collection_changes(catalog, input, None)
            slug = changes.pop("slug", None) or catalog.unique_slug("collections", name)
            pk = catalog.new_collection(name, slug)
            catalog.table("collections")[pk].update(changes)
            return CollectionNode(catalog, pk)

        return inputs.attempt(LEGACY, "collection", run)

    def collectionUpdate(self, info: Info, id: str, input: dict[str, Any]) -> dict[str, Any]:
        catalog = require_staff(info).catalog

        def run() -> CollectionNode:
            pk = inputs.resolve_id(catalog, "collections", id, "id")
            catalog.table("collections")[pk].update(_collection_changes(catalog, input, pk))
            catalog.touch()
            return CollectionNode(catalog, pk)

        return inputs.attempt(LEGACY, "collection", run)

    def collectionChannelListingUpdate(self, info: Info, id: str, input: dict[str, Any]) -> dict[str, Any]:
        catalog = require_staff(info).catalog

        def run() -> CollectionNode:
            pk = inputs.resolve_id(catalog, "collections", id, "id")
            removals = inputs.resolve_ids(catalog, "channels", input.get("removeChannels"), "removeChannels")
            additions = [
                (inputs.resolve_id(catalog, "channels", entry.get("channelId"), "channelId"), entry)
                for entry in input.get("addChannels") or []
            ]
            listings = catalog.table("collections")[pk]["listings"]
            for channel_pk, entry in additions:
                listing = listings.setdefault(channel_pk, {"published": False, "published_at": None})
                if entry.get("isPublished") is not None:
                    listing["published"] = bool(entry["isPublished"])
                when = entry.get("publishedAt") or entry.get("publicationDate")
                if when or listing["published"]:
                    listing["published_at"] = when or listing.get("published_at") or now_iso()
            for channel_pk in removals:
                listings.pop(channel_pk, None)
            catalog.touch()
            return CollectionNode(catalog, pk)

        return inputs.attempt("collectionChannelListingErrors", "collection", run)

    def collectionAddProducts(self, info: Info, collectionId: str, products: list[str]) -> dict[str, Any]:
        return self._members(info, collectionId, products, add=True)

    def collectionRemoveProducts(self, info: Info, collectionId: str, products: list[str]) -> dict[str, Any]:
        return self._members(info, collectionId, products, add=False)

    def _members(self, info: Info, collection_id: str, products: list[str], *, add: bool) -> dict[str, Any]:
        catalog = require_staff(info).catalog

        def run() -> CollectionNode:
            pk = inputs.resolve_id(catalog, "collections", collection_id, "collectionId")
            product_pks = inputs.resolve_ids(catalog, "products", products, "products")
            members: list[str] = catalog.table("collections")[pk]["products"]
            for product_pk in product_pks:
                if add and product_pk not in members:
                    members.append(product_pk)
                elif not add and product_pk in members:
                    members.remove(product_pk)
            catalog.touch()
            return CollectionNode(catalog, pk)

        return inputs.attempt(LEGACY, "collection", run)
