"""Superset: the REST adapter, against a real Superset when BRAIN_SUPERSET_URL is set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from adapters.superset import SupersetClient
from runtime.settings import Settings
from runtime.wiring import SystemWiring

SANDBOX_URL = "http://superset.sandbox"


def real_client(settings: Settings, tenant: str) -> SupersetClient | None:
    if not settings.superset_url:
        return None
    return SupersetClient(settings.superset_url, username=settings.superset_username,
                          password=settings.superset_password.get_secret_value())


def sandbox_store(path: Path) -> Any:
    from sandbox.superset import SupersetStore

    return SupersetStore(persist_path=path)


def sandbox_app(settings: Settings, store: Any) -> Any:
    from sandbox.superset import create_app

    return create_app(store, username=settings.superset_username, password=settings.superset_password.get_secret_value())


def serve_env(base: str) -> dict[str, str]:
    """Settings that point the real adapter at this sandbox served over HTTP at `base`."""
    return {"BRAIN_SUPERSET_URL": base}


def sandbox_client(settings: Settings, store: Any) -> SupersetClient:
    password = settings.superset_password.get_secret_value()
    app = sandbox_app(settings, store)
    return SupersetClient(SANDBOX_URL, username=settings.superset_username, password=password,
                          transport=httpx.ASGITransport(app=app))


def demo_data() -> dict[str, Any]:
    from sandbox.superset import demo_seed

    data: dict[str, Any] = demo_seed()
    return data


WIRING = SystemWiring("superset", real_client, sandbox_store, sandbox_client, demo_data, state_file="superset.json")
