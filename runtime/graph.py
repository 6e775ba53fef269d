"""The LangGraph graph: supervisor -> agent -> policy_gate -> executor -> (agent | handoff | END).

A request the supervisor splits into steps goes through `handoff` between agents: the next
agent gets its own part of the request and a short summary of what the previous one did.

Nodes hold no state of their own; what they need comes from `GraphDeps`. Side effects inside
nodes (ledger entries, events) are keyed so that a node replayed on resume writes nothing twice.
"""

from __future__ import annotations

import operator
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict, cast

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt
from pydantic import ValidationError

from agents.registry import AgentRegistry
from policies.decide import decide
from policies.model import ROLE_RANK, CallFacts, Decision, Outcome, Policy
from runtime import tracing
from runtime.events import EventSink
from runtime.executor import Executor
from runtime.ledger import Entry, Ledger
from runtime.node_writes import NodeWrites
from runtime.planner.base import Plan, PlanningContext, compose_answer
from runtime.router import RouteResult
from runtime.taint import tainted_arguments, untrusted_text
from tools.registry import ToolRegistry
from tools.spec import call_hash


class RunState(TypedDict, total=False):
    run_id: str
    tenant: str
    user: str
    role: str
    request: str
    agent_hint: str | None
    route: dict[str, Any]
    agent: str
    plan_steps: list[dict[str, str]]
    step_index: int
    round: int
    agent_rounds: int
    results_offset: int
    handoff_note: str
    answers: Annotated[list[str], operator.add]
    pending: list[dict[str, Any]]
    plan_confidence: float
    gated: list[dict[str, Any]]
    results: Annotated[list[dict[str, Any]], operator.add]
    answer: str
    crew: dict[str, Any]  # a crew run (runtime/crews/): its picked crew; the run goes to the `crew` node


Emit = Callable[[RunState, str, dict[str, Any], str | None], Awaitable[None]]
Node = Callable[[RunState], Awaitable[dict[str, Any]]]


@dataclass
class GraphDeps:
    agents: AgentRegistry
    tools: ToolRegistry
    ledger: Ledger
    executor: Executor
    route: Callable[[str, str | None], Awaitable[RouteResult]]
    plan: Callable[[PlanningContext], Awaitable[Plan]]
    policy: Callable[[str], Awaitable[Policy]]
    memory_context: Callable[[str, str, str], Awaitable[str]]
    emit: Emit
    max_steps: int
    events: EventSink | None = None  # given: a node's ledger entries and events share one transaction
    crew: Callable[[GraphDeps], Node] | None = None  # builds the node that runs a crew run (runtime/crews/)


def _writes(deps: GraphDeps, state: RunState) -> NodeWrites:
    async def one(type_: str, data: dict[str, Any], key: str | None) -> None:
        await deps.emit(state, type_, data, key)

    return NodeWrites(deps.ledger, deps.events, state["run_id"], state["tenant"], one)


def build_graph(deps: GraphDeps, checkpointer: BaseCheckpointSaver[Any]) -> Any:
    graph = StateGraph(RunState)
    graph.add_node("supervisor", cast(Any, _supervisor(deps)))
    graph.add_node("agent", cast(Any, _agent(deps)))
    graph.add_node("policy_gate", cast(Any, _policy_gate(deps)))
    graph.add_node("executor", cast(Any, _executor(deps)))
    graph.add_node("handoff", cast(Any, _handoff(deps)))
    if deps.crew is not None:
        graph.add_node("crew", cast(Any, deps.crew(deps)))
        graph.add_conditional_edges(START, lambda s: "crew" if s.get("crew") else "supervisor", ["crew", "supervisor"])
        graph.add_edge("crew", END)
    else:
        graph.add_edge(START, "supervisor")
    graph.add_conditional_edges("supervisor", lambda s: "agent" if s.get("agent") else END, ["agent", END])
    graph.add_conditional_edges("agent", _after_agent, ["policy_gate", "handoff", END])
    graph.add_edge("handoff", "agent")
    graph.add_edge("policy_gate", "executor")
    graph.add_edge("executor", "agent")
    return graph.compile(checkpointer=checkpointer)


def gated_calls(deps: GraphDeps) -> Callable[[RunState], Awaitable[list[dict[str, Any]]]]:
    """The policy gate, then the executor, for the calls in `state["pending"]`: the one road from a
    planned call to a tool, as nodes of this graph take it. A crew agent's tool calls take it too,
    one call at a time (`runtime/crews/`); a call that asks pauses the caller's node (`interrupt`)."""
    gate, execute = _policy_gate(deps), _executor(deps)

    async def run(state: RunState) -> list[dict[str, Any]]:
        gated = await gate(state)
        done: list[dict[str, Any]] = (await execute(cast(RunState, {**state, **gated})))["results"]
        return done

    return run


