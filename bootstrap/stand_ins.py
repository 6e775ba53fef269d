"""The sandbox systems as stand-ins: each is the real adapter class talking to a local app over ASGI.

`serve_env` gives the settings that point the real adapters at a stand-in served over HTTP
(`brain sandbox serve`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from adapters.crm import CrmClient
from adapters.saleor import SaleorClient
from adapters.superset import SupersetClient
from adapters.telegram import TelegramClient
from adapters.wagtail import WagtailClient
from runtime.settings import Settings
from runtime.wiring import SandboxStore, StandIn
from sandbox import crm, saleor, superset, telegram, wagtail

CRM_TOKEN = "bcrm_pat_sandbox"  # the stand-in's personal access token; not a secret
WAGTAIL_TOKEN = "sandbox-wagtail-token"  # the stand-in's API v3 token; not a secret
TELEGRAM_TOKEN = "100000:sandbox-bot-token"  # the stand-in's bot token; not a secret


def _asgi(app: Any) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=app)


def saleor_app(settings: Settings, store: Any) -> Any:
    return saleor.create_app(
        store, schema_path=settings.specs_dir / "saleor" / "schema.graphql",
        staff_email=settings.saleor_email, staff_password=settings.saleor_password.get_secret_value(),
    )


def saleor_client(settings: Settings, store: SandboxStore) -> SaleorClient:
    return SaleorClient("http://saleor.sandbox/graphql/", email=settings.saleor_email,
                        password=settings.saleor_password.get_secret_value(),
                        transport=_asgi(saleor_app(settings, store)))


def wagtail_app(settings: Settings, store: Any) -> Any:
    return wagtail.create_app(store, token=WAGTAIL_TOKEN)


def wagtail_client(settings: Settings, store: SandboxStore) -> WagtailClient:
    return WagtailClient("http://wagtail.sandbox", WAGTAIL_TOKEN, transport=_asgi(wagtail_app(settings, store)))


def crm_app(settings: Settings, store: Any) -> Any:
    return crm.create_app(store, token=CRM_TOKEN)


def crm_client(settings: Settings, store: SandboxStore) -> CrmClient:
    return CrmClient("http://crm.sandbox", CRM_TOKEN, transport=_asgi(crm_app(settings, store)))


def superset_app(settings: Settings, store: Any) -> Any:
    return superset.create_app(store, username=settings.superset_username,
                               password=settings.superset_password.get_secret_value())


def superset_client(settings: Settings, store: SandboxStore) -> SupersetClient:
    return SupersetClient("http://superset.sandbox", username=settings.superset_username,
                          password=settings.superset_password.get_secret_value(),
                          transport=_asgi(superset_app(settings, store)))


def telegram_app(settings: Settings, store: Any) -> Any:
    return telegram.create_app(store, token=TELEGRAM_TOKEN)


def telegram_client(settings: Settings, store: SandboxStore) -> TelegramClient:
    return TelegramClient(TELEGRAM_TOKEN, base_url="http://telegram.sandbox/bot",
                          transport=_asgi(telegram_app(settings, store)))


def _seed(make: Callable[[], Any]) -> Callable[[], dict[str, Any]]:
    def demo() -> dict[str, Any]:
        data: dict[str, Any] = make()
        return data

    return demo


STAND_INS: dict[str, StandIn] = {
    "saleor": StandIn(lambda path: saleor.SaleorStore(persist_path=path), saleor_client, _seed(saleor.demo_seed)),
    "wagtail": StandIn(lambda path: wagtail.WagtailStore(persist_path=path), wagtail_client, _seed(wagtail.demo_seed)),
    "crm": StandIn(lambda path: crm.CrmStore(persist_path=path), crm_client, _seed(crm.demo_seed)),
    "superset": StandIn(lambda path: superset.SupersetStore(persist_path=path), superset_client,
                        _seed(superset.demo_seed)),
    "telegram": StandIn(lambda path: telegram.TelegramStore(persist_path=path), telegram_client,
                        _seed(telegram.demo_seed)),
}

# The ASGI app of each stand-in, for serving it over HTTP.
APPS: dict[str, Callable[[Settings, Any], Any]] = {
    "saleor": saleor_app, "wagtail": wagtail_app, "crm": crm_app, "superset": superset_app, "telegram": telegram_app,
}


def serve_env(system: str, base: str) -> dict[str, str]:
    """Settings that point the real adapter of `system` at its stand-in served over HTTP at `base`."""
    return {
        "saleor": {"BRAIN_SALEOR_URL": f"{base}/graphql/"},
        "wagtail": {"BRAIN_WAGTAIL_URL": base, "BRAIN_WAGTAIL_TOKEN": WAGTAIL_TOKEN},
        "crm": {"BRAIN_CRM_URL": base, "BRAIN_CRM_TOKEN": CRM_TOKEN},
        "superset": {"BRAIN_SUPERSET_URL": base},
        "telegram": {"BRAIN_TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "BRAIN_TELEGRAM_API_URL": f"{base}/bot"},
    }[system]
