"""The agents with their recent success in your tenant, and a search of the shared memory."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, ConfigDict, Field

from api.deps import PREFIX, BrainDep, Caller
from api.errors import ERROR_RESPONSES, ApiError
from api.models import PlainText
from memory.kinds import KINDS

router = APIRouter(prefix=PREFIX, tags=["agents"], responses=ERROR_RESPONSES)


class AgentRuns(BaseModel):
    done: int
    failed: int


class AgentStatus(BaseModel):
    id: str
    name: str
    domain: str
    workflow: str
    tools: list[str]
    runs: AgentRuns = Field(description="finished runs of this agent among your tenant's recent runs")
    success_rate: float | None = Field(description="done / (done + failed); null: no runs yet")


class AgentsStatus(BaseModel):
    window: int = Field(description="how many of your tenant's most recent runs were counted")
    agents: list[AgentStatus]


@router.get("/agents/status", response_model=AgentsStatus, summary="Every agent with its workflow, tools and success rate")
async def agents_status(actor: Caller, brain: BrainDep,
                        window: Annotated[int, Query(ge=1, le=2000, description="recent runs to count")] = 500) -> AgentsStatus:
    runs = await brain.list_runs(actor, limit=window)
    outcomes = Counter((r["agent"], r["status"]) for r in runs if r["status"] in ("done", "failed"))
    agents = []
    for spec in sorted(brain.agents, key=lambda a: (a.domain, a.id)):
        done, failed = outcomes[(spec.id, "done")], outcomes[(spec.id, "failed")]
        agents.append(AgentStatus(
            id=spec.id, name=spec.name, domain=spec.domain, workflow=spec.workflow, tools=list(spec.tools),
            runs=AgentRuns(done=done, failed=failed), success_rate=round(done / (done + failed), 4) if done + failed else None,
        ))
    return AgentsStatus(window=window, agents=agents)


class MemoryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"query": "spring campaign brief", "limit": 5}]})

    query: PlainText = Field(min_length=1, max_length=2000, description="the words or question to search for")
    kind: PlainText | None = Field(default=None, max_length=50, description="only memories of this kind",
                                   json_schema_extra={"enum": [*sorted(KINDS), None]})
    limit: int = Field(default=5, ge=1, le=50)


class MemoryHits(BaseModel):
    items: list[dict[str, Any]]


@router.post("/memory/search", response_model=MemoryHits, summary="Search your tenant's shared memory",
             responses={503: {"description": "this build has no memory store"}})
async def memory_search(body: MemoryQuery, actor: Caller, brain: BrainDep) -> MemoryHits:
    memory = getattr(brain, "memory", None)
    if memory is None:
        raise ApiError(503, "the shared memory is not available in this Brain (no memory store is configured)",
                       code="unavailable")
    try:
        hits = await memory.search(actor.tenant, body.query, user=actor.user, kind=body.kind, limit=body.limit)
    except ValueError as exc:  # the store's InvalidMemory: a bad kind, an empty query
        message = str(exc)
        field = next((name for name in ("kind", "query", "limit") if name in message), None)
        raise ApiError(422, message if field is None or message.startswith(field) else f"{field}: {message}",
                       field=field) from exc
    return MemoryHits(items=jsonable_encoder(hits))
