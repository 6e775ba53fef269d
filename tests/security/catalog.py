"""What the schema holds, read from the catalog (pg_class, pg_attribute, pg_proc): the attack suite
lists its targets here instead of naming the tables and functions someone remembered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import tuple_row

# Columns that name a row's tenant (policy_versions.scope: 'global' or a tenant; tenants.id).
TENANT_COLUMNS = ("tenant_id", "tenant", "scope")
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")
# Relations that hold no tenant's data, each with the reason (tests/security/test_schema_guards.py
# checks that no tenant's marker is in them; the attacks read them without scanning their rows).
NOT_TENANT_DATA = {
    "public.schema_migrations": "migration versions",
    "public.routing_examples": "the agents' own examples and their embeddings, shared by every tenant",
    "public.routing_models": "trained routing models, shared by every tenant",
    "public.checkpoint_migrations": "LangGraph's schema versions",
    "public.telegram_updates": "Telegram update ids of the bot, before any tenant is known",
    "brain_private.scope_key": "the signing key: no tenant's data, and brain_app cannot use the schema",
}
KINDS = {"r": "table", "p": "partitioned table", "v": "view", "m": "materialized view", "S": "sequence",
         "f": "foreign table"}


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str
    kind: str  # a key of KINDS
    rls: bool
    forced: bool
    columns: tuple[str, ...]  # insertable columns (not generated), in order
    tenant_column: str | None

    @property
    def qualified(self) -> str:
        return f'"{self.schema}"."{self.name}"'

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def is_table(self) -> bool:
        return self.kind in ("r", "p", "f")


@dataclass(frozen=True)
class Function:
    schema: str
    name: str
    oid: int
    arg_types: tuple[str, ...]
    returns: str
    kind: str  # 'f' function, 'p' procedure
    security_definer: bool

    @property
    def signature(self) -> str:
        return f"{self.schema}.{self.name}({', '.join(self.arg_types)})"


async def relations(conn: psycopg.AsyncConnection[Any]) -> list[Relation]:
    """Every table, view and sequence outside the system schemas, extensions' own excluded."""
    cur = conn.cursor(row_factory=tuple_row)
    await cur.execute(
        """
        SELECT n.nspname, c.relname, c.relkind::text, c.relrowsecurity, c.relforcerowsecurity,
               coalesce(array_agg(a.attname::text ORDER BY a.attnum)
                        FILTER (WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''), '{}')
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attribute a ON a.attrelid = c.oid
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND n.nspname <> ALL (%s) AND n.nspname NOT LIKE 'pg_temp%%'
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                          AND d.deptype = 'e')
        GROUP BY n.nspname, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity
        ORDER BY n.nspname, c.relname
        """,
        (list(SYSTEM_SCHEMAS),),
    )
    out = []
    for schema, name, kind, rls, forced, columns in await cur.fetchall():
        tenant = next((c for c in TENANT_COLUMNS if c in columns), None)
        if schema == "public" and name == "tenants":
            tenant = "id"
        out.append(Relation(schema, name, kind, rls, forced, tuple(columns), tenant))
    return out


async def functions(conn: psycopg.AsyncConnection[Any]) -> list[Function]:
    """Every function and procedure outside the system schemas, extensions' own excluded."""
    cur = conn.cursor(row_factory=tuple_row)
    await cur.execute(
        """
        SELECT n.nspname, p.proname, p.oid::bigint,
               coalesce((SELECT array_agg(format_type(t, NULL) ORDER BY i)
                         FROM unnest(p.proargtypes) WITH ORDINALITY AS u(t, i)), '{}'),
               format_type(p.prorettype, NULL), p.prokind::text, p.prosecdef
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname <> ALL (%s) AND p.prokind IN ('f', 'p')
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                          AND d.deptype = 'e')
        ORDER BY n.nspname, p.proname, p.oid
        """,
        (list(SYSTEM_SCHEMAS),),
    )
    return [Function(s, n, oid, tuple(args), ret, kind, sd) for s, n, oid, args, ret, kind, sd in await cur.fetchall()]
