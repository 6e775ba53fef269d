"""TelegramClient: a thin wrapper over python-telegram-bot's `telegram.Bot` with typed errors.

The Bot API itself is python-telegram-bot's; this class only shapes arguments (inline buttons
whose callback_data fits Telegram's 64 bytes), returns plain values, maps `telegram.error` to
`adapters.errors`, and keeps the bot token out of messages, logs and repr.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Awaitable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.error import Conflict as TelegramConflict
from telegram.request import HTTPXRequest

from adapters.errors import AdapterError, AuthError, Conflict, InvalidRequest, RateLimited, Unavailable
from adapters.http import ClientLifecycle

SYSTEM = "telegram"
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64  # bytes
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Loggers that may print the bot URL, which holds the token (httpx logs every request URL).
_URL_LOGGERS = ("httpx", "telegram.Bot", "telegram.ext.ExtBot", "telegram.request.BaseRequest")
T = TypeVar("T")
# Rows of inline buttons given as (label, callback_data) pairs.
Keyboard = Sequence[Sequence[tuple[str, str]]]


class _RedactTokens(logging.Filter):
    """Replaces known bot tokens in a log record's message with `<token>`."""

    def __init__(self) -> None:
        super().__init__("telegram-token-redaction")
        self.tokens: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        clean = text
        for token in self.tokens:
            clean = clean.replace(token, "<token>")
        if clean != text:
            record.msg, record.args = clean, None
        return True


def _redact_logs(token: str) -> None:
    for name in _URL_LOGGERS:
        logger = logging.getLogger(name)
        redactor = next((f for f in logger.filters if isinstance(f, _RedactTokens)), None)
        if redactor is None:
            redactor = _RedactTokens()
            logger.addFilter(redactor)
        redactor.tokens.add(token)


def callback_data(index: int, label: str) -> str:
    """`<index>:<label>` cut to Telegram's 64 bytes at a character boundary (unique per message)."""
    data = f"{index}:{label}".encode()[:MAX_CALLBACK_DATA]
    return data.decode("utf-8", errors="ignore")


def _keyboard(buttons: Sequence[str] | None) -> InlineKeyboardMarkup | None:
    """One button per row; callback_data `<index>:<label>` within 64 bytes."""
    if not buttons:
        return None
    if any(not label or not label.strip() for label in buttons):
        raise InvalidRequest(SYSTEM, "every button needs a label", field="buttons")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=callback_data(i, label))] for i, label in enumerate(buttons)]
    )


