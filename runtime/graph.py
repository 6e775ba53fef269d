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

from agents.registry import AgentRegistry
from policies.model import Policy
from runtime import tracing
from runtime.events import EventSink
from runtime.executor import Executor
from runtime.gate import ApprovalAnswer, GateContext, PendingCall, PolicyGate
from runtime.ledger import Ledger
from runtime.node_writes import NodeWrites
from runtime.planner.base import Plan, PlanningContext, compose_answer
from runtime.router import RouteResult
from runtime.taint import tainted_arguments, untrusted_text
from tools.registry import ToolRegistry


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
            route_confidence=state.get("route", {}).get("confidence"),
        )
        with tracing.span("plan", agent=spec.id, round=total + 1) as current:
            plan = await deps.plan(ctx)
            tracing.annotate(current, calls=len(plan.calls), confidence=plan.confidence)
        if plan.calls:
            untrusted = untrusted_text(results, memory)
            pending = [{"call_id": c.call_id, "tool": c.tool, "args": c.args,
                        "tainted": tainted_arguments(c.args, task, untrusted),
                        **({"confidence": c.confidence} if c.confidence is not None else {})} for c in plan.calls]
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
    gate = PolicyGate(deps.tools, deps.ledger, deps.executor)

    async def policy_gate(state: RunState) -> dict[str, Any]:
        policy = await deps.policy(state["tenant"])
        ctx = GateContext(run_id=state["run_id"], tenant=state["tenant"], user=state["user"],
                          agent=deps.agents.get(state["agent"]),
                          route_confidence=float(state.get("route", {}).get("confidence", 0.0)),
                          plan_confidence=float(state.get("plan_confidence", 0.0)))
        calls = [PendingCall.from_state(c) for c in state["pending"]]
        writes = _writes(deps, state)
        decided = await gate.decide(ctx, calls, policy, writes)
        gated = list(decided.gated)
        if decided.request is not None:
            asks = [a.as_payload() for a in decided.request.calls]
            writes.emit("waiting", {"calls": asks, "approver_role": decided.request.approver_role},
                        f"waiting:{asks[0]['call_id']}")
            await writes.flush()  # every decision recorded before the run pauses
            answer = ApprovalAnswer.parse(interrupt(decided.request.as_payload()))
            gated.extend(await gate.answer(ctx, decided.request, answer, policy))
        await writes.flush()
        order = {c.call_id: n for n, c in enumerate(calls)}
        return {"gated": [g.as_state() for g in sorted(gated, key=lambda g: order[g.call_id])]}

    return policy_gate


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
