"""`brain serve` (the HTTP API under uvicorn) and `brain token` (a development JWT)."""

from __future__ import annotations

import sys

import typer
from pydantic import ValidationError
from rich.console import Console

from api.settings import ApiSettings, load_api_settings
from policies.model import ROLE_RANK

err = Console(stderr=True, soft_wrap=True)


def _api_settings() -> ApiSettings:
    try:
        return load_api_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        err.print(f"[red]error:[/] {'.'.join(str(p) for p in first['loc'])}: {message}")
        raise typer.Exit(2) from None


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="interface to listen on"),
    port: int = typer.Option(8000, "--port", help="TCP port"),
    dev: bool = typer.Option(False, "--dev", help="allow the public development JWT secret (never in production)"),
    worker: bool = typer.Option(True, "--worker/--no-worker",
                                help="execute runs in this process too (default); --no-worker leaves them to `brain worker`"),
) -> None:
    """Serve the HTTP API under /api/brain/ (docs at /api/brain/docs), with an embedded run worker."""
    import uvicorn

    from api.app import create_app
    from bootstrap import open_brain
    from runtime.brain import Brain
    from runtime.logging import configure_logging
    from runtime.settings import load_settings

    api_settings = _api_settings()
    if api_settings.uses_dev_secret and not dev:
        err.print("[red]error:[/] no JWT secret is configured: set BRAIN_JWT_SECRET (32+ characters) or "
                  "BRAIN_JWT_JWKS_URL, or pass --dev to accept tokens signed with the public development secret")
        raise typer.Exit(2)
    if api_settings.uses_dev_secret:
        err.print("[yellow]warning:[/] --dev: tokens are checked with the public development secret; anyone can mint them")
    settings = load_settings()
    configure_logging(settings.log_level)

    async def open_for_api() -> Brain:
        return await open_brain(settings)

    from cli.console_sim import suite_simulator

    app = create_app(open_for_api, api_settings, worker=worker)
    app.state.suite_simulator = suite_simulator()  # the console's policy simulation over an eval suite
    err.print(f"serving the Brain API on http://{host}:{port}/api/brain/ (docs: /api/brain/docs)")
    err.print(f"admin console: http://{host}:{port}/admin/ (users: `brain users add`)")
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower())


def token(
    tenant: str = typer.Option(..., "--tenant", help="tenant id (the `tenant` claim)"),
    role: str = typer.Option(..., "--role", help="viewer | operator | tenant_admin | super_admin"),
    user: str = typer.Option("dev", "--user", help="user id (the `sub` claim)"),
    ttl: int = typer.Option(3600, "--ttl", min=1, help="seconds until the token expires"),
) -> None:
    """Mint a development HS256 token signed with the configured secret; prints only the token."""
    from api.auth import mint_token

    if role not in ROLE_RANK:
        err.print(f"[red]error:[/] --role: {role!r} is not one of {', '.join(sorted(ROLE_RANK, key=ROLE_RANK.__getitem__))}")
        raise typer.Exit(2)
    api_settings = _api_settings()
    if api_settings.jwt_jwks_url:
        err.print("[yellow]warning:[/] BRAIN_JWT_JWKS_URL is set: the API accepts only RS256 tokens of that identity "
                  "provider, not this one")
    elif api_settings.uses_dev_secret:
        err.print("[yellow]warning:[/] signed with the development secret: only `brain serve --dev` accepts it")
    sys.stdout.write(mint_token(api_settings, user=user, tenant=tenant, role=role, ttl_seconds=ttl) + "\n")


def register(app: typer.Typer) -> None:
    """Add `serve` and `token` to the `brain` command line."""
    app.command("serve")(serve)
    app.command("token")(token)
