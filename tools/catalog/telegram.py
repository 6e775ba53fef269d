"""Telegram tools. Argument names and risk classes as in shared/catalog/tools.md.

Handlers land with the Telegram adapter.
"""

from __future__ import annotations

from pydantic import Field

from tools.spec import Risk, ToolArgs, ToolSpec

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


def _tool(name: str, description: str, args: type[ToolArgs], risk: Risk, idempotency: str) -> ToolSpec:
    return ToolSpec(
        id=f"{SYSTEM}.{name}", system=SYSTEM, description=description, args_model=args, risk=risk,
        idempotency=idempotency,
    )


TOOLS: list[ToolSpec] = [
    _tool("message_send", "Send a message to one Telegram user linked to the tenant", MessageSend, Risk.WRITE,
          "Not idempotent: a repeat sends again."),
    _tool("message_broadcast", "Send one message to many linked users: the team, opted-in customers or a saved list",
          MessageBroadcast, Risk.DESTRUCTIVE, "Not idempotent: a repeat sends again; Telegram's rate limits are kept."),
]
