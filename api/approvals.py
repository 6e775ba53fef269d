"""The approvals inbox: what waits for a person in your tenant, and answering it (which resumes the run)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from api.deps import PREFIX, BrainDep, Caller, State
from api.errors import ERROR_RESPONSES
from api.models import Outcome, RunStatus
from policies.model import ROLE_RANK
from runtime.approvals import ApprovalAnswer

router = APIRouter(prefix=PREFIX, tags=["approvals"], responses=ERROR_RESPONSES)

APPROVE_EXAMPLE = {"all": {"action": "approve"}}
EDIT_EXAMPLE = {"calls": {"1.0": {"action": "edit", "args": {"price": 15}}}, "all": {"action": "approve"}}
REJECT_EXAMPLE = {"all": {"action": "reject", "reason": "wrong price"}}


class PendingApproval(BaseModel):
    run_id: str
    approval_id: str
    request: str
    agent: str | None
    user: str
    calls: list[dict[str, Any]] = Field(description="each with call_id, tool, args, risk, reason")
    approver_role: str = Field(description="the least role that may answer")
    requested_at: datetime
    expires_at: datetime | None = Field(description="when the time limit applies its outcome; null = never")
    on_timeout: str | None = None
    you_may_answer: bool = Field(description="whether the caller's role is high enough")


@router.get("/approvals", response_model=list[PendingApproval], summary="What waits for approval in your tenant")
async def pending(actor: Caller, brain: BrainDep) -> list[PendingApproval]:
    rows = await brain.pending_approvals(actor)
    return [
        PendingApproval(
            run_id=str(r["run_id"]), approval_id=str(r["id"]), request=r["request"], agent=r.get("agent"),
            user=r["user_id"], calls=r["calls"], approver_role=r["approver_role"], requested_at=r["requested_at"],
            expires_at=r.get("expires_at"), on_timeout=r.get("on_timeout"),
            you_may_answer=ROLE_RANK.get(actor.role, -1) >= ROLE_RANK.get(r["approver_role"], 1),
        )
        for r in rows
    ]


@router.post(
    "/approvals/{run_id}", response_model=Outcome, summary="Approve, reject or edit the calls a task waits on",
    responses={404: {"description": "no such task"},
               409: {"description": "the task waits for no approval (answered already, by whom, or concurrently)"}},
    description="Answer each waiting call by its `call_id` in `calls`, or all of them with `all` "
                "(`action`: approve | reject | edit; `args` for an edit are merged over the proposed ones and "
                "checked against the tool's schema and the policy again; `reason` reaches the agent). The answer "
                "is checked in full, then recorded with the claim of the task in one transaction. The run resumes "
                "before this returns (status `resuming` when the API leaves execution to separate workers). Needs "
                "the approval's role or higher, in the task's tenant.",
    openapi_extra={"requestBody": {"content": {"application/json": {"examples": {
        "approve all": {"value": APPROVE_EXAMPLE}, "edit one call": {"value": EDIT_EXAMPLE},
        "reject": {"value": REJECT_EXAMPLE}}}}}},
)
async def answer(run_id: str, body: ApprovalAnswer, actor: Caller, brain: BrainDep, state: State) -> Outcome:
    # The answer's texts and edited arguments are checked by the runtime (runtime/approvals.py),
    # the same for every channel, before anything is written.
    # With an embedded worker the run resumes here before this returns; without one (`brain serve
    # --no-worker`) the answer is recorded and a worker resumes the run (status "resuming").
    outcome = await brain.answer_approval(run_id, actor, body, drive=state.engine is not None and state.engine.inline)
    for reply in [*body.calls.values(), *([body.all] if body.all else [])]:
        state.metrics.answers.labels(reply.action).inc()
    return Outcome(id=outcome.run_id, status=cast(RunStatus, outcome.status), answer=outcome.answer,
                   approval=jsonable_encoder(outcome.approval), route=jsonable_encoder(outcome.route),
                   results=jsonable_encoder(outcome.results))
