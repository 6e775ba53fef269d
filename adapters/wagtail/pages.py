"""Reading pages: search (API v2 for live pages, v3 for drafts) and one page in full."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.errors import NotFound
from adapters.wagtail.base import MAX_LISTED, V2_PAGES, V3_PAGES, Item, WagtailBase
from adapters.wagtail.convert import SEO_FIELDS, content_of, is_tree_root, page_summary, url_path
from adapters.wagtail.failures import SYSTEM

DEFAULT_LIMIT = 20


class PageReads(WagtailBase):
    async def page_search(
        self,
        query: str | None = None,
        page_type: str | None = None,
        parent: str | None = None,
        status: str | None = None,
        not_updated_days: int | None = None,
        missing: str | None = None,
        locale: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Pages matching the filters, each with ID, title, type, URL path, status, SEO fields.

        `status` live lists API v2 (which serves live pages only); draft and any (the default)
        list API v3 with the token, which includes draft-only pages, and mark the live ones.
        `not_updated_days` reads each candidate's newest revision; `missing` reads the SEO
        fields of draft pages from their latest revision.
        """
        wanted = limit or DEFAULT_LIMIT
        params: dict[str, Any] = {"search": query, "locale": locale}
        if page_type:
            params["type"] = self.page_model(page_type)
        if parent:
            params["child_of"] = (await self._page(parent, field="parent")).id
        status = status or "any"
        unfiltered = not (missing or not_updated_days)
        live_limit = wanted if status == "live" and unfiltered else MAX_LISTED
        live_items = await self._list(V2_PAGES, {**params, "fields": ",".join(SEO_FIELDS)}, limit=live_limit)
        live = {int(item["id"]): item for item in live_items}
        if status == "live":
            items = list(live.values())
        else:
            all_limit = wanted if status == "any" and unfiltered else MAX_LISTED
            items = [live.get(int(item["id"]), item) for item in await self._list(V3_PAGES, params, limit=all_limit)
                     if not is_tree_root(item)]
            if status == "draft":
                items = [item for item in items if int(item["id"]) not in live]
        results: list[dict[str, Any]] = []
        for item in items:
            page = page_summary(item, live=int(item["id"]) in live, page_type_names=self.page_type_names)
            if missing and not await self._is_missing(page, missing):
                continue
            if not_updated_days and not await self._is_stale(page, not_updated_days):
                continue
            results.append(page)
            if len(results) >= wanted:
                break
        return results

    async def _is_missing(self, page: dict[str, Any], field: str) -> bool:
        if field not in page:
            draft = await self._get(f"{V3_PAGES}{page['id']}/", {"version": "draft"})
            for key in SEO_FIELDS:
                page[key] = (draft.get("meta") or {}).get(key) or ""
        return not page.get(field)

    async def _is_stale(self, page: dict[str, Any], days: int) -> bool:
        """Whether the page's newest revision (else its first publication) is older than `days`."""
        body = await self._get(f"{V3_PAGES}{page['id']}/revisions/", {"limit": 1})
        revisions = body.get("items") or [] if isinstance(body, dict) else []
        stamp = revisions[0].get("created_at") if revisions else page.get("first_published_at")
        page["last_updated_at"] = stamp
        if not stamp:
            return True
        changed = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
        return changed < datetime.now(UTC) - timedelta(days=days)

    async def page_get(self, page: str, revision: str = "latest") -> dict[str, Any]:
        """One page in full: content of the latest draft (or live) revision, SEO, locale, translations.

        `has_unpublished_changes` and `changed_fields` compare the latest revision with the
        live one; rich text is read as Markdown (`rich_text_format=db_markdown`).
        """
        ref = await self._page(page)
        live_v2: Item | None = await self._get(f"{V2_PAGES}{ref.id}/", auth=False) if ref.live else None
        if revision == "live" and live_v2 is None:
            raise NotFound(SYSTEM, f"page {page!r} ({ref.label()}) has no live revision", field="revision")
        version = "live" if revision == "live" else "draft"
        current = await self._detail(ref.id, version)
        result = page_summary(live_v2 or current, live=ref.live, page_type_names=self.page_type_names)
        result.update(content_of(current, self.body_field(ref.type)))
        result["revision"] = revision
        if live_v2 is not None and version == "draft":
            live_content = content_of(await self._detail(ref.id, "live"), self.body_field(ref.type))
            changed = [key for key, value in result.items() if key in live_content and live_content[key] != value]
            result["has_unpublished_changes"] = bool(changed)
            result["changed_fields"] = changed
            result["live"] = {"title": live_content["title"], "url_path": result["url_path"]}
        else:
            result["has_unpublished_changes"] = version == "draft" and not ref.live
            result["changed_fields"] = []
            result["live"] = None
        result["translations"] = [
            {"id": item["id"], "title": item.get("title"), "locale": (item.get("meta") or {}).get("locale"),
             "url_path": url_path((item.get("meta") or {}).get("html_url"))}
            for item in await self._list(V3_PAGES, {"translation_of": ref.id})
        ]
        return result

    async def _detail(self, page_id: int, version: str) -> Item:
        body: Item = await self._get(f"{V3_PAGES}{page_id}/", {"version": version, "rich_text_format": "db_markdown"})
        return body
