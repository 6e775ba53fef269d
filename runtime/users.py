"""Local users: e-mail, argon2 password hash (pwdlib), one role in one tenant; refresh sessions.

Signing in happens before a tenant is known, so this store works in the process's signed system
scope (migration 015); the API and `brain users` are its only callers. A wrong e-mail and a wrong
password are refused the same way, in about the same time (a dummy hash is checked for an unknown
e-mail). After `max_failures` wrong passwords in a row the account is locked for `lockout_seconds`.
Refresh tokens are random secrets handed out once; only their SHA-256 is stored.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg_pool import AsyncConnectionPool
from pwdlib import PasswordHash
from pydantic import BaseModel

from runtime.db import system_conn
from runtime.tenants import check_tenant_id

ROLES = ("viewer", "operator", "tenant_admin", "super_admin")
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_COLUMNS = "id::text AS id, email, role, tenant_id AS tenant, disabled, locked_until, created_by, created_at, last_login_at"


class User(BaseModel):
    id: str
    email: str
    role: str
    tenant: str
    disabled: bool
    locked_until: datetime | None
    created_by: str
    created_at: datetime
    last_login_at: datetime | None


class LoginRefused(Exception):
    """Wrong e-mail or password (one message for both), or a disabled account."""


class AccountLocked(LoginRefused):
    """Too many wrong passwords in a row; `retry_after` seconds until the next try is heard."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class SessionInvalid(Exception):
    """A refresh token that is unknown, expired, revoked, or whose user was disabled."""


class UnknownUser(LookupError):
    def __init__(self, email: str):
        super().__init__(f"email: no user {email!r}; `brain users list` shows them")


WRONG_CREDENTIALS = "wrong e-mail or password"