def _after_agent(state: RunState) -> str:
    if state.get("pending"):
        return "policy_gate"
    if state.get("step_index", 0) + 1 < len(state.get("plan_steps", [])):
        return "handoff"
    return END


def _supervisor(deps: GraphDeps) -> Callable[[RunState], Awaitable[dict[str, Any]]]:
    async def supervisor(state: RunState) -> dict[str, Any]:
        with tracing.span("route") as current:
            route = await deps.route(state["request"], state.get("agent_hint"))
            tracing.annotate(current, agent=route.agent, decision=route.decision, confidence=route.confidence,
                             via=route.via, steps=len(route.steps))
        writes = _writes(deps, state)
        writes.emit("routed", route.as_dict(), "routed")
        if route.decision != "route" or route.agent is None:
            writes.emit("answer", {"text": route.message, "decision": route.decision}, "answer")
            await writes.flush()
            return {"route": route.as_dict(), "answer": route.message or ""}
        await writes.flush()
        steps = route.steps or [{"agent": route.agent, "request": state["request"]}]
        return {"route": route.as_dict(), "agent": route.agent, "plan_steps": steps, "step_index": 0, "round": 0,
                "agent_rounds": 0, "results_offset": 0}

    return supervisor


def _agent(deps: GraphDeps) -> Callable[[RunState], Awaitable[dict[str, Any]]]:
    async def agent(state: RunState) -> dict[str, Any]:
        rounds, total = state.get("agent_rounds", 0), state.get("round", 0)
        results = state.get("results", [])[state.get("results_offset", 0):]
        step = state.get("plan_steps", [{}])[state.get("step_index", 0)]
        task = step.get("request") or state["request"]
        if rounds >= deps.max_steps:
            return await _finish(deps, state, compose_answer(results, deps.tools) + f" (Stopped after {rounds} planning rounds.)")
        spec = deps.agents.get(state["agent"])
        memory = ""
        if rounds == 0:
            memory = await deps.memory_context(state["tenant"], state["user"], task)
            if state.get("handoff_note"):
                memory = f"{state['handoff_note']}\n{memory}".strip()
        ctx = PlanningContext(
            agent=spec, request=task, step=total + 1, results=results, memory=memory,
            system_prompt=deps.agents.prompt(spec.id), tenant=state["tenant"],
        )
        with tracing.span("plan", agent=spec.id, round=total + 1) as current:
            plan = await deps.plan(ctx)
            tracing.annotate(current, calls=len(plan.calls), confidence=plan.confidence)
        if plan.calls:
            untrusted = untrusted_text(results, memory)
            pending = [{"call_id": c.call_id, "tool": c.tool, "args": c.args,
                        "tainted": tainted_arguments(c.args, task, untrusted)} for c in plan.calls]
            await deps.emit(state, "planned", {"agent": spec.id, "calls": pending, "confidence": plan.confidence},
                            f"planned:{total + 1}")
            return {"pending": pending, "plan_confidence": plan.confidence, "round": total + 1, "agent_rounds": rounds + 1}
        return await _finish(deps, state, plan.answer or "Done.")

    return agent


async def _finish(deps: GraphDeps, state: RunState, text: str) -> dict[str, Any]:
    """The current agent's final answer; the run's answer is every agent's, in order."""
    await deps.emit(state, "answer", {"agent": state.get("agent"), "text": text}, f"answer:{state.get('step_index', 0)}")
    answers = [*state.get("answers", []), text]
    return {"answers": [text], "answer": "\n".join(answers), "pending": []}


def _handoff(deps: GraphDeps) -> Callable[[RunState], Awaitable[dict[str, Any]]]:
    async def handoff(state: RunState) -> dict[str, Any]:
        index = state.get("step_index", 0) + 1
        previous = deps.agents.get(state["agent"])
        following = state["plan_steps"][index]
        last = state.get("answers", [""])[-1]
        note = f"Earlier in this request, {previous.name} handled '{state['plan_steps'][index - 1]['request']}': {last}"
        await deps.emit(state, "handoff", {"from": previous.id, "to": following["agent"], "request": following["request"]},
                        f"handoff:{index}")
        return {"step_index": index, "agent": following["agent"], "agent_rounds": 0,
                "results_offset": len(state.get("results", [])), "handoff_note": note[:600]}

    return handoff


