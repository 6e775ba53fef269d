"""Images and documents.

Both are read and written through API v3 (`/api/v3/images/`, `/api/v3/documents/`), not v2:
API v2 exposes only an image's title, width, height, tags and download URL
(wagtail/images/api/v2/views.py) and a document's title, tags and download URL, while the
tools filter on the image description (Wagtail's alt text) and the collection, which v3's
ImageSchema and DocumentSchema carry. Image metadata is changed with
`PATCH /api/v3/images/{id}/ {title, description}` (ImagePatchSchema); the file itself and
tags are not writable there. Collections are named by ID only: no API exposes their names.
"""

from __future__ import annotations

from typing import Any

from adapters.errors import InvalidRequest, NotFound
from adapters.wagtail.base import MAX_LISTED, Item, WagtailBase
from adapters.wagtail.convert import media_item
from adapters.wagtail.failures import SYSTEM

V3_IMAGES = "/api/v3/images/"
V3_DOCUMENTS = "/api/v3/documents/"
DEFAULT_LIMIT = 20


def _collection_id(collection: str | None) -> int | None:
    if collection is None:
        return None
    if not collection.strip().isdigit():
        raise InvalidRequest(SYSTEM, f"collection must be a collection ID (got {collection!r}); "
                             "the Wagtail API names collections by ID only", field="collection")
    return int(collection)


class MediaOps(WagtailBase):
    async def _media(self, path: str, query: str | None, collection: str | None, limit: int | None,
                     keep: Any = None) -> list[dict[str, Any]]:
        wanted = limit or DEFAULT_LIMIT
        collection_id = _collection_id(collection)
        filtered = collection_id is not None or keep is not None
        items = await self._list(path, {"search": query}, limit=MAX_LISTED if filtered else wanted)
        results = []
        for item in map(media_item, items):
            if collection_id is not None and item["collection"] != collection_id:
                continue
            if keep is not None and not keep(item):
                continue
            results.append(item)
        return results[:wanted]

    async def image_search(
        self,
        query: str | None = None,
        collection: str | None = None,
        missing_alt_text: bool | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Images with title, alt text (the image's description), collection ID, tags and size."""
        keep = None
        if missing_alt_text is not None:
            def keep(item: dict[str, Any]) -> bool:
                return (not item["alt_text"]) == missing_alt_text
        return await self._media(V3_IMAGES, query, collection, limit, keep)

    async def document_search(
        self, query: str | None = None, collection: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Documents with title, collection ID, tags and download URL."""
        return await self._media(V3_DOCUMENTS, query, collection, limit)

    async def image_update(self, image: str, title: str | None = None, alt_text: str | None = None) -> dict[str, Any]:
        """Set an image's title and alt text (its `description`) with a v3 PATCH."""
        found = await self._image(image)
        patch = {key: value for key, value in (("title", title), ("description", alt_text)) if value is not None}
        if not patch:
            raise InvalidRequest(SYSTEM, "nothing to change: give title or alt_text", field="image")
        updated: Item = await self._http.request("PATCH", f"{V3_IMAGES}{found['id']}/", json=patch)
        return media_item(updated)

    async def _image(self, ref: str) -> Item:
        """An image (v3 item) by ID or exact title (any letter case)."""
        ref = ref.strip()
        if ref.isdigit():
            try:
                item: Item = await self._get(f"{V3_IMAGES}{ref}/")
                return item
            except NotFound:
                pass
        folded = ref.casefold()
        found = [item for item in await self._list(V3_IMAGES, {"search": ref})
                 if str(item.get("title", "")).casefold() == folded]
        if not found:
            found = [item for item in await self._list(V3_IMAGES, {"title": ref})]
        if not found:
            raise NotFound(SYSTEM, f"no image {ref!r} (tried ID and title)", field="image")
        if len(found) > 1:
            ids = ", ".join(str(item["id"]) for item in found)
            raise InvalidRequest(SYSTEM, f"{ref!r} names {len(found)} images (IDs {ids}); use an ID", field="image")
        return found[0]