def check_email(email: str) -> str:
    """The e-mail in lower case, or ValueError naming the field."""
    clean = email.strip().lower()
    if len(clean) > 254 or not _EMAIL.match(clean):
        raise ValueError(f"email: {email!r} is not an e-mail address")
    return clean


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"password: at least {MIN_PASSWORD_CHARS} characters, got {len(password)}")
    if len(password) > MAX_PASSWORD_CHARS:
        raise ValueError(f"password: at most {MAX_PASSWORD_CHARS} characters")
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"role: {role!r} is not one of {', '.join(ROLES)}")
    return role


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UserStore:
    def __init__(self, pool: AsyncConnectionPool[Any], *, max_failures: int = 5, lockout_seconds: int = 900,
                 hasher: PasswordHash | None = None):
        self.pool = pool
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self.hasher = hasher or PasswordHash.recommended()
        self._dummy: str | None = None

    async def _hash(self, password: str) -> str:
        return await asyncio.to_thread(self.hasher.hash, password)

    async def _verify(self, password: str, hashed: str) -> bool:
        return await asyncio.to_thread(self.hasher.verify, password, hashed)

    # -- administration (`brain users ...`) -------------------------------------------------

    async def add(self, email: str, password: str, *, role: str, tenant: str, created_by: str) -> User:
        """A new user (its tenant is created when missing); ValueError naming the field otherwise."""
        email, role, tenant = check_email(email), check_role(role), check_tenant_id(tenant)
        hashed = await self._hash(check_password(password))
        async with system_conn(self.pool) as conn:
            await conn.execute("INSERT INTO tenants (id, created_by) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING",
                               (tenant, created_by))
            cur = await conn.execute(
                "INSERT INTO users (email, password_hash, role, tenant_id, created_by) VALUES (%s, %s, %s, %s, %s) "
                f"ON CONFLICT (email) DO NOTHING RETURNING {_COLUMNS}", (email, hashed, role, tenant, created_by))
            row = await cur.fetchone()
        if row is None:
            raise ValueError(f"email: a user {email!r} exists already (`brain users set-role` or `set-password` change it)")
        return User.model_validate(row)

    async def list(self, tenant: str | None = None) -> list[User]:
        async with system_conn(self.pool) as conn:
            cur = await conn.execute(
                f"SELECT {_COLUMNS} FROM users WHERE %(tenant)s::text IS NULL OR tenant_id = %(tenant)s "
                "ORDER BY tenant_id, email", {"tenant": tenant})
            return [User.model_validate(row) for row in await cur.fetchall()]

    async def get(self, email: str) -> User | None:
        async with system_conn(self.pool) as conn:
            cur = await conn.execute(f"SELECT {_COLUMNS} FROM users WHERE email = %s", (check_email(email),))
            row = await cur.fetchone()
        return User.model_validate(row) if row else None

    async def _change(self, email: str, assignments: str, params: tuple[Any, ...]) -> User:
        email = check_email(email)
        async with system_conn(self.pool) as conn:
            cur = await conn.execute(f"UPDATE users SET {assignments} WHERE email = %s RETURNING {_COLUMNS}",
                                     (*params, email))
            row = await cur.fetchone()
            if row is None:
                raise UnknownUser(email)
            # Whatever changed, the sessions opened before it end: the next refresh signs in again.
            await conn.execute("UPDATE user_sessions SET revoked_at = now() WHERE user_id = %s::uuid AND revoked_at IS NULL",
                               (row["id"],))
        return User.model_validate(row)

    async def set_disabled(self, email: str, disabled: bool = True) -> User:
        return await self._change(email, "disabled = %s", (disabled,))

    async def set_role(self, email: str, role: str) -> User:
        return await self._change(email, "role = %s", (check_role(role),))

    async def set_password(self, email: str, password: str) -> User:
        hashed = await self._hash(check_password(password))
        return await self._change(email, "password_hash = %s, password_changed_at = now(), failed_logins = 0, "
                                         "locked_until = NULL", (hashed,))

    # -- signing in -------------------------------------------------------------------------

    async def authenticate(self, email: str, password: str) -> User:
        """The user, or LoginRefused / AccountLocked. Counts wrong passwords and locks the account."""
        try:
            email = check_email(email)
        except ValueError:
            email = ""
        async with system_conn(self.pool) as conn:
            cur = await conn.execute(
                f"SELECT {_COLUMNS}, password_hash, greatest(0, ceil(extract(epoch FROM locked_until - now())))::int "
                "AS locked_for FROM users WHERE email = %s", (email,))
            row = await cur.fetchone()
        if row is None:
            if self._dummy is None:
                self._dummy = await self._hash(secrets.token_urlsafe(16))
            await self._verify(password, self._dummy)  # the same work as for a real account
            raise LoginRefused(WRONG_CREDENTIALS)
        if row["locked_for"] > 0:
            raise AccountLocked(f"too many wrong passwords: this account is locked; try again in {row['locked_for']} s",
                                row["locked_for"])
        if not await self._verify(password, row["password_hash"]):
            await self._failed(row["id"])
            raise LoginRefused(WRONG_CREDENTIALS)
        if row["disabled"]:
            raise LoginRefused("this account is disabled; ask an administrator")
        async with system_conn(self.pool) as conn:
            await conn.execute("UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = now() "
                               "WHERE id = %s::uuid", (row["id"],))
        return User.model_validate(row)

    async def _failed(self, user_id: str) -> None:
        async with system_conn(self.pool) as conn:
            await conn.execute(
                "UPDATE users SET failed_logins = CASE WHEN failed_logins + 1 >= %(max)s THEN 0 ELSE failed_logins + 1 END, "
                "locked_until = CASE WHEN failed_logins + 1 >= %(max)s THEN now() + make_interval(secs => %(lock)s) "
                "ELSE locked_until END WHERE id = %(id)s::uuid",
                {"max": self.max_failures, "lock": self.lockout_seconds, "id": user_id})

    async def open_session(self, user: User, ttl_seconds: int) -> str:
        """A new refresh token for the user (shown once; only its hash is kept)."""
        token = secrets.token_urlsafe(32)
        async with system_conn(self.pool) as conn:
            await conn.execute(
                "INSERT INTO user_sessions (user_id, tenant_id, token_hash, expires_at) VALUES (%s::uuid, %s, %s, %s)",
                (user.id, user.tenant, _digest(token), datetime.now(UTC) + timedelta(seconds=ttl_seconds)))
        return token

    async def rotate_session(self, token: str, ttl_seconds: int) -> tuple[User, str]:
        """The session's user and a new refresh token; the old token is revoked. SessionInvalid otherwise."""
        async with system_conn(self.pool) as conn:
            cur = await conn.execute(
                "UPDATE user_sessions s SET revoked_at = now() FROM users u "
                "WHERE s.token_hash = %s AND s.revoked_at IS NULL AND s.expires_at > now() "
                "AND u.id = s.user_id AND NOT u.disabled RETURNING s.user_id::text AS user_id", (_digest(token),))
            row = await cur.fetchone()
            if row is None:
                raise SessionInvalid("the refresh token is unknown, expired or revoked: sign in again")
            cur = await conn.execute(f"SELECT {_COLUMNS} FROM users WHERE id = %s::uuid", (row["user_id"],))
            user = User.model_validate(await cur.fetchone())
        return user, await self.open_session(user, ttl_seconds)

    async def revoke_session(self, token: str) -> bool:
        async with system_conn(self.pool) as conn:
            cur = await conn.execute("UPDATE user_sessions SET revoked_at = now() WHERE token_hash = %s "
                                     "AND revoked_at IS NULL", (_digest(token),))
            return bool(cur.rowcount)

    async def count(self) -> int:
        async with system_conn(self.pool) as conn:
            cur = await conn.execute("SELECT count(*) AS n FROM users")
            row = await cur.fetchone()
        return int(row["n"]) if row else 0
