"""CRM: django-crm (BottleCRM) REST API, against a real server when BRAIN_CRM_URL is set."""

from __future__ import annotations

from adapters.crm import CrmClient
from runtime.settings import Settings
from runtime.wiring import SystemWiring


def real_client(settings: Settings, tenant: str) -> CrmClient | None:
    if not settings.crm_url:
        return None
    token = settings.crm_token.get_secret_value() if settings.crm_token else None
    return CrmClient(settings.crm_url, token)


WIRING = SystemWiring("crm", real_client, state_file="crm.json")
