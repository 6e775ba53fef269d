"""SaleorClient over respx-mocked HTTP: auth, typed errors, retries.

Every request the client sends in these tests is parsed and validated against Saleor's real
schema when the test ends (the `saleor_http` fixture).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import graphql
import httpx
import pytest
import respx

from adapters.errors import AuthError, Conflict, InvalidRequest, NotFound, RateLimited, Unavailable
from adapters.saleor import SaleorClient, documents
from adapters.saleor.auth import jwt_expiry
from adapters.saleor.convert import editorjs_to_text, parse_global_id, slugify, text_to_editorjs
from tests.adapters.conftest import saleor_validation_errors

URL = "http://saleor.local/graphql/"
CHANNEL = {"id": "Q2hhbm5lbDox", "slug": "default-channel", "name": "Default", "currencyCode": "USD"}
Handler = Callable[[dict[str, Any], httpx.Request], httpx.Response]


def jwt(exp_in: float) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256'})}.{part({'exp': int(time.time() + exp_in)})}.sig"


def operation(body: dict[str, Any]) -> str:
    tree = graphql.parse(body["query"])
    op = next(d for d in tree.definitions if isinstance(d, graphql.OperationDefinitionNode))
    return op.name.value if op.name else ""


def ok(data: dict[str, Any], status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"data": data})


class SaleorHTTP:
    """A respx route for the endpoint that answers through a handler, recording operations."""

    def __init__(self, router: respx.MockRouter) -> None:
        self.router = router
        self.route = router.post(URL)
        self.operations: list[str] = []
        self.auth_headers: list[str | None] = []

    def answer(self, handler: Handler) -> None:
        def side_effect(request: httpx.Request) -> httpx.Response:
            body = json.loads(request.content)
            self.operations.append(operation(body))
            self.auth_headers.append(request.headers.get("Authorization"))
            return handler(body, request)

        self.route.mock(side_effect=side_effect)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(call.request.content) for call in self.router.calls]


@pytest.fixture
def saleor_http(saleor_schema: graphql.GraphQLSchema) -> Iterator[SaleorHTTP]:
    with respx.mock(assert_all_called=False) as router:
        http = SaleorHTTP(router)
        yield http
        for body in http.bodies():
            assert set(body) == {"query", "variables"}
            assert saleor_validation_errors(saleor_schema, body["query"]) == [], body["query"]


@pytest.fixture
async def app_client() -> AsyncIterator[SaleorClient]:
    client = SaleorClient(URL, app_token="app-secret", backoff=0.0)
    yield client
    await client.aclose()


def search_answer(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
    assert operation(body) == "ProductsSearch"
    node = {
        "id": "UHJvZHVjdDox",
        "name": "Red Mug",
        "slug": "red-mug",
        "description": text_to_editorjs("A red mug."),
        "seoTitle": None,
        "seoDescription": None,
        "productType": {"id": "UHJvZHVjdFR5cGU6MQ==", "name": "Default"},
        "category": {"id": "Q2F0ZWdvcnk6MQ==", "name": "Kitchen"},
        "collections": [{"id": "Q29sbGVjdGlvbjox", "name": "Spring", "slug": "spring"}],
        "thumbnail": None,
        "defaultVariant": {"id": "UHJvZHVjdFZhcmlhbnQ6MQ=="},
        "channelListings": [
            {"channel": CHANNEL, "isPublished": True, "publishedAt": None, "isAvailableForPurchase": True}
        ],
        "productVariants": {
            "edges": [
                {
                    "node": {
                        "id": "UHJvZHVjdFZhcmlhbnQ6MQ==",
                        "sku": "MUG-RED",
                        "name": "Red Mug",
                        "weight": {"unit": "G", "value": 350},
                        "channelListings": [
                            {
                                "channel": CHANNEL,
                                "price": {"amount": 12, "currency": "USD"},
                                "costPrice": {"amount": 4.5, "currency": "USD"},
                            }
                        ],
                    }
                }
            ]
        },
    }
    return ok({"products": {"totalCount": 1, "edges": [{"node": node}]}})


# --- auth ------------------------------------------------------------------------------------


async def test_app_token_is_sent_as_bearer(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    saleor_http.answer(search_answer)
    products = await app_client.product_search(query="mug", published=True, in_stock=True)
    assert saleor_http.auth_headers == ["Bearer app-secret"]
    variables = saleor_http.bodies()[0]["variables"]
    assert variables == {
        "search": "mug",
        "where": {"stockAvailability": "IN_STOCK", "isPublished": True},
        "channel": "default-channel",
        "first": 20,
    }
    assert products == [
        {
            "id": "UHJvZHVjdDox",
            "name": "Red Mug",
            "slug": "red-mug",
            "description": "A red mug.",
            "product_type": "Default",
            "category": "Kitchen",
            "collections": ["Spring"],
            "seo_title": None,
            "seo_description": None,
            "published": True,
            "price": 12.0,
            "currency": "USD",
            "variants": [
                {
                    "id": "UHJvZHVjdFZhcmlhbnQ6MQ==",
                    "sku": "MUG-RED",
                    "name": "Red Mug",
                    "price": 12.0,
                    "cost_price": 4.5,
                    "weight_kg": 0.35,
                }
            ],
        }
    ]


async def test_login_then_refresh_before_expiry(saleor_http: SaleorHTTP) -> None:
    short, fresh = jwt(10), jwt(3600)  # `short` expires inside the 30 s refresh margin

    def handler(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        name = operation(body)
        if name == "TokenCreate":
            assert body["variables"] == {"email": "staff@example.com", "password": "pw"}
            return ok({"tokenCreate": {"token": short, "refreshToken": "refresh-1", "errors": []}})
        if name == "TokenRefresh":
            assert body["variables"] == {"refreshToken": "refresh-1"}
            return ok({"tokenRefresh": {"token": fresh, "errors": []}})
        return ok({"channel": CHANNEL})

    saleor_http.answer(handler)
    async with SaleorClient(URL, email="staff@example.com", password="pw") as client:
        await client.execute(documents.CHANNEL_BY_SLUG, {"slug": "default-channel"})
        await client.execute(documents.CHANNEL_BY_SLUG, {"slug": "default-channel"})
        await client.execute(documents.CHANNEL_BY_SLUG, {"slug": "default-channel"})
    assert saleor_http.operations == ["TokenCreate", "ChannelBySlug", "TokenRefresh", "ChannelBySlug", "ChannelBySlug"]
    assert saleor_http.auth_headers == [None, f"Bearer {short}", None, f"Bearer {fresh}", f"Bearer {fresh}"]


async def test_auth_error_refreshes_once_and_retries(saleor_http: SaleorHTTP) -> None:
    first, second = jwt(3600), jwt(3600) + "x"
    expired = {"message": "Signature has expired", "extensions": {"exception": {"code": "ExpiredSignatureError"}}}

    def handler(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        name = operation(body)
        if name == "TokenCreate":
            return ok({"tokenCreate": {"token": first, "refreshToken": "r", "errors": []}})
        if name == "TokenRefresh":
            return ok({"tokenRefresh": {"token": second, "errors": []}})
        if request.headers["Authorization"] == f"Bearer {first}":
            return httpx.Response(200, json={"data": {"channel": None}, "errors": [expired]})
        return ok({"channel": CHANNEL})

    saleor_http.answer(handler)
    async with SaleorClient(URL, email="staff@example.com", password="pw") as client:
        data = await client.execute(documents.CHANNEL_BY_SLUG, {"slug": "default-channel"})
    assert data == {"channel": CHANNEL}
    assert saleor_http.operations == ["TokenCreate", "ChannelBySlug", "TokenRefresh", "ChannelBySlug"]


async def test_persistent_permission_error_is_auth_error_after_one_renewal(saleor_http: SaleorHTTP) -> None:
    denied = {
        "message": "To access this path, you need one of the following permissions: MANAGE_PRODUCTS",
        "extensions": {"exception": {"code": "PermissionDenied"}},
    }

    def handler(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        name = operation(body)
        if name == "TokenCreate":
            return ok({"tokenCreate": {"token": jwt(3600), "refreshToken": "r", "errors": []}})
        if name == "TokenRefresh":
            return ok({"tokenRefresh": {"token": jwt(3600), "errors": []}})
        return httpx.Response(200, json={"data": {"channel": None}, "errors": [denied]})

    saleor_http.answer(handler)
    async with SaleorClient(URL, email="staff@example.com", password="pw") as client:
        with pytest.raises(AuthError, match="MANAGE_PRODUCTS"):
            await client.execute(documents.CHANNEL_BY_SLUG, {"slug": "x"})
    assert saleor_http.operations == ["TokenCreate", "ChannelBySlug", "TokenRefresh", "ChannelBySlug"]


async def test_bad_credentials_raise_auth_error_without_the_password(saleor_http: SaleorHTTP) -> None:
    def handler(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        error = {"field": "email", "code": "INVALID_CREDENTIALS", "message": "Please, enter valid credentials"}
        return ok({"tokenCreate": {"token": None, "refreshToken": None, "errors": [error]}})

    saleor_http.answer(handler)
    async with SaleorClient(URL, email="staff@example.com", password="hunter2-secret") as client:
        with pytest.raises(AuthError) as caught:
            await client.product_get("red-mug")
    assert "hunter2-secret" not in str(caught.value)
    assert "INVALID_CREDENTIALS" in str(caught.value)
    assert "hunter2-secret" not in repr(client._credentials)


async def test_http_401_is_auth_error(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    saleor_http.answer(lambda body, request: httpx.Response(401, json={"detail": "no"}))
    with pytest.raises(AuthError) as caught:
        await app_client.execute(documents.CHANNEL_BY_SLUG, {"slug": "default-channel"})
    assert caught.value.status == 401
    assert caught.value.system == "saleor"
    assert "app-secret" not in str(caught.value)


# --- typed errors ----------------------------------------------------------------------------


def collection_create_answer(error: dict[str, Any]) -> Handler:
    def handler(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        name = operation(body)
        if name == "ChannelBySlug":
            return ok({"channel": CHANNEL})
        if name == "Collection":
            return ok({"collection": None})
        assert name == "CollectionCreate"
        assert body["variables"]["input"] == {
            "name": "Autumn Picks",
            "slug": "autumn-picks",
            "description": json.dumps({"blocks": [{"type": "paragraph", "data": {"text": "Warm things"}}]}),
        }
        return ok({"collectionCreate": {"collection": None, "errors": [error]}})

    return handler


@pytest.mark.parametrize(
    ("code", "error_type"),
    [("UNIQUE", Conflict), ("NOT_FOUND", NotFound), ("INVALID", InvalidRequest), ("REQUIRED", InvalidRequest)],
)
async def test_mutation_errors_become_typed_errors_naming_the_field(
    saleor_http: SaleorHTTP, app_client: SaleorClient, code: str, error_type: type[Exception]
) -> None:
    saleor_http.answer(collection_create_answer({"field": "slug", "code": code, "message": "Nope."}))
    with pytest.raises(error_type) as caught:
        await app_client.collection_create("Autumn Picks", description="Warm things")
    assert caught.value.field == "slug"  # type: ignore[attr-defined]
    assert code in str(caught.value)


async def test_mutation_error_field_uses_the_tool_argument_name(
    saleor_http: SaleorHTTP, app_client: SaleorClient
) -> None:
    saleor_http.answer(lambda body, request: ok({"productCreate": {"product": None, "errors": [
        {"field": "productType", "code": "NOT_FOUND", "message": "Couldn't resolve id: X."}
    ]}}))
    with pytest.raises(NotFound) as caught:
        await app_client._mutate(documents.PRODUCT_CREATE, {"input": {"productType": "X"}}, "productCreate")
    assert caught.value.field == "product_type"


async def test_top_level_graphql_errors_are_invalid_request(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    error = {"message": 'Cannot query field "nope" on type "Query".', "locations": [{"line": 1, "column": 3}]}
    saleor_http.answer(lambda body, request: httpx.Response(400, json={"errors": [error]}))
    with pytest.raises(InvalidRequest, match="Cannot query field") as caught:
        await app_client.execute(documents.CHANNEL_BY_SLUG, {"slug": "default-channel"})
    assert caught.value.status == 400


async def test_unknown_product_is_not_found(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    def handler(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        if operation(body) == "Product":
            return ok({"product": None})
        return ok({"products": {"totalCount": 0, "edges": []}})

    saleor_http.answer(handler)
    with pytest.raises(NotFound) as caught:
        await app_client.product_get("Green Teapot")
    assert caught.value.field == "product"
    assert saleor_http.operations == ["Product", "ProductsSearch", "ProductsSearch"]
    assert [body["variables"] for body in saleor_http.bodies()[1:]] == [
        {"where": {"name": {"eq": "Green Teapot"}}, "first": 100},
        {"search": "Green Teapot", "first": 100},
    ]


# --- rate limits and retries -----------------------------------------------------------------


async def test_429_is_rate_limited_with_retry_after(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    saleor_http.answer(lambda body, request: httpx.Response(429, headers={"Retry-After": "7"}))
    with pytest.raises(RateLimited) as caught:
        await app_client.execute(documents.CHANNEL_BY_SLUG, {"slug": "default-channel"})
    assert caught.value.retry_after == 7.0
    assert len(saleor_http.operations) == 1


async def test_503_on_a_query_is_retried_then_succeeds(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    answers = iter([httpx.Response(503), httpx.Response(502), ok({"channel": CHANNEL})])
    saleor_http.answer(lambda body, request: next(answers))
    data = await app_client.execute(documents.CHANNEL_BY_SLUG, {"slug": "default-channel"})
    assert data == {"channel": CHANNEL}
    assert saleor_http.operations == ["ChannelBySlug"] * 3


async def test_connection_error_on_a_query_is_retried(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    failures = [httpx.ConnectError("refused")]

    def handler(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        if failures:
            raise failures.pop()
        return ok({"channel": CHANNEL})

    saleor_http.answer(handler)
    assert await app_client.execute(documents.CHANNEL_BY_SLUG, {"slug": "x"}) == {"channel": CHANNEL}
    assert len(saleor_http.operations) == 2


async def test_503_retries_honour_retry_after_then_give_up(
    saleor_http: SaleorHTTP, app_client: SaleorClient, sleeps: list[float]
) -> None:
    saleor_http.answer(lambda body, request: httpx.Response(503, headers={"Retry-After": "2"}))
    with pytest.raises(Unavailable, match="after 4 attempts"):
        await app_client.execute(documents.CHANNEL_BY_SLUG, {"slug": "x"})
    assert len(saleor_http.operations) == 4  # the first try and max_retries=3
    assert sleeps == [2.0, 2.0, 2.0]


async def test_503_on_a_mutation_is_not_retried(saleor_http: SaleorHTTP, app_client: SaleorClient) -> None:
    saleor_http.answer(lambda body, request: httpx.Response(503))
    with pytest.raises(Unavailable, match="not retried"):
        await app_client.execute(documents.COLLECTION_CREATE, {"input": {"name": "Autumn"}})
    assert saleor_http.operations == ["CollectionCreate"]


async def test_connection_error_on_a_mutation_is_not_retried(
    saleor_http: SaleorHTTP, app_client: SaleorClient
) -> None:
    def handler(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow")

    saleor_http.answer(handler)
    with pytest.raises(Unavailable):
        await app_client.execute(documents.COLLECTION_ADD_PRODUCTS, {"collectionId": "a", "products": ["b"]})
    assert len(saleor_http.operations) == 1


# --- conversions -----------------------------------------------------------------------------


def test_description_round_trips_through_editorjs() -> None:
    text = "Hand-made <glazed> mug.\n\nDishwasher & microwave safe."
    encoded = text_to_editorjs(text)
    assert json.loads(encoded)["blocks"][0] == {"type": "paragraph", "data": {"text": "Hand-made &lt;glazed&gt; mug."}}
    assert editorjs_to_text(encoded) == text
    assert editorjs_to_text(None) is None


def test_slugs_and_ids() -> None:
    assert slugify("Coasters (set of 4)") == "coasters-set-of-4"
    assert slugify("Ceramic Pour-Over Set") == "ceramic-pour-over-set"
    assert parse_global_id("UHJvZHVjdDox") == ("Product", "1")
    assert parse_global_id("Blue Vase") is None
    assert parse_global_id("blue-vase") is None


def test_jwt_expiry_is_read_without_verifying() -> None:
    token = jwt(100)
    expiry = jwt_expiry(token)
    assert expiry is not None and abs(expiry - (time.time() + 100)) < 2
    assert jwt_expiry("not-a-jwt") is None
