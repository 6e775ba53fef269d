"""Tasks: submit a request (recorded here, executed by a worker), read it, list, cancel, follow its events."""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, Header, Query, Response
from fastapi.sse import EventSourceResponse
from pydantic import WithJsonSchema

from api.auth import require_role
from api.deps import PREFIX, ApiState, BrainDep, Caller, State
from api.errors import ERROR_RESPONSES, ApiError, field_of
from api.limits import check_request_text
from api.models import IdempotencyKey, RunStatus, Task, TaskCreate, TaskPage, task_view
from api.stream import run_events
from runtime.brain import Brain
from runtime.runs import Actor

log = structlog.get_logger(__name__)
router = APIRouter(prefix=PREFIX, tags=["tasks"], responses=ERROR_RESPONSES)

# A header is never null on the wire: the schema gives the string alone (a null would be sent as 'null').
LAST_EVENT_ID = {"type": "string", "pattern": "^[0-9]+$", "maxLength": 30}
IdempotencyHeader = Annotated[IdempotencyKey | None, Header(alias="Idempotency-Key", description="same as `idempotency_key`")]


async def _approval_of(brain: Brain, actor: Actor, run: dict[str, object]) -> dict[str, object] | None:
    if run["status"] != "waiting":
        return None
    for row in await brain.pending_approvals(actor):
        if str(row["run_id"]) == str(run["id"]):
            return {"calls": row["calls"], "approver_role": row["approver_role"], "expires_at": row.get("expires_at"),
                    "answer_at": f"{PREFIX}/approvals/{run['id']}"}
    return None


async def open_task(state: ApiState, brain: Brain, actor: Actor, response: Response, request: str, *,
                    agent: str | None, key: str | None, via: str) -> Task:
    """Record a run (a worker executes it): 202 when new, 200 when the key was used before."""
    require_role(actor, "operator", "submitting a task")
    check_request_text(request, state.settings.max_request_chars)
    if agent is not None:
        brain.agents.get(agent)  # UnknownAgent -> 422 naming `agent`
    try:
        run_id, created = await brain.create_run(request, actor, agent_hint=agent, idempotency_key=key)
    except ValueError as exc:
        raise ApiError(422, str(exc), field=field_of(str(exc)) or "request") from exc
    run = await brain.get_run(run_id, actor)
    if created:
        if state.engine is not None:  # the embedded worker takes it now; other workers are NOTIFYed
            state.engine.submitted(run_id)
        state.metrics.tasks.labels(via).inc()
        response.status_code = 202
    elif run["request"] != request or run["agent_hint"] != agent:
        raise ApiError(409, f"idempotency_key: {key!r} was used for another request (task {run_id})",
                       field="idempotency_key")
    else:
        response.status_code = 200
    return task_view(run)


def idempotency_key(body_key: str | None, header_key: str | None) -> str | None:
    if body_key and header_key and body_key != header_key:
        # 409: each key alone is valid (the schema cannot say two must be equal); together they conflict.
        raise ApiError(409, "idempotency_key: the body and the Idempotency-Key header name different keys",
                       field="idempotency_key")
    return body_key or header_key


@router.post(
    "/tasks", status_code=202, response_model=Task, summary="Submit a task",
    responses={200: {"model": Task, "description": "the idempotency key was used before: that task"},
               409: {"description": "the idempotency key was used for another request, or the body and the "
                                     "Idempotency-Key header name different keys"}},
    description="Records a run for a plain-language request; a worker executes it. Follow it with "
                "`GET /tasks/{id}/events`; if it waits for approval, answer with `POST /approvals/{id}`. "
                "Needs the operator role.",
)
async def submit_task(body: TaskCreate, actor: Caller, state: State, brain: BrainDep, response: Response,
                      header_key: IdempotencyHeader = None) -> Task:
    key = idempotency_key(body.idempotency_key, header_key)
    return await open_task(state, brain, actor, response, body.request, agent=body.agent, key=key, via="tasks")


@router.get("/tasks/{task_id}", response_model=Task, summary="One task",
            responses={404: {"description": "no such task in your tenant"}})
async def get_task(task_id: str, actor: Caller, brain: BrainDep) -> Task:
    run = await brain.get_run(task_id, actor)
    return task_view(run, await _approval_of(brain, actor, run))


@router.get("/tasks", response_model=TaskPage, summary="Your tenant's tasks, newest first")
async def list_tasks(actor: Caller, brain: BrainDep, status: RunStatus | None = None,
                     limit: Annotated[int, Query(ge=1, le=200)] = 50,
                     offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0) -> TaskPage:
    rows = await brain.list_runs(actor, status=status, limit=limit + 1, offset=offset)
    more = len(rows) > limit
    return TaskPage(items=[task_view(r) for r in rows[:limit]], limit=limit, offset=offset,
                    next_offset=offset + limit if more else None)


@router.post("/tasks/{task_id}/cancel", response_model=Task, summary="Cancel a task that has not finished",
             responses={404: {"description": "no such task in your tenant"},
                        409: {"description": "the task is running or finished and can no longer be cancelled"}},
             description="A queued or waiting task is cancelled; a waiting task's approval closes unanswered. "
                         "Needs the operator role.")
async def cancel_task(task_id: str, actor: Caller, brain: BrainDep) -> Task:
    require_role(actor, "operator", "cancelling a task")
    return task_view(await brain.cancel(task_id, actor))


@router.get(
    "/tasks/{task_id}/events", response_class=Response, summary="Follow a task as server-sent events",
    responses={200: {"description": "the event stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}},
               404: {"description": "no such task in your tenant"}},
    description="Replays the run's events after `Last-Event-ID` (or `after`), then streams new ones until the run "
                "is done, failed, cancelled or waiting for approval. Each event: `id: <seq>`, `event: <type>` "
                "(routed, planned, decision, waiting, tool_result, answer, done, ...), `data: <json>`.",
)
async def task_events(task_id: str, actor: Caller, brain: BrainDep, state: State,
                      after: Annotated[int, Query(ge=0, le=2**62, description="replay events after this id")] = 0,
                      last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=30, pattern=r"^[0-9]+$"),
                                               WithJsonSchema(LAST_EVENT_ID)] = None,
                      ) -> EventSourceResponse:
    if last_event_id is not None:
        try:
            after = max(after, int(last_event_id))
        except ValueError as exc:
            raise ApiError(422, f"Last-Event-ID: {last_event_id!r} is not an event id (a number)",
                           field="Last-Event-ID") from exc
    run = await brain.get_run(task_id, actor)  # 404 before the stream starts
    stream = run_events(brain, actor, str(run["id"]), after=after, poll_seconds=state.settings.sse_poll_seconds,
                        keepalive_seconds=state.settings.sse_keepalive_seconds)
    return EventSourceResponse(stream, headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
