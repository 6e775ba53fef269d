"""Episode memories written after the answer, off the task's path, and never dropped by a clean stop.

A finished run's summary is embedded and stored by a background task the Brain owns; the run's
answer does not wait for it. `drain()` waits for every write still going (the Brain's `close`
calls it), so a process that stops cleanly loses none; a failed write is logged, never raised
into a run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import structlog

log = structlog.get_logger(__name__)


class EpisodeWriter:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, write: Coroutine[Any, Any, None], *, run_id: str) -> None:
        """Start the write now and return at once."""
        task = asyncio.create_task(write, name=f"episode {run_id}")
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("episode memory failed", task=task.get_name(), error=repr(task.exception()))

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self) -> None:
        """Wait until every write started so far (and any started meanwhile) has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
