"""Telegram: the Bot API at api.telegram.org when BRAIN_TELEGRAM_BOT_TOKEN is set, else the stand-in."""

from __future__ import annotations

from adapters.telegram import TelegramClient
from runtime.settings import Settings
from runtime.wiring import SystemWiring


def real_client(settings: Settings, tenant: str) -> TelegramClient | None:
    if settings.telegram_bot_token is None:
        return None
    return TelegramClient(settings.telegram_bot_token.get_secret_value(), base_url=settings.telegram_api_url)


def is_sandbox(settings: Settings) -> bool:
    return settings.telegram_bot_token is None


WIRING = SystemWiring("telegram", real_client, state_file="telegram.json")
