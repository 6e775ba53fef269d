"""The Brain: wires the parts together and drives runs. `advance` is the one way a run moves.

`drive(run_id)` advances whatever a run's recorded state asks for, under a lease on the run row
(`runtime/leases.py`); workers (`runtime/engine/`) call it for due runs, the CLI and the approval
path call it for the run at hand.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.types import Command
from psycopg import InterfaceError, OperationalError
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from agents.registry import AgentRegistry, load_out_of_scope, load_registry
from memory.embeddings import Embedder, preload
from memory.store import MemoryStore
from policies.defaults import KNOWN_WORKFLOWS
from policies.model import Policy
from policies.store import PolicyStore
from runtime import answering, db, tracing
from runtime.answering import PermissionDenied as PermissionDenied  # re-exported: callers catch it from here
from runtime.approvals import ApprovalAnswer
from runtime.crews import crew_node
from runtime.engine.version import graph_version
from runtime.episodes import EpisodeWriter
from runtime.events import EventSink
from runtime.executor import Executor
from runtime.graph import GraphDeps, RunState, build_graph
from runtime.leases import Heartbeat, Leases, process_owner
from runtime.ledger import Ledger
from runtime.llm import current_model
from runtime.outcome import RunOutcome as RunOutcome  # re-exported: callers import it from here
from runtime.planner.base import Plan, PlanningContext
from runtime.planner.llm import LLMPlanner
from runtime.planner.offline import OfflinePlanner
from runtime.router import Router, RouteResult
from runtime.routing_store import load_or_train, load_or_train_tools
from runtime.runs import Actor, LeaseLost, RunNotFound, RunStateConflict, RunStore
from runtime.services import BoundServices, ServiceFactory, make_factories
from runtime.services.ports import ServicePorts, memory_tenant
from runtime.settings import Settings, make_embedder
from runtime.understanding.confidence import Understanding
from runtime.understanding.records import TenantRecords
from runtime.wiring import ClientFactory, SystemWiring, current_namespace
from tools.context import ToolContext
from tools.limits import text_problem
from tools.registry import ToolRegistry, default_registry

log = structlog.get_logger(__name__)

# Told when a run's recorded state changed outside a driver (answered, cancelled): (run id, why).
ChangeListener = Callable[[str, str], Awaitable[None]]

# Failures of the database or the network, not of the run: the run is left to be continued
# (by this or another worker, from its last checkpoint) rather than failed.
TRANSIENT = (OperationalError, InterfaceError, PoolTimeout, ConnectionError, TimeoutError)


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


class Brain:
    """Open with `await Brain.open(settings)`; close with `await brain.close()`."""

    def __init__(self, settings: Settings, pool: AsyncConnectionPool[Any], *, tools: ToolRegistry,
                 agents: AgentRegistry, router: Router, redis: Any | None = None, embedder: Embedder | None = None,
                 systems: dict[str, SystemWiring] | None = None, understanding: Understanding | None = None):
        self.settings = settings
        self.pool = pool
        self.tools = tools
        self.agents = agents
        self.router = router
        self.redis = redis
        self.runs = RunStore(pool)
        self._driving: set[str] = set()
        self.on_change: list[ChangeListener] = []
        self.starter: Any = None  # the Temporal client (runtime/engine/temporal/starter.py) when one is used
        self.ledger = Ledger(pool)
        self.events = EventSink(pool, redis)
        self.episodes = EpisodeWriter()
        self.policies = PolicyStore(pool)
        self.memory = MemoryStore(pool, embedder or router.embedder)
        self.clients = ClientFactory(settings, systems)
        self.executor = Executor(tools, self.ledger, self._tool_context)
        self.services: dict[str, ServiceFactory] = {}
        self.services.update(make_factories(ServicePorts(
            pool=pool, settings=settings, clients=self.clients, memory=self.memory, runs=self.runs, events=self.events,
            agents=agents, tools=tools, services=self.services, desk=self)))
        self.records = TenantRecords(self.clients.for_tenant, scope=current_namespace)
        self.offline_planner = OfflinePlanner(tools, records=self.records, understanding=understanding)
        self.saver = AsyncPostgresSaver(pool)
        self.graph = build_graph(self._deps(), self.saver)
        self.code_version = settings.code_version or graph_version(self.graph, RunState)
        self.leases = Leases(pool, process_owner(), settings.run_lease_seconds, self.code_version)

    @classmethod
    async def open(cls, settings: Settings, *, embedder: Embedder | None = None, url: str | None = None,
                   systems: dict[str, SystemWiring] | None = None) -> Brain:
        """Migrate, connect and load the catalog and router. `systems`: how each external system is
        reached (default: the real systems only; `bootstrap.open_brain` adds the local stand-ins)."""
        tracing.configure(settings.otel)  # off unless BRAIN_OTEL or OTEL_EXPORTER_OTLP_ENDPOINT says so
        if url is None:
            url = await asyncio.to_thread(db.resolve_url, settings.database_url, settings.pgdata)
        await db.wait_ready(url)
        await db.migrate(url)
        await _setup_checkpoints(url)
        pool = db.open_pool(db.app_url(url, settings.app_database_url), signer=await db.load_signer(url))
        await pool.open()
        try:
            tools, agents = await asyncio.to_thread(load_catalog)
            embedder = embedder or make_embedder(settings)
            await asyncio.to_thread(preload, embedder)  # loaded before the process says it is ready
            router = await build_router(settings, pool, agents, embedder)
            understanding = None
            if settings.plan_confidence == "trained":
                model = await load_or_train_tools(pool, list(agents), tools, embedder)
                understanding = Understanding(model, embedder.embed)
            redis = None
            if settings.redis_url:
                from redis.asyncio import Redis

                redis = Redis.from_url(settings.redis_url)
            brain = cls(settings, pool, tools=tools, agents=agents, router=router, redis=redis, embedder=embedder,
                        systems=systems, understanding=understanding)
            if settings.temporal_address:  # answers and cancellations reach the run's workflow as signals
                from runtime.engine.temporal.starter import RunStarter

                brain.on_change.append(RunStarter.of(brain).poke)
        except BaseException:
            await pool.close()
            raise
        return brain

    async def close(self) -> None:
        await self.episodes.drain()
        await self.clients.aclose()
        if self.redis is not None:
            await self.redis.aclose()
        await self.pool.close()

    # -- wiring ---------------------------------------------------------------------------

    def _deps(self) -> GraphDeps:
        return GraphDeps(
            agents=self.agents, tools=self.tools, ledger=self.ledger, executor=self.executor,
            route=self._route, plan=self._plan, policy=self._policy, memory_context=self._memory_context,
            emit=self._emit, max_steps=self.settings.max_steps, events=self.events,
            crew=crew_node(self.settings, self.offline_planner, self._model, self._memory_context),
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
        who = f"Crew: {', '.join(dict.fromkeys(m['agent'] for m in values['crew']['members']))}" if values.get("crew") \
            else f"Agent: {values.get('agent')}"
        text = (f"Request: {run['request']}\n{who}\n"
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
        """Open a run for the request and advance it here until it ends or waits for a person.

        The run is born leased to this process, so no worker takes it meanwhile; if this process
        dies, the lease runs out and a worker continues the run from its last checkpoint.
        """
        run_id, _ = await self.create_run(request, actor, agent_hint=agent_hint, lease=True)
        return await self.start(run_id)

    async def create_run(self, request: str, actor: Actor, *, agent_hint: str | None = None,
                         idempotency_key: str | None = None, lease: bool = False,
                         crew: dict[str, Any] | None = None) -> tuple[str, bool]:
        """Record a new run without running it; (run id, created now). Unleased, it is queued for any
        worker; with `lease`, it is this process's to drive next (`start`). With `crew` (a picked
        `runtime.crews.CrewPlan` as a dict) the run is a crew run."""
        if not request.strip():
            raise ValueError("request: must not be empty")
        problem = text_problem(request, 100_000)
        if problem:
            raise ValueError(f"request: {problem}")
        if agent_hint is not None:
            self.agents.get(agent_hint)
        with db.tenant_scope(actor.tenant, actor.role):
            run_id, created = await self.runs.create(
                request, actor, status="running" if lease else "queued", agent_hint=agent_hint,
                idempotency_key=idempotency_key, lease=(self.leases.owner, self.leases.seconds) if lease else None,
                code_version=self.code_version, crew=crew)
        if created:
            with tracing.run_span("run.submitted", run_id, tenant=actor.tenant, user=actor.user):
                pass
        return run_id, created

    async def start(self, run_id: str) -> RunOutcome:
        """Drive a new run here; RunStateConflict when it is not this process's to drive (cancelled,
        or claimed by a worker first)."""
        outcome = await self.drive(run_id)
        if outcome is None:
            run = await self.runs.get(run_id)
            raise RunStateConflict(f"run {run_id} is {run['status']} and not this process's to start")
        return outcome

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
            await self.changed(str(run["id"]), "cancelled")
            return await self.runs.get(str(run["id"]))
        raise RunStateConflict(f"run {run['id']} is {run['status']} and can no longer be cancelled")

    async def drive(self, run_id: str) -> RunOutcome | None:
        """Advance whatever the recorded state of this run asks for, under its lease.

        queued -> start from the request; resuming -> go on with the recorded answer; running with
        an expired lease (its process died) -> continue from the last checkpoint; a graph that
        already paused or ended -> only record it. Idempotent and safe from several processes: it
        returns None when there is nothing for this process to do (the run is finished or waits,
        or another live process holds its lease).
        """
        if run_id in self._driving:  # this process drives it already (a lease is per process)
            return None
        self._driving.add(run_id)
        try:
            return await self._claim_and_drive(run_id)
        finally:
            self._driving.discard(run_id)

    async def _claim_and_drive(self, run_id: str) -> RunOutcome | None:
        tenant = await self.runs.tenant_of(run_id)
        with db.tenant_scope(tenant):
            run = await self.leases.claim(run_id)
            if run is None:
                await self._say_why_not(run_id)
                return None
            if run["attempts"] > self.settings.run_max_attempts:
                error = f"gave up after {run['attempts'] - 1} attempts: every process advancing this run died or stalled"
                await self.runs.finish(run_id, tenant, self.leases.owner, self.events, status="failed",
                                       event={"error": error}, error=error)
                return RunOutcome(run_id, "failed")
            try:
                async with self.leases.hold(run_id) as beat:
                    return await self._drive(run, beat)
            except LeaseLost as exc:
                log.warning("run left to the process holding its lease", run_id=run_id, reason=str(exc))
                return None
            except TRANSIENT as exc:
                log.warning("run interrupted; a worker continues it", run_id=run_id, error=f"{type(exc).__name__}: {exc}")
                with contextlib.suppress(Exception):
                    await self.leases.release(run_id, after=1.0)
                raise

    async def _say_why_not(self, run_id: str) -> None:
        """Log it when a run is left alone because another code version started it."""
        run = await self.runs.get(run_id)
        theirs = run.get("code_version")
        if run["status"] in ("running", "resuming") and theirs and theirs != self.code_version:
            log.warning("run started by another code version: left to a worker of that version", run_id=run_id,
                        run_version=theirs, worker_version=self.code_version)

    async def changed(self, run_id: str, why: str) -> None:
        """Tell the listeners (the run's workflow, with Temporal) that a run's recorded state changed."""
        for listener in self.on_change:
            try:
                await asyncio.wait_for(listener(run_id, why), timeout=30)
            except Exception as exc:  # the engine's sweeper finds the run anyway
                log.warning("telling the engine about a run failed", run_id=run_id, why=why,
                            error=f"{type(exc).__name__}: {exc}")

    async def _drive(self, run: dict[str, Any], beat: Heartbeat) -> RunOutcome:
        run_id = str(run["id"])
        snapshot = await self.graph.aget_state({"configurable": {"thread_id": run_id}})
        if snapshot.created_at is None:  # no checkpoint yet: start from the request
            initial: RunState = {
                "run_id": run_id, "tenant": run["tenant_id"], "user": run["user_id"], "role": run["role"],
                "request": run["request"], "agent_hint": run["agent_hint"], "results": [],
            }
            if run.get("crew"):
                initial["crew"] = run["crew"]
            return await self.advance(run_id, initial=initial, beat=beat)
        if snapshot.interrupts and run["status"] == "resuming":
            answered = await self.runs.last_answer(run_id)
            if answered is not None and answered["interrupt_id"] == snapshot.interrupts[0].id:
                return await self.advance(run_id, answered["response"] or {}, beat=beat)
            # else the answer was applied and the run paused again (a later round): record that pause
        if snapshot.interrupts or not snapshot.next:  # it paused or ended; that was not recorded
            return await self.advance(run_id, beat=beat, run_graph=False)
        return await self.advance(run_id, beat=beat)  # continue from the checkpoint

    async def advance(self, run_id: str, resume: Any = None, *, initial: RunState | None = None,
                      beat: Heartbeat | None = None, run_graph: bool = True) -> RunOutcome:
        """Run the graph from its checkpoint (from `initial` for a new run, with a person's answer as
        `resume`) until it pauses for a person or ends; record where it stopped. The caller holds
        the run's lease (`drive` does); the final writes are fenced on it."""
        tenant = await self.runs.tenant_of(run_id)
        with db.tenant_scope(tenant), tracing.run_span("run.advance", run_id, tenant=tenant,
                                                       resumed=resume is not None) as current:
            outcome = await self._advance(run_id, resume, initial, beat, run_graph)
            tracing.annotate(current, status=outcome.status)
            return outcome

    async def _advance(self, run_id: str, resume: Any, initial: RunState | None, beat: Heartbeat | None,
                       run_graph: bool) -> RunOutcome:
        config = {"configurable": {"thread_id": run_id}}
        run = await self.runs.get(run_id)
        tenant, owner = run["tenant_id"], self.leases.owner
        payload: Any = Command(resume=resume) if resume is not None else initial
        if run_graph:
            try:
                await self.graph.ainvoke(payload, config)
            except TRANSIENT:
                raise
            except Exception as exc:
                if beat is not None:
                    await beat.stop()
                error = f"{type(exc).__name__}: {exc}"
                await self.runs.finish(run_id, tenant, owner, self.events, status="failed", event={"error": str(exc)},
                                       error=error)
                raise
        snapshot = await self.graph.aget_state(config)
        values: RunState = snapshot.values
        route = values.get("route") or {}
        agent, confidence = route.get("agent"), route.get("confidence")
        if snapshot.interrupts:
            pending = snapshot.interrupts[0]
            if beat is not None:  # the heartbeat runs until the final write, which gives the lease up
                await beat.stop()
            await self.runs.finish_waiting(run_id, tenant, owner, pending.id, pending.value, agent=agent,
                                           confidence=confidence)
            return RunOutcome(run_id, "waiting", approval=pending.value, route=route, results=values.get("results", []))
        answer = values.get("answer")
        await self._remember_episode(run, values)  # idempotent: a replay finds the same episode
        if beat is not None:
            await beat.stop()
        await self.runs.finish(run_id, tenant, owner, self.events, status="done", event={"answer": answer},
                               answer=answer, agent=agent, confidence=confidence)
        return RunOutcome(run_id, "done", answer=answer, route=route, results=values.get("results", []))

    async def answer_approval(self, run_id: str, actor: Actor, answer: ApprovalAnswer, *,
                              drive: bool = True) -> RunOutcome:
        """Approve, reject or edit the calls a run waits on, then resume it exactly once
        (`runtime/answering.py`). With `drive=False` the run is left `resuming` for the workers."""
        return await answering.answer_approval(self, run_id, actor, answer, drive=drive)

    async def expire_approvals(self) -> list[dict[str, Any]]:
        """Apply each overdue approval's configured outcome: reject it, or escalate to the next role."""
        return await answering.expire_approvals(self)

    async def driven(self, run_id: str) -> RunOutcome:
        """Drive the run here; if another process holds it now, report where it is."""
        outcome = await self.drive(run_id)
        if outcome is not None:
            return outcome
        run = await self.runs.get(run_id)
        return RunOutcome(run_id, run["status"], answer=run["answer"])
