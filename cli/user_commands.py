"""`brain users`: local users of the admin console and of `POST /api/brain/auth/login`."""

from __future__ import annotations

import asyncio
import getpass
import json
import os
import secrets
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.table import Table

from runtime import db
from runtime.logging import configure_logging
from runtime.settings import load_settings
from runtime.users import ROLES, UnknownUser, User, UserStore

T = TypeVar("T")
console = Console()
users_app = typer.Typer(no_args_is_help=True, help="Local users who sign in to the console and the API.")

DEMO_ADMIN = "admin@demo.local"
RoleHelp = " | ".join(ROLES)


def _with_users(work: Callable[[UserStore], Awaitable[T]]) -> T:
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
            return await work(UserStore(pool))
        finally:
            await pool.close()

    try:
        return asyncio.run(main())
    except (ValueError, UnknownUser) as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None


def _who() -> str:
    return f"cli:{os.environ.get('USER') or getpass.getuser()}"


def _password(given: str | None) -> str:
    if given is not None:
        return given
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def add(email: str = typer.Option(..., "--email"), password: str | None = typer.Option(
            None, "--password", help="at least 10 characters (prompted, hidden, when left out)"),
        role: str = typer.Option(..., "--role", help=RoleHelp),
        tenant: str = typer.Option(..., "--tenant", help="the tenant id (created when missing)")) -> None:
    """Add a user who signs in with an e-mail and a password."""
    secret = _password(password)
    user = _with_users(lambda store: store.add(email, secret, role=role, tenant=tenant, created_by=_who()))
    console.print(f"user {user.email} added: {user.role} of tenant {user.tenant!r}")


@users_app.command("list")
def list_users(tenant: str | None = typer.Option(None, "--tenant", help="only this tenant's users"),
               as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Every user (or one tenant's), with role, state and last sign-in."""
    rows: list[User] = _with_users(lambda store: store.list(tenant))
    if as_json:
        print(json.dumps([row.model_dump(mode="json") for row in rows], indent=2))
        return
    table = Table(title="users")
    for column in ("email", "role", "tenant", "state", "last sign-in"):
        table.add_column(column)
    for row in rows:
        state = "disabled" if row.disabled else ("locked" if row.locked_until else "active")
        table.add_row(row.email, row.role, row.tenant, state,
                      row.last_login_at.isoformat(timespec="seconds") if row.last_login_at else "never")
    console.print(table)


@users_app.command("disable")
def disable(email: str = typer.Argument(...),
            enable: bool = typer.Option(False, "--enable", help="enable the user again instead")) -> None:
    """Disable a user (its sessions end); `--enable` undoes it."""
    user = _with_users(lambda store: store.set_disabled(email, not enable))
    console.print(f"user {user.email} {'disabled' if user.disabled else 'enabled'}")


@users_app.command("set-role")
def set_role(email: str = typer.Argument(...), role: str = typer.Argument(..., help=RoleHelp)) -> None:
    """Change a user's role (its sessions end; the next sign-in carries the new role)."""
    user = _with_users(lambda store: store.set_role(email, role))
    console.print(f"user {user.email} is now {user.role} of tenant {user.tenant!r}")


@users_app.command("set-password")
def set_password(email: str = typer.Argument(...), password: str | None = typer.Option(
                     None, "--password", help="prompted, hidden, when left out")) -> None:
    """Change a user's password (and unlock it)."""
    secret = _password(password)
    user = _with_users(lambda store: store.set_password(email, secret))
    console.print(f"password of {user.email} changed")


@users_app.command("demo-admin")
def demo_admin(tenant: str = typer.Option("demo", "--tenant")) -> None:
    """Create the demo tenant's admin with a random password, printed this once (nothing when it exists)."""
    password = secrets.token_urlsafe(12)

    async def work(store: UserStore) -> User | None:
        if await store.get(DEMO_ADMIN) is not None:
            return None
        return await store.add(DEMO_ADMIN, password, role="tenant_admin", tenant=tenant, created_by="make run")

    user = _with_users(work)
    if user is None:
        console.print(f"demo admin: {DEMO_ADMIN} (its password was printed when it was made; change it with "
                      f"`brain users set-password {DEMO_ADMIN}`)")
    else:
        console.print(f"demo admin created: e-mail [bold]{DEMO_ADMIN}[/]  password [bold]{password}[/] "
                      f"(shown this once; change it with `brain users set-password {DEMO_ADMIN}`)")


def register(app: typer.Typer) -> None:
    """Add `brain users ...` to the command line."""
    app.add_typer(users_app, name="users")
