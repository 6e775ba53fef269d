"""Wagtail: API v2 reads and API v3 writes, against a real site when BRAIN_WAGTAIL_URL is set."""

from __future__ import annotations

from adapters.wagtail import WagtailClient
from runtime.settings import Settings
from runtime.wiring import SystemWiring


def real_client(settings: Settings, tenant: str) -> WagtailClient | None:
    if not settings.wagtail_url:
        return None
    token = settings.wagtail_token.get_secret_value() if settings.wagtail_token else None
    return WagtailClient(settings.wagtail_url, token)


WIRING = SystemWiring("wagtail", real_client, state_file="wagtail.json")
