"""`brain token` mints a token the API accepts; `brain serve` refuses the development secret without --dev."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.auth import TokenVerifier
from api.settings import ApiSettings
from cli.main import app
from runtime.runs import Actor
from tests.api.conftest import SECRET

runner = CliRunner()


async def test_token_is_accepted_by_the_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRAIN_JWT_SECRET", SECRET)
    monkeypatch.delenv("BRAIN_JWT_JWKS_URL", raising=False)
    minted = runner.invoke(app, ["token", "--tenant", "acme", "--role", "tenant_admin", "--user", "ann", "--ttl", "60"])
    assert minted.exit_code == 0, minted.output
    token = minted.stdout.strip()
    assert await TokenVerifier(ApiSettings()).verify(token) == Actor(user="ann", tenant="acme", role="tenant_admin")

    bad = runner.invoke(app, ["token", "--tenant", "acme", "--role", "owner"])
    assert bad.exit_code == 2 and "'owner' is not one of viewer, operator, tenant_admin, super_admin" in bad.output


def test_serve_refuses_to_start_without_a_configured_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRAIN_JWT_SECRET", raising=False)
    monkeypatch.delenv("BRAIN_JWT_JWKS_URL", raising=False)
    refused = runner.invoke(app, ["serve", "--port", "1"])
    assert refused.exit_code == 2 and "BRAIN_JWT_SECRET" in refused.output

    monkeypatch.setenv("BRAIN_JWT_SECRET", "too-short")
    short = runner.invoke(app, ["serve"])
    assert short.exit_code == 2 and "at least 32 characters" in short.output
