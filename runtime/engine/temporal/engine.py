"""The Temporal engine: each run is a workflow, `brain worker --engine temporal` processes execute them.

Any number of worker processes on any machines poll the task queue of their code version
(`<BRAIN_TEMPORAL_TASK_QUEUE>@<version>`) on one Temporal server and share one Postgres. A
submitted run's workflow is started by the submitting process (`submitted`); a process that died
before starting it is covered by every worker's sweep, which starts a workflow for each run that
needs a driver and has none. The sweep also says when runs of another code version are waiting for
their own workers: this worker cannot replay them and leaves them alone.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import structlog
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from runtime.db import system_conn
from runtime.engine.temporal.activities import RunActivities
from runtime.engine.temporal.starter import RunStarter
from runtime.engine.temporal.workflow import RunWorkflow

if TYPE_CHECKING:
    from runtime.brain import Brain

log = structlog.get_logger(__name__)

Spawn = Callable[[Coroutine[Any, Any, Any], str], "asyncio.Task[Any]"]
SWEEP_ROWS = 500
# The workflow module runs in Temporal's sandbox, which re-imports it with its parent packages;
# `runtime.engine`'s own imports (the lease worker, with psycopg) are the host's modules, passed through.
SANDBOX = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules("runtime.engine.worker", "runtime.engine.base"))


class TemporalEngine:
    """`run_worker=False`: only start workflows (an API that leaves execution to worker processes)."""

    name = "temporal"
    inline = False  # an answer recorded here is resumed by a worker, not in this process

    def __init__(self, brain: Brain, *, concurrency: int | None = None, run_worker: bool = True,
                 spawn: Spawn | None = None, shutdown_grace: float = 30.0) -> None:
        self.brain = brain
        self.settings = brain.settings
        self.concurrency = concurrency or brain.settings.worker_concurrency
        self.run_worker = run_worker
        self.shutdown_grace = shutdown_grace
        self.starter = RunStarter.of(brain)
        self.activities = RunActivities(brain, brain.settings.temporal_heartbeat_seconds)
        self._spawn = spawn
        self._tasks: set[asyncio.Task[Any]] = set()
        self._told: dict[str, int] = {}

    @property
    def driven(self) -> int:
        return self.activities.stopped

    def submitted(self, run_id: str) -> None:
        work = self._start(run_id)
        task = self._spawn(work, f"start run {run_id}") if self._spawn else asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _start(self, run_id: str) -> None:
        try:
            await self.starter.poke(run_id, "due")
        except Exception as exc:  # a worker's sweep starts it later
            log.warning("starting a run's workflow failed; the sweep retries", run_id=run_id,
                        error=f"{type(exc).__name__}: {exc}")

    # -- serving ---------------------------------------------------------------------------------

    def worker(self, client: Any) -> Worker:
        return Worker(
            client, task_queue=self.starter.queue(), workflows=[RunWorkflow], workflow_runner=SANDBOX,
            activities=[self.activities.drive, self.activities.expire],
            max_concurrent_activities=self.concurrency, identity=self.brain.leases.owner,
            graceful_shutdown_timeout=timedelta(seconds=self.shutdown_grace),
        )

    async def serve(self, stop: asyncio.Event) -> None:
        client = await self._connect(stop)
        if client is None:
            return
        if not self.run_worker:
            await self._sweep_until(stop)
            return
        async with self.worker(client):
            log.info("temporal worker polling", task_queue=self.starter.queue(), identity=self.brain.leases.owner)
            await self._sweep_until(stop)

    async def drain(self) -> int:
        """Run a worker until no run of this version needs a driver; the activities that stopped a run."""
        client = await self.starter.client()
        before = self.driven
        async with self.worker(client):
            await self.sweep(with_waiting=True, settle=0.0)
            quiet = 0
            while quiet < 3:  # three looks in a row with nothing due and nothing in hand
                await asyncio.sleep(0.3)
                due = await self.sweep(settle=2.0)
                quiet = quiet + 1 if not due and not self.activities.in_flight else 0
        return self.driven - before

    async def _connect(self, stop: asyncio.Event) -> Any:
        while not stop.is_set():
            try:
                return await self.starter.client()
            except Exception as exc:  # the server may be starting: try again
                log.warning("connecting to Temporal failed; retrying", address=self.settings.temporal_address,
                            error=f"{type(exc).__name__}: {exc}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.settings.temporal_sweep_seconds)
        return None

    async def _sweep_until(self, stop: asyncio.Event) -> None:
        first = True
        while not stop.is_set():
            try:
                await self.sweep(with_waiting=first, settle=0.0 if first else self.settings.temporal_sweep_seconds)
                first = False
            except Exception as exc:  # Postgres or Temporal restarting: the next round tries again
                log.warning("sweeping for runs without a workflow failed", error=f"{type(exc).__name__}: {exc}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.settings.temporal_sweep_seconds)

    async def sweep(self, *, with_waiting: bool = False, settle: float = 5.0) -> int:
        """Start (or signal) the workflow of every run of this version that needs a driver and has
        none; report runs of other versions. How many were signalled."""
        async with system_conn(self.brain.pool) as conn:
            cur = await conn.execute("SELECT * FROM unattended_runs(%s, %s, %s)", (settle, SWEEP_ROWS, with_waiting))
            rows = [dict(row) for row in await cur.fetchall()]
        ours, theirs = self.brain.code_version, dict[str, int]()
        poked = 0
        for row in rows:
            version = row["code_version"]
            if row["status"] != "queued" and version and version != ours:
                theirs[version] = theirs.get(version, 0) + 1
                continue
            await self.starter.poke(str(row["id"]), "due", tenant=row["tenant_id"],
                                    version=version if row["status"] != "queued" and version else ours)
            poked += 1
        self._report(theirs)
        return poked

    def _report(self, theirs: dict[str, int]) -> None:
        """Say once (and again when it changes) which runs this worker leaves to other versions."""
        if theirs == self._told:
            return
        self._told = theirs
        for version, count in theirs.items():
            log.warning("runs started by another code version are left to its workers", runs=count,
                        run_version=version, worker_version=self.brain.code_version,
                        task_queue=self.starter.queue(version))
