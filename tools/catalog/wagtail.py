"""Wagtail tools (CMS: agency site, landing pages, directory listings).

Argument names and risk classes as in shared/catalog/tools.md. Each handler calls the tenant's
`WagtailClient` (adapters.wagtail): API v2 reads, API v3 writes.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from tools.catalog.declare import Toolset
from tools.context import ToolContext
from tools.spec import Risk, ToolArgs, ToolResult, ToolSpec

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


def _kwargs(args: ToolArgs) -> dict[str, Any]:
    return args.model_dump(exclude_none=True)


async def _page_search(ctx: ToolContext, args: PageSearch) -> ToolResult:
    pages: list[dict[str, Any]] = await ctx.client(SYSTEM).page_search(**_kwargs(args))
    return {"pages": pages, "count": len(pages)}


async def _page_get(ctx: ToolContext, args: PageGet) -> ToolResult:
    return dict(await ctx.client(SYSTEM).page_get(args.page, args.revision))


async def _page_target(ctx: ToolContext, args: PageUpdate | PagePublish | PageUnpublish) -> ToolResult:
    """The page a write is about, as it is now (the executor compares it before running)."""
    return dict(await ctx.client(SYSTEM).page_get(args.page))


async def _page_create_draft(ctx: ToolContext, args: PageCreateDraft) -> ToolResult:
    return dict(await ctx.client(SYSTEM).page_create_draft(**_kwargs(args)))


async def _page_update(ctx: ToolContext, args: PageUpdate) -> ToolResult:
    return dict(await ctx.client(SYSTEM).page_update(**_kwargs(args)))


async def _page_publish(ctx: ToolContext, args: PagePublish) -> ToolResult:
    return dict(await ctx.client(SYSTEM).page_publish(args.page))


async def _page_unpublish(ctx: ToolContext, args: PageUnpublish) -> ToolResult:
    return dict(await ctx.client(SYSTEM).page_unpublish(**_kwargs(args)))


async def _image_search(ctx: ToolContext, args: ImageSearch) -> ToolResult:
    images: list[dict[str, Any]] = await ctx.client(SYSTEM).image_search(**_kwargs(args))
    return {"images": images, "count": len(images)}


async def _image_update(ctx: ToolContext, args: ImageUpdate) -> ToolResult:
    return dict(await ctx.client(SYSTEM).image_update(**_kwargs(args)))


async def _document_search(ctx: ToolContext, args: DocumentSearch) -> ToolResult:
    documents: list[dict[str, Any]] = await ctx.client(SYSTEM).document_search(**_kwargs(args))
    return {"documents": documents, "count": len(documents)}


_tool = Toolset(SYSTEM)

R, W, D = Risk.READ, Risk.WRITE, Risk.DESTRUCTIVE

TOOLS: list[ToolSpec] = [
    _tool("page_search", "List or search pages by text, type, parent, status, staleness or missing SEO fields",
          PageSearch, R, "Safe to repeat.", handler=_page_search, summary="Found {count} page(s)."),
    _tool("page_get", "One page in full: fields, body, latest draft against live, SEO, locale and translations",
          PageGet, R, "Safe to repeat.", handler=_page_get, summary="{title} ({status}, {url_path})."),
    _tool("page_create_draft", "Create a page as an unpublished draft under a parent, or a translation of a page",
          PageCreateDraft, W, "Create-if-absent by parent and slug: an existing page is returned.",
          handler=_page_create_draft, summary="Draft page {title} is at {url_path} (not published).",
          resumable=True),
    _tool("page_update", "Save a new draft revision of a page; the live page is unchanged until published",
          PageUpdate, W, "Idempotent: the same content gives the same revision content.", handler=_page_update,
          precondition=_page_target, summary="Saved a new draft revision of {title}; publish it to go live."),
    _tool("page_publish", "Publish a page's latest revision now", PagePublish, W, "Idempotent.",
          handler=_page_publish, precondition=_page_target, summary="Published {title} at {url_path}."),
    _tool("page_unpublish", "Take a live page offline (it stays as a draft; its URL stops serving)",
          PageUnpublish, D, "Idempotent.", handler=_page_unpublish, precondition=_page_target,
          summary="{title} is offline (kept as a draft)."),
    _tool("image_search", "Find images in the media library", ImageSearch, R, "Safe to repeat.",
          handler=_image_search, summary="Found {count} image(s)."),
    _tool("image_update", "Change an image's title and alt text", ImageUpdate, W, "Idempotent.",
          handler=_image_update, summary="Image {title} now has alt text: {alt_text}"),
    _tool("document_search", "Find documents (rate cards, brochures, PDFs) with their download links",
          DocumentSearch, R, "Safe to repeat.", handler=_document_search, summary="Found {count} document(s)."),
]
