"""Starting and signalling run workflows: one signal-with-start per event, idempotent by run id.

Whatever makes a run need a driver (submitted, answered, cancelled, its approval escalated, or
found without one by a worker's sweep) calls `poke`: Temporal starts the run's workflow if it has
none and delivers the signal either way, so a second poke of the same run is harmless. The
workflow goes on the task queue of the run's code version, with the run's tenant as its fairness
key: Temporal dispatches the tenants' tasks in turn, so one tenant's flood cannot starve the rest.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING

import structlog
from temporalio.client import Client
from temporalio.common import Priority

from runtime.engine.temporal.workflow import SIGNALS, RunTicket, RunWorkflow
from runtime.runs import RunNotFound

if TYPE_CHECKING:
    from runtime.brain import Brain

log = structlog.get_logger(__name__)

RPC_TIMEOUT = timedelta(seconds=10)


def task_queue(prefix: str, version: str) -> str:
    """The task queue of one code version's workers."""
    return f"{prefix}@{version}"


class RunStarter:
    """The Temporal client of one Brain (connected on first use, shared by its engine)."""

    def __init__(self, brain: Brain):
        self.brain = brain
        self.settings = brain.settings
        self._client: Client | None = None
        self._lock = asyncio.Lock()

    @classmethod
    def of(cls, brain: Brain) -> RunStarter:
        if brain.starter is None:
            brain.starter = cls(brain)
        starter: RunStarter = brain.starter
        return starter

    async def client(self) -> Client:
        async with self._lock:
            if self._client is None:
                assert self.settings.temporal_address, "BRAIN_TEMPORAL_ADDRESS is not set"
                self._client = await Client.connect(self.settings.temporal_address,
                                                    namespace=self.settings.temporal_namespace,
                                                    identity=self.brain.leases.owner)
            return self._client

    def queue(self, version: str | None = None) -> str:
        return task_queue(self.settings.temporal_task_queue, version or self.brain.code_version)

    async def poke(self, run_id: str, why: str = "due", *, tenant: str | None = None,
                   version: str | None = None) -> None:
        """Start the run's workflow if it has none, and signal it (`answered`, `cancelled`, else `due`)."""
        if tenant is None or version is None:
            try:
                run = await self.brain.runs.get(run_id)
            except RunNotFound:
                return
            tenant = run["tenant_id"]
            started = run["status"] != "queued" and run["code_version"]
            version = run["code_version"] if started else self.brain.code_version
        client = await self.client()
        signal = why if why in SIGNALS else "due"
        await client.start_workflow(
            RunWorkflow.run, RunTicket(run_id, self.settings.temporal_heartbeat_seconds), id=run_id,
            task_queue=self.queue(version), start_signal=signal, start_signal_args=[why],
            priority=Priority(fairness_key=tenant.encode()[:64].decode(errors="ignore")),
            rpc_timeout=RPC_TIMEOUT,  # a call to a server that is restarting fails (and is retried by the sweep)
        )
        log.debug("run workflow signalled", run_id=run_id, signal=signal, why=why)
