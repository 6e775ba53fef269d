"""Wagtail tools (CMS: agency site, landing pages, directory listings).

Argument names and risk classes as in shared/catalog/tools.md. Handlers land with the Wagtail adapter.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from tools.spec import Risk, ToolArgs, ToolSpec

SYSTEM = "wagtail"


class PageSearch(ToolArgs):
    query: str | None = None
    page_type: str | None = None  # e.g. blog, landing, service, directory_listing; the adapter maps it
    parent: str | None = None
    status: Literal["live", "draft", "any"] | None = None
    not_updated_days: int | None = Field(default=None, ge=1)
    missing: Literal["seo_title", "search_description"] | None = None
    locale: str | None = None
    limit: int | None = Field(default=None, ge=1, le=100)


class PageGet(ToolArgs):
    page: str = Field(min_length=1)
    revision: Literal["live", "latest"] = "latest"


class PageCreateDraft(ToolArgs):
    parent: str = Field(min_length=1)
    page_type: str = Field(min_length=1)
    title: str = Field(min_length=1)
    body: str | None = None
    slug: str | None = None
    seo_title: str | None = None
    search_description: str | None = None
    fields: dict[str, Any] | None = None
    locale: str | None = None
    translation_of: str | None = None

    @model_validator(mode="after")
    def _translation_needs_locale(self) -> PageCreateDraft:
        if self.translation_of is not None and not self.locale:
            raise ValueError("translation_of needs locale: the locale the translation is created in")
        return self


class PageUpdate(ToolArgs):
    page: str = Field(min_length=1)
    title: str | None = None
    body: str | None = None
    slug: str | None = None
    seo_title: str | None = None
    search_description: str | None = None
    fields: dict[str, Any] | None = None


class PagePublish(ToolArgs):
    page: str = Field(min_length=1)


class PageUnpublish(ToolArgs):
    page: str = Field(min_length=1)
    reason: str | None = None
    include_children: bool = False


class ImageSearch(ToolArgs):
    query: str | None = None
    collection: str | None = None
    missing_alt_text: bool | None = None
    limit: int | None = Field(default=None, ge=1, le=100)


class ImageUpdate(ToolArgs):
    image: str = Field(min_length=1)
    title: str | None = None
    alt_text: str | None = None


class DocumentSearch(ToolArgs):
    query: str | None = None
    collection: str | None = None
    limit: int | None = Field(default=None, ge=1, le=100)


def _tool(name: str, description: str, args: type[ToolArgs], risk: Risk, idempotency: str) -> ToolSpec:
    return ToolSpec(
        id=f"{SYSTEM}.{name}", system=SYSTEM, description=description, args_model=args, risk=risk,
        idempotency=idempotency,
    )


R, W, D = Risk.READ, Risk.WRITE, Risk.DESTRUCTIVE

TOOLS: list[ToolSpec] = [
    _tool("page_search", "List or search pages by text, type, parent, status, staleness or missing SEO fields",
          PageSearch, R, "Safe to repeat."),
    _tool("page_get", "One page in full: fields, body, latest draft against live, SEO, locale and translations",
          PageGet, R, "Safe to repeat."),
    _tool("page_create_draft", "Create a page as an unpublished draft under a parent, or a translation of a page",
          PageCreateDraft, W, "Create-if-absent by parent and slug: an existing page is returned."),
    _tool("page_update", "Save a new draft revision of a page; the live page is unchanged until published",
          PageUpdate, W, "Idempotent: the same content gives the same revision content."),
    _tool("page_publish", "Publish a page's latest revision now", PagePublish, W, "Idempotent."),
    _tool("page_unpublish", "Take a live page offline (it stays as a draft; its URL stops serving)",
          PageUnpublish, D, "Idempotent."),
    _tool("image_search", "Find images in the media library", ImageSearch, R, "Safe to repeat."),
    _tool("image_update", "Change an image's title and alt text", ImageUpdate, W, "Idempotent."),
    _tool("document_search", "Find documents (rate cards, brochures, PDFs) with their download links",
          DocumentSearch, R, "Safe to repeat."),
]
