"""The supervisor's routing: the embedding index first, the LLM among the top-k only when unsure."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from agents.registry import AgentRegistry
from agents.routing import NONE, Candidate, RoutingIndex
from memory.embeddings import Embedder
from runtime.llm import Model, ModelError

Decision = Literal["route", "clarify", "decline"]


@dataclass
class RouteResult:
    decision: Decision
    agent: str | None
    confidence: float
    candidates: list[Candidate] = field(default_factory=list)
    message: str | None = None
    via: str = "index"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["candidates"] = [{"agent": c.agent, "score": round(c.score, 4)} for c in self.candidates]
        return data


def confidence_from_scores(top: float, margin: float) -> float:
    """Map the best similarity and its lead over the runner-up to [0, 1].

    A logistic with hand-set weights for now; issue 3 replaces it with a curve fitted on
    held-in data.
    """
    return 1.0 / (1.0 + math.exp(-(14.0 * (top - 0.5) + 30.0 * margin)))


class Router:
    def __init__(
        self,
        agents: AgentRegistry,
        index: RoutingIndex,
        embedder: Embedder,
        *,
        decline_threshold: float,
        clarify_margin: float,
        llm_threshold: float,
        top_k: int,
    ):
        self.agents = agents
        self.index = index
        self.embedder = embedder
        self.decline_threshold = decline_threshold
        self.clarify_margin = clarify_margin
        self.llm_threshold = llm_threshold
        self.top_k = top_k

    def rank(self, request: str) -> list[Candidate]:
        """Top-k candidates, the out-of-scope class included (as agent NONE)."""
        vector = self.embedder.embed([request])[0]
        return self.index.top(np.asarray(vector, dtype=np.float32), self.top_k + 1)

    async def route(self, request: str, *, hint: str | None = None, model: Model | None = None) -> RouteResult:
        if hint:
            self.agents.get(hint)  # an unknown hint is the caller's error
            return RouteResult("route", hint, 1.0, via="hint")
        ranked = self.rank(request)
        out_of_scope = ranked[0].agent == NONE
        candidates = [c for c in ranked if c.agent != NONE][: self.top_k]
        top = candidates[0]
        margin = top.score - candidates[1].score if len(candidates) > 1 else top.score
        confidence = confidence_from_scores(top.score, margin)
        if model is not None and confidence < self.llm_threshold:
            chosen = await self._ask_model(model, request, candidates)
            if chosen is not None:
                return chosen
        if out_of_scope or top.score < self.decline_threshold:
            return RouteResult("decline", None, confidence, candidates, message=self._decline_message())
        if margin < self.clarify_margin:
            close = [c for c in candidates if top.score - c.score < self.clarify_margin * 2][:3]
            if len(close) > 1:
                names = " or ".join(f"{self.agents.get(c.agent).name} ({self.agents.get(c.agent).purpose.split(';')[0]})" for c in close)
                return RouteResult(
                    "clarify", None, confidence, candidates,
                    message=f"I am not sure which of these you mean: {names}. Could you say a bit more?",
                )
        return RouteResult("route", top.agent, confidence, candidates)

    @staticmethod
    def _decline_message() -> str:
        return (
            "Sorry, that is outside what I can do here. I can help with your store, site, CRM, dashboards, "
            "campaigns, reminders and the gamification program."
        )

    async def _ask_model(self, model: Model, request: str, candidates: list[Candidate]) -> RouteResult | None:
        listing = "\n".join(f"- {c.agent}: {self.agents.get(c.agent).purpose}" for c in candidates)
        messages = [
            {"role": "system", "content": (
                "Choose the one agent that should handle the user's request, from this list only:\n"
                f"{listing}\nAnswer with JSON only: {{\"agent\": \"<id>\"}}, or {{\"agent\": null}} if none fits.")},
            {"role": "user", "content": request},
        ]
        try:
            reply = await model.complete(messages)
            chosen = json.loads((reply.text or "").strip().strip("`").removeprefix("json").strip())["agent"]
        except (ModelError, ValueError, KeyError, TypeError):
            return None
        if chosen is None:
            return RouteResult("decline", None, 0.9, candidates, message=self._decline_message(), via="llm")
        if chosen not in {c.agent for c in candidates}:
            return None
        return RouteResult("route", chosen, 0.9, candidates, via="llm")
