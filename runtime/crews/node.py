"""The graph node that runs a crew run: the crew of the run's plan, kicked off in CrewAI's thread.

A crew run is a Brain run like any other: recorded by the API or the CLI, advanced by `Brain.drive`
under a lease, paused for approvals in the inbox, resumed by whichever process gets the answer. The
node emits what the supervisor node would (`routed`, `answer`); the crew's calls emit `planned`,
`decision`, `waiting` and `tool_result` as a single agent's do, each naming its agent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import structlog

from runtime.crews import setup
from runtime.crews.plan import CrewPlan
from runtime.crews.session import CrewPaused, CrewSession, CrewStopped, MemoryContext, Parts
from runtime.graph import GraphDeps, Node, RunState, gated_calls
from runtime.llm import Model
from runtime.planner.base import compose_answer
from runtime.planner.offline import OfflinePlanner
from runtime.settings import Settings

log = structlog.get_logger(__name__)


def route_of(plan: CrewPlan) -> dict[str, Any]:
    """The crew as the supervisor's routing decision: the first member, every member as a step, and why."""
    return {
        "decision": "route", "agent": plan.members[0].agent, "confidence": plan.confidence, "message": None,
        "via": "crew", "candidates": [{"agent": a, "score": min(m.confidence for m in plan.members if m.agent == a)}
                                      for a in plan.agents],
        "steps": [{"agent": m.agent, "request": m.task} for m in plan.members],
        "crew": {"process": plan.process, "picked_by": plan.picked_by, "unserved": plan.unserved,
                 "members": [{"agent": m.agent, "task": m.task, "why": m.why} for m in plan.members]},
    }


def crew_node(settings: Settings, planner: OfflinePlanner, model: Callable[[], Model | None],
              memory_context: MemoryContext) -> Callable[[GraphDeps], Node]:
    """The factory `GraphDeps.crew` takes: given the graph's deps, the node."""

    def build(deps: GraphDeps) -> Node:
        gate = gated_calls(deps)

        async def crew(state: RunState) -> dict[str, Any]:
            plan = CrewPlan.model_validate(state["crew"])
            route = route_of(plan)
            await deps.emit(state, "routed", route, "routed")
            parts = Parts(agents=deps.agents, tools=deps.tools, planner=planner, model=model(), gate=gate,
                          emit=deps.emit, memory_context=memory_context, max_rounds=deps.max_steps,
                          max_turns=settings.crew_max_steps)
            session = CrewSession(parts, state, plan, await _recorded(deps, state["run_id"]), asyncio.get_running_loop())
            await asyncio.to_thread(setup.prepare, settings.home)
            from runtime.crews.kickoff import run_crew

            try:
                await asyncio.to_thread(run_crew, session, settings.max_steps * 2 + 2)
                answer = session.answer()
            except CrewPaused as paused:
                raise paused.interrupt from None
            except CrewStopped as stopped:
                log.warning("crew stopped at its step limit", run_id=state["run_id"], turns=stopped.turns)
                answer = (f"Stopped after {stopped.turns} steps, the limit of a crew. So far: "
                          f"{compose_answer(session.results, deps.tools)}")
            await deps.emit(state, "answer", {"agent": None, "crew": plan.agents, "text": answer}, "answer:crew")
            return {"route": route, "agent": plan.members[0].agent, "answer": answer, "answers": [answer],
                    "results": session.results}

        return crew

    return build


async def _recorded(deps: GraphDeps, run_id: str) -> dict[tuple[int, int], dict[str, Any]]:
    """The turns the crew's agents took before (an earlier advance of this run), by (execution, turn)."""
    if deps.events is None:
        return {}
    return {(e["data"]["execution"], e["data"]["turn"]): e["data"]
            for e in await deps.events.history(run_id) if e["type"] == "crew_step"}



