"""Which registry agents form the crew for a goal, and what each of them is asked to do.

The supervisor's router picks the crew when the caller names no agents: the goal is cut into its
parts ("launch the autumn range: a brief, a landing page and a note to the team" has three), each
part goes to the agent the routing index ranks first for it (or to the best-ranked holder of a tool
the part names in that tool's own words), and an agent picked for several parts gets them as one
task. Each member says why it was picked. A goal none of whose parts routes is declined: no crew.

With agents named by the caller, each part goes to the named agent the index ranks highest for it;
a named agent no part went to works on the whole goal. Unknown names are an error naming each one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agents.registry import AgentRegistry
from agents.routing import NONE
from runtime.router import Router
from runtime.understanding.cues import cued_tools
from runtime.understanding.mentions import resolve_references

Process = Literal["sequential", "hierarchical"]
PROCESSES: tuple[str, ...] = ("sequential", "hierarchical")
MAX_MEMBERS = 8  # tasks (and so at most agents) in one crew
MAX_PARTS = 12  # parts a goal is cut into before routing
CONFIDENT = 0.5  # a part routed on its own words at least this confidently keeps that route
WEAK = 0.6  # in a goal the supervisor declines as a whole, parts routed below this are not served either
DECLINED = "No agent here can serve that goal, so no crew was built."

_HEAD = re.compile(r"^(?P<head>[^:]{3,160}):\s*(?P<rest>.+)$", re.S)
# Where one job of a goal ends and the next begins: a semicolon, "then", a sentence end, and a comma or an
# "and" before a job's verb; a comma also before a thing named as a job ("..., a landing page for it").
# Commas inside one job ("a product called X, type Y, price 9") and "the X and the Y" stay together.
_VERBS = ("send|email|write|draft|create|add|make|tag|notify|tell|remind|remember|publish|unpublish|schedule|assign|"
          "score|update|log|book|post|share|set|give|put|move|open|build|remove|refund|cancel|change|run|show|find|"
          "plan|translate|lower|raise|archive|delete|merge|import|reply|record|fulfil|fulfill|award|list|check")
_ITEMS = re.compile(
    rf"\s*(?:;|\.\s+|,?\s*\band then\b|,\s*then\b|,\s*(?:and\s+)?(?=(?:a|an|one|some)\s|(?:{_VERBS})\b)"
    rf"|\s\band\s+(?=(?:{_VERBS})\b))\s*", re.I)


class UnknownAgents(ValueError):
    """Agent ids the registry does not have; the message names each one and where to find the ids."""

    def __init__(self, unknown: list[str]):
        self.unknown = unknown
        super().__init__(f"agents: unknown agent id{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(repr(a) for a in unknown)}; `brain agents` lists the ids")


class CrewMember(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    agent: str
    task: str = Field(description="this agent's part of the goal")
    why: str = Field(description="why this agent is in the crew")
    confidence: float = Field(ge=0.0, le=1.0, description="the routing confidence its part was given to it with")


class CrewPlan(BaseModel):
    """A crew picked for a goal; stored with the run, so every process that advances it runs the same crew."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    goal: str
    process: Process = "sequential"
    members: list[CrewMember] = Field(min_length=1, max_length=MAX_MEMBERS, description="one task each, in order; "
                                      "an agent may have several")
    picked_by: Literal["supervisor", "caller"] = "supervisor"
    unserved: list[str] = Field(default_factory=list, description="parts of the goal no agent serves")

    @property
    def agents(self) -> list[str]:
        """The crew's agents, each once, in the order they first work."""
        return list(dict.fromkeys(m.agent for m in self.members))

    @property
    def confidence(self) -> float:
        return min(m.confidence for m in self.members)


@dataclass(frozen=True)
class CrewPick:
    """A crew, or a declined goal (`plan` None) with the reason."""

    plan: CrewPlan | None
    message: str | None = None


@dataclass(frozen=True)
class _Part:
    text: str
    agent: str | None
    confidence: float
    how: str


def goal_parts(goal: str) -> list[str]:
    """The jobs a goal names: the items after a heading colon, or the clauses of a plain list."""
    goal = " ".join(goal.split())
    found = _HEAD.match(goal)
    rest = found.group("rest") if found else goal
    items = [i.strip(" .,;") for i in _ITEMS.split(rest) if i and i.strip(" .,;")]
    items = [i for i in items if len(i.split()) >= 2] or [rest.strip(" .")]
    # "add the lamp to it" after "create a collection called X": it is X
    items = [items[0], *(resolve_references(part, before) if _PRONOUN.search(part) else part
                         for before, part in zip(items, items[1:], strict=False))]
    return items[:MAX_PARTS]


_PRONOUN = re.compile(r"\b(?:it|its|them|their|him|his|her)\b", re.I)
_ARTICLE = re.compile(r"^(?:a|an|the|one|some|our)\s", re.I)
_SENDING = re.compile(r"\b(?:note|message|announcement|email|e-mail|reminder|broadcast|dm|text)\b", re.I)


