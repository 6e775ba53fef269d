"""Telegram: the bot's webhook, and one-time codes that link a chat to the caller.

The webhook checks Telegram's secret header, parses the update with python-telegram-bot, drops
an update id it has seen (Telegram retries), and answers 200 at once: the update is handled in
the app's background runner (`runtime.services.telegram.bot`). It is left out of the OpenAPI
schema: Telegram calls it, not API clients.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Annotated, Any, cast

import structlog
from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, ConfigDict, Field
from telegram import Update

from api.deps import PREFIX, BrainDep, Caller, State
from api.errors import ERROR_RESPONSES, ApiError
from runtime.brain import Brain
from runtime.services.telegram import TelegramService
from runtime.services.telegram.bot import TelegramBot
from runtime.services.telegram.chat_store import ChatStore

log = structlog.get_logger(__name__)
router = APIRouter(prefix=PREFIX, tags=["telegram"], responses=ERROR_RESPONSES)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SUBMIT_ROLE = "operator"  # as POST /tasks


def telegram_service(brain: Brain) -> TelegramService:
    return cast(TelegramService, brain.services["telegram"])


def check_secret(brain: Brain, given: str | None) -> None:
    """503 when no webhook secret is configured, 403 when the header is missing or wrong."""
    configured = brain.settings.telegram_webhook_secret
    if configured is None or not configured.get_secret_value():
        raise ApiError(503, "the Telegram webhook is off: no secret is configured; set BRAIN_TELEGRAM_WEBHOOK_SECRET "
                            "and register the webhook with `brain telegram set-webhook URL`", code="unavailable")
    if not given:
        raise ApiError(403, f"{SECRET_HEADER}: missing; only Telegram, given the secret by setWebhook, may call this")
    if not hmac.compare_digest(given.encode(), configured.get_secret_value().encode()):
        raise ApiError(403, f"{SECRET_HEADER}: does not match the configured webhook secret")


def parse_update(data: Any) -> Update:
    if not isinstance(data, dict):
        raise ApiError(422, "body: a Telegram Update must be a JSON object", field="body")
    if type(data.get("update_id")) is not int:
        raise ApiError(422, "update_id: an integer is required", field="update_id")
    try:
        return Update.de_json(data, None)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ApiError(422, f"body: not a Telegram Update ({type(exc).__name__}: {exc})", field="body") from exc


@router.post("/telegram/webhook", include_in_schema=False)
async def webhook(request: Request, brain: BrainDep, state: State) -> dict[str, Any]:
    check_secret(brain, request.headers.get(SECRET_HEADER))
    try:
        data = await request.json()
    except ValueError as exc:
        raise ApiError(400, "body: not JSON; Telegram sends an Update as JSON", field="body") from exc
    update = parse_update(data)
    if not await ChatStore(brain.pool).first_sight(update.update_id):
        log.info("telegram update seen before", update_id=update.update_id)
        return {"ok": True, "duplicate": True}
    bot = TelegramBot(telegram_service(brain), submit_role=SUBMIT_ROLE, max_request_chars=state.settings.max_request_chars)
    state.background.spawn(bot.handle(update), name=f"telegram update {update.update_id}")
    return {"ok": True}


class LinkCodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$",
                             description="how the bot names you (default: your user id)")


OptionalBody = Annotated[LinkCodeRequest | None, Body()]


class LinkCode(BaseModel):
    code: str = Field(description="send `/link CODE` to the bot within its validity; works once")
    expires_at: datetime
    instruction: str
    user: str
    tenant: str
    role: str


@router.post(
    "/telegram/link-code", status_code=201, response_model=LinkCode, summary="A one-time code to link a Telegram chat",
    description="The chat that sends `/link CODE` to the bot is bound to the caller's user, tenant and role: its "
                "text messages become tasks and approvals can be answered with its buttons. The code works once, "
                "for 15 minutes. Any role may link (a viewer's chat can read /pending but not submit or approve).",
)
async def link_code(actor: Caller, brain: BrainDep, body: OptionalBody = None) -> LinkCode:
    name = (body.name if body is not None else None) or actor.user
    code, expires = await telegram_service(brain).links.create_code(actor.tenant, actor.user, actor.role, name)
    return LinkCode(code=code, expires_at=expires, instruction=f"send /link {code} to the bot", user=actor.user,
                    tenant=actor.tenant, role=actor.role)
