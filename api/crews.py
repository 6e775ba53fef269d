"""Crews: several registry agents on one goal (`POST /agents/orchestrate`), every tool call behind the gate."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from agents.registry import load_specs
from api.auth import require_role
from api.deps import PREFIX, BrainDep, Caller, State
from api.errors import ERROR_RESPONSES, ApiError
from api.limits import check_request_text
from api.models import IdempotencyKey, PlainText, Task, task_view
from api.tasks import IdempotencyHeader, idempotency_key
from runtime.crews import CrewPlan, UnknownAgents, submit_crew

router = APIRouter(prefix=PREFIX, tags=["agents"], responses=ERROR_RESPONSES)


_AGENT_ID: dict[str, Any] = {"type": "string", "enum": sorted(spec.id for spec in load_specs())}


class CrewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"goal": "open the autumn shop: a landing page for the range, a 'Harvest Picks' collection and a note to the team"},
        {"goal": "add the Glass Jar at 9 USD and write its description", "agents": ["product_catalog_manager",
                                                                                    "product_description_writer"],
         "process": "hierarchical"}]})

    goal: PlainText = Field(min_length=1, description="what the crew should achieve, in plain words")
    agents: list[Annotated[PlainText, WithJsonSchema(_AGENT_ID)]] | None = Field(
        default=None, min_length=1, max_length=8, json_schema_extra={"uniqueItems": True},
        description="the crew's agent ids, each once (GET /agents/status lists them); left out, the supervisor "
                    "picks the crew")
    process: Literal["sequential", "hierarchical"] = Field(default="sequential", description="sequential: the agents "
                                                           "work in turn; hierarchical: a manager delegates to them")
    idempotency_key: IdempotencyKey | None = Field(default=None, description="the same key returns the same crew run")


class CrewMemberView(BaseModel):
    agent: str
    name: str
    task: str = Field(description="this agent's part of the goal")
    why: str = Field(description="why the agent is in the crew")


class CrewView(BaseModel):
    process: str
    picked_by: Literal["supervisor", "caller"]
    members: list[CrewMemberView]
    unserved: list[str] = Field(description="parts of the goal no agent serves")


class Orchestrated(BaseModel):
    status: Literal["accepted", "declined"]
    message: str | None = Field(default=None, description="why the goal was declined")
    crew: CrewView | None = None
    task: Task | None = Field(default=None, description="the crew run (follow it under /tasks/{id})")


def crew_view(plan: CrewPlan, names: dict[str, str]) -> CrewView:
    return CrewView(process=plan.process, picked_by=plan.picked_by, unserved=plan.unserved,
                    members=[CrewMemberView(agent=m.agent, name=names[m.agent], task=m.task, why=m.why)
                             for m in plan.members])


@router.post(
    "/agents/orchestrate", status_code=202, response_model=Orchestrated, summary="Run a crew of agents on one goal",
    responses={200: {"model": Orchestrated, "description": "declined (no agent serves the goal), or the "
                     "idempotency key was used before: that crew run"},
               409: {"description": "the idempotency key was used for another goal"}},
    description="Picks a crew of registry agents for the goal (or takes the `agents` named), records a crew run and "
                "returns at once; a worker runs it with CrewAI. Every tool call a crew agent makes passes the policy "
                "gate: a call that asks pauses the crew until `POST /approvals/{id}` answers it. Follow the run with "
                "`GET /tasks/{id}/events`. Needs the operator role.",
)
async def orchestrate(body: CrewCreate, actor: Caller, state: State, brain: BrainDep, response: Response,
                      header_key: IdempotencyHeader = None) -> Orchestrated:
    require_role(actor, "operator", "running a crew")
    check_request_text(body.goal, state.settings.max_request_chars, field="goal")
    key = idempotency_key(body.idempotency_key, header_key)
    try:
        submitted = await submit_crew(brain, body.goal, actor, agents=body.agents, process=body.process,
                                      idempotency_key=key)
    except UnknownAgents as exc:
        raise ApiError(422, str(exc), field="agents") from exc
    except ValueError as exc:
        field = str(exc).split(":", 1)[0] if ":" in str(exc) else "goal"
        raise ApiError(422, str(exc), field=field if field in ("goal", "agents", "process", "request") else "goal") from exc
    plan = submitted.pick.plan
    if plan is None or submitted.run_id is None:
        response.status_code = 200
        return Orchestrated(status="declined", message=submitted.pick.message)
    run = await brain.get_run(submitted.run_id, actor)
    if submitted.created:
        if state.engine is not None:
            state.engine.submitted(submitted.run_id)
        state.metrics.tasks.labels("crew").inc()
    elif run["request"] != body.goal:
        raise ApiError(409, f"idempotency_key: {key!r} was used for another request (task {submitted.run_id})",
                       field="idempotency_key")
    else:
        response.status_code = 200
        plan = CrewPlan.model_validate(run["crew"]) if run.get("crew") else plan
    names = {spec.id: spec.name for spec in brain.agents}
    return Orchestrated(status="accepted", crew=crew_view(plan, names), task=task_view(run))



