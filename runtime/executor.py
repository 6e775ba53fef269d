"""The executor: the only caller of tool handlers (invariants 1, 2 and 4 of the design).

A call runs only with an allowing ledger entry whose args hash matches the call; the start
and the result are recorded around it; a call already started is never sent again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from pydantic import ValidationError

from runtime.ledger import Entry, Kind, Ledger
from tools.context import ContextError, ToolContext
from tools.registry import ToolRegistry, UnknownTool
from tools.spec import call_hash

log = structlog.get_logger(__name__)

ALLOWING = {(Kind.DECISION, "auto"), (Kind.APPROVAL, "approved"), (Kind.APPROVAL, "edited")}


class ExecutionRefused(Exception):
    """The executor will not call this tool: no allowing decision for exactly these arguments."""


class Executor:
    def __init__(self, tools: ToolRegistry, ledger: Ledger, contexts: Callable[[str, str, str], ToolContext]):
        self.tools = tools
        self.ledger = ledger
        self.contexts = contexts

    async def _changed_since_proposal(
        self, run_id: str, tenant: str, user: str, call_id: str, tool_id: str, args: dict[str, Any]
    ) -> str | None:
        decision = await self.ledger.find(run_id, call_id, Kind.DECISION)
        if decision is None or decision.precondition is None:
            return None
        now = await self.read_precondition(tenant, user, run_id, tool_id, args)
        change = _first_difference(decision.precondition, now)
        if change is None:
            return None
        return f"the target changed since this call was proposed ({change}); it needs a new decision"

    async def authorise(self, run_id: str, call_id: str, tool_id: str, args: dict[str, Any]) -> str:
        """Return the args hash the allowing decision binds, or raise ExecutionRefused."""
        spec = self.tools.get(tool_id)
        approval = await self.ledger.find(run_id, call_id, Kind.APPROVAL)
        decision = approval or await self.ledger.find(run_id, call_id, Kind.DECISION)
        if decision is None:
            raise ExecutionRefused(f"{tool_id} ({call_id}): no decision recorded")
        if (decision.kind, decision.outcome) not in ALLOWING:
            raise ExecutionRefused(f"{tool_id} ({call_id}): decision is {decision.outcome}")
        redecision = await self.ledger.find(run_id, call_id, Kind.REDECISION)
        if redecision is not None and redecision.outcome == "deny":
            raise ExecutionRefused(f"{tool_id} ({call_id}): the edited call is denied by policy")
        try:
            digest = call_hash(tool_id, spec.canonical_args(args))
        except ValidationError as exc:
            raise ExecutionRefused(f"{tool_id} ({call_id}): arguments no longer valid: {exc}") from exc
        if digest != decision.args_hash or decision.tool != tool_id:
            raise ExecutionRefused(f"{tool_id} ({call_id}): arguments differ from the ones decided")
        return digest

    async def read_precondition(self, tenant: str, user: str, run_id: str, tool_id: str, args: dict[str, Any]) -> dict[str, Any] | None:
        """The target of a write as it is now, for tools that declare a precondition read."""
        spec = self.tools.get(tool_id)
        if spec.precondition is None:
            return None
        try:
            return dict(await spec.precondition(self.contexts(tenant, user, run_id), spec.validate_args(args)))
        except Exception as exc:  # the target may not exist yet; that is a state too
            return {"unreadable": f"{type(exc).__name__}: {exc}"}

    async def check_escalation(self, tenant: str, user: str, run_id: str, tool_id: str, args: dict[str, Any]) -> str | None:
        """The tool's escalation check: a reason to treat this call as destructive, or None."""
        spec = self.tools.get(tool_id)
        if spec.escalate is None:
            return None
        try:
            return await spec.escalate(self.contexts(tenant, user, run_id), spec.validate_args(args))
        except Exception as exc:  # a check that cannot run holds the call rather than waving it through
            return f"the escalation check failed ({type(exc).__name__}: {exc})"

    async def execute(self, run_id: str, tenant: str, user: str, call_id: str, tool_id: str, args: dict[str, Any]) -> dict[str, Any]:
        """Run one call at most once; returns {status: ok|error, result|error}."""
        outcome: dict[str, Any] = {"call_id": call_id, "tool": tool_id, "args": args}
        done = await self.ledger.find(run_id, call_id, Kind.RESULT)
        if done is not None:
            return {**outcome, **_from_ledger(done)}
        try:
            digest = await self.authorise(run_id, call_id, tool_id, args)
        except (ExecutionRefused, UnknownTool) as exc:
            return {**outcome, "status": "refused", "error": str(exc)}
        spec = self.tools.get(tool_id)
        stale = await self._changed_since_proposal(run_id, tenant, user, call_id, tool_id, args)
        if stale is not None:
            await self.ledger.record(Entry(
                run_id=run_id, tenant_id=tenant, call_id=call_id, kind=Kind.RESULT, tool=tool_id, args=args,
                args_hash=digest, actor="executor", outcome="stale", error=stale,
            ))
            return {**outcome, "status": "stale", "reason": stale}
        base = Entry(run_id=run_id, tenant_id=tenant, call_id=call_id, kind=Kind.STARTED, tool=tool_id, args=args,
                     args_hash=digest, actor="executor")
        resumed = False
        if not await self.ledger.record(base):
            # Started before (a crash between start and result): never send it again blindly. A
            # resumable tool finds what the earlier attempt made and completes it.
            if not spec.resumable:
                error = "this call was started before and its outcome is unknown; check the system before retrying"
                await self.ledger.record(_result(base, error=error))
                return {**outcome, "status": "error", "error": error}
            resumed = True
            log.info("resuming a call started before a crash", run_id=run_id, call_id=call_id, tool=tool_id)
        try:
            if spec.handler is None:
                raise ContextError(f"{tool_id} is declared but its {spec.system} adapter is not available in this build")
            result = await spec.handler(self.contexts(tenant, user, run_id), spec.validate_args(args))
        except Exception as exc:  # any failure of the external system becomes a recorded result
            message = f"{type(exc).__name__}: {exc}"
            log.warning("tool failed", run_id=run_id, tool=tool_id, error=message)
            await self.ledger.record(_result(base, error=message))
            return {**outcome, "status": "error", "error": message}
        reason = "resumed after a crash: completed what the first attempt began" if resumed else None
        await self.ledger.record(_result(base, result=result, reason=reason))
        return {**outcome, "status": "ok", "result": result}


def _first_difference(before: Any, now: Any, path: str = "") -> str | None:
    if isinstance(before, dict) and isinstance(now, dict):
        for key in sorted(set(before) | set(now)):
            found = _first_difference(before.get(key), now.get(key), f"{path}.{key}" if path else key)
            if found:
                return found
        return None
    return None if before == now else f"{path or 'target'} was {before!r}, is now {now!r}"


def _result(
    base: Entry, *, result: dict[str, Any] | None = None, error: str | None = None, reason: str | None = None
) -> Entry:
    return Entry(
        run_id=base.run_id, tenant_id=base.tenant_id, call_id=base.call_id, kind=Kind.RESULT, tool=base.tool,
        args=base.args, args_hash=base.args_hash, actor="executor", outcome="ok" if error is None else "error",
        result=result, error=error, reason=reason,
    )


def _from_ledger(done: Entry) -> dict[str, Any]:
    if done.outcome == "stale":
        return {"status": "stale", "reason": done.error}
    if done.error:
        return {"status": "error", "error": done.error}
    return {"status": "ok", "result": done.result}
