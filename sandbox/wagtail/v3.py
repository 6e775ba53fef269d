"""API v3 (Wagtail 8's preview): page reads with drafts, page writes and actions, images, documents.

Errors are RFC 7807 problem details; validation errors list Django Ninja style `loc` paths.
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox.wagtail import richtext, serialize
from sandbox.wagtail.asgi import Answer, HTTPError, Request, problem, validation_error
from sandbox.wagtail.site import (
    PAGE_MODELS,
    RICH_TEXT_FIELDS,
    ROOT_ID,
    TEXT_FIELD_MAX_LENGTH,
    Record,
    Site,
    slugify,
)
from sandbox.wagtail.v2 import filter_pages, page_window

LOCALES = {"en", "es", "fr", "de", "pt"}
BASE_FIELDS = ("title", "slug", "seo_title", "search_description", "show_in_menus")


def _error(status: int, message: str) -> HTTPError:
    return problem(status, "Bad Request" if status == 400 else "Not Found", message)


def not_found(what: str = "Page") -> HTTPError:
    return problem(404, "Not Found", f"No {what} matches the given query.", kind="not-found")


def list_pages(site: Site, request: Request, *, authenticated: bool) -> Answer:
    pages = [p for p in site.pages.values() if p["id"] != ROOT_ID and (authenticated or p["live"])]
    found = filter_pages(site, request, pages, live=False, error=_error)
    window = page_window(request, found, error=_error)
    items = [serialize.v3_list_item(site, p, live=p["live"]) for p in window]
    return Answer(200, {"items": items, "count": len(found)})


def page_of(site: Site, page_id: str, *, authenticated: bool) -> Record:
    page = site.page(page_id) if page_id.isdigit() else None
    if page is None or page["id"] == ROOT_ID or not (authenticated or page["live"]):
        raise not_found()
    return page


def page_detail(site: Site, request: Request, page_id: str, *, authenticated: bool) -> Answer:
    page = page_of(site, page_id, authenticated=authenticated)
    version = request.arg("version") or "live"
    if version not in ("live", "draft"):
        raise validation_error(["version"], "Input should be 'live' or 'draft'")
    if version == "live" and not page["live"]:
        raise not_found()
    return Answer(200, serialize.v3_detail(site, page, live=version == "live",
                                           rich_text_format=request.arg("rich_text_format")))


def revisions(site: Site, request: Request, page_id: str) -> Answer:
    page = page_of(site, page_id, authenticated=True)
    entries = [serialize.revision(page, entry) for entry in reversed(page["revisions"])]
    return Answer(200, {"items": page_window(request, entries, error=_error), "count": len(entries)})


def _object(body: Any, where: list[str | int]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise validation_error(where, "Input should be a valid dictionary", "dict_type")
    return body


def _apply(site: Site, page: Record, model: str, body: dict[str, Any], *, parent_id: int) -> None:
    """Validate and write a create or PATCH body's fields into the page's draft content."""
    allowed = set(BASE_FIELDS) | set(PAGE_MODELS[model])
    content = page["draft"]
    for key, value in body.items():
        if key == "meta":
            continue
        if key not in allowed:
            continue  # Wagtail's write schemas ignore keys the page model does not have
        if key in ("title", "slug", "seo_title") and value is not None and (not isinstance(value, str) or len(value) > 255):
            raise validation_error([key], "String should have at most 255 characters", "string_too_long")
        if key == "title" and not str(value or "").strip():
            raise validation_error(["title"], "This field is required.", "missing")
        limit = TEXT_FIELD_MAX_LENGTH.get(key)
        if limit is not None and isinstance(value, str) and len(value) > limit:
            raise validation_error([key], f"String should have at most {limit} characters", "string_too_long")
        if key == "slug":
            slug = slugify(str(value or "")) or slugify(str(body.get("title") or content["title"]))
            if site.slug_taken(parent_id, slug, besides=page.get("id")):
                raise validation_error(["slug"], f"The slug '{slug}' is already in use within the parent page")
            content["slug"] = slug
        elif key in BASE_FIELDS:
            content[key] = value if key != "show_in_menus" else bool(value)
        elif key in RICH_TEXT_FIELDS:
            content["fields"][key] = richtext.from_input(value)
        else:
            content["fields"][key] = value


def create_page(site: Site, request: Request) -> Answer:
    body = _object(request.json(), [])
    meta = _object(body.get("meta"), ["meta"])
    model = meta.get("type")
    if model not in PAGE_MODELS or model == "wagtailcore.Page":
        raise validation_error(["meta", "type"], f"Input tag {model!r} found using 'type' does not match any of the "
                               "expected tags", "union_tag_invalid")
    parent_id = meta.get("parent_id")
    parent = site.page(parent_id) if isinstance(parent_id, int) else None
    if parent is None:
        raise validation_error(["meta", "parent_id"], "Parent page does not exist")
    if not str(body.get("title") or "").strip():
        raise validation_error(["title"], "Field required", "missing")
    slug = slugify(str(body.get("slug") or "")) or _free_slug(site, parent["id"], slugify(body["title"]))
    draft = {"title": "", "slug": "", "seo_title": "", "search_description": "", "show_in_menus": False,
             "fields": {name: None for name in PAGE_MODELS[model]}}
    probe: Record = {"id": None, "draft": draft}
    _apply(site, probe, model, {**body, "slug": slug}, parent_id=parent["id"])
    page = site.new_page(model, parent, draft)
    if meta.get("action") == "publish":
        site.publish(page)
    return Answer(201, serialize.v3_detail(site, page, live=False))


def _free_slug(site: Site, parent_id: int, slug: str) -> str:
    candidate, n = slug or "page", 1
    while site.slug_taken(parent_id, candidate):
        n += 1
        candidate = f"{slug}-{n}"
    return candidate


def update_page(site: Site, request: Request, page_id: str) -> Answer:
    page = page_of(site, page_id, authenticated=True)
    body = _object(request.json(), [])
    meta = body.get("meta") or {}
    if meta.get("type") not in (None, page["type"]):
        raise validation_error(["meta", "type"], f"Page {page['id']} is a {page['type']}, not {meta.get('type')}")
    before = copy.deepcopy(page["draft"])
    _apply(site, page, page["type"], body, parent_id=page["parent"])
    if page["draft"] != before or not page["revisions"]:
        site.save_revision(page)
    if meta.get("action") == "publish":
        site.publish(page)
    return Answer(200, serialize.v3_detail(site, page, live=False))


def publish(site: Site, page_id: str) -> Answer:
    page = page_of(site, page_id, authenticated=True)
    site.publish(page)
    return Answer(200, serialize.v3_detail(site, page, live=True))


def unpublish(site: Site, request: Request, page_id: str) -> Answer:
    page = page_of(site, page_id, authenticated=True)
    body = request.json() if request.body else {}
    recursive = bool(_object(body, []).get("recursive", False))
    site.unpublish(page, recursive=recursive)
    return Answer(200, serialize.v3_detail(site, page, live=False))


def copy_for_translation(site: Site, request: Request, page_id: str) -> Answer:
    """Wagtail's rule: the parent must be translated already, unless `copy_parents` copies the
    untranslated ones (as drafts, up to the tree's root) first."""
    page = page_of(site, page_id, authenticated=True)
    body = _object(request.json(), [])
    locale = body.get("locale")
    if locale not in LOCALES:
        raise validation_error(["locale"], f"Unknown locale {locale!r}")
    if _translation(site, page, locale) is not None:
        raise validation_error(["locale"], f"The page is already translated into {locale!r}")
    parent = site.page(page["parent"]) or page
    if parent["id"] != ROOT_ID and _translation(site, parent, locale) is None and not body.get("copy_parents"):
        raise validation_error(["locale"], f"The parent page is not translated into {locale!r}; translate it "
                               "first or copy the parents")
    return Answer(201, serialize.v3_detail(site, _copy_translated(site, page, locale), live=False))


def _translation(site: Site, page: Record, locale: str) -> Record | None:
    return next((p for p in site.pages.values()
                 if p["translation_key"] == page["translation_key"] and p["locale"] == locale), None)


def _copy_translated(site: Site, page: Record, locale: str) -> Record:
    """The draft copy of `page` in `locale`, under its parent's translation (copied first if missing)."""
    parent = site.page(page["parent"]) or page
    if parent["id"] == ROOT_ID:
        translated_parent = parent
    else:
        translated_parent = _translation(site, parent, locale) or _copy_translated(site, parent, locale)
    content = copy.deepcopy(page["draft"])
    content["slug"] = _free_slug(site, translated_parent["id"], content["slug"])
    return site.new_page(page["type"], translated_parent, content, locale=locale,
                         translation_key=page["translation_key"])


# --- images and documents ----------------------------------------------------------------------


def _media_list(site: Site, request: Request, table: str, render: Any) -> Answer:
    rows = sorted(site.table(table).values(), key=lambda r: r["id"])
    query = request.arg("search")
    if query:
        terms = query.casefold().split()
        rows = [r for r in rows if all(t in f"{r['title']} {' '.join(r.get('tags') or [])}".casefold() for t in terms)]
    if request.arg("title") is not None:
        rows = [r for r in rows if r["title"] == request.arg("title")]
    return Answer(200, {"items": [render(r) for r in page_window(request, rows, error=_error)], "count": len(rows)})


def list_images(site: Site, request: Request) -> Answer:
    return _media_list(site, request, "images", serialize.image)


def list_documents(site: Site, request: Request) -> Answer:
    return _media_list(site, request, "documents", serialize.document)


def image_detail(site: Site, image_id: str) -> Answer:
    row = site.table("images").get(image_id)
    if row is None:
        raise not_found("Image")
    return Answer(200, serialize.image(row))


def update_image(site: Site, request: Request, image_id: str) -> Answer:
    row = site.table("images").get(image_id)
    if row is None:
        raise not_found("Image")
    body = _object(request.json(), [])
    writable = {"title", "description", "collection_id", "focal_point_x", "focal_point_y", "focal_point_width",
                "focal_point_height"}
    for key, value in body.items():
        if key not in writable:
            raise validation_error([key], "Extra inputs are not permitted", "extra_forbidden")
        if key in ("title", "description") and value is not None and len(str(value)) > 255:
            raise validation_error([key], "String should have at most 255 characters", "string_too_long")
        if key == "title" and not str(value or "").strip():
            raise validation_error(["title"], "This field cannot be blank.")
        if key == "collection_id":
            if str(value) not in site.state["collections"]:
                raise validation_error(["collection_id"], "Collection does not exist")
            row["collection"] = int(value)
        elif key in ("title", "description"):
            row[key] = value or ""
    site.touch()
    return Answer(200, serialize.image(row))
