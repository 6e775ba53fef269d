"""Pages, images and documents in the JSON shapes of Wagtail 8's API v2 and v3."""

from __future__ import annotations

from typing import Any

from sandbox.wagtail import richtext
from sandbox.wagtail.site import PAGE_MODELS, RICH_TEXT_FIELDS, ROOT_ID, SITE_URL, Record, Site

# With WAGTAIL_I18N_ENABLED (the stand-in has locales) API v2 lists `locale` by default too.
V2_LISTING_META = ("type", "detail_url", "html_url", "slug", "first_published_at", "locale")
V2_META_FIELDS = ("type", "detail_url", "html_url", "slug", "show_in_menus", "seo_title", "search_description",
                  "first_published_at", "alias_of", "parent", "locale")


def type_fields(models: list[str]) -> tuple[str, ...]:
    """The body fields API v2 offers: a page type's own fields when exactly one type is selected."""
    return PAGE_MODELS.get(models[0], ()) if len(models) == 1 else ()


def _field_value(name: str, value: Any, rich_text_format: str | None) -> Any:
    return richtext.render(value, rich_text_format) if name in RICH_TEXT_FIELDS else value


def _v2_meta(site: Site, page: Record, key: str) -> Any:
    content = site.content(page, live=True)
    if key == "type":
        return page["type"]
    if key == "detail_url":
        return f"{SITE_URL}/api/v2/pages/{page['id']}/"
    if key == "html_url":
        return site.html_url(page, live=True)
    if key == "first_published_at":
        return page["first_published_at"]
    if key == "alias_of":
        return None
    if key == "locale":
        return page["locale"]
    if key == "parent":
        parent = site.page(page["parent"]) if page["parent"] not in (None, ROOT_ID) else None
        if parent is None:  # a site's root page has no public parent
            return None
        return {"id": parent["id"], "meta": {"type": parent["type"], "detail_url": f"{SITE_URL}/api/v2/pages/{parent['id']}/",
                                             "html_url": site.html_url(parent, live=True)},
                "title": site.content(parent, live=True)["title"]}
    return content.get(key)


def v2_page(site: Site, page: Record, *, meta_fields: tuple[str, ...], body_fields: tuple[str, ...]) -> Record:
    """A live page as API v2 lists (`meta_fields` chosen by `?fields`) or details it."""
    content = site.content(page, live=True)
    item: Record = {"id": page["id"], "meta": {key: _v2_meta(site, page, key) for key in meta_fields}}
    if "title" in body_fields:
        item["title"] = content["title"]
    for name in body_fields:
        if name != "title":
            item[name] = _field_value(name, content["fields"].get(name), None)
    return item


def v2_detail(site: Site, page: Record) -> Record:
    fields = ("title", *PAGE_MODELS.get(page["type"], ()))
    return v2_page(site, page, meta_fields=V2_META_FIELDS, body_fields=fields)


def _v3_ref(site: Site, page: Record, *, live: bool) -> Record:
    return {"meta": {"type": page["type"], "detail_url": f"{SITE_URL}/api/v3/pages/{page['id']}/",
                     "html_url": site.html_url(page, live=live)},
            "id": page["id"], "title": site.content(page, live=live)["title"]}


def v3_list_item(site: Site, page: Record, *, live: bool) -> Record:
    """The compact BasePageSchema every v3 listing uses."""
    content = site.content(page, live=live)
    return {
        "meta": {"type": page["type"], "detail_url": f"{SITE_URL}/api/v3/pages/{page['id']}/",
                 "html_url": site.html_url(page, live=live), "locale": page["locale"], "slug": content["slug"],
                 "first_published_at": page["first_published_at"]},
        "id": page["id"], "title": content["title"],
    }


def v3_detail(site: Site, page: Record, *, live: bool, rich_text_format: str | None = None) -> Record:
    """A page's live or latest (draft) revision as the v3 detail schema of its type."""
    content = site.content(page, live=live)
    parent = site.page(page["parent"]) if page["parent"] is not None and page["parent"] != ROOT_ID else None
    item = v3_list_item(site, page, live=live)
    item["meta"].update({
        "show_in_menus": bool(content.get("show_in_menus")), "seo_title": content.get("seo_title") or "",
        "search_description": content.get("search_description") or "", "alias_of": None,
        "parent": _v3_ref(site, parent, live=live) if parent is not None else None,
    })
    for name in PAGE_MODELS.get(page["type"], ()):
        item[name] = _field_value(name, content["fields"].get(name), rich_text_format)
    return item


def revision(page: Record, entry: Record) -> Record:
    return {"meta": {"type": "wagtailcore.Revision"}, "id": entry["id"], "object_id": str(page["id"]),
            "created_at": entry["created_at"], "user_id": 1, "object_str": page["draft"]["title"],
            "approved_go_live_at": None}


def _collection(collection_id: int) -> Record:
    return {"meta": {"type": "wagtailcore.Collection"}, "id": collection_id}


def image(row: Record) -> Record:
    return {
        "meta": {"type": "wagtailimages.Image", "detail_url": f"{SITE_URL}/api/v3/images/{row['id']}/",
                 "tags": list(row.get("tags") or []), "download_url": f"/media/original_images/{row['file']}"},
        "id": row["id"], "title": row["title"], "width": row["width"], "height": row["height"],
        "description": row.get("description") or "", "collection": _collection(row["collection"]),
        "focal_point_x": None, "focal_point_y": None, "focal_point_width": None, "focal_point_height": None,
    }


def document(row: Record) -> Record:
    return {
        "meta": {"type": "wagtaildocs.Document", "detail_url": f"{SITE_URL}/api/v3/documents/{row['id']}/",
                 "tags": list(row.get("tags") or []), "download_url": f"{SITE_URL}/documents/{row['id']}/{row['file']}"},
        "id": row["id"], "title": row["title"], "collection": _collection(row["collection"]),
    }