def _markup(buttons: Sequence[str] | None, keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    """Labels (`buttons`, one per row) or explicit rows of (label, callback_data) pairs (`keyboard`)."""
    if buttons and keyboard:
        raise InvalidRequest(SYSTEM, "give buttons or keyboard, not both", field="buttons")
    if not keyboard:
        return _keyboard(buttons)
    rows = []
    for row in keyboard:
        for label, data in row:
            if not label or not label.strip():
                raise InvalidRequest(SYSTEM, "every button needs a label", field="buttons")
            if not data or len(data.encode()) > MAX_CALLBACK_DATA:
                raise InvalidRequest(SYSTEM, f"callback_data {data!r} must be 1-{MAX_CALLBACK_DATA} bytes",
                                     field="buttons")
        rows.append([InlineKeyboardButton(label, callback_data=data) for label, data in row])
    return InlineKeyboardMarkup(rows)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _message(message: Message | bool) -> dict[str, Any]:
    if not isinstance(message, Message):
        return {"ok": bool(message)}
    keyboard = message.reply_markup.inline_keyboard if message.reply_markup else ()
    return {
        "message_id": message.message_id,
        "chat_id": message.chat_id,
        "date": message.date.isoformat() if message.date else None,
        "text": message.text,
        "buttons": [{"text": b.text, "callback_data": b.callback_data} for row in keyboard for b in row],
    }


class TelegramClient(ClientLifecycle):
    """Sends as one bot. `base_url` points at another Bot API server (e.g. a local one), given
    as python-telegram-bot expects it: the token is appended, "https://api.telegram.org/bot".
    """

    def __init__(self, token: str, *, base_url: str | None = None, timeout: float = 10.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not token:
            raise ValueError("TelegramClient needs a bot token")
        self._token = token
        _redact_logs(token)
        extra: dict[str, Any] = {"transport": transport} if transport is not None else {}
        self._request = HTTPXRequest(connection_pool_size=8, read_timeout=timeout, write_timeout=timeout,
                                     connect_timeout=timeout, httpx_kwargs=extra or None)
        options: dict[str, Any] = {"base_url": base_url} if base_url else {}
        self._bot = Bot(token, request=self._request, get_updates_request=self._request, **options)

    def __repr__(self) -> str:
        return f"TelegramClient(bot_id={self._token.partition(':')[0]!r})"

    async def aclose(self) -> None:
        await self._request.shutdown()

    async def send_message(
        self, chat_id: int | str, text: str, buttons: Sequence[str] | None = None, silent: bool = False,
        *, keyboard: Keyboard | None = None,
    ) -> dict[str, Any]:
        """Send `text`; `buttons` become one inline button per row, or `keyboard` gives rows of
        (label, callback_data) pairs; `silent` sends without a sound."""
        if not text or not text.strip():
            raise InvalidRequest(SYSTEM, "text must not be empty", field="text")
        if len(text) > MAX_TEXT:
            raise InvalidRequest(SYSTEM, f"text is {len(text)} characters; Telegram allows {MAX_TEXT}", field="text")
        sent = await self._call(self._bot.send_message(
            chat_id=chat_id, text=text, reply_markup=_markup(buttons, keyboard),
            disable_notification=True if silent else None,
        ))
        return _message(sent)

    async def answer_callback_query(
        self, callback_query_id: str, text: str | None = None, show_alert: bool = False
    ) -> bool:
        """Acknowledge a button press (Telegram shows a spinner until this is called)."""
        return bool(await self._call(self._bot.answer_callback_query(
            callback_query_id=callback_query_id, text=text, show_alert=show_alert or None,
        )))

    async def edit_message_reply_markup(
        self, chat_id: int | str, message_id: int, buttons: Sequence[str] | None = None,
        *, keyboard: Keyboard | None = None,
    ) -> dict[str, Any]:
        """Replace a message's inline buttons (`buttons` or `keyboard`, as in `send_message`); without
        either they are removed (the Bot API removes the keyboard when `reply_markup` is left out)."""
        edited = await self._call(self._bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message_id, reply_markup=_markup(buttons, keyboard),
        ))
        return _message(edited)

    async def set_webhook(self, url: str, secret_token: str, *, drop_pending_updates: bool = False) -> bool:
        """Point Telegram at `url`; each update then carries X-Telegram-Bot-Api-Secret-Token."""
        if not _SECRET_TOKEN.match(secret_token):
            raise InvalidRequest(SYSTEM, "secret_token must be 1-256 characters of A-Z, a-z, 0-9, _ and -",
                                 field="secret_token")
        if not url.startswith("https://"):
            raise InvalidRequest(SYSTEM, "Telegram sends webhooks to https URLs only", field="url")
        return bool(await self._call(self._bot.set_webhook(
            url=url, secret_token=secret_token, drop_pending_updates=drop_pending_updates or None,
        )))

    # --- errors ------------------------------------------------------------------------------

    def _clean(self, text: str) -> str:
        return text.replace(self._token, "<token>")

    async def _call(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except TelegramError as exc:
            raise self._error(exc) from None

    def _error(self, exc: TelegramError) -> AdapterError:
        text = self._clean(exc.message)
        if isinstance(exc, RetryAfter):
            with warnings.catch_warnings():  # PTB warns that the attribute becomes a timedelta
                warnings.simplefilter("ignore")
                wait = _seconds(exc.retry_after)
            return RateLimited(SYSTEM, f"Telegram flood control: retry in {wait:g}s", retry_after=wait)
        if isinstance(exc, Forbidden | InvalidToken):
            return AuthError(SYSTEM, f"{text}; check the bot token, and that the user has not blocked the bot")
        if isinstance(exc, ChatMigrated):
            return InvalidRequest(SYSTEM, f"the group moved to chat {exc.new_chat_id}; use that chat_id",
                                  field="chat_id")
        if isinstance(exc, BadRequest):
            return InvalidRequest(SYSTEM, text, field=_bad_request_field(text), status=400)
        if isinstance(exc, NetworkError):  # TimedOut is a NetworkError too
            return Unavailable(SYSTEM, f"Telegram could not be reached or failed: {text}")
        if isinstance(exc, TelegramConflict):
            return Conflict(SYSTEM, text, status=409)
        return Unavailable(SYSTEM, text)


def _bad_request_field(description: str) -> str | None:
    lowered = description.lower()
    for words, field in ((("chat not found", "chat_id", "peer_id"), "chat_id"),
                         (("button_data", "callback_data", "reply markup", "keyboard"), "buttons"),
                         (("message text", "text is empty", "message is too long"), "text"),
                         (("message to edit", "message_id", "message can't be edited"), "message_id"),
                         (("query is too old", "query id is invalid"), "callback_query_id"),
                         (("webhook", "url"), "url")):
        if any(word in lowered for word in words):
            return field
    return None
