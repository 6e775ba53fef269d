"""The Wagtail interface: WagtailClient against the sandbox stand-in and a real Wagtail 8.0.1 site.

Both backends hold the same content: the real site is seeded by `servers/wagtail/site/.../
brain_seed.py`, the stand-in with `SEED` below (the same pages, images and document). The seeded
blog (`/blog/`: two live posts, one draft) is only read; every write happens under `/newsroom/`
with titles of its own test, so the tests do not depend on their order (the real site lives for
the whole session).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from adapters.errors import AuthError, InvalidRequest, NotFound
from adapters.wagtail import WagtailClient
from bootstrap import stand_ins
from runtime.settings import Settings
from runtime.wiring import wagtail as wagtail_wiring
from sandbox.wagtail import WagtailStore
from tests.conformance.conftest import SANDBOX, real_or_sandbox

BLOG_POSTS = {"Spring Launch": "live", "Summer Sale": "live", "Autumn Plans": "draft"}
LONG_AGO = "2020-01-06T09:30:00Z"
SEED: dict[str, Any] = {
    "pages": [
        {"title": "Home", "slug": "home-page", "page_type": "home", "fields": {"intro": "Welcome"}},
        {"title": "Blog", "slug": "blog", "page_type": "blog_index", "fields": {"intro": "News from the shop"}},
        {"title": "Newsroom", "slug": "newsroom", "page_type": "blog_index", "fields": {"intro": "Press"}},
        {"title": "Spring Launch", "slug": "spring-launch", "page_type": "blog", "parent": "/blog/",
         "fields": {"intro": "The spring collection is here"},
         "body": "The **spring** collection launches with the Red Mug."},
        {"title": "Summer Sale", "slug": "summer-sale", "page_type": "blog", "parent": "/blog/",
         "fields": {"intro": "Twenty percent off"}, "body": "Everything is cheaper in summer.",
         "seo_title": "Summer sale: 20% off", "updated_at": LONG_AGO, "first_published_at": LONG_AGO},
        {"title": "Autumn Plans", "slug": "autumn-plans", "page_type": "blog", "parent": "/blog/", "status": "draft",
         "fields": {"intro": "What comes next"}, "body": "A draft about autumn."},
    ],
    "images": [
        {"title": "Red Mug photo", "alt_text": "A red mug on a wooden table", "width": 64, "height": 48,
         "file": "red.png"},
        {"title": "Team photo", "alt_text": "", "collection": "Marketing", "width": 64, "height": 48, "file": "blue.png"},
        {"title": "Banner", "alt_text": "", "width": 64, "height": 48, "file": "green.png"},
    ],
    "documents": [{"title": "Spring price list", "file": "prices.txt"}],
}

Connect = Callable[[str | None], WagtailClient]


@pytest.fixture(params=real_or_sandbox())
def connect(request: pytest.FixtureRequest) -> Connect:
    """Builds a client of the backend, as the runtime does; with a token, one holding that token."""
    if request.param == SANDBOX:
        store = WagtailStore()
        store.seed(SEED)

        def sandbox(token: str | None = None) -> WagtailClient:
            if token is None:
                return stand_ins.wagtail_client(Settings(), store)
            app = stand_ins.wagtail_app(Settings(), store)
            return WagtailClient("http://wagtail.sandbox", token, transport=httpx.ASGITransport(app=app))

        return sandbox
    site = request.getfixturevalue("wagtail_site")

    def real(token: str | None = None) -> WagtailClient:
        settings = Settings(wagtail_url=site.url, wagtail_token=SecretStr(token or site.token))
        client = wagtail_wiring.real_client(settings, "tenant-conformance")
        assert client is not None
        return client

    return real


@pytest.fixture
async def wagtail(connect: Connect) -> AsyncIterator[WagtailClient]:
    async with connect(None) as client:
        yield client


def by_title(pages: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {page["title"]: page for page in pages}


def filled(fields: dict[str, Any]) -> dict[str, Any]:
    """A page's fields that hold a value: the page models are each project's own (the stand-in's
    BlogPage also has `date` and `author`, empty here)."""
    return {name: value for name, value in fields.items() if value is not None}


# --- API v2 reads (live pages) and v3 (drafts) -----------------------------------------------------


async def test_search_lists_live_and_draft_pages_without_the_tree_root(wagtail: WagtailClient) -> None:
    pages = by_title(await wagtail.page_search(limit=50))
    assert {"Home", "Blog", "Newsroom", *BLOG_POSTS} <= set(pages)
    assert "Root" not in pages
    assert {title: pages[title]["status"] for title in BLOG_POSTS} == BLOG_POSTS
    home = pages["Home"]
    assert (home["type"], home["page_type"], home["url_path"], home["locale"]) == ("home.HomePage", "home", "/", "en")
    assert pages["Spring Launch"]["first_published_at"]
    assert pages["Autumn Plans"]["first_published_at"] is None


async def test_search_by_type_status_and_parent(wagtail: WagtailClient) -> None:
    live_posts = await wagtail.page_search(page_type="blog", status="live", parent="/blog/")
    assert [(p["title"], p["url_path"], p["page_type"]) for p in live_posts] == [
        ("Spring Launch", "/blog/spring-launch/", "blog"), ("Summer Sale", "/blog/summer-sale/", "blog")]
    drafts = await wagtail.page_search(parent="Blog", status="draft")
    assert [(p["title"], p["status"], p["url_path"]) for p in drafts] == [("Autumn Plans", "draft", "/blog/autumn-plans/")]
    children = await wagtail.page_search(parent="blog")  # by slug; `any` lists v3, marking the live ones
    assert {p["title"]: p["status"] for p in children} == BLOG_POSTS
    indexes = await wagtail.page_search(page_type="blog_index", status="live")
    assert {"Blog", "Newsroom"} <= {p["title"] for p in indexes}


async def test_full_text_search_reaches_live_pages_and_drafts(wagtail: WagtailClient) -> None:
    assert [p["title"] for p in await wagtail.page_search(query="spring", status="live")] == ["Spring Launch"]
    assert [(p["title"], p["status"]) for p in await wagtail.page_search(query="autumn")] == [("Autumn Plans", "draft")]
    assert await wagtail.page_search(query="zeppelin") == []


async def test_search_by_missing_seo_field_and_staleness(wagtail: WagtailClient) -> None:
    missing = await wagtail.page_search(parent="/blog/", missing="seo_title")
    assert sorted(p["title"] for p in missing) == ["Autumn Plans", "Spring Launch"]
    stale = await wagtail.page_search(parent="/blog/", not_updated_days=30)  # seeded: last edited in 2020
    assert [(p["title"], p["last_updated_at"][:10]) for p in stale] == [("Summer Sale", "2020-01-06")]
    assert await wagtail.page_search(parent="/blog/", not_updated_days=3650) == []


async def test_get_a_live_page_by_url_path_title_and_id(wagtail: WagtailClient) -> None:
    page = await wagtail.page_get("/blog/spring-launch/")  # v2 find/ redirects to the site's own hostname
    assert (page["title"], page["status"], page["type"], page["slug"]) == (
        "Spring Launch", "live", "blog.BlogPage", "spring-launch")
    assert page["body"].strip() == "The **spring** collection launches with the Red Mug."
    assert filled(page["fields"]) == {"intro": "The spring collection is here"}
    assert page["parent"]["title"] == "Blog"
    assert (page["has_unpublished_changes"], page["changed_fields"], page["translations"]) == (False, [], [])
    assert page["live"] == {"title": "Spring Launch", "url_path": "/blog/spring-launch/"}
    assert (await wagtail.page_get("Spring Launch"))["id"] == page["id"]
    assert (await wagtail.page_get(str(page["id"])))["url_path"] == "/blog/spring-launch/"
    summer = await wagtail.page_get("summer-sale", revision="live")
    assert (summer["seo_title"], summer["revision"]) == ("Summer sale: 20% off", "live")


async def test_get_a_draft_only_page(wagtail: WagtailClient) -> None:
    page = await wagtail.page_get("autumn-plans")
    assert (page["title"], page["status"], page["live"], page["has_unpublished_changes"]) == (
        "Autumn Plans", "draft", None, True)
    assert page["body"].strip() == "A draft about autumn."
    with pytest.raises(NotFound) as caught:
        await wagtail.page_get("autumn-plans", revision="live")
    assert caught.value.field == "revision"


async def test_unknown_pages_and_types_are_typed_errors(wagtail: WagtailClient) -> None:
    with pytest.raises(NotFound) as missing:
        await wagtail.page_get("/no/such/page/")
    assert missing.value.field == "page"
    with pytest.raises(InvalidRequest) as bad_type:
        await wagtail.page_search(page_type="blog.NoSuchPage", status="live")
    assert bad_type.value.system == "wagtail" and "type" in bad_type.value.message  # Wagtail's own 400 message


async def test_writes_need_a_valid_token(connect: Connect) -> None:
    async with connect("wagtail_not-a-real-token") as client:
        assert await client.page_search(status="live", page_type="blog")  # API v2 is public
        with pytest.raises(AuthError) as caught:
            await client.page_create_draft(parent="/newsroom/", page_type="blog", title="Should not exist")
    assert caught.value.status in (401, 403) and "wagtail_not-a-real-token" not in str(caught.value)


@pytest.mark.parametrize(("call", "field"), [
    (lambda c: c.page_get("No such page"), "page"),
    (lambda c: c.page_create_draft(parent="Nowhere", page_type="blog", title="x"), "parent"),
    (lambda c: c.page_create_draft(parent="Blog", page_type="podcast", title="x"), "page_type"),
    (lambda c: c.image_update("No such image", alt_text="x"), "image"),
    (lambda c: c.page_update("Blog", slug="newsroom"), "slug"),
])
async def test_refusals_name_the_field(wagtail: WagtailClient, call: Any, field: str) -> None:
    with pytest.raises((NotFound, InvalidRequest)) as caught:
        await call(wagtail)
    assert caught.value.field == field


async def test_a_field_the_page_type_lacks_is_ignored(wagtail: WagtailClient) -> None:
    """Wagtail's write schemas drop unknown keys without a word (the stand-in refused them once)."""
    created = await wagtail.page_create_draft(parent="/newsroom/", page_type="blog", title="Colour notes")
    await wagtail.page_update(str(created["id"]), fields={"colour": "red"}, seo_title="Colours")
    page = await wagtail.page_get(str(created["id"]))
    assert (page["seo_title"], "colour" in page["fields"]) == ("Colours", False)


