"""`brain sandbox serve`: the sandbox stand-ins over HTTP, one port per system, for a tenant.

The same adapters then reach them over the network instead of in process: export the printed
settings in another shell (or another machine) and the Brain uses the served stand-ins as if they
were the real systems. State is the tenant's sandbox state under BRAIN_HOME, shared with
in-process use.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from typing import Any

import typer
import uvicorn
from rich.console import Console

from bootstrap import client_factory
from bootstrap.stand_ins import APPS, serve_env
from runtime.logging import configure_logging
from runtime.settings import load_settings
from runtime.wiring import ClientFactory

console = Console()
sandbox_app = typer.Typer(help="The local stand-ins of Saleor, Wagtail, the CRM, Superset and Telegram.",
                          no_args_is_help=True)
ORDER = ("saleor", "wagtail", "crm", "superset", "telegram")


def plan(factory: ClientFactory, tenant: str, host: str, port: int) -> list[tuple[str, int, Any, dict[str, str]]]:
    """(system, port, ASGI app, settings to export) for each stand-in, on consecutive ports."""
    served = []
    for offset, system in enumerate(s for s in ORDER if factory.has_stand_in(s)):
        store = factory.sandbox_store(system, tenant)
        app = APPS[system](factory.settings, store)
        served.append((system, port + offset, app, serve_env(system, f"http://{host}:{port + offset}")))
    return served


class _Server(uvicorn.Server):
    """One of several servers in one loop: signals are handled once, for all (see `serve`)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@sandbox_app.command("serve")
def serve(
    tenant: str = typer.Option("demo", "--tenant", help="whose sandbox state to serve"),
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(8700, "--port", min=1, max=65530, help="first port; each system takes the next"),
) -> None:
    """Serve each stand-in on its own port until Ctrl-C; prints the settings that point the Brain at them."""
    settings = load_settings()
    configure_logging(settings.log_level)
    served = plan(client_factory(settings), tenant, host, port)
    for system, system_port, _, env in served:
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        console.print(f"{system:9} http://{host}:{system_port}  export {exports}", soft_wrap=True)

    async def main() -> None:
        servers = [_Server(uvicorn.Config(app, host=host, port=system_port, log_level="warning", lifespan="off"))
                   for _, system_port, app, _ in served]
        loop = asyncio.get_running_loop()

        def stop() -> None:
            for server in servers:
                server.should_exit = True

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop)
        tasks = [asyncio.create_task(server.serve()) for server in servers]
        while not all(server.started for server in servers):
            if any(task.done() for task in tasks):
                break
            await asyncio.sleep(0.05)
        console.print("ready", highlight=False)
        await asyncio.gather(*tasks)

    asyncio.run(main())


def register(app: typer.Typer) -> None:
    app.add_typer(sandbox_app, name="sandbox")
