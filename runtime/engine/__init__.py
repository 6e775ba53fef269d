"""How runs get executed: a `RunEngine` takes recorded runs and drives them with `Brain.drive`.

Two engines, one protocol (`base.RunEngine`), the same fault suite:
- `lease` (the default, no extra service): any number of processes, on any machines sharing the
  database, claim due runs with `FOR UPDATE SKIP LOCKED` and a lease on each (`worker.LeaseWorker`).
- `temporal` (when BRAIN_TEMPORAL_ADDRESS is set): a workflow per run on a Temporal server, its
  steps as activities, approvals and cancellation as signals, time limits as durable timers
  (`temporal/`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from runtime.engine.base import RunEngine
from runtime.engine.worker import LeaseWorker

if TYPE_CHECKING:
    from runtime.brain import Brain

EngineName = Literal["lease", "temporal"]


def default_engine(brain: Brain) -> EngineName:
    """Temporal when an address is configured, else the lease worker."""
    return "temporal" if brain.settings.temporal_address else "lease"


def make_engine(brain: Brain, name: EngineName | None = None, *, concurrency: int | None = None,
                run_worker: bool = True, spawn: Any = None) -> RunEngine:
    """The engine by name (default: `default_engine`). `run_worker=False` (Temporal only): start
    workflows but execute nothing here."""
    name = name or default_engine(brain)
    if name == "temporal":
        if not brain.settings.temporal_address:
            raise ValueError("--engine temporal: set BRAIN_TEMPORAL_ADDRESS to the Temporal frontend (host:port)")
        from runtime.engine.temporal.engine import TemporalEngine

        return TemporalEngine(brain, concurrency=concurrency, run_worker=run_worker, spawn=spawn)
    return LeaseWorker(brain, concurrency=concurrency, spawn=spawn)


__all__ = ["EngineName", "LeaseWorker", "RunEngine", "default_engine", "make_engine"]
