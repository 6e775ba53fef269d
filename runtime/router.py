"""The supervisor's routing: the trained index first, the LLM among the top-k only when unsure.

Outcomes: route to one agent (or a short sequence of agents when the request asks for two
jobs), ask which of two or three close candidates the user means, or decline.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from agents.registry import AgentRegistry
from agents.routing import NONE, Candidate, RoutingModel
from memory.embeddings import Embedder
from runtime.llm import Model, ModelError
from runtime.understanding.cues import cued_tools
from runtime.understanding.mentions import resolve_references

Decision = Literal["route", "clarify", "decline"]

# Where a request that asks for two jobs is cut: "X and then Y", "X; Y", "X, then Y", "X and Y".
# The plainest join of two jobs, used only when a part needs a tool the chosen agent lacks.
_AND = re.compile(r"\s*(?:,\s*)?\band\b\s*(?=(?:then\s+)?[a-z]+\b)", re.I)
_SPLITS = (
    re.compile(r"\s*(?:,\s*)?\band then\b\s*", re.I),
    re.compile(r"\s*;\s*"),
    re.compile(r"\s*(?:,\s*|\.\s+)then\b\s*", re.I),
    re.compile(r"\s*(?:,\s*)?\band (?:also )?(?=(?:send|email|write|draft|create|add|make|tag|notify|tell|remind|publish|"
               r"schedule|assign|score|update|log|book|post|share|set|give|put|move)\b)", re.I),
)


def _resolved(parts: list[str]) -> list[str]:
    """Each later part with its "it", "him", "the lead" replaced by what the part before it acts on."""
    return [parts[0], *(resolve_references(part, before) for before, part in zip(parts, parts[1:], strict=False))]


@dataclass
class RouteResult:
    decision: Decision
    agent: str | None
    confidence: float
    candidates: list[Candidate] = field(default_factory=list)
    message: str | None = None
    via: str = "index"
    steps: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["candidates"] = [{"agent": c.agent, "score": round(c.score, 4)} for c in self.candidates]
        return data


class Router:
    def __init__(
        self,
        agents: AgentRegistry,
        model: RoutingModel,
        embedder: Embedder,
        *,
        decline_threshold: float,
        clarify_confidence: float,
        clarify_margin: float,
        llm_threshold: float,
        top_k: int,
        max_handoffs: int,
        split_confidence: float = 0.6,
    ):
        self.agents = agents
        self.model = model
        self.embedder = embedder
        self.decline_threshold = decline_threshold
        self.clarify_confidence = clarify_confidence
        self.clarify_margin = clarify_margin
        self.llm_threshold = llm_threshold
        self.top_k = top_k
        self.max_handoffs = max_handoffs
        self.split_confidence = split_confidence

    def rank(self, request: str) -> list[Candidate]:
        """The top classes, the out-of-scope class NONE included, best first."""
        vector = np.asarray(self.embedder.embed([request])[0], dtype=np.float32)
        return self.model.rank(request, vector, self.top_k + 1)

    def classify(self, request: str) -> RouteResult:
        """The index's answer alone: route, clarify or decline, with the calibrated confidence."""
        ranked = self.rank(request)
        confidence = self.model.confidence(ranked[0].score, ranked[0].score - ranked[1].score)
        candidates = [c for c in ranked if c.agent != NONE][: self.top_k]
        top = candidates[0]
        if ranked[0].agent == NONE or top.score < self.decline_threshold:
            return RouteResult("decline", None, confidence, candidates, message=self._decline_message())
        margin = top.score - candidates[1].score
        if confidence < self.clarify_confidence and margin < self.clarify_margin:
            close = [c for c in candidates if top.score - c.score < self.clarify_margin][:3]
            if len(close) > 1:
                return RouteResult("clarify", None, confidence, candidates, message=self._clarify_message(close))
        return RouteResult("route", top.agent, confidence, candidates)

    async def route(self, request: str, *, hint: str | None = None, model: Model | None = None) -> RouteResult:
        if hint:
            self.agents.get(hint)  # an unknown hint is the caller's error
            return RouteResult("route", hint, 1.0, via="hint")
        # The index's work (embedding, TF-IDF, the classifier, the parts of a two-job request) runs off the
        # event loop: a route must not stall every other request of the process.
        result = await asyncio.to_thread(self.index_route, request)
        if result.via != "index":
            return result
        if model is not None and result.confidence < self.llm_threshold and result.candidates:
            chosen = await self._ask_model(model, request, result)
            if chosen is not None:
                return chosen
        return result

    def index_route(self, request: str) -> RouteResult:
        """The index's whole answer, a two-job request split into steps included (no LLM)."""
        result = self.classify(request)
        if result.decision != "decline":
            split = self._split(request, result) or self._tool_split(request, result)
            if split is not None:
                return split
        return result

    def _split(self, request: str, whole: RouteResult) -> RouteResult | None:
        """Two jobs in one request: each part routes confidently, and to a different agent.

        No split when the agent chosen for the whole request is also a close candidate for every
        part: it can do the whole job itself (a sale event that also builds its collection).
        """
        for pattern in _SPLITS:
            parts = [p.strip(" ,.") for p in pattern.split(request) if p and p.strip(" ,.")]
            if not 2 <= len(parts) <= self.max_handoffs + 1 or any(len(p.split()) < 3 for p in parts):
                continue
            routed = [self.classify(part) for part in parts]
            agents = [r.agent for r in routed]
            confident = all(r.decision == "route" and r.confidence >= self.split_confidence for r in routed)
            if not confident or len(set(agents)) != len(agents):
                continue
            if all(whole.agent in {c.agent for c in r.candidates[:2]} for r in routed):
                return None
            else:
                steps = [{"agent": str(r.agent), "request": part} for r, part in zip(routed, _resolved(parts), strict=True)]
                confidence = min(r.confidence for r in routed)
                return RouteResult("route", steps[0]["agent"], confidence, routed[0].candidates, via="split", steps=steps)
        return None

    def _tool_split(self, request: str, whole: RouteResult) -> RouteResult | None:
        """Two jobs in one request where a part asks, in a tool's own words, for a change the chosen agent
        cannot make ("...and tell the team on telegram"): that part goes to the best-ranked agent that
        holds the tool; the rest stays with the chosen agent."""
        if whole.agent is None:
            return None
        chosen = self.agents.get(whole.agent)
        for pattern in (*_SPLITS, _AND):
            parts = [p.strip(" ,.") for p in pattern.split(request) if p and p.strip(" ,.")]
            if len(parts) < 2:
                continue
            steps: list[dict[str, str]] = []
            for index, part in enumerate(_resolved(parts)):
                wanted = set(cued_tools(part)) if index else set()  # the first job is the one the request was routed on
                owner = chosen.id
                if wanted and not wanted & set(chosen.tools):
                    owner = self._best_holder(part, wanted) or chosen.id
                if steps and steps[-1]["agent"] == owner:
                    steps[-1]["request"] += f" and {part}"
                else:
                    steps.append({"agent": owner, "request": part})
            if 1 < len(steps) <= self.max_handoffs + 1:
                return RouteResult("route", steps[0]["agent"], whole.confidence, whole.candidates, via="tools", steps=steps)
        return None

    def _best_holder(self, part: str, tools: set[str]) -> str | None:
        """Of the agents holding one of these tools, the one the index ranks highest for this part, if it is
        among the index's top candidates for the part at all (the tool's words alone are not enough)."""
        holders = {spec.id for spec in self.agents if tools & set(spec.tools)}
        ranked = [c for c in self.rank(part) if c.agent != NONE][: self.top_k]
        return next((c.agent for c in ranked if c.agent in holders), None)

    def _clarify_message(self, close: list[Candidate]) -> str:
        options = "; or ".join(f"{self.agents.get(c.agent).name}: {self.agents.get(c.agent).purpose.split(';')[0]}" for c in close)
        return f"I am not sure what you want done. Do you mean {options}? Tell me a bit more and I will take it from there."

    @staticmethod
    def _decline_message() -> str:
        return (
            "Sorry, that is outside what I can do here. I can help with your store, site, CRM, dashboards, "
            "campaigns, reminders and the gamification program."
        )

    async def _ask_model(self, model: Model, request: str, result: RouteResult) -> RouteResult | None:
        listing = "\n".join(f"- {c.agent}: {self.agents.get(c.agent).purpose}" for c in result.candidates)
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
            return RouteResult("decline", None, result.confidence, result.candidates, message=self._decline_message(), via="llm")
        if chosen not in {c.agent for c in result.candidates}:
            return None
        return RouteResult("route", chosen, max(result.confidence, self.llm_threshold), result.candidates, via="llm")
