"""The multi-step writes the crash suite kills, the clients it runs them with, and how it counts
half-made objects from the sandbox systems' own persisted state.

A call runs the catalog tool's handler (as the executor does) against the Saleor and Wagtail
stand-ins, whose state lives in JSON files shared by processes. The kill comes from inside the
call: the transport sends SIGKILL to its own process just before or just after its k-th write.
"""

from __future__ import annotations

import json
import os
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from adapters.saleor import SaleorClient
from adapters.wagtail import WagtailClient
from sandbox import saleor, wagtail
from tools.catalog import saleor as saleor_tools
from tools.catalog import wagtail as wagtail_tools
from tools.context import ToolContext
from tools.spec import ToolSpec

SALEOR_TOKEN = "crash-suite-app-token"  # the stand-in's app token; not a secret
WAGTAIL_TOKEN = "crash-suite-wagtail-token"  # the stand-in's API token; not a secret
SPECS = Path(os.environ.get("BRAIN_SHARED_DIR", Path(__file__).resolve().parents[2].parent / "shared")) / "specs"
KINDS = ("product", "variant", "collection", "voucher", "translation")


@dataclass(frozen=True)
class Stores:
    saleor: Path
    wagtail: Path

    @classmethod
    def seeded(cls, folder: Path) -> Stores:
        """The demo shop's channels, types, categories and one product; the demo site's pages
        (small files: every sandbox request reads and writes its whole file)."""
        stores = cls(folder / "saleor.json", folder / "wagtail.json")
        shop = saleor.demo_seed()
        shop = {key: shop[key] for key in ("channels", "warehouses", "product_types", "categories")} | {
            "products": [p for p in shop["products"] if p["name"] == "Blue Vase"]}
        saleor.SaleorStore(persist_path=stores.saleor).seed(shop)
        wagtail.WagtailStore(persist_path=stores.wagtail).seed({"pages": wagtail.demo_seed()["pages"]})
        return stores


class KillingTransport(httpx.AsyncBaseTransport):
    """Passes requests on and SIGKILLs this process just before (or after) its `kill_at`-th write."""

    def __init__(self, inner: httpx.AsyncBaseTransport, counter: list[int], kill_at: int | None, after: bool) -> None:
        self.inner, self.counter, self.kill_at, self.after = inner, counter, kill_at, after

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        hit = False
        if _is_write(request):
            self.counter[0] += 1
            hit = self.counter[0] == self.kill_at
        if hit and not self.after:
            os.kill(os.getpid(), signal.SIGKILL)
        response = await self.inner.handle_async_request(request)
        if hit and self.after:
            os.kill(os.getpid(), signal.SIGKILL)
        return response


def _is_write(request: httpx.Request) -> bool:
    if request.method == "GET":
        return False
    if request.url.path.endswith("/graphql/"):
        query = str(json.loads(request.content).get("query", ""))
        return query.lstrip().startswith("mutation")
    return True


def clients(stores: Stores, kill_at: int | None = None, after: bool = False) -> dict[str, Any]:
    counter = [0]

    def transport(app: Any) -> KillingTransport:
        return KillingTransport(httpx.ASGITransport(app=app), counter, kill_at, after)

    saleor_app = saleor.create_app(saleor.SaleorStore(persist_path=stores.saleor),
                                   schema_path=SPECS / "saleor" / "schema.graphql", app_token=SALEOR_TOKEN)
    wagtail_app = wagtail.create_app(wagtail.WagtailStore(persist_path=stores.wagtail), token=WAGTAIL_TOKEN)
    return {
        "saleor": SaleorClient("http://saleor.sandbox/graphql/", app_token=SALEOR_TOKEN,
                               transport=transport(saleor_app), max_retries=0),
        "wagtail": WagtailClient("http://wagtail.sandbox", WAGTAIL_TOKEN, transport=transport(wagtail_app)),
    }


