"""Plain-data helpers: slugs, page-type names, and Wagtail's JSON turned into tool results."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

# Tool page_type names -> the site's page models (Django labels). A site passes its own.
DEFAULT_PAGE_TYPES: dict[str, str] = {
    "home": "home.HomePage",
    "page": "wagtailcore.Page",
    "standard": "pages.StandardPage",
    "blog_index": "blog.BlogIndexPage",
    "blog": "blog.BlogPage",
    "landing": "landing.LandingPage",
    "service": "services.ServicePage",
    "directory": "directory.DirectoryIndexPage",
    "directory_listing": "directory.DirectoryListingPage",
}
DEFAULT_BODY_FIELD = "body"
SEO_FIELDS = ("seo_title", "search_description")
# Keys of a page's JSON that are not the page type's own content fields.
_NOT_CONTENT = {"id", "meta", "title"}


def slugify(value: str) -> str:
    """Wagtail's default slug for a title: ASCII, lower case, hyphens."""
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s_]+", "-", text).strip("-")


def url_path(html_url: Any) -> str | None:
    """The path part of a page's html_url (`/blog/launch/`), or None."""
    if not isinstance(html_url, str) or not html_url:
        return None
    path = urlparse(html_url).path or "/"
    return path if path.endswith("/") else path + "/"


def normalise_path(value: str) -> str:
    path = urlparse(value).path if "://" in value else value
    path = "/" + path.strip("/")
    return path if path == "/" else path + "/"


def is_path(ref: str) -> bool:
    return ref.startswith("/") or "://" in ref


def is_tree_root(item: Mapping[str, Any]) -> bool:
    """Whether a v3 item is Wagtail's tree root (depth 1, `Root`, made by Wagtail's migrations).

    It belongs to no site and nobody edits it, yet API v3 lists it to a superuser's token (and
    answers 403 for its revisions), so page searches leave it out.
    """
    meta = item.get("meta") or {}
    return meta.get("type") == "wagtailcore.Page" and not meta.get("html_url") and meta.get("slug") == "root"


def page_summary(item: Mapping[str, Any], *, live: bool, page_type_names: Mapping[str, str]) -> dict[str, Any]:
    """The fields every page result carries, from a v2 or v3 page item."""
    meta = item.get("meta") or {}
    parent = meta.get("parent") if isinstance(meta.get("parent"), Mapping) else None
    model = meta.get("type")
    summary: dict[str, Any] = {
        "id": item.get("id"),
        "title": item.get("title"),
        "type": model,
        "page_type": page_type_names.get(str(model)),
        "slug": meta.get("slug"),
        "url_path": url_path(meta.get("html_url")),
        "status": "live" if live else "draft",
        "first_published_at": meta.get("first_published_at"),
        "locale": meta.get("locale"),
    }
    for key in SEO_FIELDS:
        if key in meta:
            summary[key] = meta.get(key) or ""
    if parent is not None:
        summary["parent"] = {"id": parent.get("id"), "title": parent.get("title")}
    return summary


def content_of(item: Mapping[str, Any], body_field: str) -> dict[str, Any]:
    """A page's editable content: title, slug, SEO fields, body and the type's other fields."""
    meta = item.get("meta") or {}
    fields = {k: v for k, v in item.items() if k not in _NOT_CONTENT and k != body_field}
    return {
        "title": item.get("title"),
        "slug": meta.get("slug"),
        "seo_title": meta.get("seo_title") or "",
        "search_description": meta.get("search_description") or "",
        "body": _rich_text(item.get(body_field)),
        "fields": fields,
    }


def _rich_text(value: Any) -> Any:
    """A rich-text value as text: v3 may answer the input envelope shape `{format, content}`."""
    if isinstance(value, Mapping) and "content" in value:
        return value.get("content")
    return value


def media_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """An image or document from API v3 as a tool result."""
    meta = item.get("meta") or {}
    collection: Mapping[str, Any] = item["collection"] if isinstance(item.get("collection"), Mapping) else {}
    result: dict[str, Any] = {
        "id": item.get("id"),
        "title": item.get("title"),
        "collection": collection.get("id"),
        "tags": list(meta.get("tags") or []),
        "download_url": meta.get("download_url"),
    }
    if meta.get("type") == "wagtailimages.Image" or "width" in item:
        result["alt_text"] = item.get("description") or ""
        result["width"] = item.get("width")
        result["height"] = item.get("height")
    return result
