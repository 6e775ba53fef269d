"""Saleor: the GraphQL adapter, against a real store when BRAIN_SALEOR_URL is set."""

from __future__ import annotations

from adapters.saleor import SaleorClient
from runtime.settings import Settings
from runtime.wiring import SystemWiring


def real_client(settings: Settings, tenant: str) -> SaleorClient | None:
    if not settings.saleor_url:
        return None
    if settings.saleor_token:
        return SaleorClient(settings.saleor_url, app_token=settings.saleor_token.get_secret_value())
    return SaleorClient(settings.saleor_url, email=settings.saleor_email, password=settings.saleor_password.get_secret_value())


WIRING = SystemWiring("saleor", real_client, state_file="saleor.json")
