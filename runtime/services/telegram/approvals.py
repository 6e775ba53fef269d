"""Approvals in a chat: the message with buttons, a press, an edit, and the answer to the Brain.

A press is checked by the runtime exactly as an API call is: the answer goes to
`Brain.answer_approval` as the presser's linked user, tenant and role, and its refusal (wrong
role, wrong tenant, answered already, invalid edit) is what the presser reads. With several
calls, each press of Approve / Reject / Edit on one call is kept in the chat's draft until every
call has an answer (or "Approve all" answers the rest); only then does the answer go out.
The answer names exactly the calls the message showed, so a stale message cannot approve others.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

import structlog

from policies.model import ROLE_RANK
from runtime.approvals import ApprovalAnswer, CallAnswer, InvalidAnswer, check_answer
from runtime.runs import Actor, RunNotFound, RunStateConflict
from runtime.services.telegram.chat_store import ApprovalMessage, ChatStore
from runtime.services.telegram.links import Link
from runtime.services.telegram.outbox import Outbox
from runtime.services.telegram.render import (
    Press,
    approval_keyboard,
    approval_text,
    edit_prompt,
    outcome_text,
    parse_callback,
)

if TYPE_CHECKING:
    from runtime.outcome import RunOutcome
    from runtime.services.telegram import TelegramService

log = structlog.get_logger(__name__)


def actor_of(link: Link) -> Actor:
    return Actor(user=link.user_id, tenant=link.tenant_id, role=link.role)


def refusal(exc: BaseException) -> str:
    """What a presser reads when the runtime refuses an answer."""
    if isinstance(exc, RunStateConflict):
        return f"{exc}; nothing was done again"
    if isinstance(exc, InvalidAnswer):
        return f"{exc}; nothing was approved"
    if isinstance(exc, PermissionError | RunNotFound):
        return str(exc)
    return f"the task failed after your answer: {type(exc).__name__}: {exc}"


class ApprovalDesk:
    ack_seconds = 3.0  # how long a press waits for the runtime before acknowledging "sent"

    def __init__(self, service: TelegramService) -> None:
        self.service = service
        self.ports = service.ports
        self.chats = ChatStore(service.ports.pool)
        self.outbox = Outbox(service)

    # -- sending ---------------------------------------------------------------------------------

    async def offer(self, link: Link, run_id: str, request: str, requester: str, calls: list[dict[str, Any]],
                    approver_role: str) -> None:
        """Send one approval message with buttons to a linked person."""
        message = await self.chats.add_message(link.tenant_id, run_id, link.chat_id, link.user_id, calls)
        sent = await self.outbox.say(link, approval_text(run_id, request, requester, calls, approver_role),
                                     keyboard=approval_keyboard(message), source="approval", run_id=run_id)
        if sent is not None:
            await self.chats.set_message_id(link.tenant_id, message.id, sent.get("message_id"))

    async def close(self, tenant: str, run_id: str) -> None:
        """The run's approval is answered (or over): remove the buttons in every chat that has them."""
        for message in await self.chats.close(tenant, run_id):
            await self.outbox.set_buttons(tenant, message.chat_id, message.message_id, None)

    # -- a press ---------------------------------------------------------------------------------

    async def press(self, link: Link, query_id: str, data: str) -> None:
        press = parse_callback(data)
        tenant = link.tenant_id
        message = await self.chats.message(tenant, press.key) if press is not None else None
        if press is None or message is None:
            await self.outbox.ack(tenant, query_id, "This button is not one of your tenant's open approvals.", alert=True)
            return
        if message.status != "open":
            await self.outbox.ack(tenant, query_id, await self._answered(link, message.run_id), alert=True)
            await self.outbox.set_buttons(tenant, message.chat_id, message.message_id, None)
            return
        if press.action == "all":
            rest = {c["call_id"]: {"action": "approve"} for c in message.calls if c["call_id"] not in message.draft}
            await self.submit(link, message, {**message.draft, **rest}, query_id)
            return
        if press.index is None or press.index >= len(message.calls):
            await self.outbox.ack(tenant, query_id, "This button names no call of the request.", alert=True)
            return
        call = message.call(press.index)
        if press.action == "edit":
            await self._start_edit(link, message, press, query_id)
            return
        reply: dict[str, Any] = {"action": press.action}
        if press.action == "reject":
            reply["reason"] = f"rejected by {link.user_id} on Telegram"
        draft = {**message.draft, call["call_id"]: reply}
        if all(c["call_id"] in draft for c in message.calls):
            await self.submit(link, message, draft, query_id)
            return
        problem = await self.may_answer(link, message.run_id)
        if problem is not None:
            await self.outbox.ack(tenant, query_id, problem, alert=True)
            return
        await self.chats.save_draft(tenant, message.id, draft)
        message.draft = draft
        await self.outbox.set_buttons(tenant, message.chat_id, message.message_id, approval_keyboard(message))
        verb = "approved" if press.action == "approve" else "rejected"
        await self.outbox.ack(tenant, query_id, f"#{press.index + 1} will be {verb}; answer the other calls to send it.")

    async def _start_edit(self, link: Link, message: ApprovalMessage, press: Press, query_id: str) -> None:
        assert press.index is not None
        problem = await self.may_answer(link, message.run_id)
        if problem is not None:
            await self.outbox.ack(link.tenant_id, query_id, problem, alert=True)
            return
        await self.chats.start_edit(link.tenant_id, message.id, link.chat_id, message.call(press.index)["call_id"])
        await self.outbox.ack(link.tenant_id, query_id, "Send the new arguments as JSON.")
        await self.outbox.say(link, edit_prompt(message, press.index), run_id=message.run_id)

    async def may_answer(self, link: Link, run_id: str) -> str | None:
        """Why this person may not answer the run's approval now (for a press that only drafts);
        the answer itself is checked by the runtime."""
        actor = actor_of(link)
        waiting = [r for r in await self.ports.desk.pending_approvals(actor) if str(r["run_id"]) == run_id]
        if not waiting:
            return await self._answered(link, run_id)
        role = waiting[0]["approver_role"]
        if ROLE_RANK.get(actor.role, -1) < ROLE_RANK.get(role, 1):
            return f"approving needs the {role} role or higher; you are {actor.role}"
        return None

    async def _answered(self, link: Link, run_id: str) -> str:
        try:
            status = (await self.ports.desk.get_run(run_id, actor_of(link)))["status"]
        except RunNotFound as exc:
            return str(exc)
        return f"this approval is answered or closed (run {run_id} is {status}); nothing was done again"

    # -- an edit ---------------------------------------------------------------------------------

    async def edit(self, link: Link, message: ApprovalMessage, text: str) -> None:
        """The chat's message after "Edit": the JSON of the new arguments of one call."""
        assert message.editing is not None
        call_id = message.editing
        index = message.index_of(call_id)
        try:
            args = json.loads(text)
        except json.JSONDecodeError as exc:
            await self.outbox.say(link, f"args: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); "
                                        "nothing was approved. Send the JSON again, or /cancel.")
            return
        if not isinstance(args, dict) or not args:
            await self.outbox.say(link, "args: send a JSON object of the arguments to change, e.g. {\"price\": 15}; "
                                        "nothing was approved. Send the JSON again, or /cancel.")
            return
        try:
            check_answer(self.ports.tools, [message.call(index)],
                         ApprovalAnswer(calls={call_id: CallAnswer(action="edit", args=args)}), decided_by=link.user_id)
        except InvalidAnswer as exc:
            await self.outbox.say(link, f"{exc}; nothing was approved. Send corrected JSON, or /cancel.")
            return
        draft = {**message.draft, call_id: {"action": "edit", "args": args}}
        if all(c["call_id"] in draft for c in message.calls):
            await self.chats.cancel_edit(link.tenant_id, link.chat_id)
            await self.submit(link, message, draft, None)
            return
        await self.chats.save_draft(link.tenant_id, message.id, draft)
        message.draft = draft
        await self.outbox.set_buttons(link.tenant_id, message.chat_id, message.message_id, approval_keyboard(message))
        await self.outbox.say(link, f"The edit of #{index + 1} is kept; answer the other calls to send it.")

    # -- the answer ------------------------------------------------------------------------------

    async def submit(self, link: Link, message: ApprovalMessage, draft: dict[str, dict[str, Any]],
                     query_id: str | None) -> None:
        """Answer the run's approval as this person; acknowledge the press with the runtime's verdict."""
        answer = ApprovalAnswer(calls={call_id: CallAnswer(**reply) for call_id, reply in draft.items()})
        actions = {reply.action for reply in answer.calls.values()}
        verdict = "Approved" if actions == {"approve"} else "Rejected" if actions == {"reject"} else "Answer sent"
        work = asyncio.ensure_future(self.ports.desk.answer_approval(message.run_id, actor_of(link), answer))
        try:
            done, _ = await asyncio.wait({work}, timeout=self.ack_seconds)
        except asyncio.CancelledError:
            work.cancel()
            raise
        if work not in done:  # the runtime took the answer and the run goes on: acknowledge now
            await self._tell(link, query_id, f"{verdict}: the task continues.", alert=False)
        try:
            outcome = await work
        except (PermissionError, RunStateConflict, RunNotFound, InvalidAnswer) as exc:
            await self._tell(link, query_id if work in done else None, refusal(exc), alert=True)
            if isinstance(exc, RunStateConflict):
                await self.outbox.set_buttons(link.tenant_id, message.chat_id, message.message_id, None)
            return
        except Exception as exc:
            log.error("approval from Telegram failed", run_id=message.run_id, error=f"{type(exc).__name__}: {exc}")
            await self._tell(link, query_id if work in done else None, refusal(exc), alert=True)
            return
        if work in done:
            await self._tell(link, query_id, verdict, alert=False)
        await self.close(link.tenant_id, message.run_id)
        await self._report(link, outcome)

    async def _tell(self, link: Link, query_id: str | None, text: str, *, alert: bool) -> None:
        """As the press's acknowledgement when there is one still to give, else as a message."""
        if query_id is not None:
            await self.outbox.ack(link.tenant_id, query_id, text, alert=alert)
        else:
            await self.outbox.say(link, text)

    async def _report(self, link: Link, outcome: RunOutcome) -> None:
        """The presser learns how the task went on, unless it is their own task (they follow it anyway)."""
        origin = await self.chats.run_chat(link.tenant_id, outcome.run_id)
        if origin is not None and origin[0] == link.chat_id:
            return
        await self.outbox.say(link, outcome_text(outcome.run_id, outcome.status, outcome.answer), run_id=outcome.run_id)
