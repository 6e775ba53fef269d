"""The lease worker: claims due runs and drives them, in any number of processes on any machines.

A run is due when it is `queued`, `running` or `resuming` and nobody holds a live lease on it:
just submitted, or left behind by a process that died. `claim_due_runs` hands each due run to
one worker (`FOR UPDATE SKIP LOCKED`, tenants taking turns), and `Brain.drive` advances it under
its lease. An idle worker sleeps `poll_seconds`, or less: a submitted run NOTIFYs the channel
every worker LISTENs on. Runs killed with their process are picked up after their lease ends.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import psycopg
import structlog

from runtime.runs import RUNS_CHANNEL

if TYPE_CHECKING:
    from runtime.brain import Brain

log = structlog.get_logger(__name__)

Spawn = Callable[[Coroutine[Any, Any, Any], str], "asyncio.Task[Any]"]


class LeaseWorker:
    """Drives due runs, at most `concurrency` at a time. `spawn` lets an owner (the API) hold the tasks."""

    name = "lease"
    inline = True

    def __init__(self, brain: Brain, *, concurrency: int | None = None, poll_seconds: float | None = None,
                 spawn: Spawn | None = None, shutdown_grace: float = 30.0) -> None:
        self.brain = brain
        self.concurrency = concurrency or brain.settings.worker_concurrency
        self.poll_seconds = poll_seconds or brain.settings.worker_poll_seconds
        self.shutdown_grace = shutdown_grace
        self.driven = 0
        self._spawn = spawn
        self._in_flight: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._wake = asyncio.Event()
        self._serving = False

    # -- taking work -----------------------------------------------------------------------------

    def submitted(self, run_id: str) -> None:
        if len(self._in_flight) < self.concurrency:
            self._start(run_id)
        else:
            self._wake.set()

    async def tick(self) -> int:
        """Claim as many due runs as there are free slots and start driving them; how many."""
        free = self.concurrency - len(self._in_flight)
        if free <= 0:
            return 0
        claims = await self.brain.leases.claim_due(free)
        for claim in claims:
            self._start(str(claim["id"]))
        return len(claims)

    def _start(self, run_id: str) -> None:
        if run_id in self._in_flight:
            return
        self._in_flight.add(run_id)
        self._run(self._drive(run_id), f"run {run_id}")

    def _run(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        task = self._spawn(work, name) if self._spawn else asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drive(self, run_id: str) -> None:
        try:
            outcome = await self.brain.drive(run_id)
            if outcome is not None:
                self.driven += 1
                log.info("run stopped", run_id=run_id, status=outcome.status, worker=self.brain.leases.owner)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):  # hand it back at once rather than after the lease
                await self.brain.leases.release(run_id)
            raise
        except Exception as exc:  # recorded on the run (failed) or left for the next claim (transient)
            log.warning("run stopped with an error", run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        finally:
            self._in_flight.discard(run_id)
            self._wake.set()
            if not self._serving:  # no loop to take what waits for a free slot: take it now
                self._run(self._refill(), "claim due runs")

    async def _refill(self) -> None:
        try:
            await self.tick()
        except Exception as exc:  # the loop (or the next finished run) tries again
            log.warning("claiming due runs failed", error=f"{type(exc).__name__}: {exc}")

    # -- loops -----------------------------------------------------------------------------------

    async def serve(self, stop: asyncio.Event) -> None:
        listener = asyncio.create_task(self._listen(), name="listen for due runs")
        self._serving = True
        try:
            while not stop.is_set():
                self._wake.clear()
                try:
                    await self.tick()
                except Exception as exc:  # the database may be restarting: the next round tries again
                    log.warning("claiming due runs failed", error=f"{type(exc).__name__}: {exc}")
                await _first(self._wake.wait(), stop.wait(), seconds=self.poll_seconds)
        finally:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
            await self._finish()
            self._serving = False

    async def drain(self) -> int:
        before = self.driven
        while True:
            claimed = await self.tick()
            if self._tasks:
                await asyncio.wait(set(self._tasks))
            elif not claimed:
                return self.driven - before

    async def _finish(self) -> None:
        """Let the runs in hand finish for the grace period, then cancel them (their leases are released)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=self.shutdown_grace)
        left = list(self._tasks)
        for task in left:
            task.cancel()
        await asyncio.gather(*left, return_exceptions=True)

    async def _listen(self) -> None:
        """Wake the loop on every NOTIFY of a submitted run; reconnect after a database restart."""
        conninfo = self.brain.pool.conninfo
        if not isinstance(conninfo, str):
            return  # a computed conninfo: no LISTEN, polling only
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {RUNS_CHANNEL}")
                    async for _ in conn.notifies():
                        self._wake.set()
            except Exception as exc:
                log.info("listening for due runs failed; polling until reconnected", error=f"{type(exc).__name__}: {exc}")
                await asyncio.sleep(self.poll_seconds * 2)


async def _first(*waits: Coroutine[Any, Any, Any], seconds: float) -> None:
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
