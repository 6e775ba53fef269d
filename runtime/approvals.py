"""A person's answer to an approval request, checked before anything is written."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tools.registry import ToolRegistry


class InvalidAnswer(ValueError):
    """The answer does not fit the request: unknown call, or edited arguments that do not validate."""


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


def check_answer(tools: ToolRegistry, asked: list[dict[str, Any]], answer: ApprovalAnswer, *, decided_by: str) -> dict[str, Any]:
    """Validate an answer against the asked calls; return the resume value for the graph."""
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
            merged = {**call["args"], **reply.args}
            try:
                merged = tools.get(call["tool"]).canonical_args(merged)
            except ValidationError as exc:
                first = exc.errors()[0]
                field = ".".join(str(p) for p in first["loc"]) or "args"
                raise InvalidAnswer(f"args.{field}: {first['msg']} (call {call['call_id']}, {call['tool']})") from exc
            resume["calls"][call["call_id"]] = {"action": "edit", "args": merged, "reason": reply.reason}
        else:
            resume["calls"][call["call_id"]] = {"action": reply.action, "reason": reply.reason}
    return resume
