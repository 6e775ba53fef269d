"""`brain users`: add (errors name the field), list, set-role, disable, and the demo admin printed once."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["users", *args])
    return result.exit_code, " ".join(result.output.split())


def test_users_commands(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRAIN_DATABASE_URL", db_url)
    monkeypatch.setenv("BRAIN_HOME", str(tmp_path / "brain"))
    assert _run("add", "--email", "kim@west.example", "--password", "ten chars!", "--role", "viewer", "--tenant", "west") == (
        0, "user kim@west.example added: viewer of tenant 'west'")
    code, out = _run("add", "--email", "kim@west.example", "--password", "ten chars!", "--role", "viewer", "--tenant", "west")
    assert code == 2 and "email: a user 'kim@west.example' exists already" in out
    code, out = _run("add", "--email", "lu@west.example", "--password", "short", "--role", "viewer", "--tenant", "west")
    assert code == 2 and "password: at least 10 characters" in out
    assert _run("set-role", "kim@west.example", "operator") == (0, "user kim@west.example is now operator of tenant 'west'")
    code, out = _run("set-role", "kim@west.example", "owner")
    assert code == 2 and "role: 'owner' is not one of" in out
    assert _run("disable", "kim@west.example") == (0, "user kim@west.example disabled")

    code, made = _run("demo-admin")
    assert code == 0
    found = re.search(r"e-mail admin@demo.local password (\S+) \(shown this once", made)
    assert found, made
    code, again = _run("demo-admin")
    assert code == 0 and found.group(1) not in again and "was printed when it was made" in again

    result = CliRunner().invoke(app, ["users", "list", "--json"])
    rows = {row["email"]: row for row in json.loads(result.output)}
    assert (rows["kim@west.example"]["role"], rows["kim@west.example"]["disabled"]) == ("operator", True)
    assert (rows["admin@demo.local"]["role"], rows["admin@demo.local"]["tenant"]) == ("tenant_admin", "demo")
