"""The workflow of one run (workflow id = run id): advance it, wait for a person, apply time limits.

Deterministic code only (Temporal replays it from its history): every read and write of the run
happens in the activities (`activities.py`), named here by string so this module imports nothing
of the Brain and loads in Temporal's sandbox as it is. The loop:

1. `brain.drive` advances the run as far as it goes (Brain.drive under the run's lease, with
   heartbeats); it ends done, failed or cancelled (the workflow ends), or waits for a person.
2. Waiting, the workflow sleeps until a signal (`answered`, `cancelled`, `due`) or the approval's
   time limit, a durable timer; at the limit `brain.expire` rejects or escalates as the approval's
   policy says, and the loop goes on.

Signals carry no data: the database holds the answer (recorded with the run's claim in one
transaction), so a signal only says "look again".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

DRIVE = "brain.drive"
EXPIRE = "brain.expire"
SIGNALS = ("answered", "cancelled", "due")
FINAL = frozenset({"done", "failed", "cancelled"})

# Retried until the run ends: the run's own attempt count (BRAIN_RUN_MAX_ATTEMPTS) fails a run that
# kills every worker taking it, and the ledger keeps a retried activity from calling a tool twice.
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0,
                    maximum_interval=timedelta(seconds=10), maximum_attempts=0)


@dataclass
class RunTicket:
    """What a run's workflow starts from."""

    run_id: str
    heartbeat_seconds: float


@dataclass
class RunStop:
    """Where an activity left the run: done, failed, cancelled or waiting (with its time limit)."""

    status: str
    expires_at: str | None = None  # ISO 8601, the pending approval's time limit; None = no limit


@workflow.defn(name="BrainRun")
class RunWorkflow:
    def __init__(self) -> None:
        self.signals: list[str] = []

    @workflow.signal(name="answered")
    def answered(self, why: str = "answered") -> None:
        self.signals.append(why)

    @workflow.signal(name="cancelled")
    def cancelled(self, why: str = "cancelled") -> None:
        self.signals.append(why)

    @workflow.signal(name="due")
    def due(self, why: str = "due") -> None:
        self.signals.append(why)

    @workflow.query(name="signals")
    def received(self) -> list[str]:
        return list(self.signals)

    @workflow.run
    async def run(self, ticket: RunTicket) -> str:
        while True:
            seen = len(self.signals)
            stop = await self._activity(DRIVE, ticket)
            if stop.status in FINAL:
                return stop.status
            if not await self._wait(seen, stop.expires_at):
                await self._activity(EXPIRE, ticket)
            if workflow.info().is_continue_as_new_suggested():
                workflow.continue_as_new(ticket)

    async def _wait(self, seen: int, expires_at: str | None) -> bool:
        """Wait for a signal (True) or the time limit (False)."""
        if expires_at is None:
            await workflow.wait_condition(lambda: len(self.signals) > seen)
            return True
        left = (datetime.fromisoformat(expires_at) - workflow.now()).total_seconds()
        if left <= 0:
            return len(self.signals) > seen
        try:
            await workflow.wait_condition(lambda: len(self.signals) > seen, timeout=left,
                                          timeout_summary="approval time limit")
        except TimeoutError:
            return False
        return True

    async def _activity(self, name: str, ticket: RunTicket) -> RunStop:
        stop: RunStop = await workflow.execute_activity(
            name, ticket.run_id, result_type=RunStop, start_to_close_timeout=timedelta(hours=1),
            heartbeat_timeout=timedelta(seconds=ticket.heartbeat_seconds), retry_policy=RETRY,
        )
        return stop