def _policy_gate(deps: GraphDeps) -> Callable[[RunState], Awaitable[dict[str, Any]]]:
    async def policy_gate(state: RunState) -> dict[str, Any]:
        policy = await deps.policy(state["tenant"])
        spec = deps.agents.get(state["agent"])
        route_conf = float(state.get("route", {}).get("confidence", 0.0))
        plan_conf = float(state.get("plan_confidence", 0.0))
        gated: list[dict[str, Any]] = []
        asks: list[dict[str, Any]] = []
        writes = _writes(deps, state)
        decided = await deps.ledger.find_many(state["run_id"], [c["call_id"] for c in state["pending"]], "decision")
        for call in state["pending"]:
            with tracing.span("gate.decision", tool=call["tool"], call_id=call["call_id"]) as current:
                item = {"call_id": call["call_id"], "tool": call["tool"], "args": call["args"]}
                problem = _check_call(deps, spec.tools, call)
                if problem is not None:
                    gated.append({**item, "outcome": "blocked", "status": "invalid", "reason": problem})
                    continue
                tool = deps.tools.get(call["tool"])
                args = tool.canonical_args(call["args"])
                # Checks that read systems run once, when first proposed; a replay of this node (after
                # an approval) keeps what the ledger recorded then.
                recorded = decided.get(call["call_id"])
                risk, escalation = tool.risk.value, None
                if recorded is not None and recorded.get("risk"):
                    risk = recorded["risk"]
                elif recorded is None and tool.escalate is not None:
                    escalation = await deps.executor.check_escalation(state["tenant"], state["user"], state["run_id"], tool.id, args)
                    risk = "destructive" if escalation else risk
                facts = CallFacts(tool=tool.id, risk=risk, workflow=spec.workflow, tenant=state["tenant"],
                                  agent=spec.id, tainted=tuple(call.get("tainted") or ()))
                decision = decide(facts, route_conf, plan_conf, policy)
                if escalation:
                    decision = decision.model_copy(update={"reason": f"held: {escalation}; {decision.reason}"})
                elif recorded is not None and risk != tool.risk.value and recorded.get("reason"):
                    decision = decision.model_copy(update={"reason": recorded["reason"]})
                snapshot = None
                if decision.outcome is Outcome.ASK and tool.precondition is not None:
                    snapshot = recorded["precondition"] if recorded else await deps.executor.read_precondition(
                        state["tenant"], state["user"], state["run_id"], tool.id, args)
                writes.record(_decision_entry(state, call["call_id"], tool.id, args, decision, "decision", "policy",
                                              snapshot, risk))
                writes.emit("decision", {"call_id": call["call_id"], "tool": tool.id, "args": args,
                                         "outcome": decision.outcome.value, "reason": decision.reason},
                            f"decision:{call['call_id']}")
                tracing.annotate(current, outcome=decision.outcome.value, risk=risk, rule=decision.rule_id,
                                 policy_version=decision.policy_version)
                item = {**item, "args": args, "risk": risk, "reason": decision.reason}
                if call.get("tainted"):
                    item["tainted"] = list(call["tainted"])
                if decision.outcome is Outcome.AUTO:
                    gated.append({**item, "outcome": "allow"})
                elif decision.outcome is Outcome.DENY:
                    gated.append({**item, "outcome": "blocked", "status": "denied"})
                else:
                    asks.append({**item, "approver_role": decision.approver_role,
                                 "timeout_minutes": decision.approval_timeout_minutes, "on_timeout": decision.on_timeout})
        if asks:
            role = max((a["approver_role"] for a in asks), key=lambda r: ROLE_RANK.get(r, 1))
            limits = [a["timeout_minutes"] for a in asks if a["timeout_minutes"]]
            request = {"kind": "approval", "calls": asks, "approver_role": role,
                       "timeout_minutes": min(limits) if limits else None,
                       "on_timeout": "escalate" if all(a["on_timeout"] == "escalate" for a in asks) else "reject"}
            writes.emit("waiting", {"calls": asks, "approver_role": role}, f"waiting:{asks[0]['call_id']}")
            await writes.flush()  # every decision recorded before the run pauses
            answer = interrupt(request)
            gated.extend(await _apply_answer(deps, state, spec.workflow, policy, asks, answer))
        await writes.flush()
        order = {c["call_id"]: n for n, c in enumerate(state["pending"])}
        return {"gated": sorted(gated, key=lambda g: order[g["call_id"]])}

    return policy_gate


def _check_call(deps: GraphDeps, allowed: list[str], call: dict[str, Any]) -> str | None:
    if call["tool"] not in allowed:
        return f"{call['tool']} is not one of this agent's tools ({', '.join(allowed)})"
    try:
        deps.tools.get(call["tool"]).validate_args(call["args"])
    except ValidationError as exc:
        return _validation_message(exc)
    return None


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"]) or "arguments"
        parts.append(f"{field}: {error['msg']}")
    return "; ".join(parts)


