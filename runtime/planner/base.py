"""What a planner returns, and the answer composed from tool results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents.spec import AgentSpec
from tools.registry import ToolRegistry


@dataclass(frozen=True)
class PlannedCall:
    call_id: str
    tool: str
    args: dict[str, Any]
    confidence: float | None = None  # this call's own chance of being what was asked; None: the plan's


@dataclass(frozen=True)
class Plan:
    """Either calls to make now, or the final answer (a clarifying question counts as one)."""

    calls: list[PlannedCall] = field(default_factory=list)
    answer: str | None = None
    confidence: float = 1.0


@dataclass(frozen=True)
class PlanningContext:
    agent: AgentSpec
    request: str
    step: int
    results: list[dict[str, Any]]
    memory: str = ""
    system_prompt: str = ""
    tenant: str = ""  # whose records the names in the request are linked against
    route_confidence: float | None = None  # the supervisor's confidence in the agent, when routed


def compose_answer(results: list[dict[str, Any]], tools: ToolRegistry) -> str:
    """A short answer listing what each call did, was refused, or failed with."""
    lines: list[str] = []
    for item in results:
        tool = tools.get(item["tool"]) if item["tool"] in tools else None
        status = item.get("status")
        if status == "ok" and tool is not None:
            lines.append(tool.describe_result(item.get("result") or {}))
        elif status == "rejected":
            lines.append(f"Did not run {item['tool']}: rejected ({item.get('reason') or 'no reason given'}).")
        elif status == "denied":
            lines.append(f"Did not run {item['tool']}: the policy denies it ({item.get('reason')}).")
        else:
            lines.append(f"{item['tool']} failed: {item.get('error') or 'unknown error'}.")
    return " ".join(lines) if lines else "Nothing was done."
