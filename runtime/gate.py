"""The policy gate: one Decision per proposed tool call, recorded before anything runs.

`PolicyGate.decide` turns the calls an agent proposed (`PendingCall`) into calls the executor may
run or must report as blocked (`GatedCall`), and into one `ApprovalRequest` for the calls that ask a
person. `PolicyGate.answer` applies a person's `ApprovalAnswer`: an approval allows the call, a
rejection blocks it with its reason, an edit is validated and decided again by the policy.

The graph stores these as plain dicts in its checkpointed state and in the interrupt payload
(`as_state`, `as_payload`), so a run paused by an older build still resumes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from pydantic import ValidationError

from agents.spec import AgentSpec
from policies.decide import decide
from policies.model import ROLE_RANK, CallFacts, Decision, Outcome, Policy
from runtime import tracing
from runtime.executor import Executor
from runtime.ledger import Entry, Kind, Ledger
from runtime.node_writes import NodeWrites
from tools.registry import ToolRegistry
from tools.spec import call_hash


class Verdict(StrEnum):
    """What the executor does with a gated call."""

    ALLOW = "allow"
    BLOCKED = "blocked"


class Blocked(StrEnum):
    """Why a call is blocked (the status its result reports)."""

    INVALID = "invalid"
    DENIED = "denied"
    REJECTED = "rejected"


class ApprovalOutcome(StrEnum):
    """The outcome of a person's answer, as the ledger records it."""

    APPROVED = "approved"
    EDITED = "edited"
    REJECTED = "rejected"


@dataclass(frozen=True)
class PendingCall:
    """A call an agent proposed, not decided yet."""

    call_id: str
    tool: str
    args: dict[str, Any]
    tainted: tuple[str, ...] = ()  # argument paths whose values came from untrusted text
    confidence: float | None = None  # the planner's estimate for this call, route included; None: the run's

    @classmethod
    def from_state(cls, item: dict[str, Any]) -> PendingCall:
        confidence = item.get("confidence")
        return cls(str(item["call_id"]), str(item["tool"]), dict(item.get("args") or {}),
                   tuple(item.get("tainted") or ()), None if confidence is None else float(confidence))

    def as_state(self) -> dict[str, Any]:
        item: dict[str, Any] = {"call_id": self.call_id, "tool": self.tool, "args": self.args,
                                "tainted": list(self.tainted)}
        if self.confidence is not None:
            item["confidence"] = self.confidence
        return item


@dataclass(frozen=True)
class GatedCall:
    """A decided call: allowed to run, or blocked with the reason its result will report."""

    call_id: str
    tool: str
    args: dict[str, Any]
    verdict: Verdict
    reason: str | None = None
    status: Blocked | None = None  # set when blocked
    risk: str | None = None
    tainted: tuple[str, ...] = ()

    def as_state(self) -> dict[str, Any]:
        item: dict[str, Any] = {"call_id": self.call_id, "tool": self.tool, "args": self.args,
                                "outcome": self.verdict.value, "reason": self.reason}
        if self.status is not None:
            item["status"] = self.status.value
        if self.risk is not None:
            item["risk"] = self.risk
        if self.tainted:
            item["tainted"] = list(self.tainted)
        return item


@dataclass(frozen=True)
class AskedCall:
    """A call that waits for a person, with what the policy said about it."""

    call_id: str
    tool: str
    args: dict[str, Any]
    risk: str
    reason: str
    approver_role: str
    timeout_minutes: int | None
    on_timeout: str
    tainted: tuple[str, ...] = ()

    @classmethod
    def from_payload(cls, item: dict[str, Any]) -> AskedCall:
        return cls(str(item["call_id"]), str(item["tool"]), dict(item.get("args") or {}), str(item.get("risk") or ""),
                   str(item.get("reason") or ""), str(item.get("approver_role") or "operator"),
                   item.get("timeout_minutes"), str(item.get("on_timeout") or "reject"), tuple(item.get("tainted") or ()))

    def as_payload(self) -> dict[str, Any]:
        item: dict[str, Any] = {"call_id": self.call_id, "tool": self.tool, "args": self.args, "risk": self.risk,
                                "reason": self.reason, "approver_role": self.approver_role,
                                "timeout_minutes": self.timeout_minutes, "on_timeout": self.on_timeout}
        if self.tainted:
            item["tainted"] = list(self.tainted)
        return item


