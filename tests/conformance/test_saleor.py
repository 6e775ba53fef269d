"""The Saleor interface: SaleorClient (GraphQL) against its backends, the sandbox stand-in only.

No real Saleor can run on this machine (it needs its own Postgres, Redis and a Celery worker,
and a heavy install), so this suite has one backend: the stand-in, which executes Saleor's real
schema (`shared/specs/saleor/schema.graphql`). Adding a backend is one more entry in `connect`'s
params, reached through `runtime.wiring.saleor.real_client` with BRAIN_SALEOR_URL and a token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from adapters.errors import AuthError, Conflict, InvalidRequest, NotFound
from adapters.saleor import SaleorClient
from bootstrap import stand_ins
from runtime.settings import Settings
from sandbox.saleor import SaleorStore
from tests.conformance.conftest import SANDBOX

# Builds a client of the backend: as the runtime does, or with credentials of a test's own.
Connect = Callable[..., SaleorClient]


@pytest.fixture(params=[SANDBOX])
def connect(request: pytest.FixtureRequest) -> Connect:
    store = SaleorStore.with_demo_data()
    settings = Settings()

    def sandbox(**auth: Any) -> SaleorClient:
        if not auth:
            return stand_ins.saleor_client(settings, store)
        app = stand_ins.saleor_app(settings, store)
        return SaleorClient("http://saleor.sandbox/graphql/", transport=httpx.ASGITransport(app=app), **auth)

    return sandbox


@pytest.fixture
async def saleor(connect: Connect) -> AsyncIterator[SaleorClient]:
    async with connect() as client:
        yield client


async def create_red_mug(saleor: SaleorClient) -> dict[str, Any]:
    return await saleor.product_create(name="Red Mug", price=12, product_type="Default", category="Default",
                                       sku="MUG-RED")


async def test_create_then_search_finds_the_unpublished_product(saleor: SaleorClient) -> None:
    created = await create_red_mug(saleor)
    assert created["existing"] is False
    assert (created["name"], created["slug"], created["price"], created["published"]) == ("Red Mug", "red-mug", 12.0, False)
    found = await saleor.product_search(query="red mug")
    assert [(p["name"], p["price"], p["published"], p["currency"]) for p in found] == [("Red Mug", 12.0, False, "USD")]
    assert found[0]["variants"][0]["sku"] == "MUG-RED"
    assert found[0] == {k: v for k, v in created.items() if k != "existing"}


async def test_create_again_returns_the_existing_product_unchanged(saleor: SaleorClient) -> None:
    first = await create_red_mug(saleor)
    again = await saleor.product_create(name="Red Mug", price=99, product_type="Mug", category="Kitchen")
    assert again["existing"] is True
    assert again["id"] == first["id"] and again["price"] == 12.0 and again["category"] == "Default"
    assert len(await saleor.product_search(query="Red Mug")) == 1


async def test_update_price_description_and_seo(saleor: SaleorClient) -> None:
    await create_red_mug(saleor)
    updated = await saleor.product_update(
        "red mug", price=14.5, description="Glazed.\n\nHolds 350 ml.", seo_title="Red Mug | Shop", category="Kitchen"
    )
    assert (updated["price"], updated["category"], updated["seo_title"]) == (14.5, "Kitchen", "Red Mug | Shop")
    assert updated["description"] == "Glazed.\n\nHolds 350 ml."
    assert (await saleor.product_get("Red Mug"))["variants"][0]["price"] == 14.5


async def test_publish_and_unpublish(saleor: SaleorClient) -> None:
    await create_red_mug(saleor)
    assert (await saleor.product_publish("Red Mug"))["published"] is True
    assert [p["name"] for p in await saleor.product_search(query="mug", published=True)] == ["Red Mug"]
    assert (await saleor.product_unpublish("red-mug", reason="recall"))["published"] is False
    assert await saleor.product_search(query="red mug", published=True) == []


async def test_unknown_category_is_not_found_naming_the_field(saleor: SaleorClient) -> None:
    with pytest.raises(NotFound) as caught:
        await saleor.product_create(name="Green Teapot", product_type="Default", category="Garden")
    assert caught.value.field == "category"
    with pytest.raises(NotFound) as caught:
        await saleor.product_create(name="Green Teapot", product_type="Teapot", category="Kitchen")
    assert caught.value.field == "product_type"
    with pytest.raises(Conflict) as conflict:
        await saleor.product_create(name="Green Teapot", product_type="Default", category="Kitchen", sku="YOGA-MAT")
    assert conflict.value.field == "sku"
    assert await saleor.product_search(query="teapot") == []  # nothing half-made


async def test_variant_upsert_creates_then_updates(saleor: SaleorClient) -> None:
    await create_red_mug(saleor)
    with pytest.raises(InvalidRequest) as caught:
        await saleor.variant_upsert("MUG-RED-XL", price=15)
    assert caught.value.field == "product"
    made = await saleor.variant_upsert("MUG-RED-XL", product="Red Mug", price=15, cost_price=5, weight_kg=0.45)
    assert (made["created"], made["price"], made["cost_price"], made["weight_kg"]) == (True, 15.0, 5.0, 0.45)
    changed = await saleor.variant_upsert("MUG-RED-XL", price=16)
    assert (changed["created"], changed["price"], changed["cost_price"]) == (False, 16.0, 5.0)
    sized = await saleor.variant_upsert("TEE-ORG-L", product="Organic Cotton Tee", attributes={"Size": "L"}, price=26)
    assert sized["name"] == "L"
    with pytest.raises(InvalidRequest) as caught:
        await saleor.variant_upsert("TEE-ORG-XL", product="Organic Cotton Tee", attributes={"Colour": "Red"})
    assert caught.value.field == "attributes"
    with pytest.raises(Conflict):
        await saleor.variant_upsert("MUG-RED-XL", product="Yoga Mat")
    product = await saleor.product_get("Red Mug")
    assert [v["sku"] for v in product["variants"]] == ["MUG-RED", "MUG-RED-XL"]
    assert product["price"] == 12.0  # the default variant's price


async def test_collection_create_add_and_remove(saleor: SaleorClient) -> None:
    await create_red_mug(saleor)
    made = await saleor.collection_create("Autumn", description="Warm picks", published=False)
    assert (made["existing"], made["published"], made["description"]) == (False, False, "Warm picks")
    assert (await saleor.collection_create("Autumn", published=True))["existing"] is True
    added = await saleor.collection_add_products("autumn", ["Red Mug", "VASE-BLUE", "red-mug"])
    assert (added["added"], added["skipped"], added["product_count"]) == (["Red Mug", "Blue Vase"], ["Red Mug"], 2)
    again = await saleor.collection_add_products("Autumn", ["Red Mug"])
    assert (again["added"], again["skipped"]) == ([], ["Red Mug"])
    assert "Autumn" in (await saleor.product_get("Red Mug"))["collections"]
    removed = await saleor.collection_remove_products(made["id"], ["Red Mug"])
    assert (removed["removed"], removed["products"]) == (["Red Mug"], ["Blue Vase"])
    assert (await saleor.collection_get("Autumn"))["products"] == ["Blue Vase"]
    with pytest.raises(NotFound) as caught:
        await saleor.collection_add_products("Winter", ["Red Mug"])
    assert caught.value.field == "collection"


async def test_wrong_password_and_app_token(connect: Connect) -> None:
    async with connect(email="staff@example.com", password="wrong") as bad:
        with pytest.raises(AuthError):
            await bad.product_get("Blue Vase")
    async with connect(app_token="sandbox-app-token") as by_app:
        assert (await by_app.product_get("Blue Vase"))["price"] == 34.0
    async with connect(app_token="forged") as forged:
        with pytest.raises(AuthError):
            await forged.product_get("Blue Vase")
