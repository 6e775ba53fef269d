"""The attacks: SQL of the attacker's choosing as brain_app, against every relation and function the
catalog lists, under the attacker's own signed scope and under forged ones. Each attack reports
what it saw of the victim and what of the victim's it changed; the tests assert both are nothing."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import tuple_row
from psycopg.types.json import Jsonb

from runtime import db
from tests.security.catalog import NOT_TENANT_DATA, Function, Relation
from tests.security.conftest import World

Settings = dict[str, str]


@dataclass
class Findings:
    """What got through: each entry names the relation or function, the scope and what happened."""

    leaks: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    attempts: int = 0
    refused: int = 0


async def scope_variants(world: World, *, full: bool) -> dict[str, Settings]:
    """The attacker's signed scope, then the forgeries: settings the policies used to trust, tokens
    tampered with, signed with another key, expired, another user's id. (The system scope itself is
    the process's own, which the attacker cannot mint; tests/runtime/test_isolation.py shows it sees
    no tenant's rows.)"""
    a, v, signer = world.attacker, world.victim, world.signer
    own = signer.token(a.id, "operator")
    mac, expiry, role, _ = own.split(".", 3)
    variants = {
        "signed attacker scope": {"app.scope": own},
        "forged app.tenant_id/app.role": {"app.scope": "", "app.tenant_id": v.id, "app.role": "super_admin"},
        "attacker's mac on the victim's name": {"app.scope": f"{mac}.{expiry}.{role}.{v.id}"},
        "system scope with forged settings": {"app.scope": _tamper_role(signer.system(), v.id)},
    }
    if full:
        async with await psycopg.AsyncConnection.connect(world.db_url) as owner:
            cur = await owner.execute("SELECT key FROM brain_private.scope_key")
            row = await cur.fetchone()
            assert row is not None
            key = bytes(row[0])
        variants |= {
            "signed attacker admin scope": {"app.scope": signer.token(a.id, "tenant_admin")},
            "signed scope plus forged settings": {"app.scope": own, "app.tenant_id": v.id, "app.role": "super_admin",
                                                  "app.user_id": v.user},
            "attacker's mac with super_admin": {"app.scope": f"{mac}.{expiry}.super_admin.{a.id}"},
            "attacker's mac with a longer life": {"app.scope": f"{mac}.{int(expiry) + 3600}.{role}.{a.id}"},
            "another key": {"app.scope": db.ScopeSigner(os.urandom(32)).token(v.id, "super_admin")},
            "expired victim token": {"app.scope": db.ScopeSigner(key, clock=lambda: 0).token(v.id, "super_admin")},
            "no scope at all": {},
            "malformed token": {"app.scope": "x" * 64 + ".99999999999.system."},
        }
    return variants


def _tamper_role(token: str, tenant: str) -> str:
    """The system token's signature on a tenant's name."""
    mac, expiry, _, _ = token.split(".", 3)
    return f"{mac}.{expiry}.system.{tenant}"


async def _in_scope(conn: psycopg.AsyncConnection[Any], settings: Settings) -> None:
    for name, value in settings.items():
        await conn.execute("SELECT set_config(%s, %s, true)", (name, value))


def _mentions(text: str, markers: tuple[str, ...]) -> str | None:
    return next((m for m in markers if m and m in text), None)


async def fingerprints(owner: psycopg.AsyncConnection[Any], relations: list[Relation], tenant: str) -> dict[str, Any]:
    """Per tenant table, the count and a digest (row versions included) of the tenant's rows, as the owner."""
    out = {}
    for rel in relations:
        if not rel.is_table or rel.tenant_column is None:
            continue
        query = sql.SQL("SELECT count(*), md5(coalesce(string_agg(t.xmin::text || t.ctid::text || t::text, '|'"
                        " ORDER BY t.ctid), '')) FROM {} AS t WHERE t.{} = %s").format(
            sql.Identifier(rel.schema, rel.name), sql.Identifier(rel.tenant_column))
        cur = owner.cursor(row_factory=tuple_row)
        await cur.execute(query, (tenant,))
        out[rel.qualified] = await cur.fetchone()
    return out


async def _attempt(conn: psycopg.AsyncConnection[Any], settings: Settings, statement: sql.Composable | str,
                   params: tuple[Any, ...] = (), *, fetch: bool = False) -> tuple[int, list[str]] | None:
    """Run one statement in its own committed transaction; None when Postgres refused it."""
    try:
        async with conn.transaction():
            await _in_scope(conn, settings)
            cur = await conn.execute(statement, params)
            rows = [str(r) for r in await cur.fetchall()] if fetch and cur.description else []
            return cur.rowcount, rows
    except psycopg.Error:
        return None


