"""Who a Telegram chat belongs to: links between chats and a tenant's people, and link codes.

A team member asks the API for a one-time code and sends `/link CODE` to the bot; the chat is
then bound to that user, tenant and role. The webhook finds the person by chat id through a
SECURITY DEFINER function that returns the link only (row-level security stays on the table).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg_pool import AsyncConnectionPool

from runtime.db import system_conn, tenant_conn

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
KINDS = ("team", "customer", "family", "elder")


class LinkNotFound(LookupError):
    """Nobody linked matches; the message says who is linked."""


class AmbiguousLink(LookupError):
    """Several linked people match; the message names them."""


@dataclass(frozen=True)
class Link:
    tenant_id: str
    user_id: str
    chat_id: int
    name: str
    kind: str = "team"
    role: str = "viewer"
    handle: str | None = None
    timezone: str | None = None
    opted_in: bool = True
    lists: list[str] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        """The link as a tool result shows it (no chat id)."""
        out = asdict(self)
        out.pop("chat_id")
        out.pop("tenant_id")
        return out


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


def _link(row: dict[str, Any]) -> Link:
    return Link(tenant_id=row["tenant_id"], user_id=row["user_id"], chat_id=int(row["chat_id"]), name=row["name"],
                kind=row["kind"], role=row["role"], handle=row.get("handle"), timezone=row.get("timezone"),
                opted_in=bool(row["opted_in"]), lists=list(row.get("lists") or []))


def _norm(text: str) -> str:
    return " ".join(text.strip().lstrip("@").split()).casefold()


class LinkStore:
    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        self.pool = pool

    # -- codes and the webhook's view ---------------------------------------------------------

    async def create_code(self, tenant: str, user_id: str, role: str, name: str, *, ttl_minutes: int = 15) -> tuple[str, datetime]:
        """A one-time code (shown once, stored hashed) that links the chat which sends it to this user."""
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        code = f"{raw[:4]}-{raw[4:]}"
        expires = datetime.now(UTC) + timedelta(minutes=ttl_minutes)
        async with tenant_conn(self.pool, tenant) as conn:
            await conn.execute(
                "INSERT INTO telegram_link_codes (code_hash, tenant_id, user_id, role, name, expires_at)"
                " VALUES (%s, %s, %s, %s, %s, %s)", (_hash(code), tenant, user_id, role, name, expires))
        return code, expires

    async def redeem(self, code: str, chat_id: int, handle: str | None) -> Link | None:
        """Spend a code from a chat; None when it is unknown, used or expired."""
        async with system_conn(self.pool) as conn:
            cur = await conn.execute("SELECT * FROM telegram_redeem_code(%s, %s, %s)", (_hash(code), chat_id, handle))
            row = await cur.fetchone()
        if row is None:
            return None
        return Link(tenant_id=row["tenant_id"], user_id=row["user_id"], chat_id=chat_id, name=row["name"],
                    role=row["role"], handle=handle)

    async def by_chat(self, chat_id: int) -> Link | None:
        """The live link of a chat, across tenants (the webhook knows only the chat)."""
        async with system_conn(self.pool) as conn:
            cur = await conn.execute("SELECT * FROM telegram_chat_link(%s)", (chat_id,))
            row = await cur.fetchone()
        if row is None:
            return None
        return Link(tenant_id=row["tenant_id"], user_id=row["user_id"], chat_id=chat_id, name=row["name"],
                    kind=row["kind"], role=row["role"])

    # -- a tenant's links ------------------------------------------------------------------------

    async def upsert(self, tenant: str, space: str, link: Link) -> None:
        if link.kind not in KINDS:
            raise ValueError(f"kind: one of {', '.join(KINDS)}, got {link.kind!r}")
        async with tenant_conn(self.pool, tenant) as conn:
            await conn.execute(
                "INSERT INTO telegram_links (tenant_id, space, user_id, kind, role, chat_id, name, handle, timezone,"
                " opted_in, lists) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (tenant_id, space, user_id) DO UPDATE SET kind = EXCLUDED.kind, role = EXCLUDED.role,"
                " chat_id = EXCLUDED.chat_id, name = EXCLUDED.name, handle = EXCLUDED.handle,"
                " timezone = EXCLUDED.timezone, opted_in = EXCLUDED.opted_in, lists = EXCLUDED.lists",
                (tenant, space, link.user_id, link.kind, link.role, link.chat_id, link.name, link.handle,
                 link.timezone, link.opted_in, link.lists))

    async def remove(self, tenant: str, space: str, user_id: str) -> bool:
        async with tenant_conn(self.pool, tenant) as conn:
            cur = await conn.execute("DELETE FROM telegram_links WHERE tenant_id = %s AND space = %s AND user_id = %s",
                                     (tenant, space, user_id))
            return bool(cur.rowcount)

    async def clear(self, tenant: str, space: str) -> None:
        async with tenant_conn(self.pool, tenant) as conn:
            await conn.execute("DELETE FROM telegram_links WHERE tenant_id = %s AND space = %s", (tenant, space))

    async def members(self, tenant: str, space: str) -> list[Link]:
        async with tenant_conn(self.pool, tenant) as conn:
            cur = await conn.execute("SELECT * FROM telegram_links WHERE tenant_id = %s AND space = %s ORDER BY name",
                                     (tenant, space))
            return [_link(row) for row in await cur.fetchall()]

    async def get(self, tenant: str, space: str, user_id: str) -> Link | None:
        return next((m for m in await self.members(tenant, space) if m.user_id == user_id), None)

    async def resolve(self, tenant: str, space: str, who: str) -> Link:
        """The linked person named by user id, @handle or name (a unique first name will do)."""
        members = await self.members(tenant, space)
        wanted = _norm(who)
        def first_name(m: Link) -> bool:
            return " " not in wanted and _norm(m.name).split()[:1] == [wanted]

        tests: list[Callable[[Link], bool]] = [
            lambda m: _norm(m.user_id) == wanted,
            lambda m: m.handle is not None and _norm(m.handle) == wanted,
            lambda m: _norm(m.name) == wanted,
            first_name,
            lambda m: any(_norm(label) == wanted for label in m.lists),  # "my brother", "mom"
        ]
        words = set(wanted.replace("'s ", " ").split())  # "Uncle Bram", "Mom's neighbour Ines"
        tests.append(lambda m: bool(words & set(_norm(m.name).split()[:1])))
        tests.append(lambda m: bool(words & {_norm(label) for label in m.lists}))
        for test in tests:
            found = [m for m in members if test(m)]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                names = ", ".join(f"{m.name} ({m.user_id})" for m in found)
                raise AmbiguousLink(f"user: {who!r} matches several linked people ({names}); name one by id or @handle")
        linked = ", ".join(m.name for m in members) or "nobody yet"
        raise LinkNotFound(f"user: nobody linked on Telegram matches {who!r} (linked: {linked});"
                           " they link their chat with /link CODE")

    async def audience(self, tenant: str, space: str, audience: str) -> list[Link]:
        """team, opted_in_customers, family (family and elders), or the name of a saved list."""
        members = await self.members(tenant, space)
        key = _norm(audience).replace(" ", "_")
        if key in ("team", "staff"):
            return [m for m in members if m.kind == "team"]
        if key in ("opted_in_customers", "customers"):
            return [m for m in members if m.kind == "customer" and m.opted_in]
        if key == "family":
            return [m for m in members if m.kind in ("family", "elder")]
        asked = set(_norm(audience).split())
        for exact in (True, False):  # the exact list name, then "VIP" for "vip customers"
            saved = [m for m in members if any(_norm(name) == _norm(audience) if exact else asked <= set(_norm(name).split())
                                               for name in m.lists)]
            if saved:
                return saved
        lists = sorted({name for m in members for name in m.lists})
        raise LinkNotFound(f"audience: {audience!r} is not team, opted_in_customers, family or a saved list"
                           f" (saved lists: {', '.join(lists) or 'none'})")
