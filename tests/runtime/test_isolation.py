"""Tenants never see each other's runs, ledger, approvals, events or policy overrides: enforced by
Postgres row-level security for the application role, not only in Python (invariant 5)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest

from policies.store import GLOBAL, PolicyPermissionError
from runtime import db
from runtime.brain import Brain
from runtime.runs import Actor, RunNotFound
from tests.runtime.helpers import REQUEST

ACME = Actor("ann", "acme", "operator")
BETA = Actor("bob", "beta", "operator")
TABLES = ("runs", "ledger", "approvals", "run_events")


@pytest.fixture
async def app_conn(db_url: str) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    async with await psycopg.AsyncConnection.connect(db.app_url(db_url), autocommit=True) as conn:
        yield conn


async def count(conn: psycopg.AsyncConnection[Any], sql: str, tenant: str | None) -> int:
    async with conn.transaction():
        if tenant is not None:
            await conn.execute("SELECT set_config('app.tenant_id', %s, true)", (tenant,))
        cur = await conn.execute(sql)
        row = await cur.fetchone()
        return int(row[0]) if row else 0


async def test_the_app_role_is_neither_superuser_nor_owner(app_conn: psycopg.AsyncConnection[Any]) -> None:
    cur = await app_conn.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    assert await cur.fetchone() == (False, False)
    cur = await app_conn.execute("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")
    assert await cur.fetchone() == (0,)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        await app_conn.execute("ALTER TABLE runs DISABLE ROW LEVEL SECURITY")


async def test_a_tenant_sees_only_its_own_rows(brain: Brain, app_conn: psycopg.AsyncConnection[Any]) -> None:
    mine = await brain.submit(REQUEST, ACME)
    theirs = await brain.submit(REQUEST, BETA)
    assert mine.status == theirs.status == "waiting"
    for table in TABLES:
        assert await count(app_conn, f"SELECT count(*) FROM {table} WHERE tenant_id = 'beta'", "acme") == 0, table
        assert await count(app_conn, f"SELECT count(*) FROM {table}", "acme") > 0, table
        assert await count(app_conn, f"SELECT count(*) FROM {table}", None) == 0, table  # no setting: fails closed
    assert await count(app_conn, f"SELECT count(*) FROM runs WHERE id = '{theirs.run_id}'", "acme") == 0


async def test_writing_another_tenants_rows_is_refused(app_conn: psycopg.AsyncConnection[Any]) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        async with app_conn.transaction():
            await app_conn.execute("SELECT set_config('app.tenant_id', 'acme', true)")
            await app_conn.execute(
                "INSERT INTO runs (id, tenant_id, user_id, role, request, status) "
                "VALUES (gen_random_uuid(), 'beta', 'x', 'operator', 'sneaky', 'queued')"
            )


async def test_the_brain_keeps_tenants_apart(brain: Brain) -> None:
    theirs = await brain.submit(REQUEST, BETA)
    with pytest.raises(RunNotFound):
        await brain.get_run(theirs.run_id, ACME)
    assert await brain.list_runs(ACME) == []
    assert await brain.pending_approvals(ACME) == []
    assert (await brain.get_run(theirs.run_id, Actor("root", "platform", "super_admin")))["tenant_id"] == "beta"


async def test_policy_overrides_are_per_tenant(brain: Brain, app_conn: psycopg.AsyncConnection[Any]) -> None:
    store = brain.policies
    await store.set_workflow("beta", "lead_processing", {"hitl": False}, author="b", author_tenant="beta", author_role="tenant_admin")
    assert (await store.effective("beta")).workflows["lead_processing"].hitl is False
    assert (await store.effective("acme")).workflows["lead_processing"].hitl is True
    assert [h["scope"] for h in await store.history(tenant="acme")] == []
    assert await count(app_conn, "SELECT count(*) FROM policy_versions WHERE scope = 'beta'", "acme") == 0
    with pytest.raises(PolicyPermissionError):
        await store.set_workflow(GLOBAL, "lead_processing", {"hitl": False}, author="b", author_tenant="beta", author_role="tenant_admin")
    # Even past the Python check, Postgres refuses a global row from a tenant admin.
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        async with app_conn.transaction():
            await app_conn.execute("SELECT set_config('app.tenant_id', 'beta', true), set_config('app.role', 'tenant_admin', true)")
            await app_conn.execute("INSERT INTO policy_versions (scope, document, author, author_role) VALUES ('global', '{}', 'b', 'tenant_admin')")