async def _apply_answer(
    deps: GraphDeps, state: RunState, workflow: str, policy: Policy, asks: list[dict[str, Any]], answer: Any
) -> list[dict[str, Any]]:
    """Turn a person's answer into per-call outcomes; edits are validated and decided again."""
    answer = answer if isinstance(answer, dict) else {}
    by = str(answer.get("decided_by") or "unknown")
    replies = answer.get("calls") or {}
    out: list[dict[str, Any]] = []
    for ask in asks:
        reply = replies.get(ask["call_id"]) or {"action": "reject", "reason": "no answer for this call"}
        action = reply.get("action")
        tool = deps.tools.get(ask["tool"])
        base = {k: ask[k] for k in ("call_id", "tool", "args", "risk")}
        if action == "approve":
            await deps.ledger.record(_approval_entry(state, ask, ask["args"], "approved", by, reply.get("reason")))
            out.append({**base, "outcome": "allow", "reason": f"approved by {by}"})
        elif action == "edit":
            try:
                args = tool.canonical_args(reply.get("args") or {})
            except ValidationError as exc:
                reason = f"edited arguments are invalid: {_validation_message(exc)}"
                await deps.ledger.record(_approval_entry(state, ask, ask["args"], "rejected", by, reason))
                out.append({**base, "outcome": "blocked", "status": "rejected", "reason": reason})
                continue
            facts = CallFacts(tool=tool.id, risk=ask["risk"], workflow=workflow, tenant=state["tenant"], agent=state["agent"])
            again = decide(facts, 1.0, 1.0, policy)
            await deps.ledger.record(_approval_entry(state, ask, args, "edited", by, reply.get("reason")))
            await deps.ledger.record(_decision_entry(state, ask["call_id"], tool.id, args, again, "redecision", "policy",
                                                     risk=ask["risk"]))
            if again.outcome is Outcome.DENY:
                out.append({**base, "args": args, "outcome": "blocked", "status": "denied", "reason": again.reason})
            else:
                out.append({**base, "args": args, "outcome": "allow", "reason": f"edited and approved by {by}"})
        else:
            reason = str(reply.get("reason") or "rejected")
            await deps.ledger.record(_approval_entry(state, ask, ask["args"], "rejected", by, reason))
            out.append({**base, "outcome": "blocked", "status": "rejected", "reason": reason})
    return out


def _decision_entry(state: RunState, call_id: str, tool: str, args: dict[str, Any], d: Decision, kind: str, actor: str,
                    precondition: dict[str, Any] | None = None, risk: str | None = None) -> Entry:
    return Entry(
        run_id=state["run_id"], tenant_id=state["tenant"], call_id=call_id, kind=kind, tool=tool, args=args,
        args_hash=call_hash(tool, args), actor=actor, outcome=d.outcome.value, policy_version=d.policy_version,
        rule_id=d.rule_id, confidence=d.confidence, reason=d.reason, precondition=precondition, risk=risk,
    )


def _approval_entry(state: RunState, ask: dict[str, Any], args: dict[str, Any], outcome: str, by: str, reason: Any) -> Entry:
    return Entry(
        run_id=state["run_id"], tenant_id=state["tenant"], call_id=ask["call_id"], kind="approval", tool=ask["tool"],
        args=args, args_hash=call_hash(ask["tool"], args), actor=by, outcome=outcome,
        reason=str(reason) if reason else None,
    )


def _executor(deps: GraphDeps) -> Callable[[RunState], Awaitable[dict[str, Any]]]:
    async def executor(state: RunState) -> dict[str, Any]:
        results: list[dict[str, Any]] = []
        writes = _writes(deps, state)
        for item in state.get("gated", []):
            if item["outcome"] != "allow":
                result = {k: item[k] for k in ("call_id", "tool", "args")} | {"status": item["status"], "reason": item.get("reason")}
            else:
                with tracing.span("tool.call", tool=item["tool"], call_id=item["call_id"],
                                  system=deps.tools.get(item["tool"]).system) as current:
                    result = await deps.executor.execute(
                        state["run_id"], state["tenant"], state["user"], item["call_id"], item["tool"], item["args"]
                    )
                    tracing.annotate(current, status=result.get("status"))
            results.append(result)
            writes.emit("tool_result", result, f"result:{item['call_id']}")
        await writes.flush()
        return {"results": results, "pending": [], "gated": []}

    return executor
