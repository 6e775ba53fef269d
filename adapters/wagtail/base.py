"""The Wagtail client's core: connection, page-type mapping, listings, and finding pages by name."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from adapters.errors import InvalidRequest, NotFound
from adapters.http import ClientLifecycle
from adapters.wagtail.convert import (
    DEFAULT_BODY_FIELD,
    DEFAULT_PAGE_TYPES,
    is_path,
    normalise_path,
    slugify,
    url_path,
)
from adapters.wagtail.failures import SYSTEM
from adapters.wagtail.transport import WagtailTransport

Item = dict[str, Any]
V2_PAGES = "/api/v2/pages/"
V3_PAGES = "/api/v3/pages/"
PAGE_SIZE = 20  # WAGTAILAPI_LIMIT_MAX defaults to 20: larger `limit`s are refused
MAX_LISTED = 200  # how far one search pages through a listing


@dataclass(frozen=True)
class PageRef:
    """A page found by ID, slug, title or URL path; `live` says whether API v2 serves it."""

    id: int
    title: str
    type: str | None
    slug: str | None
    url_path: str | None
    live: bool

    def label(self) -> str:
        return f"id {self.id} {self.url_path or self.slug or ''}".strip()


class WagtailBase(ClientLifecycle):
    """Connection, configuration and lookups shared by the page and media operations."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        page_types: Mapping[str, str] | None = None,
        body_fields: Mapping[str, str] | None = None,
        plain_body_models: Collection[str] = (),
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        max_retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        self.page_types = dict(DEFAULT_PAGE_TYPES if page_types is None else page_types)
        self.page_type_names = {model: name for name, model in reversed(list(self.page_types.items()))}
        self.body_fields = dict(body_fields or {})
        self.plain_body_models = frozenset(plain_body_models)
        self._http = WagtailTransport(
            base_url, token, transport=transport, timeout=timeout, max_retries=max_retries, backoff=backoff
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._http!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- configuration -----------------------------------------------------------------------

    def page_model(self, page_type: str, *, field: str = "page_type") -> str:
        """The page model for a tool page_type name; a model label (`app.Model`) passes through."""
        name = page_type.strip()
        if "." in name:
            return name
        model = self.page_types.get(name.lower().replace(" ", "_").replace("-", "_"))
        if model is None:
            known = ", ".join(sorted(self.page_types))
            raise InvalidRequest(SYSTEM, f"unknown page_type {page_type!r}; use one of {known}", field=field)
        return model

    def body_field(self, model: str | None) -> str:
        return self.body_fields.get(model or "", DEFAULT_BODY_FIELD)

    def body_value(self, model: str, markdown: str) -> Any:
        """The body for a write: Markdown in the v3 rich-text input envelope, or plain text."""
        if model in self.plain_body_models:
            return markdown
        return {"format": "db_markdown", "content": markdown}

    # --- listings ----------------------------------------------------------------------------

    async def _get(self, path: str, params: dict[str, Any] | None = None, *, auth: bool = True) -> Any:
        return await self._http.request("GET", path, params=params, auth=auth)

    async def _list(self, path: str, params: dict[str, Any], *, limit: int = MAX_LISTED) -> list[Item]:
        """All items of a v2 (`meta.total_count`) or v3 (`count`) listing, up to `limit`."""
        items: list[Item] = []
        offset = 0
        while len(items) < limit:
            page_size = min(PAGE_SIZE, limit - len(items))
            body = await self._get(path, {**params, "limit": page_size, "offset": offset}, auth=path.startswith("/api/v3"))
            batch = list(body.get("items") or []) if isinstance(body, dict) else []
            items.extend(batch)
            total = body.get("count") if "count" in body else (body.get("meta") or {}).get("total_count")
            offset += len(batch)
            if not batch or len(batch) < page_size or (isinstance(total, int) and offset >= total):
                break
        return items[:limit]

    async def _live_ids(self, params: dict[str, Any]) -> set[int]:
        return {int(item["id"]) for item in await self._list(V2_PAGES, params)}

    # --- finding pages -----------------------------------------------------------------------

    async def _page(self, ref: str, *, field: str = "page") -> PageRef:
        """A page by ID, URL path, slug or exact title (live pages through API v2, drafts through v3)."""
        ref = ref.strip()
        if ref.isdigit():
            found = await self._page_by_id(int(ref))
        elif is_path(ref):
            found = await self._pages_by_path(normalise_path(ref))
        else:
            found = await self._pages_by_name(ref)
        if not found:
            raise NotFound(SYSTEM, f"no page {ref!r} (tried ID, URL path, slug and title)", field=field)
        if len(found) > 1:
            names = "; ".join(page.label() for page in found[:5])
            raise InvalidRequest(SYSTEM, f"{ref!r} names {len(found)} pages ({names}); use an ID or URL path", field=field)
        return found[0]

    async def _page_by_id(self, page_id: int) -> list[PageRef]:
        try:
            return [_ref(await self._get(f"{V2_PAGES}{page_id}/", auth=False), live=True)]
        except NotFound:
            pass
        try:
            return [_ref(await self._get(f"{V3_PAGES}{page_id}/", {"version": "draft"}), live=False)]
        except NotFound:
            return []

    async def _pages_by_path(self, path: str) -> list[PageRef]:
        try:
            item = await self._http.request("GET", f"{V2_PAGES}find/", params={"html_path": path}, auth=False,
                                            follow_redirects=True)
            return [_ref(item, live=True)]
        except NotFound:
            pass
        slug = path.rstrip("/").rsplit("/", 1)[-1]
        drafts = await self._list(V3_PAGES, {"slug": slug}) if slug else []
        return [_ref(item, live=False) for item in drafts if url_path(item["meta"].get("html_url")) == path]

    async def _pages_by_name(self, ref: str) -> list[PageRef]:
        """Pages whose slug is `ref` (or its slug form), else whose title equals it ignoring case."""
        slug = slugify(ref)
        folded = ref.casefold()
        for path, live in ((V2_PAGES, True), (V3_PAGES, False)):
            candidates: dict[int, Item] = {}
            for value in dict.fromkeys((ref, slug)):
                for item in await self._list(path, {"slug": value}):
                    candidates[int(item["id"])] = item
            if not candidates:
                for item in await self._list(path, {"search": ref}):
                    if str(item.get("title", "")).casefold() == folded:
                        candidates[int(item["id"])] = item
            if candidates:
                # API v2 serves every live page, so one that only v3 lists is a draft.
                return [_ref(item, live=live) for item in candidates.values()]
        return []


def _ref(item: Item, *, live: bool) -> PageRef:
    meta = item.get("meta") or {}
    return PageRef(
        id=int(item["id"]), title=str(item.get("title") or ""), type=meta.get("type"), slug=meta.get("slug"),
        url_path=url_path(meta.get("html_url")), live=live,
    )
