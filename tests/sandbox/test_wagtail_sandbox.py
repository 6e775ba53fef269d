"""The real WagtailClient against the Wagtail sandbox app, in process, over the demo site.

What any Wagtail must do (reads, writes, refusals, tokens) is in `tests/conformance/test_wagtail.py`,
run against this stand-in and a real Wagtail; here are the checks of the demo content and the store.

Every successful exchange is checked as in the adapter tests: API v3 against Wagtail's generated
OpenAPI document (whose only page type is `home.HomePage`, so the sandbox's page types are
read as that type for the check) and API v2 against the captured samples' keys.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.errors import NotFound
from adapters.wagtail import WagtailClient
from sandbox.wagtail import SANDBOX_TOKEN, WagtailStore, create_app
from tests.adapters.test_wagtail_client import spec_problems, v2_shape_problems, wagtail_v3_spec

URL = "http://wagtail.sandbox"
GENERATED_TYPES = {"home.HomePage", "wagtailcore.Page"}


def as_generated_project(body: Any) -> Any:
    """A page body with its page type read as the generated document's `home.HomePage`."""
    if isinstance(body, dict) and isinstance(body.get("meta"), dict):
        page_type = body["meta"].get("type")
        if isinstance(page_type, str) and "." in page_type and not page_type.startswith("wagtail") \
                and page_type not in GENERATED_TYPES:
            body = copy.deepcopy(body)
            body["meta"]["type"] = "home.HomePage"
    return body


def in_generated_project(request: httpx.Request) -> httpx.Request:
    """The request with `?type=` filters read as the generated document's page type."""
    params = [(k, "home.HomePage" if k == "type" and v not in GENERATED_TYPES else v)
              for k, v in request.url.params.multi_items()]
    return httpx.Request(request.method, request.url.copy_with(params=params), headers=request.headers,
                         content=request.content)


