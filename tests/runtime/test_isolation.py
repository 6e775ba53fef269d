"""Tenants never see each other's runs, ledger, approvals, events, checkpoints or policy overrides:
enforced by Postgres row-level security for the application role, not only in Python (invariant 5),
with the tenant and role taken from a signed scope token, never from a setting the role may forge.
The attack suite over every table and function of the schema is tests/security."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest

from policies.store import GLOBAL, PolicyPermissionError, UnknownTenant
from runtime import db
from runtime.brain import Brain
from runtime.runs import Actor, RunNotFound
from tests.runtime.helpers import REQUEST

ACME = Actor("ann", "acme", "operator")
BETA = Actor("bob", "beta", "operator")
TABLES = ("runs", "ledger", "approvals", "run_events", "checkpoints", "checkpoint_blobs", "checkpoint_writes")
SIGNER: list[db.ScopeSigner] = []


@pytest.fixture
async def app_conn(db_url: str) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    SIGNER[:] = [await db.load_signer(db_url)]
    async with await psycopg.AsyncConnection.connect(db.app_url(db_url), autocommit=True) as conn:
        yield conn


async def count(conn: psycopg.AsyncConnection[Any], sql: str, tenant: str | None, role: str = "operator") -> int:
    """A count as brain_app in a transaction signed for the tenant, the way the Brain scopes one."""
    async with conn.transaction():
        if tenant is not None:
            await conn.execute("SELECT set_config('app.scope', %s, true)", (SIGNER[0].token(tenant, role),))
        cur = await conn.execute(sql)
        row = await cur.fetchone()
        return int(row[0]) if row else 0


async def forged_count(conn: psycopg.AsyncConnection[Any], sql: str, settings: dict[str, str]) -> int:
    async with conn.transaction():
        for name, value in settings.items():
            await conn.execute("SELECT set_config(%s, %s, true)", (name, value))
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
    assert await count(app_conn, f"SELECT count(*) FROM checkpoints WHERE thread_id = '{theirs.run_id}'", "beta") > 0


async def test_forged_settings_show_nothing(brain: Brain, app_conn: psycopg.AsyncConnection[Any]) -> None:
    await brain.submit(REQUEST, BETA)
    signer = SIGNER[0]
    mine = signer.token("acme")
    mac, expiry, role, _ = mine.split(".", 3)
    forgeries = [
        {"app.tenant_id": "beta", "app.role": "super_admin"},  # the settings the policies trusted before
        {"app.scope": f"{mac}.{expiry}.{role}.beta"},  # acme's signature on beta's name
        {"app.scope": f"{mac}.{int(expiry) + 1}.{role}.acme"},  # a longer life
        {"app.scope": db.ScopeSigner(b"k" * 32).token("beta")},  # another key
        {"app.scope": db.ScopeSigner(SIGNER[0]._key, clock=lambda: 0).token("beta")},  # expired (1970)
        {"app.scope": signer.system()},  # the system scope sees no tenant's rows
    ]
    for settings in forgeries:
        for table in TABLES:
            assert await forged_count(app_conn, f"SELECT count(*) FROM {table}", settings) == 0, (table, settings)


async def test_writing_another_tenants_rows_is_refused(app_conn: psycopg.AsyncConnection[Any]) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        async with app_conn.transaction():
            await app_conn.execute("SELECT set_config('app.scope', %s, true)", (SIGNER[0].token("acme"),))
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
    # Even past the Python check, Postgres refuses a global row from a tenant admin, also when the
    # session claims super_admin in the settings the policies used to trust.
    insert = "INSERT INTO policy_versions (scope, document, author, author_role) VALUES ('global', '{}', 'b', 'x')"
    for claim in ("SELECT set_config('app.role', 'super_admin', true)", "SELECT 1"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            async with app_conn.transaction():
                await app_conn.execute("SELECT set_config('app.scope', %s, true)", (SIGNER[0].token("beta", "tenant_admin"),))
                await app_conn.execute(claim)
                await app_conn.execute(insert)
    async with app_conn.transaction():  # a super_admin's signed scope may
        await app_conn.execute("SELECT set_config('app.scope', %s, true)", (SIGNER[0].token("beta", "super_admin"),))
        await app_conn.execute(insert)


async def test_policy_scopes_name_existing_tenants(brain: Brain) -> None:
    root = {"author": "root", "author_tenant": "platform", "author_role": "super_admin"}
    with pytest.raises(UnknownTenant, match="no tenant 'nowhere'"):
        await brain.policies.set_workflow("nowhere", "lead_processing", {"hitl": False}, **root)
    assert not await brain.policies.tenant_exists("nowhere")
    await brain.submit(REQUEST, BETA)  # a tenant's first run makes it exist
    assert await brain.policies.tenant_exists("beta") and await brain.policies.tenant_exists("demo")
    await brain.policies.set_workflow("beta", "lead_processing", {"hitl": False}, **root)
    assert [h["scope"] for h in await brain.policies.history("beta")] == ["beta"]
