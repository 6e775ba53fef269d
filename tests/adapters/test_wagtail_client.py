"""WagtailClient over respx-mocked HTTP: reads, writes, typed errors, retries, secrets.

Every API v3 request the client sends and every canned v3 answer is validated against Wagtail's
generated OpenAPI document (`shared/specs/wagtail/v3-openapi.generated.json`) when the test
ends. API v2 has no spec here: its requests are checked against the documented parameters and
its canned answers against the keys of the captured samples (`shared/specs/wagtail/samples/`).
The generated document describes one project whose only page type is `home.HomePage` with a
writable plain-text `intro`, so these tests configure the client for that project.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from adapters.errors import AuthError, Conflict, InvalidRequest, NotFound, RateLimited, Unavailable
from adapters.wagtail import WagtailClient

SHARED = Path(os.environ.get("BRAIN_SHARED_DIR", Path(__file__).resolve().parents[2].parent / "shared"))
WAGTAIL_SPECS = SHARED / "specs" / "wagtail"
SAMPLES = WAGTAIL_SPECS / "samples"
BASE = "http://wagtail.local"
TOKEN = "wagtail-secret-token-123"
V2_PARAMS = {"type", "fields", "search", "search_operator", "child_of", "ancestor_of", "descendant_of",
             "translation_of", "locale", "site", "order", "limit", "offset", "slug", "title", "html_path"}


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


# --- OpenAPI checks (openapi-core's request/response protocols over httpx objects) -------------------


class OpenAPIRequest:
    """An httpx.Request as openapi-core's Request protocol."""

    def __init__(self, request: httpx.Request, body: bytes | None = None) -> None:
        self.method = request.method.lower()
        self.host_url = f"{request.url.scheme}://{request.url.netloc.decode()}"
        self.path = request.url.path
        self.full_url_pattern = self.host_url + self.path
        self.body = body if body is not None else (request.content or None)
        self.content_type = request.headers.get("content-type", "application/json")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(request.url.params.multi_items())),
            header=Headers(list(request.headers.items())), cookie=ImmutableMultiDict(),
        )


class OpenAPIResponse:
    """An httpx.Response as openapi-core's Response protocol."""

    def __init__(self, response: httpx.Response, body: bytes | None = None) -> None:
        self.status_code = response.status_code
        self.data = body if body is not None else response.content
        self.content_type = response.headers.get("content-type", "application/json")
        self.headers = Headers(list(response.headers.items()))


def _describe(exc: Exception) -> str:
    cause = exc.__cause__
    details = [f"{list(e.absolute_path)}: {e.message}" for e in getattr(cause, "schema_errors", None) or []]
    return f"{type(exc).__name__}: {exc}; {'; '.join(details) or cause!r}"


def spec_problems(spec: OpenAPI, request: httpx.Request, response: httpx.Response | None,
                  rewrite: Callable[[Any], Any] | None = None) -> list[str]:
    """Every way one exchange breaks the spec (the answer is checked when it is a 2xx)."""
    def body(content: bytes) -> bytes | None:
        if not content or rewrite is None:
            return content or None
        return json.dumps(rewrite(json.loads(content))).encode()

    problems = []
    openapi_request = OpenAPIRequest(request, body(request.content))
    try:
        spec.validate_request(openapi_request)
    except Exception as exc:  # openapi-core raises one of many validation error types
        problems.append(f"request {request.method} {request.url.path}: {_describe(exc)}")
    if response is not None and 200 <= response.status_code < 300:
        try:
            spec.validate_response(openapi_request, OpenAPIResponse(response, body(response.content)))
        except Exception as exc:
            problems.append(f"answer to {request.method} {request.url.path}: {_describe(exc)}")
    return problems


@functools.cache
def wagtail_v3_spec() -> OpenAPI:
    # The generated document fails openapi-spec-validator on one point unrelated to what is checked
    # here (its `AllowAnonymous` http scheme has no `scheme`), so the document check is skipped.
    return OpenAPI.from_file_path(str(WAGTAIL_SPECS / "v3-openapi.generated.json"),
                                  config=Config(spec_validator_cls=None))


