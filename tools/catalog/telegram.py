"""Telegram tools. Argument names and risk classes as in shared/catalog/tools.md.

They reach linked people through the Brain's Telegram service (`ctx.service("telegram")`), which
resolves a name, @handle or user id to a linked chat, keeps the tenant's daily limit and records
every message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from pydantic import Field

from tools.catalog.declare import Toolset
from tools.context import ToolContext
from tools.spec import Risk, ToolArgs, ToolResult, ToolSpec

SYSTEM = "telegram"

# Telegram's limit on one message's text.
MAX_TEXT = 4096


class MessageSend(ToolArgs):
    user: str = Field(min_length=1)  # linked name, handle or ID
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    buttons: list[str] | None = None
    silent: bool | None = None


class MessageBroadcast(ToolArgs):
    audience: str = Field(min_length=1)  # team, opted_in_customers or a saved list name
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    buttons: list[str] | None = None


class TelegramService(Protocol):
    async def send(self, who: str, text: str, buttons: Sequence[str] | None = None,
                   silent: bool = False) -> dict[str, Any]: ...

    async def broadcast(self, audience: str, text: str, buttons: Sequence[str] | None = None) -> dict[str, Any]: ...


def _service(ctx: ToolContext) -> TelegramService:
    service: TelegramService = ctx.service("telegram")
    return service


async def _send(ctx: ToolContext, args: MessageSend) -> ToolResult:
    return await _service(ctx).send(args.user, args.text, args.buttons, bool(args.silent))


async def _broadcast(ctx: ToolContext, args: MessageBroadcast) -> ToolResult:
    return await _service(ctx).broadcast(args.audience, args.text, args.buttons)


_tool = Toolset(SYSTEM)

TOOLS: list[ToolSpec] = [
    _tool("message_send", "Send a message to one Telegram user linked to the tenant", MessageSend, Risk.WRITE,
          "Not idempotent: a repeat sends again.", handler=_send, summary="Sent a Telegram message to {to}."),
    _tool("message_broadcast", "Send one message to many linked users: the team, opted-in customers or a saved list",
          MessageBroadcast, Risk.DESTRUCTIVE, "Not idempotent: a repeat sends again; Telegram's rate limits are kept.",
          handler=_broadcast, summary="Broadcast to {audience}: {sent} sent, {failed} failed."),
]
