"""One Brain for one CLI command: opened through the composition root, closed at the end, with the
errors a person can act on printed as one line (exit 2) instead of a traceback."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console

from bootstrap import open_brain
from cli.render import show_event
from runtime.approvals import InvalidAnswer
from runtime.brain import Brain, PermissionDenied
from runtime.logging import configure_logging
from runtime.runs import RunNotFound, RunStateConflict
from runtime.settings import load_settings

console = Console()
T = TypeVar("T")


def with_brain(work: Callable[[Brain], Awaitable[T]], *, quiet: bool = False) -> T:
    """Open the Brain, run `work` on it, close it; run events are shown unless `quiet`."""
    settings = load_settings()
    configure_logging(settings.log_level)

    async def main() -> T:
        with console.status("starting the Brain (database, agents, router)..."):
            brain = await open_brain(settings)
        if not quiet:
            brain.events.listeners.append(lambda event: show_event(console, event))
        try:
            return await work(brain)
        finally:
            await brain.close()

    try:
        return asyncio.run(main())
    except (RunNotFound, RunStateConflict, PermissionDenied, InvalidAnswer, ValueError, PermissionError, LookupError) as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