def v2_shape_problems(request: httpx.Request, response: httpx.Response) -> list[str]:
    """API v2 requests use documented parameters; answers have the captured samples' keys."""
    problems = [f"unknown v2 parameter {k}" for k in request.url.params if k not in V2_PARAMS]
    if response.status_code >= 300:
        if response.status_code < 400 or not response.content:
            return problems
        if set(response.json()) != set(sample("error_unknown_field_400.json")):
            problems.append(f"v2 error shape {response.json()}")
        return problems
    body = response.json()
    detail_meta = set(sample("page_detail.json")["meta"]) | {"locale"}
    items = body.get("items") if "items" in body else [body]
    if "items" in body and (set(body) != {"meta", "items"} or set(body["meta"]) != {"total_count"}):
        problems.append(f"v2 listing envelope {sorted(body)}")
    for item in items:
        if not {"id", "meta"} <= set(item) or not set(item["meta"]) <= detail_meta:
            problems.append(f"v2 item keys {sorted(item)} / meta {sorted(item.get('meta', {}))}")
    return problems


class WagtailHTTP:
    """A respx router for the site; checks every exchange when the test ends."""

    def __init__(self, router: respx.MockRouter) -> None:
        self.router = router

    def problems(self) -> list[str]:
        found: list[str] = []
        for call in self.router.calls:
            response = call.response if call.has_response else None
            if call.request.url.path.startswith("/api/v3/"):
                found += spec_problems(wagtail_v3_spec(), call.request, response)
            elif response is not None:
                found += v2_shape_problems(call.request, response)
        return found

    def paths(self) -> list[str]:
        return [f"{c.request.method} {c.request.url.path}" for c in self.router.calls]


@pytest.fixture
def wagtail_http() -> Iterator[WagtailHTTP]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        http = WagtailHTTP(router)
        yield http
        assert http.problems() == []


@pytest.fixture
async def client() -> Any:
    async with WagtailClient(BASE, TOKEN, page_types={"home": "home.HomePage", "page": "wagtailcore.Page"},
                             body_fields={"home.HomePage": "intro"}, plain_body_models={"home.HomePage"},
                             max_retries=2, backoff=0) as wagtail:
        yield wagtail


# --- canned answers --------------------------------------------------------------------------------


def v3_page(page_id: int = 4, title: str = "Adapter test page (edited)", slug: str = "adapter-test",
            **meta: Any) -> dict[str, Any]:
    page = copy.deepcopy(sample("v3_page_detail.json"))
    page.update(id=page_id, title=title)
    page["meta"].update(slug=slug, detail_url=f"http://localhost/api/v3/pages/{page_id}/",
                        html_url=f"http://localhost/{slug}/", **meta)
    return page


def v3_list(*pages: dict[str, Any]) -> dict[str, Any]:
    items = [{"id": p["id"], "title": p["title"], "meta": {k: p["meta"][k] for k in (
        "type", "detail_url", "html_url", "locale", "slug", "first_published_at")}} for p in pages]
    return {"items": items, "count": len(items)}


def v2_list(*items: dict[str, Any]) -> dict[str, Any]:
    return {"meta": {"total_count": len(items)}, "items": list(items)}


EMPTY_V2 = v2_list()
EMPTY_V3 = {"items": [], "count": 0}
HOME_V2 = sample("pages_list.json")["items"][0]
DETAIL_V2 = sample("page_detail.json")


def image(image_id: int = 7, title: str = "Team photo", description: str = "") -> dict[str, Any]:
    return {"meta": {"type": "wagtailimages.Image", "detail_url": f"http://localhost/api/v3/images/{image_id}/",
                     "tags": ["about"], "download_url": "/media/original_images/team.jpg"},
            "id": image_id, "title": title, "width": 1200, "height": 800, "description": description,
            "collection": {"meta": {"type": "wagtailcore.Collection"}, "id": 3}}


# --- reads -----------------------------------------------------------------------------------------


async def test_live_search_reads_api_v2_with_the_seo_fields(wagtail_http: WagtailHTTP, client: WagtailClient) -> None:
    route = wagtail_http.router.get("/api/v2/pages/").respond(json=sample("pages_list.json"))
    pages = await client.page_search(query="adapter", status="live", page_type="home")
    assert [(p["id"], p["title"], p["status"], p["url_path"], p["page_type"]) for p in pages] == [
        (3, "Home", "live", "/", "home"), (4, "Adapter test page (edited)", "live", "/adapter-test/", "home")]
    params = route.calls[0].request.url.params
    assert (params["type"], params["search"], params["fields"], params["limit"]) == (
        "home.HomePage", "adapter", "seo_title,search_description", "20")
    assert wagtail_http.paths() == ["GET /api/v2/pages/"]


