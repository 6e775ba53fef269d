"""Tenant isolation of memories is enforced by Postgres (row-level security), not by our Python.

Every query here is raw SQL as brain_app, the role the application connects as: the store is only
used to arrange rows. DESIGN.md invariant 5.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import psycopg
import pytest
from psycopg import errors
from psycopg.rows import dict_row

from memory.errors import MemoryNotFound
from memory.search import SearchMode
from memory.store import MemoryStore, NewMemory
from runtime.scope import ScopeSigner

App = psycopg.AsyncConnection[dict[str, Any]]
VECTOR = "[" + ",".join(["0.05"] * 384) + "]"


@pytest.fixture
async def seeded(store: MemoryStore) -> dict[str, list[dict[str, Any]]]:
    a = await store.write_many("A", [NewMemory("A's launch is on 3 March.", "fact", subject="launch"),
                                     NewMemory("A's brand voice is calm.", "brand_voice")], user="ana")
    a += [await store.write("A", "Ana's expense: taxi $30.", kind="expense", user="ana")]
    b = await store.write_many("B", [NewMemory("B's secret launch is on 1 March.", "fact", subject="launch"),
                                     NewMemory("B's brand voice is loud.", "brand_voice")], user="bea")
    return {"A": a, "B": b}


@pytest.fixture
async def app(app_url: str) -> AsyncIterator[App]:
    async with await psycopg.AsyncConnection.connect(app_url, row_factory=dict_row) as conn:
        yield conn


async def _as(conn: App, signer: ScopeSigner, tenant: str | None, user: str | None = None) -> None:
    """Start a transaction scoped like the runtime does (tenant None: no setting at all)."""
    if tenant is not None:
        await conn.execute("SELECT set_config('app.scope', %s, true)", (signer.token(tenant, user=user),))


async def _count(conn: App, sql: str, params: tuple[Any, ...] = ()) -> int:
    row = await (await conn.execute(f"SELECT count(*) AS n FROM ({sql}) AS q", params)).fetchone()
    assert row is not None
    return int(row["n"])


async def test_the_app_role_is_neither_superuser_nor_owner(app: App) -> None:
    role = await (await app.execute(
        "SELECT r.rolsuper, r.rolbypassrls, pg_get_userbyid(c.relowner) = current_user AS owns,"
        " c.relrowsecurity, c.relforcerowsecurity"
        " FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = 'memories'::regclass"
    )).fetchone()
    assert role == {"rolsuper": False, "rolbypassrls": False, "owns": False,
                    "relrowsecurity": True, "relforcerowsecurity": True}


async def test_a_crafted_query_for_another_tenant_returns_nothing(signer: ScopeSigner, app: App, seeded: dict[str, Any]) -> None:
    await _as(app, signer, "A", "ana")
    assert await _count(app, "SELECT * FROM memories WHERE tenant_id = 'B'") == 0
    assert await _count(app, "SELECT * FROM memories WHERE text LIKE '%%secret%%' OR tenant_id <> 'A'") == 0
    b_id = seeded["B"][0]["id"]
    assert await _count(app, "SELECT * FROM memories WHERE id = %s", (b_id,)) == 0
    assert await _count(app, "SELECT * FROM memories") == 3
    # Writes cannot reach B's rows either.
    assert (await app.execute("UPDATE memories SET text = 'pwned' WHERE tenant_id = 'B'")).rowcount == 0
    assert (await app.execute("DELETE FROM memories WHERE id = %s", (b_id,))).rowcount == 0
    # Nor can the definer functions: they read the tenant from the same transaction setting.
    found = await (await app.execute("SELECT id FROM memories_text_search('launch March', 50)")).fetchall()
    assert {str(r["id"]) for r in found} == {seeded["A"][0]["id"]}
    owners = await (await app.execute("SELECT memories_personal_owners() AS o")).fetchall()
    assert owners == [{"o": "ana"}]


async def test_a_missing_tenant_setting_returns_nothing(signer: ScopeSigner, app: App, app_url: str, seeded: dict[str, Any]) -> None:
    assert await _count(app, "SELECT * FROM memories") == 0  # never set in this session
    assert await _count(app, "SELECT * FROM memories_text_search('launch', 50)") == 0
    await app.rollback()
    await _as(app, signer, "A")
    assert await _count(app, "SELECT * FROM memories") == 2
    await app.commit()
    # After a transaction that set it, the setting is back to empty: still nothing.
    assert await _count(app, "SELECT * FROM memories") == 0
    await app.execute("SELECT set_config('app.tenant_id', '', false)")
    assert await _count(app, "SELECT * FROM memories") == 0


async def test_the_app_role_cannot_switch_row_security_off(app_url: str) -> None:
    attempts = [
        "ALTER TABLE memories DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE memories NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY memories_tenant ON memories",
        "CREATE POLICY open ON memories TO brain_app USING (true)",
        "SET ROLE postgres",
        "SET SESSION AUTHORIZATION postgres",
    ]
    for sql in attempts:
        async with await psycopg.AsyncConnection.connect(app_url) as conn:
            with pytest.raises(errors.InsufficientPrivilege):
                await conn.execute(sql)
    async with await psycopg.AsyncConnection.connect(app_url) as conn:
        await conn.execute("SET row_security = off")  # allowed to set, but then a query errors, never bypasses
        with pytest.raises(errors.InsufficientPrivilege, match="row-level security"):
            await conn.execute("SELECT * FROM memories")


async def test_writes_for_another_tenant_are_refused(signer: ScopeSigner, app: App, seeded: dict[str, Any]) -> None:
    insert = ("INSERT INTO memories (tenant_id, user_id, kind, text, embedding, embed_model, embed_dim)"
              " VALUES (%s, %s, %s, %s, %s::vector, 'm', 384)")
    await _as(app, signer, "A", "ana")
    with pytest.raises(errors.InsufficientPrivilege, match="row-level security"):
        await app.execute(insert, ("B", None, "fact", "planted in B", VECTOR))
    await app.rollback()
    await _as(app, signer, "A", "ana")
    with pytest.raises(errors.InsufficientPrivilege, match="row-level security"):
        await app.execute("UPDATE memories SET tenant_id = 'B' WHERE tenant_id = 'A'")
    await app.rollback()
    await _as(app, signer, "A", "ana")  # a personal entry for another user of the same tenant
    with pytest.raises(errors.InsufficientPrivilege, match="row-level security"):
        await app.execute(insert, ("A", "bob", "expense", "bob's taxi", VECTOR))
    await app.rollback()
    await _as(app, signer, None)
    with pytest.raises(errors.InsufficientPrivilege, match="row-level security"):
        await app.execute(insert, ("A", None, "fact", "no tenant set", VECTOR))


async def test_personal_entries_stay_with_their_owner(signer: ScopeSigner, app: App, seeded: dict[str, Any]) -> None:
    await _as(app, signer, "A", "bob")
    assert await _count(app, "SELECT * FROM memories WHERE kind = 'expense'") == 0
    assert await _count(app, "SELECT * FROM memories WHERE user_id = 'ana'") == 2  # her shared facts only
    await app.rollback()
    await _as(app, signer, "A", "ana")
    assert await _count(app, "SELECT * FROM memories WHERE kind = 'expense'") == 1


async def test_the_owner_comes_from_the_signed_scope_not_a_setting(signer: ScopeSigner, app: App,
                                                                     seeded: dict[str, Any]) -> None:
    """`app.user_id` is any session's to set; since migration 017 only the token's user counts."""
    await _as(app, signer, "A", "bob")
    await app.execute("SELECT set_config('app.user_id', 'ana', true)")
    assert await _count(app, "SELECT * FROM memories WHERE kind = 'expense'") == 0
    await app.rollback()
    await _as(app, signer, "A")  # a token naming no user: shared memories only
    await app.execute("SELECT set_config('app.user_id', 'ana', true)")
    assert await _count(app, "SELECT * FROM memories WHERE kind = 'expense'") == 0
    assert await _count(app, "SELECT * FROM memories") == 2
    await app.rollback()
    own = signer.token("A", user="bob")  # bob's signature on ana's name
    mac, expiry, role, tenant = own.split(".", 3)
    forged = f"{mac}.{expiry}.{role.split('+')[0]}+{b'ana'.hex()}.{tenant}"
    await app.execute("SELECT set_config('app.scope', %s, true)", (forged,))
    assert await _count(app, "SELECT * FROM memories") == 0
    await app.rollback()


async def test_the_store_cannot_be_made_to_read_across_tenants(store: MemoryStore, seeded: dict[str, Any]) -> None:
    b_ids = {m["id"] for m in seeded["B"]}
    searches: list[tuple[SearchMode, str]] = [
        ("hybrid", "B's secret launch date"), ("vector", "B's secret launch date"), ("text", "launch")
    ]
    for mode, query in searches:
        hits = await store.search("A", query, mode=mode, limit=50, user="ana")
        assert hits and not ({h["id"] for h in hits} & b_ids)
    assert "secret" not in await store.context_for("A", "When is B's secret launch?")
    with pytest.raises(MemoryNotFound):
        await store.write("A", "B's launch moved.", kind="fact", supersedes=seeded["B"][0]["id"])
    # The same text in two tenants is two memories, and dedupe never crosses tenants.
    again = await store.write("A", "B's secret launch is on 1 March.", kind="fact", subject="launch")
    assert again["status"] == "created" and again["replaced"] == []
    assert await store.stale_model_count("B") == 0 and await store.reembed("B") == 0


async def test_the_vector_of_another_tenant_is_never_a_candidate(signer: ScopeSigner, store: MemoryStore, app: App) -> None:
    # B holds many close rows; A one far one. A's nearest-neighbour search still only sees A's row.
    await store.write_many("B", [NewMemory(f"Warehouse shelf {n} holds blue mugs.", "fact") for n in range(30)])
    await store.write("A", "Quarterly tax filing is due in April.", kind="fact")
    hits = await store.search("A", "Which shelf holds the blue mugs?", mode="vector", limit=5)
    assert [h["text"] for h in hits] == ["Quarterly tax filing is due in April."]
    await _as(app, signer, "A")
    vec = "[" + ",".join(str(x) for x in np.linspace(-1, 1, 384)) + "]"
    rows = await (await app.execute(
        "SELECT tenant_id FROM memories ORDER BY embedding <=> %s::vector LIMIT 10", (vec,)
    )).fetchall()
    assert rows == [{"tenant_id": "A"}]
