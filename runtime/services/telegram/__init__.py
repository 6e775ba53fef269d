"""The Telegram service: linked people, sending to them, and the sandbox's demo links.

`ctx.service("telegram")` in a tool gives a `BoundTelegram` for the call's tenant and user. With
no bot token configured, messages go to the Bot API stand-in (sandbox/telegram) and a tenant's
first use links a demo team, family and customer to the stand-in's chats, and the requester too,
so "message Maria" or "remind me" do something real offline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from runtime.services.telegram.demo import DEMO_LINKS
from runtime.services.telegram.links import AmbiguousLink, Link, LinkNotFound, LinkStore
from runtime.services.telegram.messenger import DailyLimitReached, Messenger
from runtime.services.telegram.notify import watch
from runtime.wiring import current_namespace
from runtime.wiring.telegram import is_sandbox

if TYPE_CHECKING:
    from runtime.services.ports import ServicePorts

__all__ = ["AmbiguousLink", "BoundTelegram", "DailyLimitReached", "Link", "LinkNotFound", "LinkStore", "Messenger",
           "TelegramService", "make"]



def sandbox_chat_id(tenant: str, user: str) -> int:
    """A stable stand-in chat id for a requester of the sandbox."""
    return 800_000_000 + int(hashlib.sha256(f"{tenant}/{user}".encode()).hexdigest()[:6], 16)


class TelegramService:
    def __init__(self, ports: ServicePorts) -> None:
        self.ports = ports
        self.links = LinkStore(ports.pool)
        self.messenger = Messenger(ports.pool, lambda tenant: ports.clients.client("telegram", tenant),
                                   ports.settings.telegram_daily_limit)
        self._ready: set[tuple[str, str]] = set()

    @property
    def sandbox(self) -> bool:
        return is_sandbox(self.ports.settings)

    def bind(self, tenant: str, user: str, run_id: str) -> BoundTelegram:
        return BoundTelegram(self, tenant, user, run_id, current_namespace())

    async def release_space(self, tenant: str, space: str) -> None:
        """Forget a finished sandbox namespace's links and messages."""
        if space:
            await self.links.clear(tenant, space)
            await self.messenger.forget(tenant, space)
            self._ready.discard((tenant, space))

    async def prepare(self, tenant: str, space: str) -> None:
        """In sandbox mode, link the demo people on a tenant's first use (once per process)."""
        if not self.sandbox or (tenant, space) in self._ready:
            return
        if not await self.links.members(tenant, space):
            for link in DEMO_LINKS:
                await self.links.upsert(tenant, space, replace(link, tenant_id=tenant))
        self._ready.add((tenant, space))

    async def requester(self, tenant: str, space: str, user: str) -> Link:
        """The requester's own link; in sandbox mode an unlinked requester gets a stand-in chat."""
        found = await self.links.get(tenant, space, user)
        if found is not None:
            return found
        if not self.sandbox:
            raise LinkNotFound(f"recipient: you ({user}) have no Telegram chat linked yet: ask for a code"
                               " (POST /api/brain/telegram/link-code) and send /link CODE to the bot")
        chat = sandbox_chat_id(tenant, user)
        self.ports.clients.sandbox_store("telegram", tenant).seed({"chats": [{"id": chat, "first_name": user}]})
        link = Link(tenant, user, chat, user, kind="team", role="operator")
        await self.links.upsert(tenant, space, link)
        return link


class BoundTelegram:
    """The Telegram service for one tool call: one tenant, one requester, one sandbox space."""

    def __init__(self, service: TelegramService, tenant: str, user: str, run_id: str, space: str) -> None:
        self.service, self.tenant, self.user, self.run_id, self.space = service, tenant, user, run_id, space

    async def resolve(self, who: str | None) -> Link:
        """A linked person; None, "me" or the requester's own id mean the requester."""
        await self.service.prepare(self.tenant, self.space)
        if who is None or who.strip().casefold() in ("me", "myself", self.user.casefold()):
            return await self.service.requester(self.tenant, self.space, self.user)
        return await self.service.links.resolve(self.tenant, self.space, who)

    async def send(self, who: str, text: str, buttons: Sequence[str] | None = None, silent: bool = False) -> dict[str, Any]:
        link = await self.resolve(who)
        await self.service.messenger.check_limit(self.tenant, self.space, 1)
        return await self.service.messenger.send(self.tenant, self.space, link, text, source="tool", buttons=buttons,
                                                 silent=silent, run_id=self.run_id)

    async def broadcast(self, audience: str, text: str, buttons: Sequence[str] | None = None) -> dict[str, Any]:
        await self.service.prepare(self.tenant, self.space)
        links = await self.service.links.audience(self.tenant, self.space, audience)
        if not links:
            raise LinkNotFound(f"audience: nobody linked on Telegram is in {audience!r}")
        await self.service.messenger.check_limit(self.tenant, self.space, len(links))
        result = await self.service.messenger.broadcast(self.tenant, self.space, links, text, buttons=buttons,
                                                        run_id=self.run_id)
        return {"audience": audience, **result}

    async def deliver(self, link: Link, text: str, *, source: str) -> dict[str, Any]:
        """Send outside the tools' daily limit (reminders, notices)."""
        return await self.service.messenger.send(self.tenant, self.space, link, text, source=source, run_id=self.run_id)


def make(ports: ServicePorts) -> TelegramService:
    service = TelegramService(ports)
    watch(service)  # approvers notified, chats told how their tasks go (runtime/services/telegram/notify.py)
    return service