async def test_any_status_marks_draft_only_pages_from_api_v3(wagtail_http: WagtailHTTP, client: WagtailClient) -> None:
    wagtail_http.router.get("/api/v2/pages/").respond(json=sample("pages_list_filtered.json"))
    draft = v3_page(9, "Launch post", "launch", first_published_at=None)
    v3 = wagtail_http.router.get("/api/v3/pages/").respond(json=v3_list(v3_page(), draft))
    pages = await client.page_search(query="post")
    assert [(p["id"], p["status"]) for p in pages] == [(4, "live"), (9, "draft")]
    assert v3.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "Authorization" not in wagtail_http.router.calls[0].request.headers  # v2 is public


async def test_page_get_compares_the_latest_draft_with_live(wagtail_http: WagtailHTTP, client: WagtailClient) -> None:
    router = wagtail_http.router
    router.get("/api/v2/pages/4/").respond(json=DETAIL_V2)
    router.get("/api/v3/pages/4/", params={"version": "draft"}).respond(json={**v3_page(), "intro": "New intro"})
    router.get("/api/v3/pages/4/", params={"version": "live"}).respond(json=v3_page())
    router.get("/api/v3/pages/").respond(json=EMPTY_V3)
    page = await client.page_get("4")
    assert (page["title"], page["body"], page["status"], page["parent"]) == (
        "Adapter test page (edited)", "New intro", "live", {"id": 3, "title": "Home"})
    assert (page["has_unpublished_changes"], page["changed_fields"]) == (True, ["body"])
    assert page["translations"] == []


async def test_a_page_is_found_by_url_path_through_v2_find(wagtail_http: WagtailHTTP, client: WagtailClient) -> None:
    router = wagtail_http.router
    router.get("/api/v2/pages/find/").respond(302, headers={"Location": f"{BASE}/api/v2/pages/4/"})
    router.get("/api/v2/pages/4/").respond(json=DETAIL_V2)
    router.post("/api/v3/pages/4/actions/publish/").respond(json=v3_page())
    result = await client.page_publish("/adapter-test")
    assert (result["id"], result["status"]) == (4, "live")
    assert router.calls[0].request.url.params["html_path"] == "/adapter-test/"


async def test_ambiguous_titles_name_the_argument(wagtail_http: WagtailHTTP, client: WagtailClient) -> None:
    twins = [{**HOME_V2, "id": i, "title": "Promo", "meta": {**HOME_V2["meta"], "slug": f"promo-{i}"}} for i in (5, 6)]
    wagtail_http.router.get("/api/v2/pages/", params={"search": "Promo"}).respond(json=v2_list(*twins))
    wagtail_http.router.get("/api/v2/pages/").respond(json=EMPTY_V2)
    with pytest.raises(InvalidRequest) as caught:
        await client.page_publish("Promo")
    assert caught.value.field == "page" and "2 pages" in caught.value.message


# --- writes ----------------------------------------------------------------------------------------


async def test_create_draft_posts_to_api_v3_without_publishing(wagtail_http: WagtailHTTP, client: WagtailClient) -> None:
    router = wagtail_http.router
    router.get("/api/v2/pages/3/").respond(json={**DETAIL_V2, "id": 3, "title": "Home"})
    router.get("/api/v3/pages/").respond(json=EMPTY_V3)
    create = router.post("/api/v3/pages/").respond(201, json=v3_page(10, "Spring news", "spring-news",
                                                                       first_published_at=None))
    page = await client.page_create_draft(parent="3", page_type="home", title="Spring news", body="Hello",
                                          seo_title="Spring")
    assert (page["id"], page["status"], page["existing"]) == (10, "draft", False)
    sent = json.loads(create.calls[0].request.content)
    assert sent == {"meta": {"type": "home.HomePage", "parent_id": 3}, "title": "Spring news",
                    "slug": "spring-news", "seo_title": "Spring", "intro": "Hello"}


async def test_create_draft_returns_the_existing_page_with_that_slug(wagtail_http: WagtailHTTP,
                                                                      client: WagtailClient) -> None:
    router = wagtail_http.router
    router.get("/api/v2/pages/3/").respond(json={**DETAIL_V2, "id": 3, "title": "Home"})
    router.get("/api/v3/pages/", params={"child_of": "3"}).respond(json=v3_list(v3_page()))
    router.get("/api/v3/pages/").respond(json=EMPTY_V3)
    router.get("/api/v2/pages/4/").respond(json=DETAIL_V2)
    router.get("/api/v3/pages/4/").respond(json=v3_page())
    create = router.post("/api/v3/pages/")
    page = await client.page_create_draft(parent="3", page_type="home", title="Adapter test")
    assert (page["id"], page["existing"]) == (4, True)
    assert not create.called


