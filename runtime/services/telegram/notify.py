"""Run events on Telegram: approvers told when a run of their tenant waits for their role, the chat
a task was typed in told how it goes, and approval buttons removed once a run moves on.

`watch(service)` registers one listener on the Brain's run events, so this works in whichever
process advances a run (the API, a worker, the CLI). Only live state is watched: runs of an eval
case's sandbox namespace are not. Approvers are notified only through a real bot (a bot token is
set): the Bot API stand-in's chats are demo people, not approvers. With neither a bot token nor a
webhook secret configured no chat can have started a run or hold approval buttons, so events are
not looked at (no database query per event).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import structlog

from policies.model import ROLE_RANK
from runtime.db import current_tenant
from runtime.services.telegram.approvals import ApprovalDesk
from runtime.services.telegram.chat_store import ChatStore
from runtime.services.telegram.links import Link
from runtime.services.telegram.outbox import Outbox
from runtime.services.telegram.render import progress_text
from runtime.wiring import current_namespace

if TYPE_CHECKING:
    from runtime.services.telegram import TelegramService

log = structlog.get_logger(__name__)

WATCHED = frozenset({"routed", "handoff", "tool_result", "waiting", "done", "failed", "cancelled"})
CLOSING = frozenset({"waiting", "done", "failed", "cancelled"})  # earlier approval buttons are stale


def approvers(members: list[Link], role: str) -> list[Link]:
    """Linked team members with `role` or a higher one, one per chat."""
    needed = ROLE_RANK.get(role, 1)
    chosen: dict[int, Link] = {}
    for member in members:
        if member.kind == "team" and ROLE_RANK.get(member.role, -1) >= needed:
            chosen.setdefault(member.chat_id, member)
    return list(chosen.values())


class RunWatcher:
    def __init__(self, service: TelegramService) -> None:
        self.service = service
        self.ports = service.ports
        self.chats = ChatStore(service.ports.pool)
        self.desk = ApprovalDesk(service)
        self.outbox = Outbox(service)

    async def on_event(self, event: dict[str, Any]) -> None:
        """A run event listener: never raises into the run."""
        if event["type"] not in WATCHED or current_namespace() or not self.configured():
            return
        try:
            await self._handle(event)
        except Exception as exc:  # Telegram or a lookup failing must not fail the run
            log.warning("telegram notice failed", run_id=event["run_id"], type=event["type"],
                        error=f"{type(exc).__name__}: {exc}")

    def configured(self) -> bool:
        """A bot token or a webhook secret is set: chats may follow runs."""
        settings = self.ports.settings
        return settings.telegram_bot_token is not None or settings.telegram_webhook_secret is not None

    async def _handle(self, event: dict[str, Any]) -> None:
        run_id, kind = str(event["run_id"]), event["type"]
        tenant = current_tenant() or await self.ports.runs.tenant_of(run_id)
        if kind in CLOSING:
            await self.desk.close(tenant, run_id)
        told: set[int] = set()
        if kind == "waiting":
            told = await self.notify_approvers(tenant, run_id, event["data"])
        origin = await self.chats.run_chat(tenant, run_id)
        if origin is None or origin[0] in told:
            return
        text = progress_text(event, self.ports.agents)
        link = await self.service.links.get(tenant, "", origin[1])
        if text is not None and link is not None and link.chat_id == origin[0]:
            await self.outbox.say(link, text, run_id=run_id)

    async def notify_approvers(self, tenant: str, run_id: str, data: dict[str, Any]) -> set[int]:
        """Send the approval with buttons to each linked approver of the tenant; their chat ids."""
        if self.service.sandbox:
            return set()
        role = str(data.get("approver_role") or "operator")
        chosen = approvers(await self.service.links.members(tenant, ""), role)
        if not chosen:
            log.info("no approver linked on Telegram", tenant=tenant, run_id=run_id, role=role)
            return set()
        run = await self.ports.runs.get(run_id)
        for link in chosen:
            await self.desk.offer(link, run_id, run["request"], run["user_id"], list(data.get("calls") or []), role)
        return {link.chat_id for link in chosen}


def watch(service: TelegramService) -> RunWatcher:
    """Listen to the Brain's run events for Telegram's sake."""
    watcher = RunWatcher(service)
    service.ports.events.listeners.append(watcher.on_event)
    return watcher
