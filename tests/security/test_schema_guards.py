"""The schema's guards, checked from the catalog: every table holding tenant data is under forced
row-level security, no policy or function trusts a setting the application may set, and the
application role has no way around either."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg import sql

from tests.security.catalog import NOT_TENANT_DATA, functions, relations
from tests.security.conftest import World


async def _holds_tenant_data(owner: psycopg.AsyncConnection[Any], schema: str, name: str, world: World) -> str | None:
    """A marker of either tenant found in the relation's rows (as text, or as hex inside bytea)."""
    for tenant in (world.attacker, world.victim):
        for marker in tenant.markers[:2]:
            cur = await owner.execute(
                sql.SQL("SELECT EXISTS (SELECT FROM {} AS t WHERE t::text LIKE %s OR t::text LIKE %s) AS found")
                .format(sql.Identifier(schema, name)), (f"%{marker}%", f"%{marker.encode().hex()}%"))
            row = await cur.fetchone()
            if row is not None and row["found"]:
                return marker
    return None


async def test_every_table_with_tenant_data_is_under_forced_row_level_security(
        world: World, owner: psycopg.AsyncConnection[Any]) -> None:
    unguarded, unseeded, unexplained = [], [], []
    for rel in await relations(owner):
        if not rel.is_table:
            continue
        key = f"{rel.schema}.{rel.name}"
        found = await _holds_tenant_data(owner, rel.schema, rel.name, world)
        if rel.tenant_column is None and found is None:
            if key not in NOT_TENANT_DATA:
                unexplained.append(f"{key}: no tenant column and no tenant data; say why in NOT_TENANT_DATA")
            continue
        if not (rel.rls and rel.forced):
            unguarded.append(f"{key} (tenant column {rel.tenant_column}, data {found!r}, rls {rel.rls}, "
                             f"forced {rel.forced})")
        cur = await owner.execute("SELECT count(*) AS n FROM pg_policies WHERE schemaname = %s AND tablename = %s"
                                  " AND 'brain_app' = ANY(roles)", (rel.schema, rel.name))
        row = await cur.fetchone()
        if row is None or row["n"] == 0:
            unguarded.append(f"{key}: no policy for brain_app")
        if rel.tenant_column is not None:
            cur = await owner.execute(sql.SQL("SELECT count(*) AS n FROM {} WHERE {} = %s").format(
                sql.Identifier(rel.schema, rel.name), sql.Identifier(rel.tenant_column)), (world.victim.id,))
            row = await cur.fetchone()
            if row is None or row["n"] == 0:
                unseeded.append(f"{key}: seed a victim row in tests/security/conftest.py so the attacks reach it")
        else:
            unguarded.append(f"{key}: holds {found!r} but has no tenant column")
    assert (unguarded, unseeded, unexplained) == ([], [], [])


async def _source_mentions(owner: psycopg.AsyncConnection[Any], oid: int, pattern: str) -> bool:
    cur = await owner.execute(
        "SELECT coalesce(prosrc, '') || coalesce(pg_get_function_sqlbody(oid), '') ~ %s AS hit FROM pg_proc"
        " WHERE oid = %s", (pattern, oid))
    row = await cur.fetchone()
    return bool(row and row["hit"])


async def test_no_policy_or_function_trusts_a_setting_the_application_sets(
        owner: psycopg.AsyncConnection[Any]) -> None:
    cur = await owner.execute(
        "SELECT tablename || '.' || policyname AS what FROM pg_policies"
        r" WHERE coalesce(qual, '') || coalesce(with_check, '') ~ 'app\.(tenant_id|role)'")
    assert await cur.fetchall() == []
    trusting = [fn.signature for fn in await functions(owner)
                if await _source_mentions(owner, fn.oid, r"app\.(tenant_id|role)")]
    assert trusting == []


async def test_the_application_role_has_no_way_around(owner: psycopg.AsyncConnection[Any],
                                                      app_conn: psycopg.AsyncConnection[Any]) -> None:
    cur = await owner.execute(
        "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb,"
        " (SELECT count(*) FROM pg_auth_members m WHERE m.member = r.oid) AS memberships,"
        " (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid)"
        " + (SELECT count(*) FROM pg_proc p WHERE p.proowner = r.oid)"
        " + (SELECT count(*) FROM pg_namespace n WHERE n.nspowner = r.oid) AS owned"
        " FROM pg_roles r WHERE rolname = 'brain_app'")
    assert await cur.fetchone() == {"rolsuper": False, "rolbypassrls": False, "rolcreaterole": False,
                                    "rolcreatedb": False, "memberships": 0, "owned": 0}
    cur = await owner.execute(r"SELECT rolname FROM pg_roles WHERE rolname NOT LIKE 'pg\_%' AND rolname <> 'brain_app'")
    others = [r["rolname"] for r in await cur.fetchall()]
    attempts = [f'SET ROLE "{name}"' for name in others] + [f'SET SESSION AUTHORIZATION "{name}"' for name in others] + [
        "SELECT key FROM brain_private.scope_key",
        "SELECT * FROM brain_private.claims('x')",
        "ALTER TABLE runs NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY tenant_runs ON runs",
        "CREATE FUNCTION public.brain_tenant_forged() RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$",
    ]
    for statement in attempts:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await app_conn.execute(statement)


