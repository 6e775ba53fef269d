"""The Brain: wires the parts together and drives runs. `advance` is the one way a run moves.

Driving is in process here; a Temporal or queue driver would call the same `advance`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import structlog
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.types import Command
from psycopg_pool import AsyncConnectionPool

from agents.registry import AgentRegistry, load_out_of_scope, load_registry
from memory.embeddings import Embedder
from memory.store import MemoryStore
from policies.defaults import KNOWN_WORKFLOWS
from policies.model import ROLE_RANK, Policy
from policies.store import PolicyStore
from runtime import db
from runtime.approvals import ApprovalAnswer, check_answer
from runtime.events import EventSink
from runtime.executor import Executor
from runtime.graph import GraphDeps, RunState, build_graph
from runtime.ledger import Ledger
from runtime.llm import current_model
from runtime.planner.base import Plan, PlanningContext
from runtime.planner.llm import LLMPlanner
from runtime.planner.offline import OfflinePlanner
from runtime.router import Router, RouteResult
from runtime.routing_store import load_or_train
from runtime.runs import Actor, RunNotFound, RunStateConflict, RunStore
from runtime.services import BoundServices, make_factories
from runtime.settings import Settings, make_embedder
from runtime.understanding.records import TenantRecords
from runtime.wiring import ClientFactory, current_namespace
from tools.context import ToolContext
from tools.registry import ToolRegistry, default_registry

log = structlog.get_logger(__name__)


async def _setup_checkpoints(owner_url: str) -> None:
    """LangGraph's checkpoint tables, created by the owner and granted to the application role."""
    import psycopg

    async with (await psycopg.AsyncConnection.connect(owner_url, autocommit=True, prepare_threshold=0) as conn,
                db.schema_lock(conn)):
        await AsyncPostgresSaver(conn).setup()  # type: ignore[arg-type]
        await db.grant_checkpoints(conn)


def load_catalog() -> tuple[ToolRegistry, AgentRegistry]:
    """Tools and agents, the agents checked against the tools and the policy's workflows."""
    tools = default_registry()
    return tools, load_registry(tools.ids(), KNOWN_WORKFLOWS)


async def build_router(
    settings: Settings, pool: AsyncConnectionPool[Any], agents: AgentRegistry, embedder: Embedder
) -> Router:
    model = await load_or_train(pool, list(agents), load_out_of_scope(), embedder)
    return Router(
        agents, model, embedder, decline_threshold=settings.router_decline_threshold,
        clarify_confidence=settings.router_clarify_confidence, clarify_margin=settings.router_clarify_margin,
        llm_threshold=settings.router_llm_threshold, top_k=settings.router_top_k, max_handoffs=settings.max_handoffs,
    )


def memory_tenant(tenant: str) -> str:
    """The memory space of a tenant: its own, or inside a sandbox namespace (an eval case) one of
    that namespace's, so a case's memories neither see nor leave anything in the tenant's."""
    namespace = current_namespace()
    return f"{tenant}#{namespace}" if namespace else tenant


class PermissionDenied(PermissionError):
    """The actor may not do this (wrong tenant or too low a role)."""


@dataclass
class RunOutcome:
    run_id: str
    status: str
    answer: str | None = None
    approval: dict[str, Any] | None = None
    route: dict[str, Any] | None = None
    results: list[dict[str, Any]] = field(default_factory=list)


