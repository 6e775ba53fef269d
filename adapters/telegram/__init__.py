"""Telegram Bot API adapter (a thin wrapper over python-telegram-bot's `telegram.Bot`)."""

from adapters.telegram.client import TelegramClient

__all__ = ["TelegramClient"]
