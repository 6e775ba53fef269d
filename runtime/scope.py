"""Signed scopes: the tenant and role a transaction acts for, as Postgres verifies them.

A scope token is `<hex mac>.<expiry>.<role>.<tenant>` with mac = HMAC-SHA256(key, "<expiry>.<role>.<tenant>");
one that names a user too reads `<hex mac>.<expiry>.<role>+<user as hex UTF-8>.<tenant>` (the mac over all
after the first dot). runtime/migrations/013_scope_tokens.sql and 017 verify it (brain_tenant(),
brain_role(), brain_user()). The key is made
by that migration and read once, as the owner, when a Brain starts (`load_signer`); the application
role can neither read it nor mint a token. See runtime/db.py for the threat model.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import psycopg
import structlog
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

log = structlog.get_logger(__name__)

TENANT_ROLES = frozenset({"viewer", "operator", "tenant_admin", "super_admin"})
SYSTEM_ROLE = "system"
SCOPE_SETTING = "app.scope"
# Long enough for any one transaction (Postgres checks the expiry against the transaction's start),
# short enough that a token seen in a log is soon worthless.
TOKEN_TTL_SECONDS = 900

# The tenant (and role) the current task acts for: set by db.tenant_scope, read when a connection
# is taken from an AppPool and by db.scoped.
current_scope: ContextVar[tuple[str, str] | None] = ContextVar("brain_tenant_scope", default=None)


class ScopeError(ValueError):
    """A scope that cannot be signed (empty tenant, unknown role); the message names the field."""


class ScopeSigner:
    """Mints scope tokens with the database's key. Never logs or shows the key."""

    def __init__(self, key: bytes, *, ttl_seconds: int = TOKEN_TTL_SECONDS, clock: Callable[[], float] = time.time):
        if len(key) != 32:
            raise ScopeError("key: a scope key has 32 bytes")
        self._key = key
        self._ttl = ttl_seconds
        self._clock = clock

    def __repr__(self) -> str:
        return "ScopeSigner(key=<hidden>)"

    def token(self, tenant: str, role: str = "operator", user: str | None = None) -> str:
        """A token for one tenant and one of its roles, and the user acting (whose personal
        memories it may see); without a user, no personal memory is visible."""
        if not tenant or not tenant.strip():
            raise ScopeError("tenant: must not be empty")
        if "\x00" in tenant:
            raise ScopeError("tenant: must not contain NUL")
        if role not in TENANT_ROLES:
            raise ScopeError(f"role: {role!r} is not one of {', '.join(sorted(TENANT_ROLES))}")
        if user is not None and ("\x00" in user or len(user.encode()) > 512):
            raise ScopeError("user: must not contain NUL or pass 512 bytes")
        return self._sign(tenant, f"{role}+{user.encode().hex()}" if user else role)

    def system(self) -> str:
        """The process's own cross-tenant scope: no tenant's rows, the cross-tenant functions in full."""
        return self._sign("", SYSTEM_ROLE)

    def _sign(self, tenant: str, role: str) -> str:
        body = f"{int(self._clock()) + self._ttl}.{role}.{tenant}"
        mac = hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()
        return f"{mac}.{body}"


async def load_signer(owner_url: str) -> ScopeSigner:
    """The signer of this database, its key read as the owner (migration 013 made it)."""
    async with await psycopg.AsyncConnection.connect(owner_url, autocommit=True) as conn:
        cur = await conn.execute("SELECT key FROM brain_private.scope_key")
        row = await cur.fetchone()
    if row is None:
        raise ScopeError("key: brain_private.scope_key is empty; run the migrations (migration 013 makes the key)")
    return ScopeSigner(bytes(row[0]))


class AppPool(AsyncConnectionPool[Any]):
    """The application's pool. Each connection, when taken, is set to the scope of the task taking it
    (a session setting, so LangGraph's saver, which takes its own connections, is scoped too); a task
    with no scope gets an empty one, which sees no tenant's rows. Stores that name a tenant
    themselves call `scope_token` and set it for their transaction."""

    def __init__(self, url: str, signer: ScopeSigner | None, *, max_size: int = 8):
        self.signer = signer
        super().__init__(
            url, min_size=1, max_size=max_size, open=False,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            check=self._set_task_scope if signer is not None else None,
        )

    def scope_token(self, tenant: str, role: str = "operator", user: str | None = None) -> str:
        """A signed token for this tenant, role and user ('' without a signer: an owner's pool needs none)."""
        return self.signer.token(tenant, role, user) if self.signer is not None else ""

    def system_token(self) -> str:
        return self.signer.system() if self.signer is not None else ""

    async def _set_task_scope(self, conn: psycopg.AsyncConnection[Any]) -> None:
        scope = current_scope.get()
        token = ""
        if scope is not None:
            try:
                token = self.scope_token(*scope)
            except ScopeError as exc:  # fail closed: the connection sees no tenant
                log.warning("unsigned scope", error=str(exc))
        await conn.execute("SELECT set_config(%s, %s, false)", (SCOPE_SETTING, token))


async def set_scope(conn: psycopg.AsyncConnection[Any], token: str) -> None:
    """Name a scope for the rest of the current transaction (like SET LOCAL)."""
    await conn.execute("SELECT set_config(%s, %s, true)", (SCOPE_SETTING, token))