def call_of(kind: str, n: int, source_page: int | None = None) -> tuple[str, dict[str, Any]]:
    """The tool call of one kind for run `n` (names unique per run)."""
    if kind == "product":
        return "saleor.product_create", {"name": f"Crash Lamp {n}", "product_type": "Mug", "category": "Kitchen",
                                         "sku": f"CRASH-LAMP-{n}", "price": 21.5, "attributes": {"Color": "Teal"}}
    if kind == "variant":
        return "saleor.variant_upsert", {"sku": f"CRASH-VAR-{n}", "product": "Blue Vase", "price": 9.5}
    if kind == "collection":
        return "saleor.collection_create", {"name": f"Crash Shelf {n}"}
    if kind == "voucher":
        return "saleor.voucher_create", {"code": f"CRASH{n}", "discount_type": "fixed", "value": 5}
    return "wagtail.page_create_draft", {"parent": "/", "page_type": "standard", "title": f"Nouvelle page {n}",
                                         "body": "Bonjour", "locale": "fr", "translation_of": str(source_page)}


def spec(tool_id: str) -> ToolSpec:
    return next(t for t in [*saleor_tools.TOOLS, *wagtail_tools.TOOLS] if t.id == tool_id)


async def run_call(stores: Stores, tool_id: str, args: dict[str, Any], kill_at: int | None = None,
                   after: bool = False) -> dict[str, Any]:
    """Run one tool call as the executor would; with `kill_at` the process dies inside it."""
    made = clients(stores, kill_at, after)
    try:
        tool = spec(tool_id)
        assert tool.handler is not None
        ctx = ToolContext(tenant="crash", user="crash", run_id="crash", clients=made)
        return await tool.handler(ctx, tool.validate_args(args))
    finally:
        for client in made.values():
            await client.aclose()


async def make_source_page(stores: Stores, n: int) -> int:
    """An English page the translation call of run `n` translates (made before any kill)."""
    result = await run_call(stores, "wagtail.page_create_draft",
                            {"parent": "/", "page_type": "standard", "title": f"Crash notes {n}", "body": "Hello"})
    return int(result["id"])


def census(stores: Stores, runs: range) -> dict[str, dict[str, int]]:
    """Per kind: how many of the runs' objects are whole, half-made or absent, read from the stores' files."""
    shop = json.loads(stores.saleor.read_text())
    site = json.loads(stores.wagtail.read_text())
    channel = next(pk for pk, row in shop["channels"].items() if row["slug"] == "default-channel")
    variants = shop["variants"]
    counts = {kind: {"whole": 0, "half": 0, "absent": 0} for kind in KINDS}

    def count(kind: str, state: str) -> None:
        counts[kind][state] += 1

    products = {row["slug"]: (pk, row) for pk, row in shop["products"].items()}
    for n in runs:
        found = products.get(f"crash-lamp-{n}")
        if found is None:
            count("product", "absent")
        else:
            pk, row = found
            own = [v for v in variants.values() if v["product"] == pk]
            priced = any((v["listings"].get(channel) or {}).get("price") == 21.5 for v in own)
            count("product", "whole" if own and channel in row["listings"] and priced else "half")
        variant = next((v for v in variants.values() if v["sku"] == f"CRASH-VAR-{n}"), None)
        if variant is None:
            count("variant", "absent")
        else:
            count("variant", "whole" if (variant["listings"].get(channel) or {}).get("price") == 9.5 else "half")
        shelf = next((c for c in shop["collections"].values() if c["slug"] == f"crash-shelf-{n}"), None)
        count("collection", "absent" if shelf is None else "whole" if channel in shelf["listings"] else "half")
        voucher = next((v for v in shop["vouchers"].values() if any(c["code"] == f"CRASH{n}" for c in v["codes"])), None)
        if voucher is None:
            count("voucher", "absent")
        else:
            count("voucher", "whole" if (voucher["listings"].get(channel) or {}).get("value") == 5 else "half")
        french = [p["draft"] for p in site["pages"].values() if p.get("locale") == "fr"
                  and p["draft"].get("slug") in (f"crash-notes-{n}", f"nouvelle-page-{n}")]
        if not french:
            count("translation", "absent")
        else:
            count("translation", "whole" if all(p["title"] == f"Nouvelle page {n}" for p in french) else "half")
    return counts