# --- images and documents (API v3) ----------------------------------------------------------------


async def test_image_search_by_text_alt_text_and_collection(wagtail: WagtailClient) -> None:
    images = by_title(await wagtail.image_search())
    assert {"Red Mug photo", "Team photo", "Banner"} <= set(images)
    mug = images["Red Mug photo"]
    assert (mug["alt_text"], mug["width"], mug["height"]) == ("A red mug on a wooden table", 64, 48)
    assert mug["download_url"].endswith(".png")
    assert [i["title"] for i in await wagtail.image_search(query="mug")] == ["Red Mug photo"]
    assert "Team photo" in {i["title"] for i in await wagtail.image_search(missing_alt_text=True)}
    assert "Red Mug photo" not in {i["title"] for i in await wagtail.image_search(missing_alt_text=True)}
    team = images["Team photo"]
    assert team["collection"] != mug["collection"]
    assert [i["title"] for i in await wagtail.image_search(collection=str(team["collection"]))] == ["Team photo"]


async def test_image_update_sets_title_and_alt_text(wagtail: WagtailClient) -> None:
    updated = await wagtail.image_update("Banner", alt_text="A green banner")
    assert (updated["title"], updated["alt_text"]) == ("Banner", "A green banner")
    renamed = await wagtail.image_update(str(updated["id"]), title="Green banner")
    assert (renamed["title"], renamed["alt_text"]) == ("Green banner", "A green banner")
    assert by_title(await wagtail.image_search())["Green banner"]["alt_text"] == "A green banner"


