"""A person's answer to an approval request, checked in full before anything is written.

Every channel (CLI, API, Telegram) hands its answer to `check_answer`: the shape, every text
(no NUL, no lone surrogate, a length limit), every edited argument against the tool's pydantic
model and the value limits of `tools.limits`. Only a checked answer is recorded; the record (the
run claimed for resuming, the approval closed with the answer, the approval ledger entries) is
one transaction (`RunStore.record_answer`), so no answer can leave a run claimed but unanswered.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from runtime.ledger import Entry, Kind
from tools.limits import text_problem
from tools.registry import ToolRegistry
from tools.spec import call_hash

MAX_REASON_CHARS = 2_000


class InvalidAnswer(ValueError):
    """The answer does not fit the request: unknown call, bad text, or edited arguments that do not validate."""


class CallAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "reject", "edit"]
    args: dict[str, Any] | None = None
    reason: str | None = None


class ApprovalAnswer(BaseModel):
    """Per call id; `all` applies to every call not listed."""

    model_config = ConfigDict(extra="forbid")

    calls: dict[str, CallAnswer] = Field(default_factory=dict)
    all: CallAnswer | None = None


def _check_text(field: str, text: str | None, limit: int) -> None:
    if text is None:
        return
    problem = text_problem(text, limit)
    if problem:
        raise InvalidAnswer(f"{field}: {problem}")


def _check_shape(answer: ApprovalAnswer) -> None:
    """Texts of the answer itself: call ids and reasons (edited arguments are checked per tool)."""
    for call_id, reply in answer.calls.items():
        if text_problem(call_id, 100):
            raise InvalidAnswer("calls: a call id is not valid text (at most 100 characters, no NUL or surrogates)")
        _check_text(f"calls.{call_id}.reason", reply.reason, MAX_REASON_CHARS)
    if answer.all is not None:
        _check_text("all.reason", answer.all.reason, MAX_REASON_CHARS)


def _args_error(exc: ValidationError, call: dict[str, Any]) -> InvalidAnswer:
    first = exc.errors()[0]
    # an argument name is echoed only when it is printable text (never NUL or a lone surrogate)
    field = ".".join(str(p) if not text_problem(str(p), 100) else "(unprintable name)" for p in first["loc"]) or "args"
    return InvalidAnswer(f"args.{field}: {first['msg']} (call {call['call_id']}, {call['tool']})")


def check_answer(tools: ToolRegistry, asked: list[dict[str, Any]], answer: ApprovalAnswer, *, decided_by: str) -> dict[str, Any]:
    """Validate an answer against the asked calls; return the resume value for the graph."""
    _check_shape(answer)
    ids = {call["call_id"] for call in asked}
    unknown = sorted(set(answer.calls) - ids)
    if unknown:
        raise InvalidAnswer(f"calls: no call {', '.join(unknown)} waits for approval here (waiting: {', '.join(sorted(ids))})")
    resume: dict[str, Any] = {"decided_by": decided_by, "calls": {}}
    for call in asked:
        reply = answer.calls.get(call["call_id"]) or answer.all
        if reply is None:
            raise InvalidAnswer(f"calls: no answer for call {call['call_id']} ({call['tool']}); answer each call or all")
        if reply.action == "edit":
            if not reply.args:
                raise InvalidAnswer(f"args: an edit of call {call['call_id']} needs the new arguments")
            try:
                merged = tools.get(call["tool"]).canonical_args({**call["args"], **reply.args})
            except ValidationError as exc:
                raise _args_error(exc, call) from exc
            resume["calls"][call["call_id"]] = {"action": "edit", "args": merged, "reason": reply.reason}
        else:
            resume["calls"][call["call_id"]] = {"action": reply.action, "reason": reply.reason}
    return resume


def answer_entries(run_id: str, tenant: str, asked: list[dict[str, Any]], resume: dict[str, Any]) -> list[Entry]:
    """The approval ledger entries of a checked answer, one per call: what the graph records when it
    applies the answer, written first with the answer itself (the graph's writes are then no-ops)."""
    by = str(resume.get("decided_by") or "unknown")
    entries = []
    for ask in asked:
        reply = resume["calls"][ask["call_id"]]
        args, reason = ask["args"], reply.get("reason")
        if reply["action"] == "approve":
            outcome = "approved"
        elif reply["action"] == "edit":
            outcome, args = "edited", reply["args"]
        else:
            outcome, reason = "rejected", str(reason or "rejected")
        entries.append(Entry(
            run_id=run_id, tenant_id=tenant, call_id=ask["call_id"], kind=Kind.APPROVAL, tool=ask["tool"], args=args,
            args_hash=call_hash(ask["tool"], args), actor=by, outcome=outcome, reason=str(reason) if reason else None,
        ))
    return entries
