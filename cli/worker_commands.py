"""`brain worker`: execute runs (and apply approval time limits) as a worker process.

Any number of workers, on any machines, may share one database. With the lease engine (the
default) each due run is claimed by one of them under a lease, and a run left by a worker that died
is continued by another after its lease ends. With `--engine temporal` (the default when
BRAIN_TEMPORAL_ADDRESS is set) they poll the Temporal task queue of their code version, and
approval time limits are the workflows' durable timers. `brain serve` embeds a worker by default
(`--no-worker` leaves execution to these).
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
from runtime.engine import EngineName, make_engine
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
                                          help="seconds between applications of approval time limits (0: never; "
                                               "with Temporal the workflows' timers apply them)"),
    engine_name: str | None = typer.Option(None, "--engine", help="lease | temporal (default: temporal when "
                                           "BRAIN_TEMPORAL_ADDRESS is set, else lease)"),
) -> None:
    """Execute runs until stopped (Ctrl-C or SIGTERM finishes the runs in hand first)."""
    settings = load_settings()
    configure_logging(settings.log_level)
    if engine_name not in (None, "lease", "temporal"):
        console.print(f"[red]error:[/] --engine: {engine_name!r} is not one of lease, temporal")
        raise typer.Exit(2)
    if engine_name == "temporal" and not settings.temporal_address:
        console.print("[red]error:[/] --engine temporal: set BRAIN_TEMPORAL_ADDRESS to the Temporal frontend (host:port)")
        raise typer.Exit(2)
    chosen: EngineName | None = engine_name  # type: ignore[assignment]

    async def main() -> None:
        brain = await open_brain(settings)
        try:
            engine = make_engine(brain, chosen, concurrency=concurrency)
            if once:
                console.print(f"drove {await engine.drain()} runs")
                return
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            where = (f"Temporal {settings.temporal_address}, queue {settings.temporal_task_queue}@{brain.code_version}"
                     if engine.name == "temporal" else f"lease {settings.run_lease_seconds:g}s")
            console.print(f"worker {brain.leases.owner} ({engine.name} engine, code version {brain.code_version}): "
                          f"executing runs, {getattr(engine, 'concurrency', 1)} at a time ({where}; Ctrl-C stops)")
            loops = [engine.serve(stop)]
            if expire_interval > 0 and engine.name == "lease":
                loops.append(expire_loop(brain, expire_interval, stop))
            await asyncio.gather(*loops)
        finally:
            await brain.close()

    asyncio.run(main())


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