async def test_document_search(wagtail: WagtailClient) -> None:
    documents = await wagtail.document_search(query="price")
    assert [(d["title"], d["download_url"].rsplit("/", 1)[-1]) for d in documents] == [("Spring price list", "prices.txt")]
    assert await wagtail.document_search(query="zeppelin") == []


# --- API v3 writes: draft, revision, publish, unpublish ------------------------------------------


async def test_draft_update_publish_unpublish_round_trip(wagtail: WagtailClient) -> None:
    created = await wagtail.page_create_draft(
        parent="/newsroom/", page_type="blog", title="Winter Preview", body="Hello **winter**",
        seo_title="Winter is coming", fields={"intro": "Cold days ahead"})
    assert (created["status"], created["existing"], created["url_path"], created["seo_title"]) == (
        "draft", False, "/newsroom/winter-preview/", "Winter is coming")
    assert created["parent"]["title"] == "Newsroom"
    assert "Winter Preview" not in {p["title"] for p in await wagtail.page_search(parent="/newsroom/", status="live")}

    again = await wagtail.page_create_draft(parent="/newsroom/", page_type="blog", title="Winter Preview")
    assert (again["id"], again["existing"]) == (created["id"], True)

    updated = await wagtail.page_update("winter-preview", body="Updated *body*")
    assert updated["changed"] == ["body"] and updated["status"] == "draft"
    draft = await wagtail.page_get(str(created["id"]))
    assert draft["body"].strip() == "Updated *body*"
    assert filled(draft["fields"]) == {"intro": "Cold days ahead"}

    published = await wagtail.page_publish("/newsroom/winter-preview/")
    assert (published["status"], published["was_live"]) == ("live", False)
    live = await wagtail.page_get("/newsroom/winter-preview/")  # now served by API v2
    assert (live["status"], live["has_unpublished_changes"], live["first_published_at"] is not None) == ("live", False, True)

    retitled = await wagtail.page_update("/newsroom/winter-preview/", title="Winter Preview II")
    assert (retitled["has_unpublished_changes"], retitled["changed"]) == (True, ["title"])
    pending = await wagtail.page_get(str(created["id"]))
    assert (pending["title"], pending["changed_fields"], pending["live"]["title"]) == (
        "Winter Preview II", ["title"], "Winter Preview")
    await wagtail.page_publish(str(created["id"]))
    assert (await wagtail.page_get(str(created["id"]), revision="live"))["title"] == "Winter Preview II"

    unpublished = await wagtail.page_unpublish("/newsroom/winter-preview/", reason="season over")
    assert (unpublished["status"], unpublished["already"], unpublished["reason"]) == ("draft", False, "season over")
    assert "Winter Preview II" not in {p["title"] for p in await wagtail.page_search(parent="/newsroom/", status="live")}
    repeated = await wagtail.page_unpublish(str(created["id"]))
    assert (repeated["status"], repeated["already"]) == ("draft", True)


