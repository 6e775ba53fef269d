"""What the bot says: replies to linked people (recorded), to unlinked chats, button acknowledgements
and keyboard edits. A failure to reach Telegram is logged, never raised into a run or an update.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import structlog

from adapters.errors import AdapterError
from adapters.telegram.client import MAX_TEXT, Keyboard
from runtime.services.telegram.links import Link

if TYPE_CHECKING:
    from runtime.services.telegram import TelegramService

log = structlog.get_logger(__name__)

# The client used before a chat's tenant is known (unlinked chats, presses from unlinked people).
BOT_TENANT = "_bot"


def clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Outbox:
    def __init__(self, service: TelegramService) -> None:
        self.service = service

    def _client(self, tenant: str) -> Any:
        return self.service.ports.clients.client("telegram", tenant)

    async def say(self, link: Link, text: str, *, keyboard: Keyboard | None = None, source: str = "reply",
                  run_id: str | None = None) -> dict[str, Any] | None:
        """Send to a linked person (recorded in telegram_messages); None when Telegram refused."""
        try:
            return await self.service.messenger.send(link.tenant_id, "", link, clip(text), source=source,
                                                     keyboard=keyboard, run_id=run_id)
        except AdapterError as exc:
            log.warning("telegram reply failed", tenant=link.tenant_id, user=link.user_id, error=str(exc))
            return None

    async def say_to_chat(self, chat_id: int, text: str) -> None:
        """Send to a chat nobody is linked to (not recorded: it belongs to no tenant)."""
        try:
            await self._client(BOT_TENANT).send_message(chat_id, clip(text))
        except AdapterError as exc:
            log.warning("telegram reply failed", chat_id=chat_id, error=str(exc))

    async def ack(self, tenant: str, query_id: str, text: str, *, alert: bool = False) -> None:
        """answerCallbackQuery: stops the button's spinner and shows `text` (200 characters at most)."""
        try:
            await self._client(tenant).answer_callback_query(query_id, clip(text, 200), show_alert=alert)
        except AdapterError as exc:
            log.warning("telegram callback answer failed", tenant=tenant, error=str(exc))

    async def set_buttons(self, tenant: str, chat_id: int, message_id: int | None, keyboard: Keyboard | None) -> None:
        """editMessageReplyMarkup: new buttons, or none."""
        if message_id is None:
            return
        try:
            await self._client(tenant).edit_message_reply_markup(chat_id, message_id, keyboard=keyboard)
        except AdapterError as exc:  # e.g. the message is gone or already has no buttons
            log.info("telegram buttons not updated", tenant=tenant, chat_id=chat_id, error=str(exc))
