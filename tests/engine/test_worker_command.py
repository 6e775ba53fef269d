"""`brain worker --engine`: bad choices are refused before anything opens, naming the option."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.main import app


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("BRAIN_TEMPORAL_ADDRESS", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def test_an_unknown_engine_is_refused(runner: CliRunner) -> None:
    result = runner.invoke(app, ["worker", "--engine", "celery"])
    assert result.exit_code == 2
    assert "--engine: 'celery' is not one of lease, temporal" in result.output


def test_temporal_without_an_address_says_what_to_set(runner: CliRunner) -> None:
    result = runner.invoke(app, ["worker", "--engine", "temporal"])
    assert result.exit_code == 2
    assert "set BRAIN_TEMPORAL_ADDRESS" in result.output