async def test_update_saves_a_revision_with_patch(wagtail_http: WagtailHTTP, client: WagtailClient) -> None:
    wagtail_http.router.get("/api/v2/pages/4/").respond(json=DETAIL_V2)
    patch = wagtail_http.router.patch("/api/v3/pages/4/").respond(json=v3_page(4, "Renamed"))
    result = await client.page_update("4", title="Renamed", body="Shorter intro")
    assert json.loads(patch.calls[0].request.content) == {
        "meta": {"type": "home.HomePage"}, "title": "Renamed", "intro": "Shorter intro"}
    assert (result["title"], result["has_unpublished_changes"], result["changed"]) == ("Renamed", True, ["intro", "title"])


async def test_unpublish_sends_recursive_and_reports_a_draft(wagtail_http: WagtailHTTP, client: WagtailClient) -> None:
    wagtail_http.router.get("/api/v2/pages/4/").respond(json=DETAIL_V2)
    action = wagtail_http.router.post("/api/v3/pages/4/actions/unpublish/").respond(json=v3_page())
    result = await client.page_unpublish("4", reason="season over", include_children=True)
    assert json.loads(action.calls[0].request.content) == {"recursive": True}
    assert (result["status"], result["reason"]) == ("draft", "season over")


async def test_images_filter_missing_alt_text_and_update_description(wagtail_http: WagtailHTTP,
                                                                     client: WagtailClient) -> None:
    router = wagtail_http.router
    router.get("/api/v3/images/").respond(json={"items": [image(7), image(8, "Logo", "Our logo")], "count": 2})
    patch = router.patch("/api/v3/images/7/").respond(json=image(7, description="The team"))
    router.get("/api/v3/images/7/").respond(json=image(7))
    missing = await client.image_search(missing_alt_text=True)
    assert [(i["id"], i["alt_text"], i["collection"]) for i in missing] == [(7, "", 3)]
    updated = await client.image_update("7", alt_text="The team")
    assert json.loads(patch.calls[0].request.content) == {"description": "The team"}
    assert updated["alt_text"] == "The team"


async def test_documents_carry_their_download_links(wagtail_http: WagtailHTTP, client: WagtailClient) -> None:
    doc = {"meta": {"type": "wagtaildocs.Document", "detail_url": "http://localhost/api/v3/documents/1/",
                    "tags": ["pricing"], "download_url": "http://localhost/documents/1/rate-card.pdf"},
           "id": 1, "title": "Rate card", "collection": {"meta": {"type": "wagtailcore.Collection"}, "id": 1}}
    wagtail_http.router.get("/api/v3/documents/").respond(json={"items": [doc], "count": 1})
    docs = await client.document_search(query="rate card")
    assert docs == [{"id": 1, "title": "Rate card", "collection": 1, "tags": ["pricing"],
                     "download_url": "http://localhost/documents/1/rate-card.pdf"}]
    with pytest.raises(InvalidRequest) as caught:
        await client.document_search(collection="Sales")
    assert caught.value.field == "collection"


# --- errors, retries, secrets -------------------------------------------------------------------------


async def test_v2_unknown_field_names_the_field(wagtail_http: WagtailHTTP, client: WagtailClient) -> None:
    wagtail_http.router.get("/api/v2/pages/").respond(400, json=sample("error_unknown_field_400.json"))
    with pytest.raises(InvalidRequest) as caught:
        await client.page_search(status="live")
    assert (caught.value.field, caught.value.status) == ("nope", 400)


async def test_v3_problem_details_name_the_field(wagtail_http: WagtailHTTP, client: WagtailClient) -> None:
    wagtail_http.router.get("/api/v2/pages/4/").respond(json=DETAIL_V2)
    problem = {"type": "https://docs.wagtail.org/api/v3/validation-error", "title": "Unprocessable Entity",
               "status": 422, "detail": "Validation failed",
               "errors": [{"loc": ["body", "slug"], "msg": "The slug 'home' is already in use", "type": "value_error"}]}
    wagtail_http.router.patch("/api/v3/pages/4/").respond(422, json=problem, headers={"Content-Type": "application/problem+json"})
    with pytest.raises(InvalidRequest) as caught:
        await client.page_update("4", slug="home")
    assert caught.value.field == "slug" and "already in use" in caught.value.message


