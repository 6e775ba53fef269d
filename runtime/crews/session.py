"""One crew run being advanced: what each crew agent thinks, and every tool call it makes.

CrewAI drives the crew in a thread of its own; its agents reach the Brain only through this
session (`think` for a model turn, `use` for a tool call), which hands the work to the run's event
loop. A tool call goes through `runtime.graph.gated_calls`: the policy gate, the ledger and the
executor, as a single-agent run's calls do. A call that asks pauses the graph node (LangGraph's
`interrupt`); the session turns that into `CrewPaused`, which CrewAI does not catch.

After a pause the node runs the crew again from its start. Every turn an agent took was recorded
(a `crew_step` event: the text, and for the offline planner its queue), so the replay repeats the
same turns without planning again, and the same calls get the same ids: the gate finds their
decisions and the executor their results in the ledger. No executed call runs twice.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from langgraph.errors import GraphInterrupt

from agents.registry import AgentRegistry
from runtime.crews.plan import CrewPlan
from runtime.graph import RunState
from runtime.llm import Model
from runtime.planner.base import PlanningContext, compose_answer
from runtime.planner.offline import OfflinePlanner
from runtime.taint import dumps_result, tainted_arguments, untrusted_text
from tools.registry import ToolRegistry

T = TypeVar("T")
MODEL_CONFIDENCE = 0.85  # a model's plan, as the single-agent LLM planner rates it
FINAL = "Final Answer:"
Emit = Callable[[RunState, str, dict[str, Any], str | None], Awaitable[None]]
Gate = Callable[[RunState], Awaitable[list[dict[str, Any]]]]
MemoryContext = Callable[[str, str, str], Awaitable[str]]


class CrewPaused(BaseException):  # noqa: N818 - control flow, like GeneratorExit
    """A call waits for a person. A BaseException so CrewAI's handlers (which give an `Exception` back to
    the agent as an observation) let it through to the node, which raises the interrupt it carries."""

    def __init__(self, interrupt: GraphInterrupt):
        super().__init__("the crew waits for an approval")
        self.interrupt = interrupt


class CrewStopped(BaseException):  # noqa: N818 - control flow
    """The crew used up its turns (a crew that loops): stopped with what it did so far."""

    def __init__(self, turns: int):
        super().__init__(f"stopped after {turns} steps")
        self.turns = turns


class _Stop(Exception):  # noqa: N818 - raised on the loop, turned into CrewStopped in CrewAI's thread
    pass


def tool_name(tool_id: str) -> str:
    """The name a crew agent calls a tool by (CrewAI's names are `[a-z0-9_]`)."""
    return tool_id.replace(".", "_")


def final(text: str) -> str:
    return f"Thought: I now know the final answer\n{FINAL} {text}"


def action(tool_id: str, args: dict[str, Any], thought: str = "") -> str:
    return (f"Thought: {thought or f'I will use {tool_id}.'}\nAction: {tool_name(tool_id)}\n"
            f"Action Input: {json.dumps(args, ensure_ascii=False)}")


@dataclass
class Execution:
    """One task of one crew agent (or of the manager, `agent` None), in the order they started."""

    number: int
    agent: str | None
    request: str
    turns: int = 0
    rounds: int = 0
    queue: list[dict[str, Any]] = field(default_factory=list)
    confidence: float = 1.0
    results: list[dict[str, Any]] = field(default_factory=list)  # as the offline planner reads them
    answer: str | None = None


@dataclass
class Parts:
    """What a session works with, given by the node."""

    agents: AgentRegistry
    tools: ToolRegistry
    planner: OfflinePlanner
    model: Model | None
    gate: Gate
    emit: Emit
    memory_context: MemoryContext
    max_rounds: int
    max_turns: int


class CrewSession:
    def __init__(self, parts: Parts, state: RunState, plan: CrewPlan, recorded: dict[tuple[int, int], dict[str, Any]],
                 loop: asyncio.AbstractEventLoop):
        self.parts = parts
        self.state = state
        self.plan = plan
        self.recorded = recorded
        self.loop = loop
        self.confidence: dict[str, float] = {}  # per agent, the least confident of its tasks' routes
        for member in plan.members:
            self.confidence[member.agent] = min(member.confidence, self.confidence.get(member.agent, 1.0))
        self.executions: dict[str, Execution] = {}
        self.current: Execution | None = None
        self.results: list[dict[str, Any]] = []  # every call's outcome, in order: the run's results
        self.calls = 0
        self.turns = 0

    # -- called from CrewAI's thread ------------------------------------------------------

    def think(self, task_key: str, agent: str | None, request: str, messages: list[dict[str, Any]]) -> str:
        """One model turn of a crew agent (or the manager): ReAct text, an action or a final answer."""
        return self._bridge(self._think(task_key, agent, request, messages))

    def use(self, agent: str, tool_id: str, args: dict[str, Any]) -> str:
        """One tool call of a crew agent, through the gate: what the agent observes."""
        return self._bridge(self._use(agent, tool_id, args))

    def _bridge(self, work: Coroutine[Any, Any, T]) -> T:
        future = asyncio.run_coroutine_threadsafe(work, self.loop)
        try:
            return future.result()
        except GraphInterrupt as exc:
            raise CrewPaused(exc) from None
        except _Stop:
            raise CrewStopped(self.turns - 1) from None

    # -- on the run's event loop ------------------------------------------------------------

    async def _think(self, task_key: str, agent: str | None, request: str, messages: list[dict[str, Any]]) -> str:
        run = self.executions.get(task_key)
        if run is None:
            run = Execution(len(self.executions), agent, request)
            self.executions[task_key] = run
        self.current = run
        self.turns += 1
        if self.turns > self.parts.max_turns:
            raise _Stop
        turn, run.turns = run.turns, run.turns + 1
        record = self.recorded.get((run.number, turn))
        if record is not None:
            run.queue, run.rounds, run.confidence = list(record["queue"]), record["rounds"], record["confidence"]
            text = str(record["text"])
        else:
            text = await (self._model_turn(run, messages) if self.parts.model is not None else self._offline_turn(run))
            record = {"agent": agent or "manager", "execution": run.number, "turn": turn, "text": text,
                      "queue": run.queue, "rounds": run.rounds, "confidence": run.confidence}
            await self.parts.emit(self.state, "crew_step", record, f"crew_step:{run.number}:{turn}")
        if FINAL in text:
            run.answer = text.split(FINAL, 1)[1].strip()
        return text

    async def _model_turn(self, run: Execution, messages: list[dict[str, Any]]) -> str:
        assert self.parts.model is not None
        reply = await self.parts.model.complete([{"role": m["role"], "content": m.get("content") or ""} for m in messages])
        run.confidence = MODEL_CONFIDENCE
        return (reply.text or "").split("\nObservation:")[0].strip() or final("Done.")

    async def _offline_turn(self, run: Execution) -> str:
        if run.agent is None:
            return self._manager_turn(run)
        spec = self.parts.agents.get(run.agent)
        if not run.queue:
            if run.rounds >= self.parts.max_rounds:
                return final(f"{compose_answer(run.results, self.parts.tools)} (Stopped after {run.rounds} planning rounds.)")
            run.rounds += 1
            memory = ""
            if run.rounds == 1:
                memory = await self.parts.memory_context(self.state["tenant"], self.state["user"], run.request)
            plan = await self.parts.planner.aplan(PlanningContext(
                agent=spec, request=run.request, step=run.rounds, results=run.results, memory=memory,
                system_prompt=self.parts.agents.prompt(spec.id), tenant=self.state["tenant"]))
            if not plan.calls:
                return final(plan.answer or "Done.")
            run.queue = [{"tool": c.tool, "args": c.args} for c in plan.calls]
            run.confidence = plan.confidence
        call = run.queue.pop(0)
        return action(call["tool"], call["args"])

    def _manager_turn(self, run: Execution) -> str:
        """The offline manager of a hierarchical crew: each member's part, delegated in order, then the answers."""
        members = self.plan.members
        if run.turns - 1 < len(members):
            member = members[run.turns - 1]
            spec = self.parts.agents.get(member.agent)
            args = {"task": member.task, "context": f"Part of the goal: {self.plan.goal}", "coworker": spec.name}
            return action("Delegate work to coworker", args, f"{spec.name} should do this part.")
        return final(self.answer())

    async def _use(self, agent: str, tool_id: str, args: dict[str, Any]) -> str:
        run = self.current
        request = run.request if run is not None else self.plan.goal
        self.calls += 1
        call_id = f"{agent}.{self.calls}"
        tainted = tainted_arguments(args, request, untrusted_text(self.results))
        call = {"call_id": call_id, "tool": tool_id, "args": args, "tainted": tainted}
        confidence = run.confidence if run is not None else 1.0
        await self.parts.emit(self.state, "planned", {"agent": agent, "calls": [call], "confidence": confidence},
                              f"planned:{call_id}")
        state: RunState = {**self.state, "agent": agent, "pending": [call], "plan_confidence": confidence,
                           "route": {"agent": agent, "confidence": self.confidence.get(agent, 1.0)}}
        result = (await self.parts.gate(state))[0]
        self.results.append(result)
        if run is not None:
            this_round = sum(1 for r in run.results if r["call_id"].split(".")[0] == str(run.rounds))
            run.results.append({**result, "call_id": f"{run.rounds}.{this_round}"})
        return self.observation(result)

    def observation(self, result: dict[str, Any]) -> str:
        """What the crew agent reads about its call; a rejected call says who rejected it and why."""
        status, tool = result.get("status"), result["tool"]
        if status == "ok":
            summary = self.parts.tools.get(tool).describe_result(result.get("result") or {})
            return f"{summary}\nResult: {dumps_result(result.get('result') or {})}"
        if status == "rejected":
            return f"Not run: a person rejected this call ({result.get('reason') or 'no reason given'})."
        if status == "denied":
            return f"Not run: the policy denies it ({result.get('reason')})."
        return f"Not run ({status}): {result.get('reason') or result.get('error') or 'unknown error'}."

    def answer(self) -> str:
        """Each member's final answer, in the order they worked."""
        lines = [f"{self.parts.agents.get(run.agent).name}: {run.answer}" for run in self.executions.values()
                 if run.agent is not None and run.answer]
        return "\n".join(lines) or compose_answer(self.results, self.parts.tools)
