"""`brain tenants`: the platform's tenants (policy scopes may name only these)."""

from __future__ import annotations

import asyncio
import getpass
import json
import os
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.table import Table

from runtime import db
from runtime.logging import configure_logging
from runtime.settings import load_settings
from runtime.tenants import Tenant, TenantStore

T = TypeVar("T")
console = Console()
tenants_app = typer.Typer(no_args_is_help=True, help="The platform's tenants: policy scopes may name only these.")


def _with_tenants(work: Callable[[TenantStore], Awaitable[T]]) -> T:
    """The database migrated, then the work in the application role's system scope (no Brain needed)."""
    settings = load_settings()
    configure_logging(settings.log_level)

    async def main() -> T:
        url = await asyncio.to_thread(db.resolve_url, settings.database_url, settings.pgdata)
        await db.wait_ready(url)
        await db.migrate(url)
        pool = db.open_pool(db.app_url(url, settings.app_database_url), signer=await db.load_signer(url), max_size=1)
        await pool.open()
        try:
            return await work(TenantStore(pool))
        finally:
            await pool.close()

    try:
        return asyncio.run(main())
    except ValueError as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None


@tenants_app.command("add")
def add(tenant: str = typer.Argument(..., help="the tenant id (as in the `tenant` claim of its users' tokens)"),
        name: str | None = typer.Option(None, "--name", help="a display name")) -> None:
    """Create a tenant, so that a super_admin may edit its policy before its first run."""
    who = os.environ.get("USER") or getpass.getuser()
    created = _with_tenants(lambda store: store.add(tenant, name=name, created_by=f"cli:{who}"))
    console.print(f"tenant {tenant!r} {'created' if created else 'exists already'}")


@tenants_app.command("list")
def list_tenants(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Every tenant, with who or what created it."""
    rows: list[Tenant] = _with_tenants(lambda store: store.list())
    if as_json:
        print(json.dumps([row.model_dump(mode="json") for row in rows], indent=2))
        return
    table = Table(title="tenants")
    for column in ("id", "name", "created by", "created at"):
        table.add_column(column)
    for row in rows:
        table.add_row(row.id, row.name or "", row.created_by, row.created_at.isoformat(timespec="seconds"))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `brain tenants ...` to the command line."""
    app.add_typer(tenants_app, name="tenants")
