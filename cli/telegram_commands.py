"""`brain telegram`: register the bot's webhook, and make link codes without the API."""

from __future__ import annotations

import asyncio
from datetime import datetime

import typer
from rich.console import Console

from adapters.errors import AdapterError
from adapters.telegram import TelegramClient
from cli.session import with_brain
from policies.model import ROLE_RANK
from runtime.settings import load_settings

console = Console()
err = Console(stderr=True, soft_wrap=True)
telegram_app = typer.Typer(no_args_is_help=True, help="The Telegram bot: its webhook and chat link codes.")
WEBHOOK_PATH = "/api/brain/telegram/webhook"


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/] {message}")
    return typer.Exit(2)


@telegram_app.command("set-webhook")
def set_webhook(
    url: str = typer.Argument(..., help=f"the public https URL of the webhook, ending in {WEBHOOK_PATH}"),
    drop_pending: bool = typer.Option(False, "--drop-pending", help="drop the updates Telegram holds for the bot"),
) -> None:
    """Point Telegram at the Brain's webhook; each update then carries the configured secret."""
    settings = load_settings()
    if settings.telegram_bot_token is None:
        raise _fail("BRAIN_TELEGRAM_BOT_TOKEN is not set: the bot token comes from @BotFather")
    if settings.telegram_webhook_secret is None:
        raise _fail("BRAIN_TELEGRAM_WEBHOOK_SECRET is not set: choose 1-256 characters of A-Z, a-z, 0-9, _ and - "
                    "and give the API the same value")
    if not url.rstrip("/").endswith(WEBHOOK_PATH):
        err.print(f"[yellow]warning:[/] {url} does not end in {WEBHOOK_PATH}, where the Brain listens")
    token = settings.telegram_bot_token.get_secret_value()
    secret = settings.telegram_webhook_secret.get_secret_value()

    async def register() -> bool:
        async with TelegramClient(token, base_url=settings.telegram_api_url) as client:
            return await client.set_webhook(url, secret, drop_pending_updates=drop_pending)

    try:
        done = asyncio.run(register())
    except AdapterError as exc:
        raise _fail(str(exc)) from None
    if not done:
        raise _fail("Telegram did not accept the webhook")
    console.print(f"webhook set: Telegram now sends the bot's updates to {url}")


@telegram_app.command("link-code")
def link_code(
    tenant: str = typer.Option(..., "--tenant", help="tenant id"),
    user: str = typer.Option(..., "--user", help="user id the chat will act as"),
    role: str = typer.Option(..., "--role", help="viewer | operator | tenant_admin | super_admin"),
    name: str | None = typer.Option(None, "--name", help="how the bot names the person (default: the user id)"),
) -> None:
    """Print a one-time code; the chat that sends /link CODE to the bot acts as this user."""
    from runtime.brain import Brain
    from runtime.services.telegram import TelegramService

    if role not in ROLE_RANK:
        raise _fail(f"--role: {role!r} is not one of {', '.join(sorted(ROLE_RANK, key=ROLE_RANK.__getitem__))}")

    async def work(brain: Brain) -> tuple[str, datetime]:
        service = brain.services["telegram"]
        assert isinstance(service, TelegramService)
        return await service.links.create_code(tenant, user, role, name or user)

    code, expires = with_brain(work, quiet=True)
    console.print(f"send [bold]/link {code}[/] to the bot (works once, until {expires:%Y-%m-%d %H:%M} UTC): "
                  f"the chat will act as {user} ({role}) in tenant {tenant}")


def register(app: typer.Typer) -> None:
    """Add `brain telegram ...` to the command line."""
    app.add_typer(telegram_app, name="telegram")
