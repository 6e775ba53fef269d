"""Telegram: the Bot API at api.telegram.org when BRAIN_TELEGRAM_BOT_TOKEN is set, else the stand-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from adapters.telegram import TelegramClient
from runtime.settings import Settings
from runtime.wiring import SystemWiring

SANDBOX_URL = "http://telegram.sandbox/bot"
SANDBOX_TOKEN = "100000:sandbox-bot-token"  # the stand-in's bot token; not a secret


def real_client(settings: Settings, tenant: str) -> TelegramClient | None:
    if settings.telegram_bot_token is None:
        return None
    return TelegramClient(settings.telegram_bot_token.get_secret_value(), base_url=settings.telegram_api_url)


def sandbox_store(path: Path) -> Any:
    from sandbox.telegram import TelegramStore

    return TelegramStore(persist_path=path)


def sandbox_app(settings: Settings, store: Any) -> Any:
    from sandbox.telegram import create_app

    return create_app(store, token=SANDBOX_TOKEN)


def serve_env(base: str) -> dict[str, str]:
    """Settings that point the real adapter at this sandbox served over HTTP at `base`."""
    return {"BRAIN_TELEGRAM_BOT_TOKEN": SANDBOX_TOKEN, "BRAIN_TELEGRAM_API_URL": f"{base}/bot"}


def sandbox_client(settings: Settings, store: Any) -> TelegramClient:
    app = sandbox_app(settings, store)
    return TelegramClient(SANDBOX_TOKEN, base_url=SANDBOX_URL, transport=httpx.ASGITransport(app=app))


def demo_data() -> dict[str, Any]:
    from sandbox.telegram import demo_seed

    return demo_seed()


def is_sandbox(settings: Settings) -> bool:
    return settings.telegram_bot_token is None


WIRING = SystemWiring("telegram", real_client, sandbox_store, sandbox_client, demo_data, state_file="telegram.json")
