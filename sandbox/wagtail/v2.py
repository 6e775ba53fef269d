"""API v2: the public, read-only pages endpoint (live pages only), as Wagtail 8 answers it."""

from __future__ import annotations

import random
from typing import Any

from sandbox.wagtail import serialize
from sandbox.wagtail.asgi import Answer, Request, v2_error
from sandbox.wagtail.site import PAGE_MODELS, ROOT_ID, Record, Site

LIMIT_MAX = 20  # WAGTAILAPI_LIMIT_MAX's default
OPERATIONS = {"type", "fields", "search", "search_operator", "child_of", "ancestor_of", "descendant_of",
              "translation_of", "locale", "site", "order", "limit", "offset", "format"}
COMMON_FILTERS = {"id", "title", "slug", "show_in_menus", "seo_title", "search_description", "locale"}


def positive_int(request: Request, name: str, *, default: int | None = None, error: Any = v2_error) -> int | None:
    raw = request.arg(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or (name != "offset" and int(raw) < 1):
        raise error(400, f"{name} must be a positive integer")
    return int(raw)


def models_of(request: Request, *, error: Any = v2_error) -> list[str]:
    models = [m for raw in request.args("type") for m in raw.split(",") if m]
    for model in models:
        if model not in PAGE_MODELS:
            raise error(400, "type doesn't exist")
    return models


def matches_search(site: Site, page: Record, query: str, *, live: bool) -> bool:
    content = site.content(page, live=live)
    text = " ".join([content["title"], content["slug"], *(str(v) for v in content["fields"].values() if v)]).casefold()
    return all(term in text for term in query.casefold().split())


def field_value(site: Site, page: Record, name: str, *, live: bool) -> Any:
    content = site.content(page, live=live)
    if name == "id":
        return page["id"]
    if name == "locale":
        return page["locale"]
    if name in content:
        return content[name]
    return content["fields"].get(name)


def filter_pages(site: Site, request: Request, pages: list[Record], *, live: bool, error: Any = v2_error) -> list[Record]:
    """The tree, type, locale, search and exact-field filters shared by v2 and v3 listings."""
    models = models_of(request, error=error)
    if models:
        pages = [p for p in pages if p["type"] in models]
    for name, relation in (("child_of", "child"), ("descendant_of", "descendant"), ("translation_of", "translation")):
        target_id = positive_int(request, name, error=error) if request.arg(name) != "root" else ROOT_ID + 1
        if target_id is None:
            continue
        target = site.page(target_id)
        if target is None:
            raise error(400, "parent page doesn't exist" if relation != "translation" else "page doesn't exist")
        if relation == "child":
            pages = [p for p in pages if p["parent"] == target["id"]]
        elif relation == "descendant":
            ids = {p["id"] for p in site.descendants(target["id"])}
            pages = [p for p in pages if p["id"] in ids]
        else:
            pages = [p for p in pages if p["translation_key"] == target["translation_key"] and p["id"] != target["id"]]
    if request.arg("locale"):
        pages = [p for p in pages if p["locale"] == request.arg("locale")]
    allowed = COMMON_FILTERS | set(serialize.type_fields(models))
    for key, value in request.query:
        if key in OPERATIONS:
            continue
        if key not in allowed:
            raise error(400, f"query parameter is not an operation or a recognised field: {key}")
        pages = [p for p in pages if _equals(field_value(site, p, key, live=live), value)]
    query = request.arg("search")
    if query:
        pages = [p for p in pages if matches_search(site, p, query, live=live)]
    return order_pages(site, request, pages, live=live, error=error)


def _equals(actual: Any, wanted: str) -> bool:
    if isinstance(actual, bool):
        return wanted.lower() == ("true" if actual else "false")
    return str(actual) == wanted


def order_pages(site: Site, request: Request, pages: list[Record], *, live: bool, error: Any) -> list[Record]:
    order = request.arg("order")
    if not order:
        return sorted(pages, key=lambda p: p["id"])
    if order == "random":
        if request.arg("offset") not in (None, "", "0"):
            raise error(400, "random ordering with offset is not supported")
        return random.sample(pages, len(pages))
    name = order.lstrip("-")
    return sorted(pages, key=lambda p: str(field_value(site, p, name, live=live) or ""), reverse=order.startswith("-"))


def page_window(request: Request, items: list[Any], *, error: Any = v2_error) -> list[Any]:
    limit = positive_int(request, "limit", default=20, error=error)
    offset = positive_int(request, "offset", default=0, error=error)
    assert limit is not None and offset is not None
    if limit > LIMIT_MAX:
        raise error(400, f"limit cannot be higher than {LIMIT_MAX}")
    return items[offset:offset + limit]


def _fields(request: Request, models: list[str], *, detail_fields: tuple[str, ...] | None = None
            ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(meta fields, body fields) after `?fields`; unknown names are a 400 naming them."""
    meta = list(serialize.V2_LISTING_META)
    body = ["title"]
    if detail_fields is not None:
        meta, body = list(serialize.V2_META_FIELDS), ["title", *detail_fields]
    available_meta = set(serialize.V2_META_FIELDS)
    available_body = {"title", *serialize.type_fields(models), *(detail_fields or ())}
    raw = request.arg("fields")
    if not raw:
        return tuple(meta), tuple(body)
    unknown = []
    for index, name in enumerate(n.strip() for n in raw.split(",") if n.strip()):
        if name == "_" and index == 0:
            meta, body = ["type", "detail_url"], []
        elif name == "*":
            meta = [*meta, *(m for m in serialize.V2_META_FIELDS if m not in meta)]
            body = [*body, *(b for b in sorted(available_body) if b not in body)]
        elif name.startswith("-"):
            meta = [m for m in meta if m != name[1:]]
            body = [b for b in body if b != name[1:]]
        elif name in available_meta:
            meta += [name] if name not in meta else []
        elif name in available_body:
            body += [name] if name not in body else []
        else:
            unknown.append(name)
    if unknown:
        raise v2_error(400, f"unknown fields: {', '.join(unknown)}")
    return tuple(meta), tuple(body)


def list_pages(site: Site, request: Request) -> Answer:
    live_pages = [p for p in site.pages.values() if p["live"] and p["id"] != ROOT_ID]
    models = models_of(request)
    meta, body = _fields(request, models)
    pages = filter_pages(site, request, live_pages, live=True)
    window = page_window(request, pages)
    items = [serialize.v2_page(site, p, meta_fields=meta, body_fields=body) for p in window]
    return Answer(200, {"meta": {"total_count": len(pages)}, "items": items})


def page_detail(site: Site, request: Request, page_id: str) -> Answer:
    page = site.page(page_id) if page_id.isdigit() else None
    if page is None or not page["live"] or page["id"] == ROOT_ID:
        raise v2_error(404, "No Page matches the given query.")
    if request.arg("fields"):
        meta, body = _fields(request, [], detail_fields=PAGE_MODELS.get(page["type"], ()))
        return Answer(200, serialize.v2_page(site, page, meta_fields=meta, body_fields=body))
    return Answer(200, serialize.v2_detail(site, page))


def find_page(site: Site, request: Request) -> Answer:
    path = request.arg("html_path") or ""
    path = "/" + path.strip("/") + ("/" if path.strip("/") else "")
    page = site.by_path(path)
    if page is None:
        raise v2_error(404, "not found")
    return Answer(302, None, {"location": f"/api/v2/pages/{page['id']}/"})
