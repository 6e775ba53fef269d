"""Superset: the REST adapter, against a real Superset when BRAIN_SUPERSET_URL is set."""

from __future__ import annotations

from adapters.superset import SupersetClient
from runtime.settings import Settings
from runtime.wiring import SystemWiring


def real_client(settings: Settings, tenant: str) -> SupersetClient | None:
    if not settings.superset_url:
        return None
    return SupersetClient(settings.superset_url, username=settings.superset_username,
                          password=settings.superset_password.get_secret_value())


WIRING = SystemWiring("superset", real_client, state_file="superset.json")