@dataclass(frozen=True)
class ApprovalRequest:
    """What a paused run waits for: one answer covering every asked call."""

    calls: tuple[AskedCall, ...]
    approver_role: str
    timeout_minutes: int | None
    on_timeout: Literal["reject", "escalate"]

    @classmethod
    def of(cls, asks: Sequence[AskedCall]) -> ApprovalRequest:
        """The strictest approver of the calls, the shortest time limit, escalation only if all escalate."""
        role = max((a.approver_role for a in asks), key=lambda r: ROLE_RANK.get(r, 1))
        limits = [a.timeout_minutes for a in asks if a.timeout_minutes]
        on_timeout: Literal["reject", "escalate"] = (
            "escalate" if all(a.on_timeout == "escalate" for a in asks) else "reject")
        return cls(tuple(asks), role, min(limits) if limits else None, on_timeout)

    def as_payload(self) -> dict[str, Any]:
        return {"kind": "approval", "calls": [a.as_payload() for a in self.calls], "approver_role": self.approver_role,
                "timeout_minutes": self.timeout_minutes, "on_timeout": self.on_timeout}


@dataclass(frozen=True)
class CallReply:
    action: Literal["approve", "edit", "reject"]
    args: dict[str, Any] | None = None
    reason: str | None = None


NO_ANSWER = CallReply("reject", reason="no answer for this call")


@dataclass(frozen=True)
class ApprovalAnswer:
    """A person's answer to an ApprovalRequest, as the graph receives it on resume."""

    decided_by: str
    replies: dict[str, CallReply] = field(default_factory=dict)

    @classmethod
    def parse(cls, payload: Any) -> ApprovalAnswer:
        """Anything that is not an approval or an edit counts as a rejection: the gate never reads
        an unclear answer as consent."""
        data = payload if isinstance(payload, dict) else {}
        replies: dict[str, CallReply] = {}
        for call_id, reply in (data.get("calls") or {}).items():
            reply = reply if isinstance(reply, dict) else {}
            action = reply.get("action")
            reason = str(reply["reason"]) if reply.get("reason") else None
            if action == "approve":
                replies[str(call_id)] = CallReply("approve", reason=reason)
            elif action == "edit":
                replies[str(call_id)] = CallReply("edit", dict(reply.get("args") or {}), reason)
            else:
                replies[str(call_id)] = CallReply("reject", reason=reason)
        return cls(str(data.get("decided_by") or "unknown"), replies)


@dataclass(frozen=True)
class GateContext:
    """Who proposed the calls, for whom, and how sure the route and the plan were."""

    run_id: str
    tenant: str
    user: str
    agent: AgentSpec
    route_confidence: float
    plan_confidence: float


@dataclass(frozen=True)
class GateRound:
    gated: list[GatedCall]
    request: ApprovalRequest | None


