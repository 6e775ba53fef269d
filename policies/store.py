"""Policy versions in Postgres: who may edit what, every edit a new version, any version restorable.

Scopes: 'global' (super_admin only) and one per tenant (that tenant's tenant_admin, or a
super_admin). The effective policy of a tenant is the newest global document with the newest
overrides of that tenant on top, read in one query.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel

from policies.defaults import default_policy
from policies.diff import diff
from policies.model import ROLE_RANK, Policy, TenantOverrides

GLOBAL = "global"

# (tenant, role) -> the signed scope token Postgres verifies (runtime/scope.py makes them; the
# application's pool offers one as `pool.scope_token`).
ScopeToken = Callable[[str, str], str]


class PolicyPermissionError(PermissionError):
    """The actor may not edit this scope; the message says who may."""


class PolicyVersionNotFound(LookupError):
    pass


class UnknownTenant(LookupError):
    """A policy scope names a tenant that does not exist."""

    def __init__(self, tenant: str):
        super().__init__(f"tenant: no tenant {tenant!r}; `brain tenants add {tenant}` creates one")
        self.tenant = tenant


def check_editor(scope: str, actor_tenant: str, actor_role: str) -> None:
    if actor_role == "super_admin":
        return
    if scope == GLOBAL:
        raise PolicyPermissionError("only a super_admin edits the global policy; tenant admins edit their tenant's overrides")
    if actor_role != "tenant_admin" or actor_tenant != scope:
        raise PolicyPermissionError(f"only tenant {scope!r}'s tenant_admin or a super_admin edits its overrides (you are {actor_role} of {actor_tenant!r})")


class PolicyStore:
    """Each method names its tenant (and role) to Postgres with a signed scope token, so row-level
    security applies; without a token source (an owner's pool) it names none."""

    def __init__(self, pool: AsyncConnectionPool[Any], scope_token: ScopeToken | None = None):
        self.pool = pool
        self._scope_token: ScopeToken | None = scope_token or getattr(pool, "scope_token", None)

    @asynccontextmanager
    async def _tx(self, tenant: str, role: str = "operator") -> AsyncIterator[Any]:
        token = self._scope_token(tenant, role) if self._scope_token is not None else ""
        async with self.pool.connection() as conn, conn.transaction():
            await conn.execute("SELECT set_config('app.scope', %s, true)", (token,))
            yield conn

    async def tenant_exists(self, tenant: str) -> bool:
        """Whether the tenant exists (`brain tenants add`, its first run, or its own admin's edit)."""
        if tenant == GLOBAL:
            return False
        async with self._tx(tenant) as conn:
            cur = await conn.execute("SELECT EXISTS (SELECT FROM tenants WHERE id = %s) AS known", (tenant,))
            row = await cur.fetchone()
        return bool(row and row["known"])

    async def ensure_tenant(self, tenant: str, created_by: str) -> None:
        """Record a tenant whose own signed scope acts (its admin's edit): it exists from now on."""
        async with self._tx(tenant) as conn:
            await conn.execute("INSERT INTO tenants (id, created_by) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING",
                               (tenant, created_by))

    async def require_tenant(self, tenant: str) -> None:
        """UnknownTenant unless the tenant exists."""
        if not await self.tenant_exists(tenant):
            raise UnknownTenant(tenant)

    async def effective(self, tenant: str) -> Policy:
        """The policy decisions for this tenant use, in one query."""
        async with self._tx(tenant) as conn:
            cur = await conn.execute(
                "SELECT DISTINCT ON (scope) id, scope, document FROM policy_versions "
                "WHERE scope IN (%s, %s) ORDER BY scope, id DESC",
                (GLOBAL, tenant),
            )
            rows = {row["scope"]: row for row in await cur.fetchall()}
        glob = rows.get(GLOBAL)
        policy = Policy.model_validate(glob["document"]) if glob else default_policy()
        version = glob["id"] if glob else 0
        local = rows.get(tenant) if tenant != GLOBAL else None
        if local is None:
            return policy.model_copy(update={"version": version})
        return policy.with_overrides(tenant, TenantOverrides.model_validate(local["document"]), max(version, local["id"]))

    async def current(self, scope: str) -> tuple[int, dict[str, Any]]:
        """The newest version id and document of a scope (0 and the default when never edited)."""
        async with self._tx(scope) as conn:
            cur = await conn.execute(
                "SELECT id, document FROM policy_versions WHERE scope = %s ORDER BY id DESC LIMIT 1", (scope,)
            )
            row = await cur.fetchone()
        if row is not None:
            return int(row["id"]), dict(row["document"])
        empty: BaseModel = default_policy() if scope == GLOBAL else TenantOverrides()
        return 0, empty.model_dump(mode="json")

    async def save(self, scope: str, document: dict[str, Any], *, author: str, author_tenant: str, author_role: str,
                   note: str | None = None, restored_from: int | None = None) -> int:
        """Validate and store a new version of a scope; returns its id."""
        check_editor(scope, author_tenant, author_role)
        model: BaseModel = Policy.model_validate(document) if scope == GLOBAL else TenantOverrides.model_validate(document)
        clean = model.model_dump(mode="json", exclude={"version"})
        if scope != GLOBAL:
            if scope == author_tenant:
                await self.ensure_tenant(scope, author)
            else:
                await self.require_tenant(scope)
        _, before = await self.current(scope)
        before.pop("version", None)
        async with self._tx(author_tenant if scope == GLOBAL else scope, author_role) as conn:
            cur = await conn.execute(
                "INSERT INTO policy_versions (scope, document, author, author_role, note, diff, restored_from) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
                (scope, Jsonb(clean), author, author_role, note, Jsonb(diff(before, clean)), restored_from),
            )
            row = await cur.fetchone()
        assert row is not None
        return int(row["id"])

    async def history(self, scope: str | None = None, limit: int = 50, *, tenant: str | None = None) -> list[dict[str, Any]]:
        """Versions newest first: of one scope, or all this tenant may see (global and its own)."""
        where, params = ("WHERE scope = %s", [scope]) if scope else ("", [])
        async with self._tx(tenant or scope or GLOBAL) as conn:
            cur = await conn.execute(
                "SELECT id, scope, author, author_role, note, diff, restored_from, created_at FROM policy_versions "
                f"{where} ORDER BY id DESC LIMIT %s", (*params, limit),
            )
            return list(await cur.fetchall())

    async def restore(self, version: int, *, author: str, author_tenant: str, author_role: str) -> int:
        async with self._tx(author_tenant, author_role) as conn:
            cur = await conn.execute("SELECT scope, document FROM policy_versions WHERE id = %s", (version,))
            row = await cur.fetchone()
        if row is None:
            raise PolicyVersionNotFound(f"no policy version {version}; `brain policy history` lists them")
        return await self.save(row["scope"], dict(row["document"]), author=author, author_tenant=author_tenant,
                               author_role=author_role, note=f"restored version {version}", restored_from=version)

    async def set_workflow(self, scope: str, workflow: str, changes: dict[str, Any], *, author: str,
                           author_tenant: str, author_role: str, note: str | None = None) -> int:
        """Change some settings of one workflow in a scope (global settings or a tenant's overrides)."""
        _, document = await self.current(scope)
        current = dict(document.get("workflows", {}).get(workflow, {}))
        current.update(changes)
        document.setdefault("workflows", {})[workflow] = current
        return await self.save(scope, document, author=author, author_tenant=author_tenant, author_role=author_role, note=note)


def role_at_least(role: str, needed: str) -> bool:
    return ROLE_RANK.get(role, -1) >= ROLE_RANK.get(needed, 99)
