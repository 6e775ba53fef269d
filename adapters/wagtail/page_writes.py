"""Writing pages through the API v3 preview: drafts, new revisions, publish and unpublish.

Every write needs the Bearer token (`manage.py api_tokens create`) and the page permission.
A create without `meta.action` saves a draft; a PATCH without it saves a new revision and
leaves the live page as it is; the publish action publishes the latest revision.
"""

from __future__ import annotations

from typing import Any

from adapters.errors import InvalidRequest, NotFound
from adapters.wagtail.base import V3_PAGES, Item, PageRef
from adapters.wagtail.convert import page_summary, slugify
from adapters.wagtail.failures import SYSTEM
from adapters.wagtail.pages import PageReads


class PageWrites(PageReads):
    async def page_create_draft(
        self,
        parent: str,
        page_type: str,
        title: str,
        body: str | None = None,
        slug: str | None = None,
        seo_title: str | None = None,
        search_description: str | None = None,
        fields: dict[str, Any] | None = None,
        locale: str | None = None,
        translation_of: str | None = None,
    ) -> dict[str, Any]:
        """A new draft page under `parent`, or the translation of a page into `locale`.

        Create-if-absent: a page with the same slug under the same parent (for a translation:
        a translation of the same page in the same locale) is returned with `existing: true`.
        A translation's parents that have none in `locale` get a draft translation too.
        A new page takes its parent's locale (Wagtail's rule); `locale` only selects the
        target of a translation.
        """
        model = self.page_model(page_type)
        parent_ref = await self._page(parent, field="parent")
        content = self._content(model, title=title, body=body, slug=slug or slugify(title),
                                seo_title=seo_title, search_description=search_description, fields=fields)
        if translation_of:
            return await self._translate(translation_of, str(locale), model, content)
        for item in await self._list(V3_PAGES, {"child_of": parent_ref.id, "slug": content["slug"]}):
            return await self._existing(int(item["id"]))
        payload = {"meta": {"type": model, "parent_id": parent_ref.id}, **content}
        created: Item = await self._http.request("POST", V3_PAGES, json=payload)
        return self._written(created, live=False, existing=False)

    async def _translate(self, source: str, locale: str, model: str, content: dict[str, Any]) -> dict[str, Any]:
        source_ref = await self._page(source, field="translation_of")
        for item in await self._list(V3_PAGES, {"translation_of": source_ref.id, "locale": locale}):
            found = await self._existing(int(item["id"]))
            if found["status"] == "draft" and (found["title"], found["slug"]) == (source_ref.title, source_ref.slug) \
                    and (content.get("title"), content.get("slug")) != (source_ref.title, source_ref.slug):
                # Still the untouched copy of its source: the writer that copied it stopped before
                # its PATCH (Wagtail has no single call for both). The content goes on now.
                completed: Item = await self._http.request(
                    "PATCH", f"{V3_PAGES}{found['id']}/", json={"meta": {"type": model}, **content}
                )
                return self._written(completed, live=False, existing=True, repaired=["content"])
            return {**found, "repaired": []}
        # Wagtail refuses a translation whose parent has none in `locale`; `copy_parents` copies
        # such parents (as drafts) first, as the admin's "Translate" does with its checkbox ticked.
        copy: Item = await self._http.request(
            "POST", f"{V3_PAGES}{source_ref.id}/actions/copy_for_translation/",
            json={"locale": locale, "copy_parents": True},
        )
        updated: Item = await self._http.request(
            "PATCH", f"{V3_PAGES}{copy['id']}/", json={"meta": {"type": model}, **content}
        )
        return self._written(updated, live=False, existing=False)

    async def _existing(self, page_id: int) -> dict[str, Any]:
        page = await self.page_get(str(page_id))
        page["existing"] = True
        return page

    def _content(self, model: str, **values: Any) -> dict[str, Any]:
        """The writable fields of a create or PATCH body; unset values are left out."""
        fields = values.pop("fields", None) or {}
        body = values.pop("body", None)
        content = {key: value for key, value in values.items() if value is not None}
        body_field = self.body_field(model)
        clash = sorted(set(fields) & ({"meta", "id", body_field} | set(content)))
        if clash:
            raise InvalidRequest(SYSTEM, f"fields repeats {', '.join(clash)}; pass those as their own arguments",
                                 field="fields")
        content.update(fields)
        if body is not None:
            content[body_field] = self.body_value(model, body)
        return content

    def _written(self, item: Item, *, live: bool, existing: bool | None = None, **extra: Any) -> dict[str, Any]:
        result = page_summary(item, live=live, page_type_names=self.page_type_names)
        if existing is not None:
            result["existing"] = existing
        result.update(extra)
        return result

    async def page_update(
        self,
        page: str,
        title: str | None = None,
        body: str | None = None,
        slug: str | None = None,
        seo_title: str | None = None,
        search_description: str | None = None,
        fields: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Save a new draft revision (PATCH without `meta.action`); the live page is unchanged."""
        ref = await self._page(page)
        model = ref.type or "wagtailcore.Page"
        content = self._content(model, title=title, body=body, slug=slug, seo_title=seo_title,
                                search_description=search_description, fields=fields)
        if not content:
            raise InvalidRequest(SYSTEM, "nothing to change: give title, body, slug, SEO fields or fields", field="page")
        updated: Item = await self._http.request("PATCH", f"{V3_PAGES}{ref.id}/", json={"meta": {"type": model}, **content})
        return self._written(updated, live=ref.live, has_unpublished_changes=ref.live,
                             changed=sorted(content))

    async def page_publish(self, page: str) -> dict[str, Any]:
        """Publish the page's latest revision (Wagtail's publish action)."""
        ref = await self._page(page)
        published: Item = await self._http.request("POST", f"{V3_PAGES}{ref.id}/actions/publish/")
        return self._written(published, live=True, was_live=ref.live)

    async def page_unpublish(self, page: str, reason: str | None = None, include_children: bool = False) -> dict[str, Any]:
        """Take a live page offline (it stays as a draft). A page that is not live is reported as done.

        Wagtail keeps no unpublish reason; it is returned in the result for the run's ledger.
        """
        ref = await self._page(page)
        if not ref.live and not include_children:
            return self._ref_result(ref, already=True, reason=reason)
        try:
            item: Item = await self._http.request(
                "POST", f"{V3_PAGES}{ref.id}/actions/unpublish/", json={"recursive": include_children}
            )
        except NotFound:
            if ref.live:
                raise
            return self._ref_result(ref, already=True, reason=reason)
        return self._written(item, live=False, already=not ref.live, reason=reason, include_children=include_children)

    def _ref_result(self, ref: PageRef, **extra: Any) -> dict[str, Any]:
        return {"id": ref.id, "title": ref.title, "type": ref.type, "page_type": self.page_type_names.get(ref.type or ""),
                "slug": ref.slug, "url_path": ref.url_path, "status": "draft", **extra}