async def attack_relation(conn: psycopg.AsyncConnection[Any], rel: Relation, world: World, label: str,
                          settings: Settings, victim_row: dict[str, Any] | None, findings: Findings) -> None:
    name = sql.Identifier(rel.schema, rel.name)
    markers = world.victim.markers
    patterns = [f"%{m}%" for m in markers if m]
    read = (sql.SQL("SELECT count(*) FROM {} AS t").format(name) if rel.key in NOT_TENANT_DATA else
            sql.SQL("SELECT t::text FROM {} AS t WHERE t::text LIKE ANY(%s) LIMIT 1").format(name))
    statements: list[tuple[str, sql.Composable, tuple[Any, ...], bool]] = [
        ("read", read, () if rel.key in NOT_TENANT_DATA else (patterns,), True),
    ]
    if rel.is_table and rel.columns:
        first = sql.Identifier(rel.columns[0])
        statements += [
            ("update all", sql.SQL("UPDATE {} AS t SET {} = {}").format(name, first, first), (), False),
            ("truncate", sql.SQL("TRUNCATE {}").format(name), (), False),
        ]
        if rel.key not in NOT_TENANT_DATA:  # aimed at the victim's rows: by its tenant column, else its text
            victim_rows = (sql.SQL("t.{} = %s").format(sql.Identifier(rel.tenant_column)) if rel.tenant_column
                           else sql.SQL("t::text LIKE ('%%' || %s || '%%')"))
            statements += [
                ("update", sql.SQL("UPDATE {} AS t SET {} = {} WHERE ").format(name, first, first) + victim_rows,
                 (world.victim.id,), False),
                ("delete", sql.SQL("DELETE FROM {} AS t WHERE ").format(name) + victim_rows, (world.victim.id,), False),
            ]
        if victim_row is not None:
            cols = sql.SQL(", ").join(sql.Identifier(c) for c in rel.columns)
            statements.append(("insert as the victim", sql.SQL(
                "INSERT INTO {} ({}) SELECT {} FROM jsonb_populate_record(NULL::{}, %s)").format(name, cols, cols, name),
                (Jsonb(victim_row),), False))
    if rel.kind == "S":
        statements.append(("setval", sql.SQL("SELECT setval(%s, 1)"), (rel.qualified,), False))
    for what, statement, params, fetch in statements:
        findings.attempts += 1
        result = await _attempt(conn, settings, statement, params, fetch=fetch)
        if result is None:
            findings.refused += 1
            continue
        rowcount, rows = result
        for row in rows:
            if (seen := _mentions(row, markers)) is not None:
                findings.leaks.append(f"{rel.qualified} {what} under {label}: saw {seen!r}")
                break
        if what == "truncate" or what == "setval" or (what in ("insert as the victim",) and rowcount > 0):
            findings.writes.append(f"{rel.qualified} {what} under {label}: allowed")


# Values an attacker would pass: the victim's own ids, codes and names.
def _candidates(type_name: str, world: World) -> list[Any]:
    v = world.victim
    table: dict[str, list[Any]] = {
        "uuid": [v.run_id, v.reminder_id],
        "text": [v.id, v.code_hash, v.user, ""],
        "bigint": [v.chat_id],
        "integer": [1000],
        "smallint": [1],
        "boolean": [True],
        "bytea": [b"\x00"],
    }
    return table.get(type_name, [None])


def calls(fn: Function, world: World, *, full: bool) -> list[tuple[Any, ...]]:
    """Full: every combination (up to 64); short: the i-th candidate of every argument at once."""
    options = [_candidates(t, world) for t in fn.arg_types]
    if not full:
        width = max((len(o) for o in options), default=1)
        return [tuple(o[min(i, len(o) - 1)] for o in options) for i in range(width)]
    return list(itertools.islice(itertools.product(*options), 64))


async def attack_function(conn: psycopg.AsyncConnection[Any], fn: Function, world: World, label: str,
                          settings: Settings, findings: Findings, *, full: bool) -> None:
    if fn.returns in ("trigger", "event_trigger"):
        return  # not callable directly; the tables' attacks fire them
    casts = sql.SQL(", ").join(sql.SQL("%s::") + sql.SQL(t) for t in fn.arg_types)
    name = sql.Identifier(fn.schema, fn.name)
    statement = (sql.SQL("CALL {}({})") if fn.kind == "p" else sql.SQL("SELECT * FROM {}({}) AS r")).format(name, casts)
    for args in calls(fn, world, full=full):
        findings.attempts += 1
        result = await _attempt(conn, settings, statement, args, fetch=fn.kind != "p")
        if result is None:
            findings.refused += 1
            continue
        for row in result[1]:
            if (seen := _mentions(row, world.victim.markers)) is not None:
                findings.leaks.append(f"{fn.signature} {args} under {label}: returned {seen!r}")
                break
