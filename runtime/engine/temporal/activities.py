"""The activities of a run's workflow: all the I/O, through the same functions every engine uses.

`brain.drive` is `Brain.drive(run_id)` with Temporal heartbeats beside the run's own lease: a
worker that dies stops heartbeating, Temporal retries the activity on another worker, and that
one continues the run from its last checkpoint once the lease has ended. The lease stays the
guard against two drivers at once (a retry while the first is only slow finds the lease held and
is retried later), and the ledger's started/result markers the guard against a tool call twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from runtime import db
from runtime.answering import expire_run
from runtime.engine.temporal.workflow import DRIVE, EXPIRE, FINAL, RunStop

if TYPE_CHECKING:
    from runtime.brain import Brain

log = structlog.get_logger(__name__)


class RunActivities:
    def __init__(self, brain: Brain, heartbeat_seconds: float):
        self.brain = brain
        self.heartbeat_seconds = heartbeat_seconds
        self.in_flight = 0
        self.stopped = 0  # activities that left a run done, failed, cancelled or waiting

    @activity.defn(name=DRIVE)
    async def drive(self, run_id: str) -> RunStop:
        """Advance the run as far as it goes; where it stopped. Retried while another process holds it."""
        self.in_flight += 1
        beat = asyncio.create_task(self._heartbeat(), name=f"heartbeat {run_id}")
        try:
            await self.brain.drive(run_id)
        except asyncio.CancelledError:  # the worker stops, or Temporal gave the activity up: hand the run back
            with contextlib.suppress(Exception):
                await self.brain.leases.release(run_id)
            raise
        except Exception as exc:
            stop = await self.where(run_id)
            if stop is not None:  # the run failed for good (recorded) or ended meanwhile
                return self._count(stop)
            raise ApplicationError(f"run {run_id} was interrupted ({type(exc).__name__}: {exc}); retried",
                                   type="RunInterrupted") from exc
        finally:
            beat.cancel()
            await asyncio.gather(beat, return_exceptions=True)
            self.in_flight -= 1
        stop = await self.where(run_id)
        if stop is None:
            run = await self.brain.runs.get(run_id)
            raise ApplicationError(f"run {run_id} is {run['status']} and held by {run['lease_owner'] or 'nobody'} "
                                   f"(code version {run['code_version']}); retried after its lease ends",
                                   type="RunHeld")
        return self._count(stop)

    @activity.defn(name=EXPIRE)
    async def expire(self, run_id: str) -> RunStop:
        """The approval's time limit is reached: reject or escalate as its policy says (the next
        `brain.drive` resumes a rejected run)."""
        done = await expire_run(self.brain, run_id)
        if done is not None:
            log.info("approval time limit applied", **done)
        return await self.where(run_id) or RunStop("resuming")

    async def where(self, run_id: str) -> RunStop | None:
        """The run's stop, or None while it still needs a driver."""
        brain = self.brain
        with db.tenant_scope(await brain.runs.tenant_of(run_id)):
            run = await brain.runs.get(run_id)
            if run["status"] in FINAL:
                return RunStop(run["status"])
            if run["status"] != "waiting":
                return None
            approval = await brain.runs.pending_approval(run_id)
        expires = approval["expires_at"] if approval is not None else None
        return RunStop("waiting", expires.isoformat() if expires is not None else None)

    def _count(self, stop: RunStop) -> RunStop:
        self.stopped += 1
        return stop

    async def _heartbeat(self) -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(max(self.heartbeat_seconds / 3, 0.2))