class Brain:
    """Open with `await Brain.open(settings)`; close with `await brain.close()`."""

    def __init__(self, settings: Settings, pool: AsyncConnectionPool[Any], *, tools: ToolRegistry,
                 agents: AgentRegistry, router: Router, redis: Any | None = None, embedder: Embedder | None = None):
        self.settings = settings
        self.pool = pool
        self.tools = tools
        self.agents = agents
        self.router = router
        self.redis = redis
        self.runs = RunStore(pool)
        self.ledger = Ledger(pool)
        self.events = EventSink(pool, redis)
        self.policies = PolicyStore(pool)
        self.memory = MemoryStore(pool, embedder or router.embedder)
        self.clients = ClientFactory(settings)
        self.executor = Executor(tools, self.ledger, self._tool_context)
        self.services = make_factories(self)
        self.records = TenantRecords(self.clients.for_tenant, scope=current_namespace)
        self.offline_planner = OfflinePlanner(tools, records=self.records)
        self.saver = AsyncPostgresSaver(pool)
        self.graph = build_graph(self._deps(), self.saver)

    @classmethod
    async def open(cls, settings: Settings, *, embedder: Embedder | None = None, url: str | None = None) -> Brain:
        if url is None:
            url = await asyncio.to_thread(db.resolve_url, settings.database_url, settings.pgdata)
        await db.wait_ready(url)
        await db.migrate(url)
        await _setup_checkpoints(url)
        pool = db.open_pool(db.app_url(url, settings.app_database_url))
        await pool.open()
        try:
            tools, agents = await asyncio.to_thread(load_catalog)
            embedder = embedder or make_embedder(settings)
            router = await build_router(settings, pool, agents, embedder)
            redis = None
            if settings.redis_url:
                from redis.asyncio import Redis

                redis = Redis.from_url(settings.redis_url)
            brain = cls(settings, pool, tools=tools, agents=agents, router=router, redis=redis, embedder=embedder)
        except BaseException:
            await pool.close()
            raise
        return brain

    async def close(self) -> None:
        await self.clients.aclose()
        if self.redis is not None:
            await self.redis.aclose()
        await self.pool.close()

    # -- wiring ---------------------------------------------------------------------------

    def _deps(self) -> GraphDeps:
        return GraphDeps(
            agents=self.agents, tools=self.tools, ledger=self.ledger, executor=self.executor,
            route=self._route, plan=self._plan, policy=self._policy, memory_context=self._memory_context,
            emit=self._emit, max_steps=self.settings.max_steps,
        )

    def _model(self) -> Any:
        s = self.settings
        key = s.model_api_key.get_secret_value() if s.model_api_key else None
        return current_model(s.model, api_base=s.model_api_base, api_key=key)

    async def route(self, request: str, hint: str | None = None) -> RouteResult:
        """The supervisor's routing decision for a request, without running anything."""
        return await self._route(request, hint)

    async def _route(self, request: str, hint: str | None) -> RouteResult:
        return await self.router.route(request, hint=hint, model=self._model())

    async def _plan(self, ctx: PlanningContext) -> Plan:
        model = self._model()
        if model is None:
            return await self.offline_planner.aplan(ctx)
        return await LLMPlanner(model, self.tools).plan(ctx)

    async def _policy(self, tenant: str) -> Policy:
        return await self.policies.effective(tenant)

    async def _memory_context(self, tenant: str, user: str, request: str) -> str:
        try:
            return await self.memory.context_for(memory_tenant(tenant), request, user=user)
        except Exception as exc:  # memory helps planning; it must not stop a run
            log.warning("memory context failed", tenant=tenant, error=str(exc))
            return ""

    async def _remember_episode(self, run: dict[str, Any], values: RunState) -> None:
        """A short summary of a finished run, so later runs of the tenant can read what happened."""
        actions = [f"{r['tool']} {r.get('status')}" for r in values.get("results", [])]
        if not values.get("agent"):
            return
        text = (f"Request: {run['request']}\nAgent: {values.get('agent')}\n"
                f"Actions: {', '.join(actions) or 'none'}\nOutcome: {values.get('answer') or ''}")[:2000]
        try:
            await self.memory.write(memory_tenant(run["tenant_id"]), text, kind="episode", subject=values.get("agent"),
                                    user=run["user_id"], agent=values.get("agent"), source_run=str(run["id"]))
        except Exception as exc:  # a failed memory write is logged, not fatal to the run
            log.warning("episode memory failed", run_id=str(run["id"]), error=str(exc))

    async def _emit(self, state: RunState, type_: str, data: dict[str, Any], key: str | None) -> None:
        await self.events.emit(state["run_id"], state["tenant"], type_, data, key)

    def _tool_context(self, tenant: str, user: str, run_id: str) -> ToolContext:
        return ToolContext(tenant=tenant, user=user, run_id=run_id, clients=self.clients.for_tenant(tenant),
                           memory=self.memory.bound(memory_tenant(tenant), user, None, run_id),
                           services=BoundServices(self.services, tenant, user, run_id))

    # -- driving runs ---------------------------------------------------------------------

    async def submit(self, request: str, actor: Actor, *, agent_hint: str | None = None) -> RunOutcome:
        """Open a run for the request and advance it until it ends or waits for a person."""
        run_id, _ = await self.create_run(request, actor, agent_hint=agent_hint)
        return await self.start(run_id)

    async def create_run(self, request: str, actor: Actor, *, agent_hint: str | None = None,
                         idempotency_key: str | None = None) -> tuple[str, bool]:
        """Record a new run (status queued) without running it; (run id, created now)."""
        if not request.strip():
            raise ValueError("request: must not be empty")
        if agent_hint is not None:
            self.agents.get(agent_hint)
        with db.tenant_scope(actor.tenant, actor.role):
            return await self.runs.create(request, actor, status="queued", agent_hint=agent_hint,
                                          idempotency_key=idempotency_key)

    async def start(self, run_id: str) -> RunOutcome:
        """Take a queued run and advance it (exactly one caller wins the claim)."""
        await self.runs.claim(run_id, from_status="queued", to_status="running")
        run = await self.runs.get(run_id)
        state: RunState = {
            "run_id": run_id, "tenant": run["tenant_id"], "user": run["user_id"], "role": run["role"],
            "request": run["request"], "agent_hint": run["agent_hint"], "results": [],
        }
        return await self.advance(run_id, initial=state)

    async def get_run(self, run_id: str, actor: Actor) -> dict[str, Any]:
        """A run the actor may see (its own tenant's; any for a super_admin); else RunNotFound."""
        tenant = actor.tenant
        if actor.role == "super_admin":
            with self._acting(actor):
                run_id = await self.runs.resolve(run_id)
            tenant = await self.runs.tenant_of(run_id)
        with db.tenant_scope(tenant, actor.role):
            run = await self.runs.get(run_id)
        if actor.role != "super_admin" and run["tenant_id"] != actor.tenant:
            raise RunNotFound(run_id)
        return run

    @staticmethod
    def _acting(actor: Actor) -> Any:
        """The tenant scope an actor works in: its own tenant."""
        return db.tenant_scope(actor.tenant, actor.role)

    async def list_runs(self, actor: Actor, *, status: str | None = None, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        with self._acting(actor):
            return await self.runs.list_runs(tenant=actor.tenant, status=status, limit=limit, offset=offset)

    async def run_events(self, run_id: str, actor: Actor, *, after: int = 0) -> list[dict[str, Any]]:
        run = await self.get_run(run_id, actor)
        with db.tenant_scope(run["tenant_id"], actor.role):
            return [e for e in await self.events.history(str(run["id"])) if e["seq"] > after]

    async def pending_approvals(self, actor: Actor) -> list[dict[str, Any]]:
        with self._acting(actor):
            return await self.runs.pending_approvals(tenant=actor.tenant)

    async def cancel(self, run_id: str, actor: Actor) -> dict[str, Any]:
        """Cancel a run that has not finished; a waiting run's approval closes unanswered."""
        run = await self.get_run(run_id, actor)
        with db.tenant_scope(run["tenant_id"], actor.role):
            return await self._cancel(run, actor)

    async def _cancel(self, run: dict[str, Any], actor: Actor) -> dict[str, Any]:
        for status in ("queued", "waiting"):
            try:
                await self.runs.claim(str(run["id"]), from_status=status, to_status="cancelled")
            except RunStateConflict:
                continue
            approval = await self.runs.pending_approval(str(run["id"]))
            if approval is not None:
                await self.runs.close_approval(str(approval["id"]), actor.user, {"cancelled": True}, status="expired")
            await self.events.emit(str(run["id"]), run["tenant_id"], "cancelled", {"by": actor.user}, "cancelled")
            return await self.runs.get(str(run["id"]))
        raise RunStateConflict(f"run {run['id']} is {run['status']} and can no longer be cancelled")

    async def advance(self, run_id: str, resume: Any = None, *, initial: RunState | None = None) -> RunOutcome:
        """Run the graph until it pauses for a person or ends; record where it stopped."""
        with db.tenant_scope(await self.runs.tenant_of(run_id)):
            return await self._advance(run_id, resume, initial)

    async def _advance(self, run_id: str, resume: Any, initial: RunState | None) -> RunOutcome:
        config = {"configurable": {"thread_id": run_id}}
        run = await self.runs.get(run_id)
        payload: Any = Command(resume=resume) if resume is not None else initial
        try:
            await self.graph.ainvoke(payload, config)
        except Exception as exc:
            await self.runs.update(run_id, status="failed", error=f"{type(exc).__name__}: {exc}")
            await self.events.emit(run_id, run["tenant_id"], "failed", {"error": str(exc)})
            raise
        snapshot = await self.graph.aget_state(config)
        values: RunState = snapshot.values
        route = values.get("route") or {}
        if snapshot.interrupts:
            pending = snapshot.interrupts[0]
            await self.runs.open_approval(run_id, run["tenant_id"], pending.id, pending.value)
            await self.runs.update(run_id, status="waiting", agent=route.get("agent"), confidence=route.get("confidence"))
            return RunOutcome(run_id, "waiting", approval=pending.value, route=route, results=values.get("results", []))
        answer = values.get("answer")
        await self.runs.update(run_id, status="done", answer=answer, agent=route.get("agent"),
                               confidence=route.get("confidence"))
        await self._remember_episode(run, values)
        await self.events.emit(run_id, run["tenant_id"], "done", {"answer": answer}, "done")
        return RunOutcome(run_id, "done", answer=answer, route=route, results=values.get("results", []))

    async def answer_approval(self, run_id: str, actor: Actor, answer: ApprovalAnswer) -> RunOutcome:
        """Approve, reject or edit the calls a run waits on, then resume it exactly once."""
        run = await self.get_run(run_id, actor)
        with db.tenant_scope(run["tenant_id"], actor.role):
            return await self._answer(run, actor, answer)

    async def _answer(self, run: dict[str, Any], actor: Actor, answer: ApprovalAnswer) -> RunOutcome:
        run_id = str(run["id"])
        approval = await self.runs.pending_approval(run_id)
        if run["status"] != "waiting" or approval is None:
            raise RunStateConflict(f"run {run_id} is {run['status']} and waits for no approval")
        if actor.role != "super_admin" and actor.tenant != run["tenant_id"]:
            raise PermissionDenied(f"run {run_id} belongs to another tenant")
        if ROLE_RANK.get(actor.role, -1) < ROLE_RANK.get(approval["approver_role"], 1):
            raise PermissionDenied(f"approving needs the {approval['approver_role']} role or higher; you are {actor.role}")
        resume = check_answer(self.tools, approval["calls"], answer, decided_by=actor.user)
        await self.runs.claim(run_id, from_status="waiting", to_status="resuming")
        await self.runs.close_approval(str(approval["id"]), actor.user, resume)
        return await self.advance(run_id, resume)

    async def expire_approvals(self) -> list[dict[str, Any]]:
        """Apply each overdue approval's configured outcome: reject it, or escalate to the next role.

        Safe to run from several processes: claiming the run decides who resumes it.
        """
        done: list[dict[str, Any]] = []
        for due in await self.runs.due_approvals():
            with db.tenant_scope(due["tenant_id"]):
                item = await self._expire(str(due["run_id"]))
            if item is not None:
                done.append(item)
        return done

    async def _expire(self, run_id: str) -> dict[str, Any] | None:
        approval = await self.runs.pending_approval(run_id)
        if approval is None or approval["expires_at"] is None:
            return None
        minutes = approval["timeout_minutes"] or 60
        role = approval["approver_role"]
        higher = next((r for r, rank in sorted(ROLE_RANK.items(), key=lambda kv: kv[1]) if rank > ROLE_RANK.get(role, 1)), None)
        if approval["on_timeout"] == "escalate" and higher is not None:
            if not await self.runs.escalate_approval(str(approval["id"]), higher, minutes):
                return None
            await self.events.emit(run_id, approval["tenant_id"], "escalated", {"from": role, "to": higher})
            return {"run_id": run_id, "outcome": "escalated", "approver_role": higher}
        reason = f"no answer within {minutes} minutes: rejected by the approval time limit"
        resume = {"decided_by": "system:timeout",
                  "calls": {c["call_id"]: {"action": "reject", "reason": reason} for c in approval["calls"]}}
        try:
            await self.runs.claim(run_id, from_status="waiting", to_status="resuming")
        except RunStateConflict:
            return None  # someone answered it meanwhile
        await self.runs.close_approval(str(approval["id"]), "system:timeout", resume, status="expired")
        outcome = await self.advance(run_id, resume)
        return {"run_id": run_id, "outcome": "rejected", "status": outcome.status}