def as_request(part: str) -> str:
    """A part named as a thing ("a landing page for the sale") asked for as a job ("create a landing page
    for the sale"); a part that is already a request is kept as it is."""
    if not _ARTICLE.match(part):
        return part
    return f"{'send' if _SENDING.search(part) else 'create'} {part}"


def heading(goal: str) -> str | None:
    found = _HEAD.match(" ".join(goal.split()))
    return found.group("head").strip() if found else None


def check_agents(registry: AgentRegistry, agents: list[str]) -> list[str]:
    """The named agents, each once, in order; UnknownAgents naming every unknown id."""
    unknown = [a for a in dict.fromkeys(agents) if a not in registry]
    if unknown:
        raise UnknownAgents(unknown)
    if not agents:
        raise ValueError("agents: name at least one agent, or leave it out to let the supervisor pick the crew")
    named = list(dict.fromkeys(agents))
    if len(named) > MAX_MEMBERS:
        raise ValueError(f"agents: a crew has at most {MAX_MEMBERS} agents (got {len(named)})")
    return named


class CrewPicker:
    """Picks crews with the supervisor's router (its index only: routing a part needs no model)."""

    def __init__(self, router: Router, registry: AgentRegistry):
        self.router = router
        self.registry = registry

    def pick(self, goal: str, *, agents: list[str] | None = None, process: str = "sequential") -> CrewPick:
        if process not in PROCESSES:
            raise ValueError(f"process: must be one of {', '.join(PROCESSES)} (got {process!r})")
        if not goal.strip():
            raise ValueError("goal: must not be empty")
        if agents is not None:
            return CrewPick(self._named(goal, check_agents(self.registry, agents), process))
        parts = [self._route(goal, text) for text in goal_parts(goal)]
        if any(p.agent is None for p in parts) and self.router.classify(goal).decision == "decline":
            parts = [p if p.agent is None or p.confidence >= WEAK else _Part(p.text, None, p.confidence, p.how)
                     for p in parts]
        served = [p for p in parts if p.agent is not None]
        if not served:  # no part routes on its own: the goal as one job, or declined
            whole = self._route(goal, goal)
            whole = whole if whole.confidence >= WEAK or len(parts) == 1 else _Part(goal, None, whole.confidence, "")
            if whole.agent is None:
                return CrewPick(None, self.router.classify(goal).message or DECLINED)
            served = [whole]
        crew = [CrewMember(agent=str(p.agent), task=as_request(p.text), why=f"'{p.text}' {p.how}",
                           confidence=round(p.confidence, 4)) for p in served[:MAX_MEMBERS]]
        return CrewPick(CrewPlan(goal=goal, process=process, members=crew,
                                 unserved=[p.text for p in parts if p.agent is None]))

    def _route(self, goal: str, text: str) -> _Part:
        """One part: its own words first; a part too short to route on its own is routed with the goal's heading."""
        result = self.router.classify(text)
        head = heading(goal)
        if head and (result.decision != "route" or result.confidence < CONFIDENT):
            framed = self.router.classify(f"{head}: {text}")
            if framed.decision == "route" and (result.decision != "route" or framed.confidence > result.confidence):
                result = framed
        if result.decision == "decline" or result.agent is None and not result.candidates:
            return _Part(text, None, result.confidence, "is outside what any agent does")
        agent = result.agent or result.candidates[0].agent
        how = f"is what {self.registry.get(agent).name} does best (confidence {result.confidence:.2f})"
        wanted = set(cued_tools(text))
        if wanted and not wanted & set(self.registry.get(agent).tools):
            holder = self._best_holder(text, wanted)
            if holder is not None:
                tools = ", ".join(sorted(wanted & set(self.registry.get(holder).tools)))
                agent, how = holder, f"asks for {tools}, which {self.registry.get(holder).name} holds"
        return _Part(text, agent, result.confidence, how)

    def _best_holder(self, text: str, tools: set[str]) -> str | None:
        holders = {spec.id for spec in self.registry if tools & set(spec.tools)}
        ranked = [c.agent for c in self.router.rank(text) if c.agent != NONE]
        return next((a for a in ranked if a in holders), None)

    def _named(self, goal: str, agents: list[str], process: str) -> CrewPlan:
        texts = goal_parts(goal)
        taken: dict[str, list[str]] = {a: [] for a in agents}
        if len(agents) > 1:
            for text in texts:
                ranked = [c.agent for c in self.router.rank(text) if c.agent in taken]
                owner = ranked[0] if ranked else agents[0]
                taken[owner].append(text)
        members = []
        for agent in agents:
            mine = taken[agent]
            why = ("named by the caller; takes " + ", ".join(f"'{t}'" for t in mine)) if mine else \
                "named by the caller; works on the whole goal"
            task = " and ".join(as_request(t) for t in mine) if mine else goal
            members.append(CrewMember(agent=agent, task=task, why=why, confidence=1.0))
        return CrewPlan(goal=goal, process=process, members=members, picked_by="caller")
