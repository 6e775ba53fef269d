"""The Telegram bot: one update (python-telegram-bot's `Update`) handled for the chat it came from.

- `/link CODE` binds a private chat to the person the code was made for; an unlinked chat gets
  instructions and nothing else.
- A linked team member's text becomes a task, as over the API (same role rule, same length
  limit); the run's progress and answer come back through `notify.RunWatcher`.
- `/pending` shows what waits for this person's approval, with buttons; `/cancel` stops an edit;
  `/start` and `/help` explain. After "Edit", the chat's next text is the JSON of new arguments.
- A button press is answered by `approvals.ApprovalDesk` as the presser's linked identity.

`handle` does the whole work, runs included: callers run it in the background.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog
from telegram import CallbackQuery, Message, Update

from policies.model import ROLE_RANK
from runtime.runs import RunStateConflict
from runtime.services.telegram.approvals import ApprovalDesk, actor_of
from runtime.services.telegram.chat_store import ChatStore
from runtime.services.telegram.links import Link
from runtime.services.telegram.outbox import BOT_TENANT, Outbox
from runtime.services.telegram.render import HELP, UNLINKED
from tools.limits import text_problem

if TYPE_CHECKING:
    from runtime.services.telegram import TelegramService

log = structlog.get_logger(__name__)

MAX_PENDING_SHOWN = 10


def split_command(text: str) -> tuple[str | None, str]:
    """("/link", "ABCD-2345") from "/link@brain_bot ABCD-2345"; (None, text) for plain text."""
    if not text.startswith("/"):
        return None, text
    head, _, rest = text.partition(" ")
    return head.split("@", 1)[0].lower(), rest.strip()


class TelegramBot:
    def __init__(self, service: TelegramService, *, submit_role: str = "operator", max_request_chars: int = 4000) -> None:
        self.service = service
        self.ports = service.ports
        self.submit_role = submit_role
        self.max_request_chars = max_request_chars
        self.chats = ChatStore(service.ports.pool)
        self.desk = ApprovalDesk(service)
        self.outbox = Outbox(service)

    async def handle(self, update: Update) -> None:
        if update.callback_query is not None:
            await self._press(update.callback_query)
        elif update.message is not None and update.message.text is not None:
            await self._message(update.message)
        # Anything else (edits, photos, channel posts, members joining) is not for the Brain.

    # -- messages --------------------------------------------------------------------------------

    async def _message(self, message: Message) -> None:
        chat_id = message.chat.id
        if message.chat.type != "private":
            await self.outbox.say_to_chat(chat_id, "I work in private chats only: message me directly.")
            return
        problem = text_problem(message.text or "", 4096)  # Telegram's own limit; nothing unstorable goes on
        if problem:
            await self.outbox.say_to_chat(chat_id, f"text: {problem}; nothing was done.")
            return
        command, rest = split_command(message.text.strip() if message.text else "")
        handle = message.from_user.username if message.from_user else None
        link = await self.service.links.by_chat(chat_id)
        if command == "/link" or (command == "/start" and rest and link is None):  # t.me/<bot>?start=CODE
            await self._link(chat_id, rest, handle)
            return
        if link is None:
            await self.outbox.say_to_chat(chat_id, UNLINKED)
            return
        if command in ("/start", "/help"):
            await self.outbox.say(link, f"{HELP}\n\nThis chat acts as {link.user_id} ({link.role}) in tenant "
                                        f"{link.tenant_id}.")
        elif command == "/pending":
            await self._pending(link)
        elif command == "/cancel":
            stopped = await self.chats.cancel_edit(link.tenant_id, chat_id)
            await self.outbox.say(link, "The edit is cancelled; the buttons are as they were." if stopped
                                  else "Nothing to cancel.")
        elif command is not None:
            await self.outbox.say(link, f"I do not know {command}. /help lists what I understand.")
        else:
            editing = await self.chats.pending_edit(link.tenant_id, chat_id)
            if editing is not None:
                await self.desk.edit(link, editing, rest)
            else:
                await self._task(link, rest)

    async def _link(self, chat_id: int, code: str, handle: str | None) -> None:
        if not code:
            await self.outbox.say_to_chat(chat_id, "Send /link followed by your code, e.g. /link ABCD-2345.")
            return
        linked = await self.service.links.redeem(code, chat_id, handle)
        if linked is None:
            await self.outbox.say_to_chat(
                chat_id, "That code does not work: it is wrong, used already, or expired (codes last 15 minutes). "
                         "Ask for a new one and send /link CODE again.")
            return
        log.info("telegram chat linked", tenant=linked.tenant_id, user=linked.user_id)
        await self.outbox.say(linked, f"Linked: this chat now acts as {linked.user_id} ({linked.role}) in tenant "
                                      f"{linked.tenant_id}. Type what you want done, or /help.")

    async def _task(self, link: Link, text: str) -> None:
        """The text becomes a task, as POST /tasks would make it; the run goes on right here."""
        if link.kind != "team":
            await self.outbox.say(link, f"This chat receives messages from {link.tenant_id}; only team members "
                                        "can give the Brain work.")
            return
        if ROLE_RANK.get(link.role, -1) < ROLE_RANK[self.submit_role]:
            await self.outbox.say(link, f"submitting a task needs the {self.submit_role} role or higher; "
                                        f"you are {link.role}")
            return
        if len(text) > self.max_request_chars:
            await self.outbox.say(link, f"request: {len(text)} characters is longer than the limit of "
                                        f"{self.max_request_chars}")
            return
        if "\x00" in text:
            await self.outbox.say(link, "request: must not contain NUL characters")
            return
        try:
            run_id, _ = await self.ports.desk.create_run(text, actor_of(link))
        except ValueError as exc:
            await self.outbox.say(link, str(exc))
            return
        await self.chats.remember_run(link.tenant_id, run_id, link.chat_id, link.user_id)
        await self.outbox.say(link, f"Task {run_id[:8]} started; I will tell you how it goes.", run_id=run_id)
        try:
            outcome = await self.ports.desk.start(run_id)
        except RunStateConflict as exc:  # cancelled (or started elsewhere) before it got going
            log.info("run not started", run_id=run_id, reason=str(exc))
            return
        log.info("run stopped", run_id=run_id, status=outcome.status, via="telegram")

    async def _pending(self, link: Link) -> None:
        rank = ROLE_RANK.get(link.role, -1)
        rows = [r for r in await self.ports.desk.pending_approvals(actor_of(link))
                if rank >= ROLE_RANK.get(r["approver_role"], 1)]
        if not rows:
            await self.outbox.say(link, f"Nothing waits for your approval ({link.role} in {link.tenant_id}).")
            return
        shown = rows[:MAX_PENDING_SHOWN]
        more = f" (the oldest {len(shown)} below)" if len(rows) > len(shown) else ""
        await self.outbox.say(link, f"{len(rows)} waiting for your approval{more}:")
        for row in shown:
            await self.desk.offer(link, str(row["run_id"]), row["request"], row["user_id"], list(row["calls"]),
                                  row["approver_role"])

    # -- button presses --------------------------------------------------------------------------

    async def _press(self, query: CallbackQuery) -> None:
        link = await self.service.links.by_chat(query.from_user.id)  # a person's private chat id is their user id
        if link is None:
            await self.outbox.ack(BOT_TENANT, query.id, "You are not linked to the Brain: send /link CODE to me first.",
                                  alert=True)
            return
        await self.desk.press(link, query.id, query.data or "")
