"""Saleor: the GraphQL adapter, against a real store when BRAIN_SALEOR_URL is set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from adapters.saleor import SaleorClient
from runtime.settings import Settings
from runtime.wiring import SystemWiring

SANDBOX_URL = "http://saleor.sandbox/graphql/"


def real_client(settings: Settings, tenant: str) -> SaleorClient | None:
    if not settings.saleor_url:
        return None
    if settings.saleor_token:
        return SaleorClient(settings.saleor_url, app_token=settings.saleor_token.get_secret_value())
    return SaleorClient(settings.saleor_url, email=settings.saleor_email, password=settings.saleor_password.get_secret_value())


def sandbox_store(path: Path) -> Any:
    from sandbox.saleor import SaleorStore

    return SaleorStore(persist_path=path)


def sandbox_app(settings: Settings, store: Any) -> Any:
    from sandbox.saleor import create_app

    return create_app(
        store, schema_path=settings.specs_dir / "saleor" / "schema.graphql",
        staff_email=settings.saleor_email, staff_password=settings.saleor_password.get_secret_value(),
    )


def serve_env(base: str) -> dict[str, str]:
    """Settings that point the real adapter at this sandbox served over HTTP at `base`."""
    return {"BRAIN_SALEOR_URL": f"{base}/graphql/"}


def sandbox_client(settings: Settings, store: Any) -> SaleorClient:
    app = sandbox_app(settings, store)
    return SaleorClient(SANDBOX_URL, email=settings.saleor_email, password=settings.saleor_password.get_secret_value(),
                        transport=httpx.ASGITransport(app=app))


def demo_data() -> dict[str, Any]:
    from sandbox.saleor import demo_seed

    data: dict[str, Any] = demo_seed()
    return data


WIRING = SystemWiring("saleor", real_client, sandbox_store, sandbox_client, demo_data, state_file="saleor.json")
