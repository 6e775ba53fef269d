"""A stand-in for the Telegram Bot API: the methods the Brain calls, messages kept per tenant."""

from sandbox.telegram.app import create_app
from sandbox.telegram.store import TelegramStore, demo_seed

__all__ = ["TelegramStore", "create_app", "demo_seed"]
