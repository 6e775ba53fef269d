"""The gamification service's scope (tenant, space, caller) and its small Postgres helpers.

Every query names `tenant_id` and `space`; row-level security checks the tenant again in Postgres.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from psycopg_pool import AsyncConnectionPool

from runtime.db import tenant_conn

Row = dict[str, Any]
EMAIL = re.compile(r"^[^@\s]+@[\w-]+(?:\.[\w-]+)+$")


class GamificationError(ValueError):
    """Bad input for a gamification call; the message starts with the argument it is about."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class Scope:
    """Who acts, for which tenant, in which space ("" = the tenant's live state)."""

    pool: AsyncConnectionPool[Any]
    tenant: str
    space: str = ""
    user: str = ""
    run_id: str = ""
    demo: bool = True  # seed the demo data when the space is new

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        async with tenant_conn(self.pool, self.tenant) as conn:
            yield conn

    @property
    def key(self) -> tuple[str, str]:
        return (self.tenant, self.space)


@dataclass(frozen=True)
class TenantSettings:
    fraud_threshold: int = 50
    hold_reward_value: Decimal = Decimal(100)
    velocity_limit: int = 5


async def fetch(conn: Any, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Row]:
    cur = await conn.execute(sql, params)
    return [dict(r) for r in await cur.fetchall()]


async def fetch_one(conn: Any, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Row | None:
    cur = await conn.execute(sql, params)
    row = await cur.fetchone()
    return dict(row) if row is not None else None


async def settings(conn: Any, scope: Scope) -> TenantSettings:
    row = await fetch_one(
        conn, "SELECT fraud_threshold, hold_reward_value, velocity_limit FROM gamification_settings"
              " WHERE tenant_id = %s AND space = %s", scope.key)
    if row is None:
        return TenantSettings()
    return TenantSettings(int(row["fraud_threshold"]), Decimal(row["hold_reward_value"]), int(row["velocity_limit"]))


async def cleared_by(conn: Any, scope: Scope, tool: str, match: Mapping[str, str]) -> str | None:
    """Who cleared this call in this run: a person who approved it, or a policy that let it run
    while the gate counted it destructive. None when the gate never held it (or outside a run)."""
    try:
        run_id = str(uuid.UUID(scope.run_id))
    except ValueError:
        return None
    where = " AND ".join(f"lower(args->>'{key}') = lower(%s)" for key in match)
    row = await fetch_one(
        conn,
        "SELECT kind, actor, rule_id FROM ledger WHERE run_id = %s AND tool = %s"
        " AND ((kind = 'approval' AND outcome IN ('approved', 'edited'))"
        "      OR (kind = 'decision' AND outcome = 'auto' AND risk = 'destructive'))"
        f" AND {where} ORDER BY seq DESC LIMIT 1",
        (run_id, tool, *match.values()),
    )
    if row is None:
        return None
    return str(row["actor"]) if row["kind"] == "approval" else f"policy:{row['rule_id'] or 'allow'}"


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def check_email(field: str, value: str) -> str:
    email = value.strip().lower()
    if not EMAIL.match(email):
        raise GamificationError(field, f"{value!r} is not an email address (like ana@example.com)")
    return email


def squash(text: str) -> str:
    """A name reduced to letters and digits: "Ravi's Kitchen" -> "ravikitchen"... for matching."""
    return re.sub(r"[^a-z0-9]", "", re.sub(r"'s\b", "", text.casefold()))


def plain(value: Any) -> Any:
    """A value as JSON: decimals as numbers, dates as ISO strings, containers recursively."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value
