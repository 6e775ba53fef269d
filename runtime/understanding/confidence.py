"""Each planned call's confidence: the chance it is a call the request asked for, not a constant.

Per call, from what the pipeline knows about it:
- the trained tool classifier's probability (`tool_model.py`) for the call's label among the
  agent's choices (its tool when it changes something, READ when it only reads);
- the rule-based evidence: min(route confidence, the rule plan's confidence, which entity linking
  lowers to the closeness of the names it matched);
- whether the call changes something (reads and writes are right at very different rates).
Those go through a logistic map fitted on the development suites' judged calls (`python -m
bench.fit_confidence REPORT.json` refits it from an offline `brain eval --json` report and prints
the numbers below). The gate decides on this number instead of min(route, plan) for such calls.

A write whose confidence is under `ASK_BELOW` is not planned: the agent asks one question naming
the action it doubts instead (a question is not a wrong action).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from runtime.planner.base import Plan, PlanningContext
from runtime.understanding.tool_model import READ, ToolModel, choices
from tools.registry import ToolRegistry

Embed = Callable[[Sequence[str]], npt.NDArray[np.float32]]

# Fitted by bench/fit_confidence.py on the dev suites' judged calls (see the module docstring):
# intercept, then the weights of logit(classifier probability), logit(rule evidence), changes-something.
WEIGHTS: tuple[float, float, float, float] = (0.1976, -0.0902, 0.1035, 1.2930)
ASK_BELOW = 0.5
_EPS = 1e-3


def _logit(p: float) -> float:
    p = min(max(p, _EPS), 1 - _EPS)
    return math.log(p / (1 - p))


def call_confidence(classifier: float, evidence: float, changes: bool,
                    weights: tuple[float, float, float, float] = WEIGHTS) -> float:
    z = weights[0] + weights[1] * _logit(classifier) + weights[2] * _logit(evidence) + weights[3] * float(changes)
    return 1.0 / (1.0 + math.exp(-z))


@dataclass
class Understanding:
    """The trained tool classifier and the embedder its features need."""

    model: ToolModel
    embed: Embed
    weights: tuple[float, float, float, float] = WEIGHTS
    ask_below: float = ASK_BELOW
    _vectors: dict[str, npt.NDArray[np.float32]] = field(default_factory=dict)

    def vector(self, request: str) -> npt.NDArray[np.float32]:
        """The request's embedding; the last few are kept (a request is planned once a round)."""
        if request not in self._vectors:
            if len(self._vectors) >= 64:
                self._vectors.pop(next(iter(self._vectors)))
            self._vectors[request] = np.asarray(self.embed([request])[0], dtype=np.float32)
        return self._vectors[request]

    def probabilities(self, request: str, agent_tools: Sequence[str], tools: ToolRegistry) -> dict[str, float]:
        return self.model.probabilities(request, self.vector(request), choices(agent_tools, tools))

    def score(self, plan: Plan, ctx: PlanningContext, tools: ToolRegistry) -> Plan:
        """The plan with each call's confidence set; a doubted write becomes one question instead."""
        if not plan.calls:
            return plan
        probs = self.probabilities(ctx.request, ctx.agent.tools, tools)
        evidence = min(plan.confidence, 1.0 if ctx.route_confidence is None else ctx.route_confidence)
        calls = []
        for call in plan.calls:
            changes = tools.get(call.tool).risk.value != "read"
            label = call.tool if changes else READ
            confidence = round(call_confidence(probs.get(label, 0.0), evidence, changes, self.weights), 4)
            if changes and confidence < self.ask_below:
                doubted = tools.get(call.tool).description.rstrip(".")
                likelier = max(probs, key=lambda k: probs[k])
                return Plan(answer=(f"I am not sure you want me to change anything here ({call.tool}: {doubted}). "
                                    f"Should I go ahead, or did you mean {_describe(likelier, tools)}?"),
                            confidence=confidence)
            calls.append(replace(call, confidence=confidence))
        return replace(plan, calls=calls, confidence=min(c.confidence or 0.0 for c in calls))


def _describe(label: str, tools: ToolRegistry) -> str:
    if label == READ:
        return "only to look things up"
    if label not in tools:
        return "only an answer"
    return f"{label} ({tools.get(label).description.rstrip('.')})"