@pytest.mark.parametrize(("status", "error"), [(401, AuthError), (403, AuthError), (409, Conflict)])
async def test_write_failures_are_typed(wagtail_http: WagtailHTTP, client: WagtailClient, status: int,
                                        error: type[Exception]) -> None:
    wagtail_http.router.get("/api/v2/pages/4/").respond(json=DETAIL_V2)
    body = {"type": "about:blank", "title": "Error", "status": status, "detail": "Refused"}
    wagtail_http.router.post("/api/v3/pages/4/actions/publish/").respond(status, json=body)
    with pytest.raises(error):
        await client.page_publish("4")


async def test_a_missing_page_is_not_found_naming_the_argument(wagtail_http: WagtailHTTP, client: WagtailClient) -> None:
    wagtail_http.router.get("/api/v2/pages/99/").respond(404, json={"message": "No Page matches the given query."})
    wagtail_http.router.get("/api/v3/pages/99/").respond(404, json={"type": "about:blank", "title": "Not Found",
                                                                    "status": 404, "detail": "Not Found"})
    with pytest.raises(NotFound) as caught:
        await client.page_get("99")
    assert caught.value.field == "page"


async def test_reads_retry_429_honouring_retry_after(wagtail_http: WagtailHTTP, client: WagtailClient,
                                                     sleeps: list[float]) -> None:
    wagtail_http.router.get("/api/v2/pages/").mock(side_effect=[
        httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(503), httpx.Response(200, json=EMPTY_V2)])
    assert await client.page_search(status="live") == []
    assert sleeps[0] == 3.0 and len(sleeps) == 2


async def test_reads_give_up_after_the_retries(wagtail_http: WagtailHTTP, client: WagtailClient,
                                               sleeps: list[float]) -> None:
    route = wagtail_http.router.get("/api/v2/pages/").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(Unavailable):
        await client.page_search(status="live")
    assert route.call_count == 3 and len(sleeps) == 2


@pytest.mark.parametrize(("status", "error"), [(429, RateLimited), (503, Unavailable)])
async def test_writes_are_never_retried(wagtail_http: WagtailHTTP, client: WagtailClient, sleeps: list[float],
                                        status: int, error: type[Exception]) -> None:
    wagtail_http.router.get("/api/v2/pages/4/").respond(json=DETAIL_V2)
    action = wagtail_http.router.post("/api/v3/pages/4/actions/publish/").respond(status, headers={"Retry-After": "1"})
    with pytest.raises(error) as caught:
        await client.page_publish("4")
    assert action.call_count == 1 and sleeps == []
    assert "not retried" in str(caught.value)


async def test_the_token_never_shows(wagtail_http: WagtailHTTP, client: WagtailClient,
                                     caplog: pytest.LogCaptureFixture, sleeps: list[float]) -> None:
    caplog.set_level(logging.DEBUG)
    wagtail_http.router.get("/api/v2/pages/4/").respond(json=DETAIL_V2)
    wagtail_http.router.get("/api/v3/images/").respond(503)
    wagtail_http.router.post("/api/v3/pages/4/actions/publish/").respond(401, json={"detail": "Invalid token"})
    for call in (client.page_publish("4"), client.image_search()):
        with pytest.raises((AuthError, Unavailable)) as caught:
            await call
        assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
    assert TOKEN not in repr(client) and TOKEN not in caplog.text


def test_the_checks_catch_what_the_spec_forbids() -> None:
    bad_create = httpx.Request("POST", f"{BASE}/api/v3/pages/", headers={"Authorization": "Bearer x"},
                               json={"meta": {"type": "blog.BlogPage", "parent_id": 3}, "title": "x"})
    unauthenticated = httpx.Request("PATCH", f"{BASE}/api/v3/images/7/", json={"title": "x"})
    answer = httpx.Response(200, json={"id": 7, "title": "no meta"})
    assert spec_problems(wagtail_v3_spec(), bad_create, None)
    assert len(spec_problems(wagtail_v3_spec(), unauthenticated, answer)) == 2
    listing = httpx.Request("GET", f"{BASE}/api/v2/pages/", params={"colour": "red"})
    assert len(v2_shape_problems(listing, httpx.Response(200, json={"count": 1, "items": []}))) == 2
