"""The platform's tenants: the ids that policy scopes (and `?tenant=` of a super_admin) may name.

A tenant comes to exist through a legitimate path only (migration 013): the demo tenant at set-up,
`brain tenants add` (this store, in the process's system scope), its first run (a trigger on runs,
under that tenant's signed scope), or its own tenant_admin editing its policy overrides.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel

from runtime.db import system_conn

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Tenant(BaseModel):
    id: str
    name: str | None
    created_by: str
    created_at: datetime


def check_tenant_id(tenant: str) -> str:
    """The id, or ValueError naming the field and what is wrong."""
    if not tenant.strip():
        raise ValueError("tenant: must not be empty")
    if len(tenant) > 200:
        raise ValueError(f"tenant: at most 200 characters, got {len(tenant)}")
    if _CONTROL.search(tenant):
        raise ValueError("tenant: must not contain control characters")
    if "#" in tenant:
        raise ValueError("tenant: must not contain '#' (it separates a sandbox namespace in memory spaces)")
    if tenant == "global":
        raise ValueError("tenant: 'global' is the name of the global policy scope")
    return tenant


class TenantStore:
    def __init__(self, pool: AsyncConnectionPool[Any]):
        self.pool = pool

    async def add(self, tenant: str, *, name: str | None = None, created_by: str) -> bool:
        """Create the tenant; False when it existed already (nothing changes then)."""
        check_tenant_id(tenant)
        async with system_conn(self.pool) as conn:
            cur = await conn.execute(
                "INSERT INTO tenants (id, name, created_by) VALUES (%s, %s, %s) ON CONFLICT (id) DO NOTHING RETURNING id",
                (tenant, name, created_by))
            return await cur.fetchone() is not None

    async def list(self) -> list[Tenant]:
        async with system_conn(self.pool) as conn:
            cur = await conn.execute("SELECT id, name, created_by, created_at FROM tenants ORDER BY id")
            return [Tenant.model_validate(row) for row in await cur.fetchall()]
