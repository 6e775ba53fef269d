"""How runs and approval requests read in a chat, and the buttons' callback_data.

Buttons carry `ap:<key>:<action>:<call index>` (or `ap:<key>:all`), where `key` is the short id
of the approval message in telegram_approval_messages: well within Telegram's 64 bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from adapters.telegram.client import Keyboard
from runtime.services.telegram.chat_store import ApprovalMessage

ACTIONS = {"a": "approve", "r": "reject", "e": "edit"}
DONE_MARK = "✓ "
MAX_ARGS_CHARS = 600

HELP = """\
I am the BizOSaaS Brain. Type what you want done, in plain words ("add the Red Mug to the spring \
collection at $12", "score last week's leads"); I report as the task goes and answer when it is done.

When a task needs a person's approval, approvers get a message with buttons: Approve, Reject, or \
Edit (then send the new arguments as JSON).

/pending - what waits for your approval
/cancel - stop an edit in progress
/help - this message"""

UNLINKED = """\
This chat is not linked to a BizOSaaS Brain account yet. Get a one-time code \
(POST /api/brain/telegram/link-code with your Brain token, or ask an admin to run \
`brain telegram link-code`), then send /link CODE here."""


@dataclass(frozen=True)
class Press:
    """A pressed approval button."""

    key: str
    action: str  # approve | reject | edit | all
    index: int | None = None


def callback(key: str, action: str, index: int | None = None) -> str:
    return f"ap:{key}:all" if action == "all" else f"ap:{key}:{action[0]}:{index}"


def parse_callback(data: str) -> Press | None:
    parts = data.split(":")
    if len(parts) == 3 and parts[0] == "ap" and parts[2] == "all" and parts[1]:
        return Press(parts[1], "all")
    if len(parts) == 4 and parts[0] == "ap" and parts[1] and parts[2] in ACTIONS and parts[3].isdigit():
        return Press(parts[1], ACTIONS[parts[2]], int(parts[3]))
    return None


def _args(args: dict[str, Any]) -> str:
    text = json.dumps(args, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= MAX_ARGS_CHARS else text[: MAX_ARGS_CHARS - 1] + "…"


def approval_text(run_id: str, request: str, requester: str, calls: list[dict[str, Any]], approver_role: str) -> str:
    lines = [f"Approval needed ({approver_role} or higher)",
             f"Task {run_id[:8]} by {requester}: \"{request[:300]}\"", ""]
    for n, call in enumerate(calls, start=1):
        lines.append(f"#{n} {call['tool']} ({call.get('risk') or 'risk unknown'})")
        lines.append(f"arguments: {_args(call['args'])}")
        if call.get("reason"):
            lines.append(f"why: {call['reason']}")
        lines.append("")
    return "\n".join(lines).rstrip()


def approval_keyboard(message: ApprovalMessage) -> Keyboard:
    """One call: Approve / Reject / Edit. Several: that row per call (the chosen one marked) and
    Approve all (the calls not answered yet)."""
    single = len(message.calls) == 1
    rows: list[list[tuple[str, str]]] = []
    for n, call in enumerate(message.calls):
        chosen = (message.draft.get(call["call_id"]) or {}).get("action")
        row = []
        for action, label in (("approve", "Approve"), ("reject", "Reject"), ("edit", "Edit")):
            text = label if single else f"{label} #{n + 1}"
            row.append((DONE_MARK + text if chosen == action else text, callback(message.id, action, n)))
        rows.append(row)
    if not single:
        rows.append([("Approve the rest" if message.draft else "Approve all", callback(message.id, "all"))])
    return rows


def edit_prompt(message: ApprovalMessage, index: int) -> str:
    call = message.call(index)
    return (f"Editing #{index + 1} {call['tool']}. Send the arguments to change as JSON; they are merged over the "
            f"proposed ones:\n{_args(call['args'])}\n/cancel keeps the buttons as they are.")


def _agent_name(agents: Any, agent_id: str) -> str:
    try:
        return f"{agents.get(agent_id).name} ({agent_id})"
    except LookupError:
        return agent_id


def progress_text(event: dict[str, Any], agents: Any) -> str | None:
    """A run event as the requester's chat sees it; None for events not shown there."""
    kind, data = event["type"], event.get("data") or {}
    short = str(event["run_id"])[:8]
    if kind == "routed":
        if data.get("decision") != "route" or not data.get("agent"):
            return None  # the answer says why
        return f"Task {short}: {_agent_name(agents, data['agent'])} is on it (confidence {float(data.get('confidence') or 0):.2f})."
    if kind == "handoff":
        return f"Task {short}: handing over to {_agent_name(agents, data['to'])}: {data.get('request', '')}"
    if kind == "tool_result":
        if data.get("status") == "ok":
            return f"Task {short}: ✓ {data.get('tool')} done."
        why = data.get("reason") or data.get("error") or ""
        return f"Task {short}: ✗ {data.get('tool')} {data.get('status')}" + (f": {why}" if why else ".")
    if kind == "waiting":
        return f"Task {short} waits for approval (the {data.get('approver_role')} role or higher)."
    if kind == "done":
        return f"Task {short} is done.\n{data.get('answer') or ''}".rstrip()
    if kind == "failed":
        return f"Task {short} failed: {data.get('error')}"
    if kind == "cancelled":
        return f"Task {short} was cancelled by {data.get('by')}."
    return None


def outcome_text(run_id: str, status: str, answer: str | None) -> str:
    if status == "waiting":
        return f"Task {run_id[:8]} waits for another approval."
    return f"Task {run_id[:8]} is {status}.\n{answer or ''}".rstrip()
