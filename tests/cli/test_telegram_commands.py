"""`brain telegram set-webhook` against a respx-mocked Bot API, and `brain telegram link-code`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.services.telegram_bot_api import HOOK_SECRET, TOKEN, BotApi, mocked_bot_api

URL = "https://brain.example.com/api/brain/telegram/webhook"


@pytest.fixture
def bot_api() -> Iterator[BotApi]:
    yield from mocked_bot_api()


def test_set_webhook_registers_the_url_with_the_secret(bot_api: BotApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRAIN_TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("BRAIN_TELEGRAM_WEBHOOK_SECRET", HOOK_SECRET)
    result = CliRunner().invoke(app, ["telegram", "set-webhook", URL])
    assert result.exit_code == 0, result.output
    assert [(c.method, c.params) for c in bot_api.calls] == [("setWebhook", {"url": URL, "secret_token": HOOK_SECRET})]
    assert "webhook set" in result.output


def test_set_webhook_needs_a_token_and_a_secret(bot_api: BotApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRAIN_TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("BRAIN_TELEGRAM_WEBHOOK_SECRET", raising=False)
    no_token = CliRunner().invoke(app, ["telegram", "set-webhook", URL])
    monkeypatch.setenv("BRAIN_TELEGRAM_BOT_TOKEN", TOKEN)
    no_secret = CliRunner().invoke(app, ["telegram", "set-webhook", URL])
    assert (no_token.exit_code, no_secret.exit_code) == (2, 2)
    assert "BRAIN_TELEGRAM_BOT_TOKEN is not set" in no_token.output
    assert "BRAIN_TELEGRAM_WEBHOOK_SECRET is not set" in no_secret.output
    assert bot_api.calls == []


def test_link_code_prints_a_code(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRAIN_DATABASE_URL", db_url)
    monkeypatch.setenv("BRAIN_HOME", str(tmp_path / "brain"))
    bad = CliRunner().invoke(app, ["telegram", "link-code", "--tenant", "demo", "--user", "dana", "--role", "boss"])
    assert bad.exit_code == 2 and "--role: 'boss' is not one of viewer" in bad.output
    result = CliRunner().invoke(app, ["telegram", "link-code", "--tenant", "demo", "--user", "dana", "--role", "operator"])
    assert result.exit_code == 0, result.output
    assert re.search(r"send /link [A-Z2-9]{4}-[A-Z2-9]{4} to the bot \(works once, until .*\): the chat will act as "
                     r"dana \(operator\) in tenant demo", " ".join(result.output.split()))
