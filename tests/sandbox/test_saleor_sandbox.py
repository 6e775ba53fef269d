"""The real SaleorClient against the Saleor sandbox, in process, over Saleor's real schema."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.errors import AuthError, Conflict, InvalidRequest, NotFound
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


async def test_create_then_search_finds_the_unpublished_product(client: SaleorClient) -> None:
    created = await create_red_mug(client)
    assert created["existing"] is False
    assert (created["name"], created["slug"], created["price"], created["published"]) == ("Red Mug", "red-mug", 12.0, False)
    found = await client.product_search(query="red mug")
    assert [(p["name"], p["price"], p["published"], p["currency"]) for p in found] == [("Red Mug", 12.0, False, "USD")]
    assert found[0]["variants"][0]["sku"] == "MUG-RED"
    assert found[0] == {k: v for k, v in created.items() if k != "existing"}


async def test_create_again_returns_the_existing_product_unchanged(client: SaleorClient) -> None:
    first = await create_red_mug(client)
    again = await client.product_create(name="Red Mug", price=99, product_type="Mug", category="Kitchen")
    assert again["existing"] is True
    assert again["id"] == first["id"] and again["price"] == 12.0 and again["category"] == "Default"
    assert len(await client.product_search(query="Red Mug")) == 1


async def test_update_price_description_and_seo(client: SaleorClient) -> None:
    await create_red_mug(client)
    updated = await client.product_update(
        "red mug", price=14.5, description="Glazed.\n\nHolds 350 ml.", seo_title="Red Mug | Shop", category="Kitchen"
    )
    assert (updated["price"], updated["category"], updated["seo_title"]) == (14.5, "Kitchen", "Red Mug | Shop")
    assert updated["description"] == "Glazed.\n\nHolds 350 ml."
    assert (await client.product_get("Red Mug"))["variants"][0]["price"] == 14.5


async def test_publish_and_unpublish(client: SaleorClient) -> None:
    await create_red_mug(client)
    assert (await client.product_publish("Red Mug"))["published"] is True
    assert [p["name"] for p in await client.product_search(query="mug", published=True)] == ["Red Mug"]
    assert (await client.product_unpublish("red-mug", reason="recall"))["published"] is False
    assert await client.product_search(query="red mug", published=True) == []


async def test_search_filters(client: SaleorClient) -> None:
    def names(items: list[dict[str, Any]]) -> list[str]:
        return sorted(p["name"] for p in items)

    assert names(await client.product_search(category="Eco Kitchen")) == ["Bamboo Cutlery Set", "Steel Water Bottle"]
    assert names(await client.product_search(collection="Spring")) == ["Blue Vase", "Yoga Mat"]
    assert names(await client.product_search(in_stock=False)) == ["Steel Water Bottle"]
    assert names(await client.product_search(published=False)) == ["Speckled Mug"]
    assert names(await client.product_search(missing="description")) == ["Coasters (set of 4)"]
    assert len(await client.product_search(first=3)) == 3


async def test_unknown_category_is_not_found_naming_the_field(client: SaleorClient) -> None:
    with pytest.raises(NotFound) as caught:
        await client.product_create(name="Green Teapot", product_type="Default", category="Garden")
    assert caught.value.field == "category"
    with pytest.raises(NotFound) as caught:
        await client.product_create(name="Green Teapot", product_type="Teapot", category="Kitchen")
    assert caught.value.field == "product_type"
    with pytest.raises(Conflict) as conflict:
        await client.product_create(name="Green Teapot", product_type="Default", category="Kitchen", sku="YOGA-MAT")
    assert conflict.value.field == "sku"
    assert await client.product_search(query="teapot") == []  # nothing half-made


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


async def test_variant_upsert_creates_then_updates(client: SaleorClient) -> None:
    await create_red_mug(client)
    with pytest.raises(InvalidRequest) as caught:
        await client.variant_upsert("MUG-RED-XL", price=15)
    assert caught.value.field == "product"
    made = await client.variant_upsert("MUG-RED-XL", product="Red Mug", price=15, cost_price=5, weight_kg=0.45)
    assert (made["created"], made["price"], made["cost_price"], made["weight_kg"]) == (True, 15.0, 5.0, 0.45)
    changed = await client.variant_upsert("MUG-RED-XL", price=16)
    assert (changed["created"], changed["price"], changed["cost_price"]) == (False, 16.0, 5.0)
    sized = await client.variant_upsert("TEE-ORG-L", product="Organic Cotton Tee", attributes={"Size": "L"}, price=26)
    assert sized["name"] == "L"
    with pytest.raises(InvalidRequest) as caught:
        await client.variant_upsert("TEE-ORG-XL", product="Organic Cotton Tee", attributes={"Colour": "Red"})
    assert caught.value.field == "attributes"
    with pytest.raises(Conflict):
        await client.variant_upsert("MUG-RED-XL", product="Yoga Mat")
    product = await client.product_get("Red Mug")
    assert [v["sku"] for v in product["variants"]] == ["MUG-RED", "MUG-RED-XL"]
    assert product["price"] == 12.0  # the default variant's price


async def test_collection_create_add_and_remove(client: SaleorClient) -> None:
    await create_red_mug(client)
    made = await client.collection_create("Autumn", description="Warm picks", published=False)
    assert (made["existing"], made["published"], made["description"]) == (False, False, "Warm picks")
    assert (await client.collection_create("Autumn", published=True))["existing"] is True
    added = await client.collection_add_products("autumn", ["Red Mug", "VASE-BLUE", "red-mug"])
    assert (added["added"], added["skipped"], added["product_count"]) == (["Red Mug", "Blue Vase"], ["Red Mug"], 2)
    again = await client.collection_add_products("Autumn", ["Red Mug"])
    assert (again["added"], again["skipped"]) == ([], ["Red Mug"])
    assert "Autumn" in (await client.product_get("Red Mug"))["collections"]
    removed = await client.collection_remove_products(made["id"], ["Red Mug"])
    assert (removed["removed"], removed["products"]) == (["Red Mug"], ["Blue Vase"])
    assert (await client.collection_get("Autumn"))["products"] == ["Blue Vase"]
    with pytest.raises(NotFound) as caught:
        await client.collection_add_products("Winter", ["Red Mug"])
    assert caught.value.field == "collection"


# --- auth ------------------------------------------------------------------------------------


async def test_no_token_is_auth_error(app: Any) -> None:
    async with client_for(app) as anonymous:
        with pytest.raises(AuthError, match="MANAGE_PRODUCTS"):
            await anonymous.product_search(query="mug")
    response = await raw(app, "{ products(first: 1) { edges { node { id } } } }")
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"] == {"exception": {"code": "PermissionDenied"}}


async def test_wrong_password_and_app_token(app: Any) -> None:
    async with client_for(app, email="staff@example.com", password="wrong") as bad:
        with pytest.raises(AuthError):
            await bad.product_get("Blue Vase")
    async with client_for(app, app_token="sandbox-app-token") as by_app:
        assert (await by_app.product_get("Blue Vase"))["price"] == 34.0
    async with client_for(app, app_token="forged") as forged:
        with pytest.raises(AuthError):
            await forged.product_get("Blue Vase")


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
