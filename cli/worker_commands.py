"""`brain worker`: execute runs (and apply approval time limits) as a worker process.

Any number of workers, on any machines, may share one database: each due run is claimed by one
of them under a lease, and a run left by a worker that died is continued by another after its
lease ends. `brain serve` embeds one by default (`--no-worker` leaves execution to these).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

import structlog
import typer
from rich.console import Console

from bootstrap import open_brain
from runtime.brain import Brain
from runtime.engine import LeaseWorker
from runtime.logging import configure_logging
from runtime.settings import load_settings

console = Console(stderr=True)
log = structlog.get_logger(__name__)


async def expire_loop(brain: Brain, interval: float, stop: asyncio.Event) -> None:
    """Apply approval time limits every `interval` seconds until stopped."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
        if stop.is_set():
            return
        try:
            for item in await brain.expire_approvals():
                log.info("approval time limit applied", **item)
        except Exception as exc:  # the next round tries again
            log.warning("applying approval time limits failed", error=f"{type(exc).__name__}: {exc}")


def worker(
    concurrency: int | None = typer.Option(None, "--concurrency", min=1,
                                           help="runs advanced at once (default BRAIN_WORKER_CONCURRENCY, 4)"),
    once: bool = typer.Option(False, "--once", help="drive every due run until none is left, then exit"),
    expire_interval: float = typer.Option(30.0, "--expire-interval", min=0,
                                          help="seconds between applications of approval time limits (0: never)"),
) -> None:
    """Execute runs until stopped (Ctrl-C or SIGTERM finishes the runs in hand first)."""
    settings = load_settings()
    configure_logging(settings.log_level)

    async def main() -> None:
        brain = await open_brain(settings)
        try:
            engine = LeaseWorker(brain, concurrency=concurrency)
            if once:
                console.print(f"drove {await engine.drain()} runs")
                return
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            console.print(f"worker {brain.leases.owner}: executing runs, {engine.concurrency} at a time "
                          f"(lease {settings.run_lease_seconds:g}s; Ctrl-C stops)")
            loops = [engine.serve(stop)]
            if expire_interval > 0:
                loops.append(expire_loop(brain, expire_interval, stop))
            await asyncio.gather(*loops)
        finally:
            await brain.close()

    asyncio.run(main())


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