async def test_shared_routing_tables_take_writes_from_the_system_scope_only(
        world: World, app_conn: psycopg.AsyncConnection[Any]) -> None:
    """A routing model is unpickled by every Brain: a tenant's session must not plant one."""
    insert = "INSERT INTO routing_models (key, payload) VALUES (%s, '\\x00')"
    for token in (world.signer.token(world.attacker.id, "super_admin"), ""):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            async with app_conn.transaction():
                await app_conn.execute("SELECT set_config('app.scope', %s, true)", (token,))
                await app_conn.execute(insert, ("planted",))
    async with app_conn.transaction():
        await app_conn.execute("SELECT set_config('app.scope', %s, true)", (world.signer.system(),))
        await app_conn.execute(insert, ("by-the-system",))
        cur = await app_conn.execute("SELECT count(*) FROM routing_models WHERE key = 'by-the-system'")
        assert await cur.fetchone() == (1,)


# SECURITY DEFINER functions the application role may call that do not read the signed scope, each
# with why that is safe (every other one must compare with brain_tenant(), brain_role() or brain_user()).
UNSCOPED_DEFINERS = {
    "public.memories_purge_expired": "deletes expired rows of every tenant; returns only a count",
    "public.brain_tenant": "verifies the token itself",
    "public.brain_role": "verifies the token itself",
    "public.brain_user": "verifies the token itself",
}
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")


async def test_every_relation_and_function_of_the_catalog_grants_the_app_role_only_what_is_guarded(
        owner: psycopg.AsyncConnection[Any]) -> None:
    """From pg_class and pg_proc, what brain_app may do to each: a table it may read or write is under
    forced row-level security (or holds no tenant's data and is read-only to it); a sequence is drawn
    from, never read or set; a SECURITY DEFINER function it may call checks the signed scope."""
    problems = []
    rels = await relations(owner)
    for rel in rels:
        name = f"{rel.qualified}"
        if rel.kind == "S":
            cur = await owner.execute("SELECT has_sequence_privilege('brain_app', %s, 'SELECT') AS r,"
                                      " has_sequence_privilege('brain_app', %s, 'UPDATE') AS w", (name, name))
            row = await cur.fetchone()
            if row is not None and (row["r"] or row["w"]):
                problems.append(f"{rel.key}: brain_app may read or set the sequence")
            continue
        granted = set()
        for privilege in TABLE_PRIVILEGES:
            cur = await owner.execute("SELECT has_table_privilege('brain_app', %s, %s) AS ok", (name, privilege))
            row = await cur.fetchone()
            if row is not None and row["ok"]:
                granted.add(privilege)
        guarded = rel.rls and rel.forced
        if granted & {"TRUNCATE", "REFERENCES", "TRIGGER"}:
            problems.append(f"{rel.key}: brain_app holds {sorted(granted & {'TRUNCATE', 'REFERENCES', 'TRIGGER'})}")
        if granted - {"SELECT"} and not guarded:
            problems.append(f"{rel.key}: brain_app may write {sorted(granted - {'SELECT'})} without forced RLS")
        if "SELECT" in granted and not guarded and rel.key not in NOT_TENANT_DATA and rel.is_table:
            problems.append(f"{rel.key}: brain_app may read it without forced RLS and it is not explained")
    for fn in await functions(owner):
        cur = await owner.execute("SELECT has_function_privilege('brain_app', %s::oid, 'EXECUTE') AS ok", (fn.oid,))
        row = await cur.fetchone()
        if not (row and row["ok"]) or not fn.security_definer or fn.returns in ("trigger", "event_trigger"):
            continue
        key = f"{fn.schema}.{fn.name}"
        if key not in UNSCOPED_DEFINERS and not await _source_mentions(owner, fn.oid, r"brain_(tenant|role|user)\(\)"):
            problems.append(f"{fn.signature}: SECURITY DEFINER, callable by brain_app, reads no signed scope")
    assert problems == []
    assert len(rels) > 20  # the catalog was read, not a remembered list


async def test_only_the_webhook_records_telegram_updates(world: World, app_conn: psycopg.AsyncConnection[Any]) -> None:
    """A tenant's session cannot mark the bot's future updates as seen (which would drop them)."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        await app_conn.execute("INSERT INTO telegram_updates (update_id) VALUES (99000001)")
    await app_conn.rollback()
    for token in (world.signer.token(world.attacker.id, "super_admin"), ""):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="system scope"):
            async with app_conn.transaction():
                await app_conn.execute("SELECT set_config('app.scope', %s, true)", (token,))
                await app_conn.execute("SELECT telegram_first_sight(99000002, 3)")
    async with app_conn.transaction():
        await app_conn.execute("SELECT set_config('app.scope', %s, true)", (world.signer.system(),))
        first = await (await app_conn.execute("SELECT telegram_first_sight(99000003, 3) AS f")).fetchone()
        again = await (await app_conn.execute("SELECT telegram_first_sight(99000003, 3) AS f")).fetchone()
    assert (first, again) in (((True,), (False,)), ({"f": True}, {"f": False}))
