"""The real SaleorClient against the Saleor sandbox, in process, over Saleor's real schema.

What any Saleor must do (products, variants, collections, logins) is in
`tests/conformance/test_saleor.py`; here are the checks of the demo data, raw GraphQL answers and
the store.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.errors import AuthError
from adapters.saleor import SaleorClient
from sandbox.saleor import SaleorStore, create_app, demo_seed

SHARED = Path(os.environ.get("BRAIN_SHARED_DIR", Path(__file__).resolve().parents[2].parent / "shared"))
SCHEMA_PATH = SHARED / "specs" / "saleor" / "schema.graphql"
EXAMPLES = SHARED / "specs" / "saleor" / "examples"
URL = "http://saleor.sandbox/graphql/"
STAFF = {"email": "staff@example.com", "password": "sandbox"}


def client_for(app: Any, **auth: Any) -> SaleorClient:
    return SaleorClient(URL, transport=httpx.ASGITransport(app=app), **auth)


@pytest.fixture(scope="module")
def schema_path() -> Path:
    from sandbox.saleor.app import load_schema

    load_schema(SCHEMA_PATH)  # build the 1 MB schema once for the module
    return SCHEMA_PATH


@pytest.fixture
def store() -> SaleorStore:
    return SaleorStore.with_demo_data()


@pytest.fixture
def app(store: SaleorStore, schema_path: Path) -> Any:
    return create_app(store, schema_path=schema_path)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[SaleorClient]:
    async with client_for(app, **STAFF) as saleor:
        yield saleor


async def raw(app: Any, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://saleor.sandbox") as http:
        return await http.post("/graphql/", json={"query": query, "variables": variables or {}}, headers=headers)


async def create_red_mug(client: SaleorClient) -> dict[str, Any]:
    return await client.product_create(name="Red Mug", price=12, product_type="Default", category="Default", sku="MUG-RED")


# --- products --------------------------------------------------------------------------------


async def test_search_filters(client: SaleorClient) -> None:
    def names(items: list[dict[str, Any]]) -> list[str]:
        return sorted(p["name"] for p in items)

    assert names(await client.product_search(category="Eco Kitchen")) == ["Bamboo Cutlery Set", "Steel Water Bottle"]
    assert names(await client.product_search(collection="Spring")) == ["Blue Vase", "Yoga Mat"]
    assert names(await client.product_search(in_stock=False)) == ["Steel Water Bottle"]
    assert names(await client.product_search(published=False)) == ["Speckled Mug"]
    assert names(await client.product_search(missing="description")) == ["Coasters (set of 4)"]
    assert len(await client.product_search(first=3)) == 3


async def test_sandbox_reports_an_unknown_category_like_saleor(app: Any, client: SaleorClient) -> None:
    types = await client.execute("query { productTypes(first: 1) { edges { node { id } } } }")
    type_id = types["productTypes"]["edges"][0]["node"]["id"]
    mutation = "mutation($input: ProductCreateInput!) { productCreate(input: $input) { product { id } errors { field code message } } }"
    data = await client.execute(mutation, {"input": {"name": "X", "productType": type_id, "category": "Q2F0ZWdvcnk6OTk5"}})
    assert data["productCreate"] == {
        "product": None,
        "errors": [{"field": "category", "code": "NOT_FOUND", "message": "Couldn't resolve id: Q2F0ZWdvcnk6OTk5."}],
    }


# --- variants and collections ----------------------------------------------------------------


# --- auth ------------------------------------------------------------------------------------


async def test_no_token_is_auth_error(app: Any) -> None:
    async with client_for(app) as anonymous:
        with pytest.raises(AuthError, match="MANAGE_PRODUCTS"):
            await anonymous.product_search(query="mug")
    response = await raw(app, "{ products(first: 1) { edges { node { id } } } }")
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"] == {"exception": {"code": "PermissionDenied"}}


async def test_short_lived_tokens_are_refreshed(store: SaleorStore, schema_path: Path) -> None:
    app = create_app(store, schema_path=schema_path, access_ttl=5)  # inside the client's refresh margin
    async with client_for(app, **STAFF) as saleor:
        for _ in range(3):
            assert (await saleor.product_get("Yoga Mat"))["price"] == 38.0
    login = await raw(app, (EXAMPLES / "token_create.graphql").read_text(), STAFF)
    tokens = login.json()["data"]["tokenCreate"]
    refreshed = await raw(
        app, "mutation($t: String!) { tokenRefresh(refreshToken: $t) { token errors { code } } }", {"t": tokens["token"]}
    )
    assert refreshed.json()["data"]["tokenRefresh"] == {"token": None, "errors": [{"code": "JWT_INVALID_TOKEN"}]}


async def test_example_documents_run_on_the_sandbox(app: Any) -> None:
    login = await raw(app, (EXAMPLES / "token_create.graphql").read_text(), STAFF)
    token = login.json()["data"]["tokenCreate"]["token"]
    search = await raw(app, (EXAMPLES / "products_search.graphql").read_text(), {"search": "vase", "channel": "default-channel"}, token)
    node = search.json()["data"]["products"]["edges"][0]["node"]
    assert node["name"] == "Blue Vase"
    assert node["pricing"]["priceRange"]["start"]["gross"] == {"amount": 34.0, "currency": "USD"}
    invalid = await raw(app, "{ products(first: 1) { edges { node { nope } } } }", token=token)
    assert invalid.status_code == 400


# --- persistence and seeding -----------------------------------------------------------------


async def test_a_second_store_on_the_same_file_sees_the_product(tmp_path: Path, schema_path: Path) -> None:
    path = tmp_path / "saleor.json"
    first = SaleorStore.with_demo_data(path)
    async with client_for(create_app(first, schema_path=schema_path), **STAFF) as saleor:
        await create_red_mug(saleor)
    second = SaleorStore(path)
    assert "Red Mug" in [p["name"] for p in second.dump()["products"]]
    async with client_for(create_app(second, schema_path=schema_path), **STAFF) as saleor:
        assert (await saleor.product_get("red-mug"))["price"] == 12.0
    assert SaleorStore.with_demo_data(path).dump() == second.dump()  # not seeded twice


def test_seed_dump_round_trip() -> None:
    store = SaleorStore()
    assert store.dump()["products"] == []
    store.seed(demo_seed())
    dumped = store.dump()
    assert len(dumped["products"]) == 8
    vase = next(p for p in dumped["products"] if p["name"] == "Blue Vase")
    assert vase == {
        "name": "Blue Vase",
        "slug": "blue-vase",
        "product_type": "Default",
        "category": "Gifts",
        "collections": ["Spring", "Gifts"],
        "sku": "VASE-BLUE",
        "price": 34.0,
        "cost_price": 14.0,
        "published": True,
        "description": "Hand-thrown stoneware vase in a deep blue glaze.",
        "seo_title": "Blue Stoneware Vase",
        "seo_description": "A hand-thrown blue vase for spring flowers.",
    }
    copy = SaleorStore()
    copy.seed(dumped)
    assert copy.dump() == dumped
    store.reset()
    assert store.dump()["products"] == []


def test_minimal_seed_gets_defaults() -> None:
    store = SaleorStore()
    store.seed({"products": [{"name": "Tea Towel", "price": 9, "sku": "TOWEL", "collections": ["Kitchen Picks"]}]})
    dumped = store.dump()
    assert dumped["channels"] == [{"slug": "default-channel", "name": "Default Channel", "currency": "USD"}]
    assert dumped["products"][0]["category"] == "Default"
    assert [c["name"] for c in dumped["collections"]] == ["Kitchen Picks"]