class Checked(httpx.AsyncBaseTransport):
    """Records every exchange with the app, to check it against the spec and samples."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self.exchanges.append((request, response))
        return response

    def problems(self) -> list[str]:
        found: list[str] = []
        for request, response in self.exchanges:
            if response.status_code >= 400:
                continue  # refused on purpose by a test; the refusal itself is asserted there
            if request.url.path.startswith("/api/v3/"):
                found += spec_problems(wagtail_v3_spec(), in_generated_project(request), response,
                                       rewrite=as_generated_project)
            else:
                found += v2_shape_problems(request, response)
        return found


@pytest.fixture
def store() -> WagtailStore:
    return WagtailStore.with_demo_data()


@pytest.fixture
def checked(store: WagtailStore) -> Iterator[Checked]:
    transport = Checked(httpx.ASGITransport(app=create_app(store)))
    yield transport
    assert transport.problems() == []


@pytest.fixture
async def client(checked: Checked) -> AsyncIterator[WagtailClient]:
    async with WagtailClient(URL, SANDBOX_TOKEN, transport=checked, backoff=0) as wagtail:
        yield wagtail


def pages(store: WagtailStore) -> dict[str, dict[str, Any]]:
    return {p["title"]: p for p in store.dump()["pages"]}


# --- reads -----------------------------------------------------------------------------------------


async def test_search_marks_live_and_draft_pages(client: WagtailClient) -> None:
    blog = {p["title"]: p["status"] for p in await client.page_search(page_type="blog")}
    assert blog["Launch post: BizOSaaS is here"] == "draft"
    assert blog["How Google reviews bring in local customers"] == "live"
    live = [p["title"] for p in await client.page_search(page_type="blog", status="live")]
    assert "Launch post: BizOSaaS is here" not in live and len(live) == 3
    listings = await client.page_search(parent="Business Directory", limit=50)
    assert {p["title"] for p in listings} == {"Beanbar Cafe", "Casa Verde", "Sunrise Bakery", "Glow Salon",
                                              "Greenleaf Pharmacy", "Align Physiotherapy"}


async def test_search_finds_missing_seo_and_stale_pages(client: WagtailClient) -> None:
    missing = {p["title"] for p in await client.page_search(missing="search_description", limit=50)}
    assert {"5 SEO quick wins for cafes", "About", "Launch post: BizOSaaS is here"} <= missing
    assert "How Google reviews bring in local customers" not in missing
    stale = {p["title"]: p["last_updated_at"] for p in await client.page_search(not_updated_days=365, limit=50)}
    assert stale["Pricing"].startswith("2024-") and "Website Design" not in stale


async def test_page_get_shows_the_latest_draft_against_live(client: WagtailClient) -> None:
    latest = await client.page_get("Spring promo ideas")
    assert latest["body"] == "Five spring promotions that work (updated for 2026)."
    assert (latest["has_unpublished_changes"], latest["changed_fields"]) == (True, ["body"])
    live = await client.page_get("/blog/spring-promo-ideas/", revision="live")
    assert live["body"] == "Three spring promotions that work."
    with pytest.raises(NotFound) as caught:
        await client.page_get("launch", revision="live")
    assert caught.value.field == "revision"


# --- writes ----------------------------------------------------------------------------------------


async def test_create_draft_is_created_once_and_not_served_until_published(client: WagtailClient,
                                                                           store: WagtailStore) -> None:
    first = await client.page_create_draft(parent="Blog", page_type="blog", title="Holiday hours guide",
                                           body="# Holiday hours\n\nTell customers **early**.",
                                           fields={"author": "Priya"}, search_description="When we are open")
    again = await client.page_create_draft(parent="/blog/", page_type="blog", title="Holiday hours guide")
    assert (first["existing"], again["existing"], again["id"]) == (False, True, first["id"])
    saved = pages(store)["Holiday hours guide"]
    assert (saved["status"], saved["url_path"], saved["fields"]["author"]) == ("draft", "/blog/holiday-hours-guide/", "Priya")
    assert saved["body"] == "# Holiday hours\n\nTell customers **early**."
    assert "Holiday hours guide" not in {p["title"] for p in await client.page_search(status="live", limit=50)}
    published = await client.page_publish("Holiday hours guide")
    assert published["status"] == "live" and pages(store)["Holiday hours guide"]["status"] == "live"
    found = await client.page_get("/blog/holiday-hours-guide/")
    assert found["id"] == first["id"] and found["has_unpublished_changes"] is False


async def test_translation_is_created_once_and_listed(client: WagtailClient, store: WagtailStore) -> None:
    made = await client.page_create_draft(parent="Services", page_type="service", title="Paquete SEO",
                                          translation_of="SEO Package", locale="es", body="SEO local.")
    again = await client.page_create_draft(parent="Services", page_type="service", title="Paquete SEO",
                                           translation_of="SEO Package", locale="es")
    assert (made["locale"], again["existing"], again["id"]) == ("es", True, made["id"])
    source = await client.page_get("SEO Package")
    assert [(t["id"], t["locale"]) for t in source["translations"]] == [(made["id"], "es")]
    assert pages(store)["Paquete SEO"]["status"] == "draft"


async def test_update_saves_a_draft_and_publish_makes_it_live(client: WagtailClient, store: WagtailStore) -> None:
    updated = await client.page_update("Pricing", body="Plans from $249 a month (2026 prices).", seo_title="Plans")
    assert updated["has_unpublished_changes"] is True
    assert (await client.page_get("Pricing", revision="live"))["body"] == "Plans from $199 a month (2024 prices)."
    await client.page_publish("pricing")
    assert pages(store)["Pricing"]["has_unpublished_changes"] is False
    assert (await client.page_get("Pricing", revision="live"))["body"].startswith("Plans from $249")


async def test_unpublish_takes_children_offline_and_repeats_as_done(client: WagtailClient, store: WagtailStore) -> None:
    done = await client.page_unpublish("Business Directory", reason="moving to a new site", include_children=True)
    assert (done["status"], done["already"]) == ("draft", False)
    statuses = {t: p["status"] for t, p in pages(store).items()}
    assert statuses["Business Directory"] == statuses["Beanbar Cafe"] == "draft"
    again = await client.page_unpublish("/summer-promo/")
    assert again["already"] is False
    assert (await client.page_unpublish("Summer Promo"))["already"] is True


async def test_images_and_documents(client: WagtailClient, store: WagtailStore) -> None:
    missing = {i["title"] for i in await client.image_search(missing_alt_text=True)}
    assert missing == {"Casa Verde dining room", "Sunrise Bakery croissants", "Team photo"}
    updated = await client.image_update("casa verde dining room", alt_text="Tables set for dinner at Casa Verde")
    assert updated["alt_text"] == "Tables set for dinner at Casa Verde"
    saved = {i["title"]: i for i in store.dump()["images"]}
    assert saved["Casa Verde dining room"]["alt_text"] == "Tables set for dinner at Casa Verde"
    [rate_card] = await client.document_search(query="rate card")
    assert rate_card["title"] == "Rate card 2026" and rate_card["download_url"].endswith("rate-card-2026.pdf")


# --- the store -------------------------------------------------------------------------------------


async def test_two_stores_on_one_path_share_the_site(tmp_path: Path) -> None:
    path = tmp_path / "wagtail.json"
    first = WagtailStore.with_demo_data(path)
    async with WagtailClient(URL, SANDBOX_TOKEN, transport=httpx.ASGITransport(app=create_app(first))) as client:
        await client.page_publish("launch")
    second = WagtailStore(path)
    assert pages(second)["Launch post: BizOSaaS is here"]["status"] == "live"
    assert len(WagtailStore.with_demo_data(path).dump()["pages"]) == len(first.dump()["pages"])


def test_seed_and_dump_round_trip(store: WagtailStore) -> None:
    before = store.dump()
    store.reset()
    assert store.dump() == {"pages": [], "images": [], "documents": []}
    store.seed(before)
    after = store.dump()
    keys = ("title", "slug", "page_type", "parent", "url_path", "status", "body", "seo_title", "search_description",
            "fields", "locale")
    assert [{k: p[k] for k in keys} for p in after["pages"]] == [{k: p[k] for k in keys} for p in before["pages"]]
    assert [{k: v for k, v in i.items() if k != "id"} for i in after["images"]] == \
        [{k: v for k, v in i.items() if k != "id"} for i in before["images"]]
    store.seed({"pages": [{"title": "Launch post: BizOSaaS is here", "status": "live"}]})
    assert pages(store)["Launch post: BizOSaaS is here"]["status"] == "live"