async def test_plain_text_fields_and_seo_fields_are_written(wagtail: WagtailClient) -> None:
    created = await wagtail.page_create_draft(parent="Newsroom", page_type="blog", title="Press kit",
                                              search_description="Logos and photos")
    updated = await wagtail.page_update(str(created["id"]), fields={"intro": "Everything for journalists"},
                                        seo_title="Press kit | Shop")
    assert sorted(updated["changed"]) == ["intro", "seo_title"]
    page = await wagtail.page_get(str(created["id"]))
    assert (page["seo_title"], page["search_description"], page["fields"]["intro"]) == (
        "Press kit | Shop", "Logos and photos", "Everything for journalists")
    with pytest.raises(InvalidRequest) as caught:  # the model's max_length, checked by Wagtail's write schema
        await wagtail.page_update(str(created["id"]), fields={"intro": "x" * 300})
    assert (caught.value.system, caught.value.field) == ("wagtail", "intro")


async def test_a_translation_brings_its_untranslated_parents_along(wagtail: WagtailClient) -> None:
    source = await wagtail.page_create_draft(parent="/newsroom/", page_type="blog", title="Launch notes",
                                             body="Notes about the launch")
    french = await wagtail.page_create_draft(parent="/newsroom/", page_type="blog", title="Notes de lancement",
                                             body="Des notes", locale="fr", translation_of=str(source["id"]))
    assert (french["title"], french["locale"], french["status"], french["existing"]) == (
        "Notes de lancement", "fr", "draft", False)
    again = await wagtail.page_create_draft(parent="/newsroom/", page_type="blog", title="Notes de lancement",
                                            locale="fr", translation_of=str(source["id"]))
    assert (again["id"], again["existing"]) == (french["id"], True)
    original = await wagtail.page_get(str(source["id"]))
    assert [(t["id"], t["locale"]) for t in original["translations"]] == [(french["id"], "fr")]
    # Wagtail wants the parent translated first: the newsroom and the home page were copied as drafts.
    assert [t["locale"] for t in (await wagtail.page_get("/newsroom/"))["translations"]] == ["fr"]
    assert [t["locale"] for t in (await wagtail.page_get("/"))["translations"]] == ["fr"]
    assert [p["title"] for p in await wagtail.page_search(query="lancement", locale="fr")] == ["Notes de lancement"]
