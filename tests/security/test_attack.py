"""Nothing readable or writable across tenants, by anyone holding the application role.

Every relation and function comes from the catalog. The attacker connects as brain_app (the role
the application uses; its tenant's effective role is brain_app plus the attacker tenant's signed
scope) and tries to read the victim's rows, update, delete and truncate them, insert rows in the
victim's name, call every function with the victim's ids, and forge the tenant or role. The victim's
rows are fingerprinted (row versions included) by the owner before and after.

The short run is part of the default pytest run; `make attack` (`-m attack`) runs every forgery,
both directions and every argument combination.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg import sql

from tests.security import attacks
from tests.security.catalog import functions, relations
from tests.security.conftest import World


async def _victim_rows(owner: psycopg.AsyncConnection[Any], world: World) -> dict[str, dict[str, Any]]:
    """One victim row per tenant table, as JSON, for the insert-as-the-victim attack."""
    rows: dict[str, dict[str, Any]] = {}
    for rel in await relations(owner):
        if rel.is_table and rel.tenant_column is not None:
            cur = await owner.execute(sql.SQL("SELECT to_jsonb(t) AS j FROM {} AS t WHERE t.{} = %s LIMIT 1").format(
                sql.Identifier(rel.schema, rel.name), sql.Identifier(rel.tenant_column)), (world.victim.id,))
            row = await cur.fetchone()
            if row is not None:
                rows[rel.qualified] = row["j"]
    return rows


async def run_attack(world: World, owner: psycopg.AsyncConnection[Any], app_conn: psycopg.AsyncConnection[Any], *,
                     full: bool) -> attacks.Findings:
    rels = await relations(owner)
    fns = await functions(owner)
    victim_rows = await _victim_rows(owner, world)
    before = await attacks.fingerprints(owner, rels, world.victim.id)
    assert sum(count for count, _ in before.values()) > 0
    findings = attacks.Findings()
    variants = await attacks.scope_variants(world, full=full)
    for label, settings in variants.items():
        for rel in rels:
            await attacks.attack_relation(app_conn, rel, world, label, settings, victim_rows.get(rel.qualified), findings)
    # Functions after the reads: a call may write its own arguments (the victim's names) into the
    # attacker's own rows (claim_due_reminders' worker), which a later read would take for a leak.
    for label, settings in variants.items():
        for fn in fns:
            await attacks.attack_function(app_conn, fn, world, label, settings, findings, full=full)
    after = await attacks.fingerprints(owner, rels, world.victim.id)
    findings.writes += [f"{name}: the victim's rows changed {before[name]} -> {after[name]}"
                        for name in before if before[name] != after[name]]
    return findings


@pytest.mark.timeout(900)
async def test_attack_short(world: World, owner: psycopg.AsyncConnection[Any],
                            app_conn: psycopg.AsyncConnection[Any]) -> None:
    findings = await run_attack(world, owner, app_conn, full=False)
    print(f"attack (short): {findings.attempts} statements, {findings.refused} refused, "
          f"{len(findings.leaks)} leaks, {len(findings.writes)} writes")
    assert (findings.leaks, findings.writes) == ([], [])
    assert findings.attempts > 200 and findings.refused > 0


@pytest.mark.attack
@pytest.mark.timeout(2400)
async def test_attack_full_both_directions(world: World, owner: psycopg.AsyncConnection[Any],
                                           app_conn: psycopg.AsyncConnection[Any]) -> None:
    total = 0
    for direction in (world, world.flipped()):
        findings = await run_attack(direction, owner, app_conn, full=True)
        print(f"attack (full, {direction.attacker.id} -> {direction.victim.id}): {findings.attempts} statements, "
              f"{findings.refused} refused, {len(findings.leaks)} leaks, {len(findings.writes)} writes")
        assert (findings.leaks, findings.writes) == ([], []), direction.attacker.id
        total += findings.attempts
    assert total > 2000
