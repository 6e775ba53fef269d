"""The sandbox site's state: a page tree with draft and live revisions, images, documents.

State is plain JSON (the store persists it). A page keeps its latest revision's content in
`draft` and, once published, the published content in `live_content`; `live` says whether
it is served. Content is `{title, slug, seo_title, search_description, show_in_menus,
fields}` where `fields` holds the page type's own fields (rich text as Markdown).
"""

from __future__ import annotations

import copy
import re
import unicodedata
from datetime import UTC, datetime
from typing import Any

Record = dict[str, Any]

ROOT_ID = 1
SITE_URL = "http://localhost"

# Page models of the sandbox site and their own fields (the first is the main rich-text field).
PAGE_MODELS: dict[str, tuple[str, ...]] = {
    "wagtailcore.Page": (),
    "home.HomePage": ("body", "intro"),
    "pages.StandardPage": ("body", "intro"),
    "blog.BlogIndexPage": ("body", "intro"),
    "blog.BlogPage": ("body", "intro", "date", "author"),
    "landing.LandingPage": ("body", "headline", "offer", "cta_label", "cta_url"),
    "services.ServicePage": ("body", "intro", "price_from"),
    "directory.DirectoryIndexPage": ("body", "intro"),
    "directory.DirectoryListingPage": ("body", "category", "address", "phone", "hours", "website", "email"),
}
RICH_TEXT_FIELDS = {"body"}
# The `max_length` of the models' CharFields (`intro` as Wagtail projects commonly declare it);
# Wagtail's API v3 write schema refuses longer values.
TEXT_FIELD_MAX_LENGTH = {"intro": 250, "author": 255, "headline": 255, "offer": 255, "cta_label": 255,
                         "category": 255, "address": 255, "phone": 50, "hours": 255}
# Tool page_type names the seed data may use.
SHORT_NAMES = {
    "home": "home.HomePage", "page": "wagtailcore.Page", "standard": "pages.StandardPage",
    "blog_index": "blog.BlogIndexPage", "blog": "blog.BlogPage", "landing": "landing.LandingPage",
    "service": "services.ServicePage", "directory": "directory.DirectoryIndexPage",
    "directory_listing": "directory.DirectoryListingPage",
}
MODEL_NAMES = {model: name for name, model in SHORT_NAMES.items()}


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def slugify(value: str) -> str:
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s_]+", "-", text).strip("-")


def empty_state() -> dict[str, Any]:
    return {
        "version": 1,
        "seq": {"page": ROOT_ID, "revision": 0, "image": 0, "document": 0, "collection": 1},
        "pages": {str(ROOT_ID): _root()},
        "images": {},
        "documents": {},
        "collections": {"1": "Root"},
    }


def _root() -> Record:
    content = {"title": "Root", "slug": "root", "seo_title": "", "search_description": "", "show_in_menus": False,
               "fields": {}}
    return {"id": ROOT_ID, "type": "wagtailcore.Page", "parent": None, "locale": "en", "translation_key": "root",
            "live": True, "first_published_at": None, "last_published_at": None, "draft": content,
            "live_content": copy.deepcopy(content), "revisions": []}


class Site:
    """Typed access to one state dict; every write marks it dirty so the store saves it."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.dirty = False

    def touch(self) -> None:
        self.dirty = True

    def next_id(self, kind: str) -> int:
        self.state["seq"][kind] += 1
        self.touch()
        return int(self.state["seq"][kind])

    # --- pages ---------------------------------------------------------------------------------

    @property
    def pages(self) -> dict[str, Record]:
        pages: dict[str, Record] = self.state["pages"]
        return pages

    def page(self, page_id: int | str) -> Record | None:
        return self.pages.get(str(page_id))

    def children(self, page_id: int) -> list[Record]:
        return [p for p in self.pages.values() if p["parent"] == page_id]

    def descendants(self, page_id: int) -> list[Record]:
        found: list[Record] = []
        for child in self.children(page_id):
            found.append(child)
            found.extend(self.descendants(child["id"]))
        return found

    def ancestors(self, page: Record) -> list[Record]:
        chain: list[Record] = []
        parent = self.page(page["parent"]) if page["parent"] is not None else None
        while parent is not None:
            chain.append(parent)
            parent = self.page(parent["parent"]) if parent["parent"] is not None else None
        return chain

    def url_path(self, page: Record, *, live: bool = False) -> str | None:
        """`/` for a site root (a child of Root), then the slugs below it; Root itself has none."""
        if page["id"] == ROOT_ID:
            return None
        chain = [page, *self.ancestors(page)]
        slugs = [self.content(p, live=live)["slug"] for p in reversed(chain) if p["id"] != ROOT_ID][1:]
        return "/" + "".join(f"{slug}/" for slug in slugs)

    def html_url(self, page: Record, *, live: bool = False) -> str | None:
        path = self.url_path(page, live=live)
        return SITE_URL + path if path else None

    def content(self, page: Record, *, live: bool) -> Record:
        chosen: Record = page["live_content"] if live and page["live_content"] is not None else page["draft"]
        return chosen

    def by_path(self, path: str) -> Record | None:
        for page in self.pages.values():
            if page["live"] and self.url_path(page, live=True) == path:
                return page
        return None

    def slug_taken(self, parent: int, slug: str, *, besides: int | None = None) -> bool:
        return any(p["draft"]["slug"] == slug for p in self.children(parent) if p["id"] != besides)

    def new_page(self, model: str, parent: Record, content: Record, *, locale: str | None = None,
                 translation_key: str | None = None) -> Record:
        page_id = self.next_id("page")
        page: Record = {
            "id": page_id, "type": model, "parent": parent["id"], "locale": locale or parent["locale"],
            "translation_key": translation_key or f"tk-{page_id}", "live": False, "first_published_at": None,
            "last_published_at": None, "draft": content, "live_content": None, "revisions": [],
        }
        self.pages[str(page_id)] = page
        self.save_revision(page)
        return page

    def save_revision(self, page: Record, at: str | None = None) -> None:
        page["revisions"].append({"id": self.next_id("revision"), "created_at": at or now_iso()})
        self.touch()

    def publish(self, page: Record, at: str | None = None) -> None:
        when = at or now_iso()
        page["live"] = True
        page["live_content"] = copy.deepcopy(page["draft"])
        page["first_published_at"] = page["first_published_at"] or when
        page["last_published_at"] = when
        if not page["revisions"]:
            self.save_revision(page, when)
        self.touch()

    def unpublish(self, page: Record, *, recursive: bool) -> None:
        for target in [page, *(self.descendants(page["id"]) if recursive else [])]:
            target["live"] = False
        self.touch()

    def has_unpublished_changes(self, page: Record) -> bool:
        return not page["live"] or page["draft"] != page["live_content"]

    def locales(self) -> set[str]:
        return {p["locale"] for p in self.pages.values()}

    # --- media ---------------------------------------------------------------------------------

    def table(self, name: str) -> dict[str, Record]:
        rows: dict[str, Record] = self.state[name]
        return rows

    def collection_id(self, name: str | int | None) -> int:
        """The ID of a collection named `name` (created when new); None means Root (1)."""
        if name is None:
            return 1
        if isinstance(name, int) or str(name).isdigit():
            return int(name) if str(name) in self.state["collections"] else 1
        for key, value in self.state["collections"].items():
            if value.casefold() == str(name).casefold():
                return int(key)
        new_id = self.next_id("collection")
        self.state["collections"][str(new_id)] = str(name)
        return new_id

    def collection_name(self, collection_id: int) -> str:
        return str(self.state["collections"].get(str(collection_id), "Root"))
