"""CRM: django-crm (BottleCRM) REST API, against a real server when BRAIN_CRM_URL is set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from adapters.crm import CrmClient
from runtime.settings import Settings
from runtime.wiring import SystemWiring

SANDBOX_URL = "http://crm.sandbox"
SANDBOX_TOKEN = "bcrm_pat_sandbox"  # the sandbox app's personal access token; not a secret


def real_client(settings: Settings, tenant: str) -> CrmClient | None:
    if not settings.crm_url:
        return None
    token = settings.crm_token.get_secret_value() if settings.crm_token else None
    return CrmClient(settings.crm_url, token)


def sandbox_store(path: Path) -> Any:
    from sandbox.crm import CrmStore

    return CrmStore(persist_path=path)


def sandbox_app(settings: Settings, store: Any) -> Any:
    from sandbox.crm import create_app

    return create_app(store, token=SANDBOX_TOKEN)


def serve_env(base: str) -> dict[str, str]:
    """Settings that point the real adapter at this sandbox served over HTTP at `base`."""
    return {"BRAIN_CRM_URL": base, "BRAIN_CRM_TOKEN": SANDBOX_TOKEN}


def sandbox_client(settings: Settings, store: Any) -> CrmClient:
    app = sandbox_app(settings, store)
    return CrmClient(SANDBOX_URL, SANDBOX_TOKEN, transport=httpx.ASGITransport(app=app))


def demo_data() -> dict[str, Any]:
    from sandbox.crm import demo_seed

    data: dict[str, Any] = demo_seed()
    return data


WIRING = SystemWiring("crm", real_client, sandbox_store, sandbox_client, demo_data, state_file="crm.json")
