"""Runs started by the API keep going after the response: tasks held here, their failures logged."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import structlog

log = structlog.get_logger(__name__)


class Background:
    """A set of asyncio tasks the app owns: none is garbage-collected early, none fails silently."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(work, name=name)
        self.tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if task.cancelled():
            log.warning("background task cancelled", task=task.get_name())
            return
        error = task.exception()
        if error is not None:
            log.error("background task failed", task=task.get_name(), error=f"{type(error).__name__}: {error}")

    async def drain(self) -> None:
        """Wait until every task is finished, also ones started meanwhile."""
        while self.tasks:
            await asyncio.wait(set(self.tasks))

    async def stop(self, grace: float) -> None:
        """Let running work finish for `grace` seconds, then cancel what is left."""
        try:
            async with asyncio.timeout(grace):
                await self.drain()
        except TimeoutError:
            pass
        left = list(self.tasks)
        for task in left:
            task.cancel()
        await asyncio.gather(*left, return_exceptions=True)
