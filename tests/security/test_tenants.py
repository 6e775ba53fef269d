"""Tenants exist only through a legitimate path, and a policy scope must name one."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from cli.main import app
from policies.store import UnknownTenant
from runtime import db
from runtime.brain import Brain
from runtime.runs import Actor
from runtime.tenants import check_tenant_id

ROOT = {"author": "root", "author_tenant": "platform", "author_role": "super_admin"}


def test_brain_tenants_add_and_list(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRAIN_DATABASE_URL", db_url)
    monkeypatch.setenv("BRAIN_HOME", str(tmp_path))
    runner = CliRunner()
    added = runner.invoke(app, ["tenants", "add", "northwind", "--name", "Northwind"])
    assert added.exit_code == 0, added.output
    assert "tenant 'northwind' created" in added.output
    again = runner.invoke(app, ["tenants", "add", "northwind"])
    assert "exists already" in again.output
    bad = runner.invoke(app, ["tenants", "add", "global"])
    assert bad.exit_code == 2 and "tenant: 'global' is the name of the global policy scope" in bad.output
    listed = runner.invoke(app, ["tenants", "list", "--json"])
    rows = {row["id"]: row for row in json.loads(listed.output)}
    assert set(rows) == {"demo", "northwind"}
    assert (rows["northwind"]["name"], rows["northwind"]["created_by"].startswith("cli:")) == ("Northwind", True)


@pytest.mark.parametrize(("tenant", "message"), [
    ("", "tenant: must not be empty"), ("a#b", "must not contain '#'"), ("x\x00", "control characters"),
    ("t" * 201, "at most 200 characters")])
def test_a_tenant_id_is_checked(tenant: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_tenant_id(tenant)


async def test_scopes_only_for_tenants_that_exist(brain: Brain, db_url: str) -> None:
    with pytest.raises(UnknownTenant, match="tenant: no tenant 'i'"):
        await brain.policies.set_workflow("i", "lead_processing", {"hitl": False}, **ROOT)
    # Past the Python check, Postgres refuses the scope too (even for the owner).
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as owner:
        with pytest.raises(psycopg.errors.ForeignKeyViolation, match="scope: no tenant 'i'"):
            await owner.execute("INSERT INTO policy_versions (scope, document, author, author_role)"
                                " VALUES ('i', '{}', 'root', 'super_admin')")
        cur = await owner.execute("SELECT count(*) FROM tenants WHERE id = 'i'")
        assert await cur.fetchone() == (0,)
    # The tenant's own admin, its first run, or `brain tenants add` make it exist.
    await brain.policies.set_workflow("own", "lead_processing", {"hitl": False}, author="ann", author_tenant="own",
                                      author_role="tenant_admin")
    await brain.submit("add a product called Red Mug priced 12 USD to the store", Actor("bo", "ran", "operator"))
    assert [await brain.policies.tenant_exists(t) for t in ("own", "ran", "i", "global")] == [True, True, False, False]


async def test_a_tenant_scope_cannot_create_another_tenant(brain: Brain, db_url: str) -> None:
    signer = await db.load_signer(db_url)
    async with await psycopg.AsyncConnection.connect(db.app_url(db_url), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.scope', %s, true)", (signer.token("acme", "super_admin"),))
                await conn.execute("INSERT INTO tenants (id) VALUES ('elsewhere')")
        async with conn.transaction():  # a super_admin sees every tenant; an operator only its own
            await conn.execute("SELECT set_config('app.scope', %s, true)", (signer.token("acme", "super_admin"),))
            cur = await conn.execute("SELECT count(*) FROM tenants WHERE id = 'demo'")
            assert await cur.fetchone() == (1,)
            await conn.execute("SELECT set_config('app.scope', %s, true)", (signer.token("acme", "operator"),))
            cur = await conn.execute("SELECT count(*) FROM tenants")
            assert await cur.fetchone() == (0,)
