"""Adapter clients per tenant: the real systems when configured, else the local sandbox stand-ins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from adapters.saleor import SaleorClient
from runtime.settings import Settings

SANDBOX_SALEOR_URL = "http://saleor.sandbox/graphql/"


class ClientFactory:
    """Creates each tenant's clients once and closes them all at the end."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._clients: dict[tuple[str, str], Any] = {}

    def for_tenant(self, tenant: str) -> dict[str, Any]:
        return {"saleor": self.saleor(tenant)}

    def saleor(self, tenant: str) -> SaleorClient:
        key = ("saleor", tenant)
        if key not in self._clients:
            s = self.settings
            if s.saleor_url:
                token = s.saleor_token.get_secret_value() if s.saleor_token else None
                client = SaleorClient(
                    s.saleor_url, app_token=token, email=None if token else s.saleor_email,
                    password=None if token else s.saleor_password.get_secret_value(),
                )
            else:
                client = SaleorClient(
                    SANDBOX_SALEOR_URL, email=s.saleor_email, password=s.saleor_password.get_secret_value(),
                    transport=httpx.ASGITransport(app=self.saleor_sandbox_app(tenant)),
                )
            self._clients[key] = client
        client_: SaleorClient = self._clients[key]
        return client_

    def saleor_store_path(self, tenant: str) -> Path:
        return self.settings.sandbox_dir / tenant / "saleor.json"

    def saleor_sandbox_app(self, tenant: str) -> Any:
        from sandbox.saleor import SaleorStore, create_app, demo_seed

        path = self.saleor_store_path(tenant)
        fresh = not path.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        store = SaleorStore(persist_path=path)
        if fresh:
            store.seed(demo_seed())
        return create_app(
            store, schema_path=self.settings.specs_dir / "saleor" / "schema.graphql",
            staff_email=self.settings.saleor_email, staff_password=self.settings.saleor_password.get_secret_value(),
        )

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
