"""The Telegram service: links, link codes, sending through the Bot API stand-in, the daily limit."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.errors import InvalidRequest
from runtime.brain import Brain
from runtime.services.telegram import DailyLimitReached, Link, LinkNotFound, TelegramService
from runtime.services.telegram.links import AmbiguousLink
from runtime.wiring import sandbox_namespace
from tools.context import ToolContext


def _service(brain: Brain) -> TelegramService:
    service = brain.services["telegram"]
    assert isinstance(service, TelegramService)
    return service


def _ctx(brain: Brain, tenant: str = "acme", user: str = "alex") -> ToolContext:
    return brain._tool_context(tenant, user, "run-1")


async def test_send_reaches_the_stand_in_and_is_recorded(brain: Brain) -> None:
    tool = brain.tools.get("telegram.message_send")
    assert tool.handler is not None
    result = await tool.handler(_ctx(brain), tool.validate_args({"user": "@maria_ops", "text": "Truck arrives at 3"}))
    assert result["to"] == "Maria Lopez" and result["user_id"] == "maria"
    sent = brain.clients.sandbox_store("telegram", "acme").dump()["messages"]
    assert [(m["chat_id"], m["text"]) for m in sent] == [(700002, "Truck arrives at 3")]
    history = await _service(brain).messenger.history("acme", "")
    assert [(h["user_id"], h["source"], h["status"]) for h in history] == [("maria", "tool", "sent")]


async def test_names_handles_labels_and_the_requester_resolve(brain: Brain) -> None:
    bound = _service(brain).bind("acme", "alex", "r")
    assert (await bound.resolve("Maria")).user_id == "maria"
    assert (await bound.resolve("my brother".removeprefix("my "))).user_id == "dan"
    assert (await bound.resolve("priya")).kind == "customer"
    assert (await bound.resolve(None)).user_id == "alex"
    with pytest.raises(LinkNotFound, match="user: nobody linked on Telegram matches 'Zed'"):
        await bound.resolve("Zed")
    await _service(brain).links.upsert("acme", "", Link("acme", "o1", 1234, "Olga Berg"))
    await _service(brain).links.upsert("acme", "", Link("acme", "o2", 1235, "Olga Ivanova"))
    with pytest.raises(AmbiguousLink, match=r"'olga' matches several linked people \(Olga Berg \(o1\), Olga Ivanova"):
        await bound.resolve("olga")
    assert (await bound.resolve("Olga Ivanova")).user_id == "o2"


async def test_an_unlinked_requester_gets_a_stand_in_chat_in_the_sandbox(brain: Brain) -> None:
    bound = _service(brain).bind("acme", "newcomer", "r")
    link = await bound.resolve("me")
    assert link.user_id == "newcomer" and link.chat_id >= 800_000_000
    await bound.send("me", "hello")
    assert brain.clients.sandbox_store("telegram", "acme").dump()["messages"][-1]["chat_id"] == link.chat_id


async def test_broadcast_audiences(brain: Brain) -> None:
    bound = _service(brain).bind("acme", "alex", "r")
    team = await bound.broadcast("team", "Stand-up moved to 10:00")
    assert team["sent"] == 3 and sorted(team["recipients"]) == ["Alex Morgan", "Maria Lopez", "Sam Patel"]
    managers = await bound.broadcast("managers", "Budget review")
    assert sorted(managers["recipients"]) == ["Alex Morgan", "Maria Lopez"]
    with pytest.raises(LinkNotFound, match="audience: 'investors' is not team"):
        await bound.broadcast("investors", "hi")


async def test_daily_limit_counts_tool_messages_only(brain: Brain) -> None:
    service = _service(brain)
    service.messenger.daily_limit = 2
    bound = service.bind("acme", "alex", "r")
    await bound.send("maria", "one")
    await bound.deliver(await bound.resolve("rose"), "Take your 8am tablets", source="reminder")  # not counted
    await bound.send("sam", "two")
    with pytest.raises(DailyLimitReached, match="daily Telegram limit for tenant 'acme' is 2"):
        await bound.send("maria", "three")
    with pytest.raises(DailyLimitReached):
        await bound.broadcast("team", "everyone")  # 3 more would pass it: nothing is sent
    texts = [m["text"] for m in brain.clients.sandbox_store("telegram", "acme").dump()["messages"]]
    assert texts == ["one", "Take your 8am tablets", "two"]


async def test_a_failed_send_is_recorded_and_raised(brain: Brain) -> None:
    service = _service(brain)
    await service.links.upsert("acme", "", Link("acme", "ghost", 99, "Ghost"))  # chat never started the bot
    bound = service.bind("acme", "alex", "r")
    with pytest.raises(InvalidRequest, match="(?i)chat not found") as caught:
        await bound.send("ghost", "boo")
    assert getattr(caught.value, "field", None) == "chat_id"
    history = await service.messenger.history("acme", "")
    assert history[0]["status"] == "failed" and "chat not found" in history[0]["error"].lower()


async def test_link_codes_bind_a_chat_once(brain: Brain) -> None:
    links = _service(brain).links
    code, _ = await links.create_code("acme", "olga", "operator", "Olga")
    linked = await links.redeem(code.lower(), 555, "olga_tg")  # case and dash do not matter
    assert linked is not None and (linked.tenant_id, linked.user_id, linked.role) == ("acme", "olga", "operator")
    assert await links.redeem(code, 556, None) is None  # spent
    found = await links.by_chat(555)
    assert found is not None and found.user_id == "olga"
    assert await links.by_chat(556) is None
    # The other tenant sees none of it.
    assert all(m.user_id != "olga" for m in await links.members("globex", ""))


async def test_links_are_per_tenant_and_per_namespace(brain: Brain) -> None:
    service = _service(brain)
    await service.bind("acme", "alex", "r").send("maria", "live")
    with sandbox_namespace("case-1"):
        bound = service.bind("acme", "alex", "r")
        await bound.send("maria", "in a case")
    assert {m.user_id for m in await service.links.members("globex", "")} == set()
    live = await service.messenger.history("acme", "")
    case: list[dict[str, Any]] = await service.messenger.history("acme", "case-1")
    assert [h["text"] for h in live] == ["live"] and [h["text"] for h in case] == ["in a case"]


async def test_relations_and_saved_lists_resolve_loosely_but_never_ambiguously(brain: Brain) -> None:
    bound = _service(brain).bind("acme", "alex", "r")
    assert (await bound.resolve("Aunt Rita")).user_id == "rita"
    assert (await bound.resolve("Mom's neighbour Sunita")).user_id == "sunita"
    assert (await bound.resolve("sister")).user_id == "anna"
    vip = await bound.broadcast("VIP", "Early access tonight")
    assert sorted(vip["recipients"]) == ["Lee Wong", "Priya Shah"]
