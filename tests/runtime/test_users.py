"""Local users (runtime/users.py, migration 015): argon2 hashes, field-named errors, lockout, sessions,
and row-level security: the system scope writes, a tenant admin reads its own tenant's users only."""

from __future__ import annotations

import psycopg
import pytest

from runtime.brain import Brain
from runtime.db import tenant_conn
from runtime.users import AccountLocked, LoginRefused, SessionInvalid, UserStore

PASSWORD = "long enough secret"


async def test_users_are_checked_stored_hashed_and_listed(brain: Brain) -> None:
    store = UserStore(brain.pool)
    added = await store.add(" Ann@North.example ", PASSWORD, role="operator", tenant="north", created_by="test")
    assert (added.email, added.role, added.tenant, added.disabled) == ("ann@north.example", "operator", "north", False)
    assert await brain.policies.tenant_exists("north")  # the user's tenant exists from now on
    for kwargs, field in ((dict(email="not-an-email"), "email"), (dict(password="short"), "password"),
                          (dict(role="owner"), "role"), (dict(tenant="global"), "tenant"),
                          (dict(email="ann@north.example"), "email")):
        values = {"email": "bob@north.example", "password": PASSWORD, "role": "viewer", "tenant": "north"} | kwargs
        with pytest.raises(ValueError, match=f"^{field}: "):
            await store.add(values["email"], values["password"], role=values["role"], tenant=values["tenant"],
                            created_by="test")
    async with brain.pool.connection() as conn:
        cur = await conn.execute("SELECT current_user AS me")
        assert (await cur.fetchone())["me"] == "brain_app"
    assert [u.email for u in await store.list()] == ["ann@north.example"]
    stored = await _owner_value(brain, "SELECT password_hash FROM users WHERE email = 'ann@north.example'")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


async def _owner_value(brain: Brain, statement: str) -> str:
    async with await psycopg.AsyncConnection.connect(brain.settings.database_url or "", autocommit=True) as conn:
        cur = await conn.execute(statement)
        row = await cur.fetchone()
    assert row is not None
    return str(row[0])


async def test_wrong_passwords_lock_and_sessions_rotate(brain: Brain) -> None:
    store = UserStore(brain.pool, max_failures=2, lockout_seconds=60)
    user = await store.add("cy@north.example", PASSWORD, role="viewer", tenant="north", created_by="test")
    assert (await store.authenticate("CY@north.example", PASSWORD)).id == user.id
    for _ in range(2):
        with pytest.raises(LoginRefused, match="^wrong e-mail or password$"):
            await store.authenticate("cy@north.example", "not the password")
    with pytest.raises(AccountLocked) as locked:
        await store.authenticate("cy@north.example", PASSWORD)
    assert 0 < locked.value.retry_after <= 60
    await store.set_password("cy@north.example", PASSWORD)  # unlocks
    await store.authenticate("cy@north.example", PASSWORD)

    token = await store.open_session(user, 60)
    again, newer = await store.rotate_session(token, 60)
    assert again.id == user.id and newer != token
    with pytest.raises(SessionInvalid):
        await store.rotate_session(token, 60)
    await store.set_role("cy@north.example", "operator")  # a role change ends the sessions
    with pytest.raises(SessionInvalid):
        await store.rotate_session(newer, 60)


async def test_a_tenant_scope_reads_only_its_own_users_and_writes_none(brain: Brain) -> None:
    store = UserStore(brain.pool)
    await store.add("dee@north.example", PASSWORD, role="tenant_admin", tenant="north", created_by="test")
    await store.add("eve@south.example", PASSWORD, role="tenant_admin", tenant="south", created_by="test")
    async with tenant_conn(brain.pool, "north", "tenant_admin") as conn:
        cur = await conn.execute("SELECT email FROM users ORDER BY email")
        assert [r["email"] for r in await cur.fetchall()] == ["dee@north.example"]
        cur = await conn.execute("SELECT count(*) AS n FROM user_sessions")
        assert (await cur.fetchone())["n"] == 0
    async with tenant_conn(brain.pool, "north", "operator") as conn:
        cur = await conn.execute("SELECT count(*) AS n FROM users")
        assert (await cur.fetchone())["n"] == 0
    async with tenant_conn(brain.pool, "north", "super_admin") as conn:
        cur = await conn.execute("UPDATE users SET role = 'super_admin' WHERE email = 'dee@north.example'")
        assert cur.rowcount == 0  # no update policy for a tenant scope: nothing to update
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        async with tenant_conn(brain.pool, "north", "super_admin") as conn:
            await conn.execute("INSERT INTO users (email, password_hash, role, tenant_id) "
                               "VALUES ('mal@north.example', 'x', 'super_admin', 'north')")
    dee = await store.get("dee@north.example")
    assert dee is not None and dee.role == "tenant_admin"
