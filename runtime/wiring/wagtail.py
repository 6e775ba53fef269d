"""Wagtail: API v2 reads and API v3 writes, against a real site when BRAIN_WAGTAIL_URL is set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from adapters.wagtail import WagtailClient
from runtime.settings import Settings
from runtime.wiring import SystemWiring

SANDBOX_URL = "http://wagtail.sandbox"
SANDBOX_TOKEN = "sandbox-wagtail-token"  # the sandbox app's API v3 token; not a secret


def real_client(settings: Settings, tenant: str) -> WagtailClient | None:
    if not settings.wagtail_url:
        return None
    token = settings.wagtail_token.get_secret_value() if settings.wagtail_token else None
    return WagtailClient(settings.wagtail_url, token)


def sandbox_store(path: Path) -> Any:
    from sandbox.wagtail import WagtailStore

    return WagtailStore(persist_path=path)


def sandbox_app(settings: Settings, store: Any) -> Any:
    from sandbox.wagtail import create_app

    return create_app(store, token=SANDBOX_TOKEN)


def serve_env(base: str) -> dict[str, str]:
    """Settings that point the real adapter at this sandbox served over HTTP at `base`."""
    return {"BRAIN_WAGTAIL_URL": base, "BRAIN_WAGTAIL_TOKEN": SANDBOX_TOKEN}


def sandbox_client(settings: Settings, store: Any) -> WagtailClient:
    app = sandbox_app(settings, store)
    return WagtailClient(SANDBOX_URL, SANDBOX_TOKEN, transport=httpx.ASGITransport(app=app))


def demo_data() -> dict[str, Any]:
    from sandbox.wagtail import demo_seed

    data: dict[str, Any] = demo_seed()
    return data


WIRING = SystemWiring("wagtail", real_client, sandbox_store, sandbox_client, demo_data, state_file="wagtail.json")
