"""The one small interface every run engine offers to the API and the CLI."""

from __future__ import annotations

import asyncio
from typing import Protocol


class RunEngine(Protocol):
    """Executes recorded runs. Whatever it does, a run moves only through `Brain.drive`."""

    name: str
    inline: bool  # whether a process answering an approval should resume the run itself

    def submitted(self, run_id: str) -> None:
        """A run was recorded (queued): see that it gets driven soon. Returns at once."""

    async def serve(self, stop: asyncio.Event) -> None:
        """Execute due runs until `stop` is set; then let the runs in hand finish or hand them back."""

    async def drain(self) -> int:
        """Drive everything due now, and what that makes due, until nothing is left; the runs driven."""
