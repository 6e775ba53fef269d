"""Seed the sandbox site from plain data and dump it back in the same shape.

The shape uses the tools' argument names: a page has `title`, `slug`, `page_type` (or a model
`type`), `parent` (slug, title or URL path; the home page by default), `status` (live or
draft), `body` (Markdown), `seo_title`, `search_description`, `fields`, `locale`; a live page
may carry `draft` changes saved after publishing. Images have `title`, `alt_text`,
`collection` (a name), `tags`; documents `title`, `collection`, `tags`, `file`.
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox.wagtail.site import MODEL_NAMES, PAGE_MODELS, ROOT_ID, SHORT_NAMES, Record, Site, slugify

CONTENT_KEYS = ("title", "slug", "seo_title", "search_description", "show_in_menus")


def _model(spec: dict[str, Any]) -> str:
    model = spec.get("type") or SHORT_NAMES.get(str(spec.get("page_type") or "standard"), spec.get("page_type"))
    if model not in PAGE_MODELS:
        raise ValueError(f"page {spec.get('title')!r}: unknown page_type {spec.get('page_type') or model!r}")
    return str(model)


def find_page(site: Site, ref: str) -> Record | None:
    """A page by URL path, slug or title (the first in tree order)."""
    wanted = ref.strip()
    path = "/" + wanted.strip("/") + ("/" if wanted.strip("/") else "") if wanted.startswith("/") else None
    for page in sorted(site.pages.values(), key=lambda p: p["id"]):
        if page["id"] == ROOT_ID:
            continue
        if path is not None:
            if site.url_path(page) == path:
                return page
        elif wanted == page["draft"]["slug"] or page["draft"]["title"].casefold() == wanted.casefold():
            return page
    return None


def _home(site: Site) -> Record:
    homes = site.children(ROOT_ID)
    if homes:
        return homes[0]
    content = {"title": "Home", "slug": "home", "seo_title": "", "search_description": "", "show_in_menus": False,
               "fields": {"body": None, "intro": None}}
    home = site.new_page("home.HomePage", site.pages[str(ROOT_ID)], content, locale="en")
    site.publish(home)
    return home


def _content(spec: dict[str, Any], model: str, base: Record | None) -> Record:
    content: Record = copy.deepcopy(base) if base else {
        "title": "", "slug": "", "seo_title": "", "search_description": "", "show_in_menus": False,
        "fields": {name: None for name in PAGE_MODELS[model]},
    }
    for key in CONTENT_KEYS:
        if key in spec:
            content[key] = spec[key]
    content["slug"] = content["slug"] or slugify(content["title"])
    if "body" in spec:
        content["fields"]["body"] = spec["body"]
    for name, value in (spec.get("fields") or {}).items():
        content["fields"][name] = value
    return content


def _seed_page(site: Site, spec: dict[str, Any]) -> None:
    model = _model(spec)
    if model == "home.HomePage" and not spec.get("parent"):
        parent = site.pages[str(ROOT_ID)]
    else:
        found = find_page(site, str(spec["parent"])) if spec.get("parent") else _home(site)
        if found is None:
            raise ValueError(f"page {spec.get('title')!r}: no parent page {spec['parent']!r}")
        parent = found
    slug = spec.get("slug") or slugify(str(spec.get("title") or ""))
    page = next((p for p in site.children(parent["id"]) if p["draft"]["slug"] == slug), None)
    if page is None and spec.get("title"):
        page = find_page(site, str(spec["title"]))
    when = spec.get("updated_at") or spec.get("last_published_at")
    status = spec.get("status", "live" if page is None else None)
    if page is None:
        content = _content(spec, model, None)
        page = site.new_page(model, parent, content, locale=spec.get("locale"))
        page["revisions"][-1]["created_at"] = when or page["revisions"][-1]["created_at"]
    else:
        page["draft"] = _content(spec, page["type"], page["draft"])
        site.save_revision(page, when)
    if spec.get("translation_of"):
        source = find_page(site, str(spec["translation_of"]))
        if source is not None:
            page["translation_key"] = source["translation_key"]
    if status == "live":
        site.publish(page, when)
        page["first_published_at"] = spec.get("first_published_at") or page["first_published_at"]
    elif status == "draft" and page["live"]:
        site.unpublish(page, recursive=False)
    if spec.get("draft"):
        page["draft"] = _content(spec["draft"], page["type"], page["draft"])
        site.save_revision(page, spec["draft"].get("updated_at"))
    site.touch()


def _seed_media(site: Site, table: str, spec: dict[str, Any]) -> None:
    rows = site.table(table)
    row = next((r for r in rows.values() if r["title"].casefold() == str(spec["title"]).casefold()), None)
    if row is None:
        new_id = site.next_id("image" if table == "images" else "document")
        row = {"id": new_id, "title": spec["title"], "tags": [], "collection": 1,
               "file": spec.get("file") or f"{slugify(spec['title'])}.{'jpg' if table == 'images' else 'pdf'}"}
        if table == "images":
            row.update({"description": "", "width": 1200, "height": 800})
        rows[str(new_id)] = row
    if "collection" in spec:
        row["collection"] = site.collection_id(spec["collection"])
    for key in ("tags", "width", "height", "file"):
        if key in spec:
            row[key] = spec[key]
    if table == "images" and ("alt_text" in spec or "description" in spec):
        row["description"] = spec.get("alt_text", spec.get("description")) or ""
    site.touch()


def seed_site(site: Site, data: dict[str, Any]) -> None:
    """Add or update what `data` lists (see the module docstring for the shape)."""
    for spec in data.get("pages") or []:
        _seed_page(site, spec)
    for spec in data.get("images") or []:
        _seed_media(site, "images", spec)
    for spec in data.get("documents") or []:
        _seed_media(site, "documents", spec)


def _dump_page(site: Site, page: Record) -> dict[str, Any]:
    content = page["draft"]
    parent = site.page(page["parent"]) if page["parent"] is not None else None
    body = content["fields"].get("body")
    return {
        "id": page["id"],
        "title": content["title"],
        "slug": content["slug"],
        "page_type": MODEL_NAMES.get(page["type"], page["type"]),
        "type": page["type"],
        "parent": site.url_path(parent) if parent is not None and parent["id"] != ROOT_ID else None,
        "url_path": site.url_path(page),
        "status": "live" if page["live"] else "draft",
        "has_unpublished_changes": site.has_unpublished_changes(page),
        "body": body,
        "seo_title": content["seo_title"] or "",
        "search_description": content["search_description"] or "",
        "fields": {k: v for k, v in content["fields"].items() if k != "body" and v is not None},
        "locale": page["locale"],
        "first_published_at": page["first_published_at"],
        "last_published_at": page["last_published_at"],
        "updated_at": page["revisions"][-1]["created_at"] if page["revisions"] else None,
    }


def dump_site(site: Site) -> dict[str, Any]:
    """The site in the seed shape, pages in tree order."""
    pages = sorted((p for p in site.pages.values() if p["id"] != ROOT_ID), key=lambda p: p["id"])
    images = [
        {"id": r["id"], "title": r["title"], "alt_text": r.get("description") or "",
         "collection": site.collection_name(r["collection"]), "tags": list(r.get("tags") or []),
         "width": r["width"], "height": r["height"], "file": r["file"]}
        for r in sorted(site.table("images").values(), key=lambda r: r["id"])
    ]
    documents = [
        {"id": r["id"], "title": r["title"], "collection": site.collection_name(r["collection"]),
         "tags": list(r.get("tags") or []), "file": r["file"]}
        for r in sorted(site.table("documents").values(), key=lambda r: r["id"])
    ]
    return {"pages": [_dump_page(site, p) for p in pages], "images": images, "documents": documents}