class PolicyGate:
    """Decides calls against a policy and records every decision and answer in the ledger."""

    def __init__(self, tools: ToolRegistry, ledger: Ledger, executor: Executor) -> None:
        self.tools = tools
        self.ledger = ledger
        self.executor = executor

    async def decide(self, ctx: GateContext, calls: Sequence[PendingCall], policy: Policy,
                     writes: NodeWrites) -> GateRound:
        """One decision per call, recorded through `writes` (flushed by the caller before a pause)."""
        decided = await self.ledger.find_many(ctx.run_id, [c.call_id for c in calls], Kind.DECISION)
        gated: list[GatedCall] = []
        asks: list[AskedCall] = []
        for call in calls:
            with tracing.span("gate.decision", tool=call.tool, call_id=call.call_id) as current:
                problem = self._problem(ctx.agent.tools, call)
                if problem is not None:
                    gated.append(GatedCall(call.call_id, call.tool, call.args, Verdict.BLOCKED, problem, Blocked.INVALID))
                    continue
                outcome = await self._decide_one(ctx, call, policy, decided.get(call.call_id), writes)
                tracing.annotate(current, outcome=outcome[1].outcome.value, risk=outcome[2],
                                 rule=outcome[1].rule_id, policy_version=outcome[1].policy_version)
                args, decision, risk = outcome
                if decision.outcome is Outcome.AUTO:
                    gated.append(GatedCall(call.call_id, call.tool, args, Verdict.ALLOW, decision.reason, None, risk,
                                           call.tainted))
                elif decision.outcome is Outcome.DENY:
                    gated.append(GatedCall(call.call_id, call.tool, args, Verdict.BLOCKED, decision.reason,
                                           Blocked.DENIED, risk, call.tainted))
                else:
                    asks.append(AskedCall(call.call_id, call.tool, args, risk, decision.reason, decision.approver_role,
                                          decision.approval_timeout_minutes, decision.on_timeout, call.tainted))
        return GateRound(gated, ApprovalRequest.of(asks) if asks else None)

    async def _decide_one(self, ctx: GateContext, call: PendingCall, policy: Policy, recorded: Entry | None,
                          writes: NodeWrites) -> tuple[dict[str, Any], Decision, str]:
        tool = self.tools.get(call.tool)
        args = tool.canonical_args(call.args)
        # Checks that read systems run once, when first proposed; a replay of this node (after an
        # approval) keeps what the ledger recorded then.
        risk, escalation = tool.risk.value, None
        if recorded is not None and recorded.risk:
            risk = recorded.risk
        elif recorded is None and tool.escalate is not None:
            escalation = await self.executor.check_escalation(ctx.tenant, ctx.user, ctx.run_id, tool.id, args)
            risk = "destructive" if escalation else risk
        facts = CallFacts(tool=tool.id, risk=risk, workflow=ctx.agent.workflow, tenant=ctx.tenant, agent=ctx.agent.id,
                          tainted=call.tainted)
        if call.confidence is not None:  # the planner's own estimate for this call, route included
            decision = decide(facts, call.confidence, call.confidence, policy)
        else:
            decision = decide(facts, ctx.route_confidence, ctx.plan_confidence, policy)
        if escalation:
            decision = decision.model_copy(update={"reason": f"held: {escalation}; {decision.reason}"})
        elif recorded is not None and risk != tool.risk.value and recorded.reason:
            decision = decision.model_copy(update={"reason": recorded.reason})
        snapshot = None
        if decision.outcome is Outcome.ASK and tool.precondition is not None:
            snapshot = recorded.precondition if recorded else await self.executor.read_precondition(
                ctx.tenant, ctx.user, ctx.run_id, tool.id, args)
        writes.record(decision_entry(ctx.run_id, ctx.tenant, call.call_id, tool.id, args, decision, Kind.DECISION,
                                     snapshot, risk))
        writes.emit("decision", {"call_id": call.call_id, "tool": tool.id, "args": args,
                                 "outcome": decision.outcome.value, "reason": decision.reason},
                    f"decision:{call.call_id}")
        return args, decision, risk

    def _problem(self, allowed: Iterable[str], call: PendingCall) -> str | None:
        allowed = list(allowed)
        if call.tool not in allowed:
            return f"{call.tool} is not one of this agent's tools ({', '.join(allowed)})"
        try:
            self.tools.get(call.tool).validate_args(call.args)
        except ValidationError as exc:
            return validation_message(exc)
        return None

    async def answer(self, ctx: GateContext, request: ApprovalRequest, answer: ApprovalAnswer,
                     policy: Policy) -> list[GatedCall]:
        """A person's answer as per-call verdicts; edited arguments are validated and decided again."""
        out: list[GatedCall] = []
        by = answer.decided_by
        for ask in request.calls:
            reply = answer.replies.get(ask.call_id, NO_ANSWER)
            tool = self.tools.get(ask.tool)
            if reply.action == "approve":
                await self.ledger.record(self._approval(ctx, ask, ask.args, ApprovalOutcome.APPROVED, by, reply.reason))
                out.append(GatedCall(ask.call_id, ask.tool, ask.args, Verdict.ALLOW, f"approved by {by}", risk=ask.risk))
            elif reply.action == "edit":
                try:
                    args = tool.canonical_args(reply.args or {})
                except ValidationError as exc:
                    reason = f"edited arguments are invalid: {validation_message(exc)}"
                    await self.ledger.record(self._approval(ctx, ask, ask.args, ApprovalOutcome.REJECTED, by, reason))
                    out.append(GatedCall(ask.call_id, ask.tool, ask.args, Verdict.BLOCKED, reason, Blocked.REJECTED,
                                         ask.risk))
                    continue
                facts = CallFacts(tool=tool.id, risk=ask.risk, workflow=ctx.agent.workflow, tenant=ctx.tenant,
                                  agent=ctx.agent.id)
                again = decide(facts, 1.0, 1.0, policy)
                await self.ledger.record(self._approval(ctx, ask, args, ApprovalOutcome.EDITED, by, reply.reason))
                await self.ledger.record(decision_entry(ctx.run_id, ctx.tenant, ask.call_id, tool.id, args, again,
                                                        Kind.REDECISION, risk=ask.risk))
                if again.outcome is Outcome.DENY:
                    out.append(GatedCall(ask.call_id, ask.tool, args, Verdict.BLOCKED, again.reason, Blocked.DENIED,
                                         ask.risk))
                else:
                    out.append(GatedCall(ask.call_id, ask.tool, args, Verdict.ALLOW, f"edited and approved by {by}",
                                         risk=ask.risk))
            else:
                reason = reply.reason or "rejected"
                await self.ledger.record(self._approval(ctx, ask, ask.args, ApprovalOutcome.REJECTED, by, reason))
                out.append(GatedCall(ask.call_id, ask.tool, ask.args, Verdict.BLOCKED, reason, Blocked.REJECTED, ask.risk))
        return out

    @staticmethod
    def _approval(ctx: GateContext, ask: AskedCall, args: dict[str, Any], outcome: ApprovalOutcome, by: str,
                  reason: str | None) -> Entry:
        return Entry(run_id=ctx.run_id, tenant_id=ctx.tenant, call_id=ask.call_id, kind=Kind.APPROVAL, tool=ask.tool,
                     args=args, args_hash=call_hash(ask.tool, args), actor=by, outcome=outcome.value, reason=reason)


def decision_entry(run_id: str, tenant: str, call_id: str, tool: str, args: dict[str, Any], d: Decision, kind: Kind,
                   precondition: dict[str, Any] | None = None, risk: str | None = None) -> Entry:
    return Entry(
        run_id=run_id, tenant_id=tenant, call_id=call_id, kind=kind, tool=tool, args=args,
        args_hash=call_hash(tool, args), actor="policy", outcome=d.outcome.value, policy_version=d.policy_version,
        rule_id=d.rule_id, confidence=d.confidence, reason=d.reason, precondition=precondition, risk=risk,
    )


def validation_message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "arguments"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


__all__ = ["ApprovalAnswer", "ApprovalOutcome", "ApprovalRequest", "AskedCall", "Blocked", "CallReply", "GateContext",
           "GateRound", "GatedCall", "PendingCall", "PolicyGate", "Verdict", "decision_entry", "validation_message"]
