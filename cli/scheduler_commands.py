"""`brain scheduler`: deliver due reminders (as a worker process), list and inspect them."""

from __future__ import annotations

import asyncio
import signal

import typer
from rich.console import Console
from rich.table import Table

from bootstrap import open_brain
from runtime.brain import Brain
from runtime.db import tenant_scope
from runtime.logging import configure_logging
from runtime.services.scheduler import SchedulerService
from runtime.settings import load_settings

console = Console()
scheduler_app = typer.Typer(help="Reminders: the delivery worker and what is scheduled.", no_args_is_help=True)


def _scheduler(brain: Brain) -> SchedulerService:
    service = brain.services["scheduler"]
    assert isinstance(service, SchedulerService)
    return service


@scheduler_app.command("run")
def run(
    once: bool = typer.Option(False, "--once", help="deliver what is due now, then exit"),
    interval: float = typer.Option(15.0, "--interval", min=0.5, help="seconds between checks"),
) -> None:
    """Deliver due reminders on Telegram until stopped (Ctrl-C). Any number of these may run."""
    settings = load_settings()
    configure_logging(settings.log_level)

    async def main() -> None:
        brain = await open_brain(settings)
        try:
            worker = _scheduler(brain).worker()
            if once:
                for outcome in await worker.tick():
                    console.print(f"{outcome['id']}: {outcome['status']} {outcome.get('error') or ''}".rstrip())
                return
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            console.print(f"scheduler {worker.worker_id}: delivering due reminders every {interval:g}s (Ctrl-C stops)")
            await worker.run(interval, stop)
        finally:
            await brain.close()

    asyncio.run(main())


@scheduler_app.command("list")
def list_reminders(
    tenant: str = typer.Option("demo", "--tenant", help="tenant id"),
    include_done: bool = typer.Option(False, "--all", help="also finished and cancelled reminders"),
) -> None:
    """The tenant's reminders with their next occurrence."""
    settings = load_settings()
    configure_logging(settings.log_level)

    async def main() -> None:
        brain = await open_brain(settings)
        try:
            with tenant_scope(tenant):
                listed = await _scheduler(brain).dump(tenant)
        finally:
            await brain.close()
        table = Table("id", "recipient", "text", "recurrence", "next", "status")
        for r in listed["reminders"]:
            if include_done or r["status"] == "active":
                table.add_row(r["id"][:8], r["recipient"], r["text"], r["recurrence"] or "once", r["next_at"] or "-",
                              r["status"])
        console.print(table)

    asyncio.run(main())


def register(app: typer.Typer) -> None:
    app.add_typer(scheduler_app, name="scheduler")
