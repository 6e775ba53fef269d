"""A person's (or the time limit's) answer to a run's approval: checked, recorded, then resumed.

The order is what keeps every run answerable: the answer is checked in full first (shape, texts,
edited arguments against the tool: `runtime.approvals.check_answer`); only then is it recorded,
and the record is one transaction: the approval closed with the answer, the run claimed
(`waiting` -> `resuming`, leased to the answering process or left due for any worker) and the
answer's ledger entries. The run then resumes under its lease; if the process dies first, a
worker resumes it with the recorded answer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from policies.model import ROLE_RANK
from runtime import db
from runtime.approvals import ApprovalAnswer, answer_entries, check_answer
from runtime.outcome import RunOutcome
from runtime.runs import Actor, RunStateConflict

if TYPE_CHECKING:
    from runtime.brain import Brain


class PermissionDenied(PermissionError):
    """The actor may not do this (wrong tenant or too low a role)."""


async def answer_approval(brain: Brain, run_id: str, actor: Actor, answer: ApprovalAnswer, *,
                          drive: bool = True) -> RunOutcome:
    run = await brain.get_run(run_id, actor)
    run_id = str(run["id"])
    with db.tenant_scope(run["tenant_id"], actor.role):
        approval = await brain.runs.pending_approval(run_id)
        if run["status"] != "waiting" or approval is None:
            raise await brain.runs.answer_conflict(run_id)
        if actor.role != "super_admin" and actor.tenant != run["tenant_id"]:
            raise PermissionDenied(f"run {run_id} belongs to another tenant")
        if ROLE_RANK.get(actor.role, -1) < ROLE_RANK.get(approval["approver_role"], 1):
            raise PermissionDenied(f"approving needs the {approval['approver_role']} role or higher; you are {actor.role}")
        resume = check_answer(brain.tools, approval["calls"], answer, decided_by=actor.user)
        await brain.runs.record_answer(run_id, str(approval["id"]), actor.user, resume,
                                       answer_entries(run_id, run["tenant_id"], approval["calls"], resume),
                                       owner=brain.leases.owner if drive else None, lease_seconds=brain.leases.seconds)
    await brain.changed(run_id, "answered")
    if not drive:
        return RunOutcome(run_id, "resuming")
    return await brain.driven(run_id)


async def expire_approvals(brain: Brain) -> list[dict[str, Any]]:
    """Apply each overdue approval's configured outcome: reject it, or escalate to the next role.

    Safe to run from several processes: recording the answer decides who resumes the run.
    """
    done: list[dict[str, Any]] = []
    for due in await brain.runs.due_approvals():
        with db.tenant_scope(due["tenant_id"]):
            item = await _expire(brain, str(due["run_id"]))
        if item is not None:
            done.append(item)
    return done


async def expire_run(brain: Brain, run_id: str) -> dict[str, Any] | None:
    """Apply the time limit of this run's approval if it is due, leaving a rejected run `resuming`
    for whoever drives it (a workflow's durable timer calls this); what was done, or None."""
    with db.tenant_scope(await brain.runs.tenant_of(run_id)):
        return await _expire(brain, run_id, drive=False)


async def _expire(brain: Brain, run_id: str, *, drive: bool = True) -> dict[str, Any] | None:
    approval = await brain.runs.pending_approval(run_id)
    if approval is None or approval["expires_at"] is None or approval["expires_at"] > datetime.now(UTC):
        return None
    minutes = approval["timeout_minutes"] or 60
    role = approval["approver_role"]
    higher = next((r for r, rank in sorted(ROLE_RANK.items(), key=lambda kv: kv[1]) if rank > ROLE_RANK.get(role, 1)), None)
    if approval["on_timeout"] == "escalate" and higher is not None:
        if not await brain.runs.escalate_approval(str(approval["id"]), higher, minutes):
            return None
        await brain.events.emit(run_id, approval["tenant_id"], "escalated", {"from": role, "to": higher})
        await brain.changed(run_id, "escalated")
        return {"run_id": run_id, "outcome": "escalated", "approver_role": higher}
    reason = f"no answer within {minutes} minutes: rejected by the approval time limit"
    resume = {"decided_by": "system:timeout",
              "calls": {c["call_id"]: {"action": "reject", "reason": reason} for c in approval["calls"]}}
    try:
        await brain.runs.record_answer(run_id, str(approval["id"]), "system:timeout", resume,
                                       answer_entries(run_id, approval["tenant_id"], approval["calls"], resume),
                                       owner=brain.leases.owner if drive else None, lease_seconds=brain.leases.seconds,
                                       status="expired")
    except RunStateConflict:
        return None  # someone answered it meanwhile
    await brain.changed(run_id, "expired")
    if not drive:
        return {"run_id": run_id, "outcome": "rejected", "status": "resuming"}
    outcome = await brain.driven(run_id)
    return {"run_id": run_id, "outcome": "rejected", "status": outcome.status}
