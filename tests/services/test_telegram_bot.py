"""The Telegram bot over a respx-mocked Bot API: linking, tasks, approvals with buttons, edits,
/pending, and who gets notified. The request bodies sent to Telegram are the spec here."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from pydantic import SecretStr
from telegram import Update

from policies.store import GLOBAL
from runtime.brain import Brain
from runtime.llm import use_model
from runtime.runs import Actor
from runtime.services.telegram import Link, TelegramService
from runtime.services.telegram.approvals import ApprovalDesk
from runtime.services.telegram.bot import TelegramBot
from runtime.services.telegram.render import UNLINKED
from runtime.settings import Settings
from runtime.testing.model import ScriptedModel, message_step, tool_step
from tests.api.conftest import REQUEST
from tests.runtime.helpers import products
from tests.services.telegram_bot_api import TOKEN, BotApi, mocked_bot_api, press_update, text_update

ANN, DANA, VAL, OLAF = 1001, 1002, 1003, 2001  # demo admin, demo operator, demo viewer, another tenant's admin
READ_REQUEST = "list the products in the store"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"telegram_bot_token": SecretStr(TOKEN)})


@pytest.fixture
def bot_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[BotApi]:
    monkeypatch.setattr(ApprovalDesk, "ack_seconds", 120.0)  # a press is acknowledged with the verdict
    yield from mocked_bot_api()


@pytest.fixture
async def bot(brain: Brain) -> TelegramBot:
    service = brain.services["telegram"]
    assert isinstance(service, TelegramService)
    for tenant, user, chat, role in (("demo", "ann", ANN, "tenant_admin"), ("demo", "dana", DANA, "operator"),
                                     ("demo", "val", VAL, "viewer"), ("other", "olaf", OLAF, "tenant_admin")):
        await service.links.upsert(tenant, "", Link(tenant, user, chat, user.title(), role=role))
    return TelegramBot(service)


class Chat:
    """Updates as Telegram sends them, numbered."""

    def __init__(self, bot: TelegramBot) -> None:
        self.bot = bot
        self.update_id = 0

    async def say(self, chat_id: int, text: str, **extra: Any) -> None:
        self.update_id += 1
        await self.bot.handle(Update.de_json(text_update(self.update_id, chat_id, text, **extra), None))

    async def press(self, chat_id: int, data: str) -> str:
        self.update_id += 1
        await self.bot.handle(Update.de_json(press_update(self.update_id, chat_id, data), None))
        return f"q{self.update_id}"


@pytest.fixture
def chat(bot: TelegramBot) -> Chat:
    return Chat(bot)


async def _waiting(chat: Chat, bot_api: BotApi) -> str:
    await chat.say(DANA, REQUEST)
    desk = chat.bot.ports.desk
    assert isinstance(desk, Brain)
    [run] = await desk.list_runs(Actor("dana", "demo", "operator"))
    assert run["status"] == "waiting"
    return str(run["id"])


def _button(bot_api: BotApi, chat_id: int, label: str) -> str:
    return next(data for row in bot_api.approval(chat_id).buttons for text, data in row if text == label)


async def _started(brain: Brain, run_id: str) -> list[dict[str, Any]]:
    return [e for e in await brain.ledger.for_run(run_id) if e["kind"] == "started"]


async def test_an_unlinked_chat_gets_instructions_and_nothing_else(chat: Chat, bot_api: BotApi, brain: Brain) -> None:
    await chat.say(4242, REQUEST)
    await chat.say(4242, "/pending")
    assert [(c.method, c.params) for c in bot_api.calls] == [
        ("sendMessage", {"chat_id": 4242, "text": UNLINKED}), ("sendMessage", {"chat_id": 4242, "text": UNLINKED})]
    assert await brain.list_runs(Actor("x", "demo", "super_admin")) == []


async def test_a_link_code_binds_one_chat_once_and_expires(chat: Chat, bot_api: BotApi, brain: Brain,
                                                           db_url: str) -> None:
    links = chat.bot.service.links
    code, _ = await links.create_code("demo", "olga", "operator", "Olga")
    await chat.say(555, f"/link {code}", username="olga_tg")
    assert bot_api.texts(555) == ["Linked: this chat now acts as olga (operator) in tenant demo. "
                                  "Type what you want done, or /help."]
    linked = await links.by_chat(555)
    assert linked is not None and (linked.tenant_id, linked.user_id, linked.role) == ("demo", "olga", "operator")

    await chat.say(556, f"/link {code}")  # used
    expired, _ = await links.create_code("demo", "pia", "operator", "Pia")
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as owner:
        await owner.execute("UPDATE telegram_link_codes SET expires_at = now() - interval '1 minute'")
    await chat.say(556, f"/link {expired}")
    await chat.say(556, "/link")
    refused = ("That code does not work: it is wrong, used already, or expired (codes last 15 minutes). "
               "Ask for a new one and send /link CODE again.")
    assert bot_api.texts(556) == [refused, refused, "Send /link followed by your code, e.g. /link ABCD-2345."]
    assert await links.by_chat(556) is None


async def test_text_becomes_a_task_with_progress_and_the_answer(chat: Chat, bot_api: BotApi, brain: Brain) -> None:
    await chat.say(DANA, READ_REQUEST)
    [run] = await brain.list_runs(Actor("dana", "demo", "operator"))
    short = str(run["id"])[:8]
    assert (run["status"], run["user_id"], run["role"], run["request"]) == ("done", "dana", "operator", READ_REQUEST)
    texts = bot_api.texts(DANA)
    assert texts[0] == f"Task {short} started; I will tell you how it goes."
    assert texts[1].startswith(f"Task {short}: ") and "(product_lifecycle_manager) is on it (confidence" in texts[1]
    assert texts[2:] == [f"Task {short}: ✓ saleor.product_search done.", f"Task {short} is done.\n{run['answer']}"]
    assert bot_api.chats() == {DANA}


async def test_a_viewer_may_not_submit(chat: Chat, bot_api: BotApi, brain: Brain) -> None:
    await chat.say(VAL, READ_REQUEST)
    assert bot_api.texts(VAL) == ["submitting a task needs the operator role or higher; you are viewer"]
    assert await brain.list_runs(Actor("val", "demo", "viewer")) == []


async def test_approvers_of_the_tenant_get_buttons_and_approve_resumes_once(
    chat: Chat, bot_api: BotApi, brain: Brain
) -> None:
    run_id = await _waiting(chat, bot_api)
    short = run_id[:8]
    # ann (tenant_admin) and dana (operator, the requester) may approve; not val (viewer), not olaf (other tenant).
    assert {c.params["chat_id"] for c in bot_api.of("sendMessage") if c.buttons} == {ANN, DANA}
    assert bot_api.chats() == {ANN, DANA}
    message = bot_api.approval(ANN)
    text = message.params["text"]
    assert text.startswith(f"Approval needed (operator or higher)\nTask {short} by dana: \"{REQUEST}\"\n\n"
                           "#1 saleor.product_create (write)\narguments: {")
    assert '"name": "Red Mug"' in text and "\nwhy: " in text
    [[approve, reject, edit]] = message.buttons
    assert [approve[0], reject[0], edit[0]] == ["Approve", "Reject", "Edit"]
    assert all(data.startswith("ap:") and len(data.encode()) <= 64 for _, data in (approve, reject, edit))
    assert not any("waits for approval" in t for t in bot_api.texts(DANA))  # the buttons say it already

    bot_api.clear()
    query = await chat.press(ANN, approve[1])
    assert bot_api.acks() == [{"callback_query_id": query, "text": "Approved"}]
    run = await brain.get_run(run_id, Actor("ann", "demo", "tenant_admin"))
    assert run["status"] == "done" and "Created product Red Mug" in run["answer"]
    removed = {(c.params["chat_id"], "reply_markup" in c.params) for c in bot_api.of("editMessageReplyMarkup")}
    assert removed == {(ANN, False), (DANA, False)}
    assert bot_api.texts(DANA)[-1] == f"Task {short} is done.\n{run['answer']}"
    assert bot_api.texts(ANN) == [f"Task {short} is done.\n{run['answer']}"]

    bot_api.clear()
    again = await chat.press(ANN, approve[1])
    assert bot_api.acks() == [{"callback_query_id": again, "show_alert": "true",
                               "text": f"this approval is answered or closed (run {run_id} is done); nothing was done again"}]
    assert len(await _started(brain, run_id)) == 1


async def test_a_viewer_pressing_approve_is_refused_with_the_reason(chat: Chat, bot_api: BotApi, brain: Brain) -> None:
    run_id = await _waiting(chat, bot_api)
    approve = _button(bot_api, ANN, "Approve")
    query = await chat.press(VAL, approve)
    assert bot_api.acks() == [{"callback_query_id": query, "show_alert": "true",
                               "text": "approving needs the operator role or higher; you are viewer"}]
    stranger = await chat.press(OLAF, approve)  # another tenant does not even find the button
    assert bot_api.acks()[-1] == {"callback_query_id": stranger, "show_alert": "true",
                                  "text": "This button is not one of your tenant's open approvals."}
    assert (await brain.get_run(run_id, Actor("ann", "demo", "tenant_admin")))["status"] == "waiting"
    assert await _started(brain, run_id) == []


async def test_reject_answers_the_run_and_removes_the_buttons(chat: Chat, bot_api: BotApi, brain: Brain) -> None:
    run_id = await _waiting(chat, bot_api)
    reject = _button(bot_api, DANA, "Reject")
    bot_api.clear()
    query = await chat.press(DANA, reject)
    assert bot_api.acks() == [{"callback_query_id": query, "text": "Rejected"}]
    run = await brain.get_run(run_id, Actor("dana", "demo", "operator"))
    assert run["status"] == "done" and "rejected (rejected by dana on Telegram)" in run["answer"]
    assert bot_api.texts(DANA)[-1].startswith(f"Task {run_id[:8]} is done.\n")
    assert bot_api.texts(ANN) == []  # ann did nothing; dana follows her own task
    assert await _started(brain, run_id) == []


async def test_edit_takes_the_next_message_as_json_and_the_gate_decides_again(
    chat: Chat, bot_api: BotApi, brain: Brain
) -> None:
    run_id = await _waiting(chat, bot_api)
    edit = _button(bot_api, ANN, "Edit")
    bot_api.clear()
    query = await chat.press(ANN, edit)
    assert bot_api.acks() == [{"callback_query_id": query, "text": "Send the new arguments as JSON."}]
    [prompt] = bot_api.texts(ANN)
    assert prompt.startswith("Editing #1 saleor.product_create. Send the arguments to change as JSON")

    await chat.say(ANN, "{price: 15")
    await chat.say(ANN, '{"price": "cheap"}')
    await chat.say(ANN, "[1, 2]")
    replies = bot_api.texts(ANN)[1:]
    assert replies[0].startswith("args: not valid JSON (Expecting property name enclosed in double quotes at line 1")
    assert replies[1].startswith("args.price: ") and "nothing was approved" in replies[1]
    assert replies[2].startswith("args: send a JSON object of the arguments to change")
    assert (await brain.get_run(run_id, Actor("ann", "demo", "tenant_admin")))["status"] == "waiting"

    await chat.say(ANN, '{"price": 15}')
    run = await brain.get_run(run_id, Actor("ann", "demo", "tenant_admin"))
    assert run["status"] == "done"
    ledger = await brain.ledger.for_run(run_id)
    redecision = next(e for e in ledger if e["kind"] == "redecision")
    assert redecision["args"]["price"] == 15 and redecision["actor"] == "policy"
    assert [e["args"]["price"] for e in ledger if e["kind"] == "started"] == [15]
    assert bot_api.texts(ANN)[-1].startswith(f"Task {run_id[:8]} is done.\n")


async def test_pending_lists_what_waits_for_this_user(chat: Chat, bot_api: BotApi, brain: Brain) -> None:
    run_id = await _waiting(chat, bot_api)
    bot_api.clear()
    await chat.say(ANN, "/pending")
    texts = bot_api.texts(ANN)
    assert texts[0] == "1 waiting for your approval:"
    assert texts[1].startswith(f"Approval needed (operator or higher)\nTask {run_id[:8]} by dana")
    assert [label for row in bot_api.approval(ANN).buttons for label, _ in row] == ["Approve", "Reject", "Edit"]
    await chat.say(VAL, "/pending")
    await chat.say(OLAF, "/pending")
    assert bot_api.texts(VAL) == ["Nothing waits for your approval (viewer in demo)."]
    assert bot_api.texts(OLAF) == ["Nothing waits for your approval (tenant_admin in other)."]


async def test_help_group_chats_and_unknown_commands(chat: Chat, bot_api: BotApi) -> None:
    await chat.say(DANA, "/help")
    await chat.say(DANA, "/frobnicate")
    await chat.say(DANA, "/cancel")
    await chat.say(-100, "hello", chat_type="group")
    help_text, unknown, cancel = bot_api.texts(DANA)
    assert help_text.startswith("I am the BizOSaaS Brain.") and help_text.endswith(
        "This chat acts as dana (operator) in tenant demo.")
    assert unknown == "I do not know /frobnicate. /help lists what I understand."
    assert cancel == "Nothing to cancel."
    assert bot_api.texts(-100) == ["I work in private chats only: message me directly."]


async def test_a_slow_resume_is_acknowledged_first_and_reported_after(
    chat: Chat, bot_api: BotApi, brain: Brain, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = await _waiting(chat, bot_api)
    approve = _button(bot_api, ANN, "Approve")
    monkeypatch.setattr(ApprovalDesk, "ack_seconds", 0.0)
    bot_api.clear()
    query = await chat.press(ANN, approve)
    assert bot_api.acks() == [{"callback_query_id": query, "text": "Approved: the task continues."}]
    run = await brain.get_run(run_id, Actor("ann", "demo", "tenant_admin"))
    assert run["status"] == "done" and bot_api.texts(ANN) == [f"Task {run_id[:8]} is done.\n{run['answer']}"]


async def test_several_calls_are_answered_one_by_one(chat: Chat, bot_api: BotApi, brain: Brain) -> None:
    model = ScriptedModel([
        tool_step(("saleor.product_update", {"product": "Blue Vase", "price": 40}),
                  ("saleor.product_update", {"product": "Yoga Mat", "price": 30}),
                  ("saleor.product_update", {"product": "Coasters (set of 4)", "price": 9})),
        message_step("Done what you allowed."),
    ])
    with use_model(model):
        out = await brain.submit("reprice the vase, the mat and the coasters", Actor("dana", "demo", "operator"),
                                 agent_hint="product_catalog_manager")
        message = bot_api.approval(ANN)
        assert [[label for label, _ in row] for row in message.buttons] == [
            ["Approve #1", "Reject #1", "Edit #1"], ["Approve #2", "Reject #2", "Edit #2"],
            ["Approve #3", "Reject #3", "Edit #3"], ["Approve all"]]
        data = {label: value for row in message.buttons for label, value in row}
        bot_api.clear()
        first = await chat.press(ANN, data["Approve #1"])
        assert bot_api.acks() == [{"callback_query_id": first, "text": "#1 will be approved; answer the other calls to send it."}]
        [marked] = bot_api.of("editMessageReplyMarkup", ANN)
        assert [row[0][0] for row in marked.buttons] == ["✓ Approve #1", "Approve #2", "Approve #3", "Approve the rest"]

        await chat.press(ANN, data["Edit #2"])
        await chat.say(ANN, '{"price": 35}')
        assert bot_api.texts(ANN)[-1] == "The edit of #2 is kept; answer the other calls to send it."
        assert (await brain.get_run(out.run_id, Actor("ann", "demo", "tenant_admin")))["status"] == "waiting"
        last = await chat.press(ANN, data["Reject #3"])
    assert bot_api.acks()[-1] == {"callback_query_id": last, "text": "Answer sent"}
    now = products(brain)
    assert (now["Blue Vase"]["price"], now["Yoga Mat"]["price"]) == (40.0, 35.0) and now["Coasters (set of 4)"]["price"] != 9.0
    assert [e["call_id"] for e in await _started(brain, out.run_id)] == ["1.0", "1.1"]


async def test_a_requester_who_may_not_approve_is_told_it_waits(chat: Chat, bot_api: BotApi, brain: Brain) -> None:
    await brain.policies.set_workflow(GLOBAL, "product_sourcing", {"approver_role": "tenant_admin"}, author="root",
                                      author_tenant="platform", author_role="super_admin")
    run_id = await _waiting(chat, bot_api)
    assert {c.params["chat_id"] for c in bot_api.of("sendMessage") if c.buttons} == {ANN}
    assert bot_api.approval(ANN).params["text"].startswith("Approval needed (tenant_admin or higher)")
    assert bot_api.texts(DANA)[-1] == f"Task {run_id[:8]} waits for approval (the tenant_admin role or higher)."


async def test_two_approvers_pressing_at_once_execute_once(chat: Chat, bot_api: BotApi, brain: Brain) -> None:
    run_id = await _waiting(chat, bot_api)
    ann, dana = _button(bot_api, ANN, "Approve"), _button(bot_api, DANA, "Approve")
    bot_api.clear()
    await asyncio.gather(chat.press(ANN, ann), chat.press(DANA, dana))
    texts = sorted(ack["text"] for ack in bot_api.acks())
    assert texts[0] == "Approved" and texts[1].endswith("; nothing was done again"), texts
    assert len(await _started(brain, run_id)) == 1
