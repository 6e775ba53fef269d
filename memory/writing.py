"""The write side of the memory store: validation, idempotency, dedupe and `supersedes`.

Each function takes a connection inside a transaction whose tenant (and user) are already set, and
an advisory lock on (tenant, kind, subject[, owner]) already held, so the checks and the insert
see every earlier write of the same key.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.types.json import Jsonb

from memory.errors import InvalidMemory, MemoryNotFound
from memory.kinds import check_kind, is_personal
from memory.pg import Row, fetch_rows
from memory.search import short_ref


@dataclass(frozen=True)
class NewMemory:
    """One entry for `MemoryStore.write_many`. `supersedes` is a memory ID (full, or its m:<8 hex> ref)."""

    text: str
    kind: str
    subject: str | None = None
    tags: Sequence[str] = ()
    metadata: Mapping[str, Any] | None = None
    expires_at: datetime | None = None
    supersedes: str | None = None


@dataclass(frozen=True)
class Draft:
    """A NewMemory checked and normalised (stripped text and subject, unique tags)."""

    text: str
    kind: str
    subject: str | None
    tags: list[str]
    metadata: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None
    supersedes: str | None = None


def validated(entry: NewMemory, user: str | None) -> Draft:
    text = entry.text.strip()
    if not text:
        raise InvalidMemory("text is empty: a memory needs something to remember")
    kind = check_kind(entry.kind)
    if is_personal(kind) and not user:
        raise InvalidMemory(f"{kind!r} is a personal kind: write it with the user it belongs to")
    if isinstance(entry.tags, str):
        raise InvalidMemory(f"tags must be a list of strings, got the string {entry.tags!r}")
    tags = list(dict.fromkeys(tag.strip() for tag in entry.tags if tag.strip()))
    metadata = dict(entry.metadata or {})
    try:
        json.dumps(metadata)
    except (TypeError, ValueError) as exc:
        raise InvalidMemory(f"metadata must be JSON-serialisable: {exc}") from None
    if entry.expires_at is not None:
        if entry.expires_at.tzinfo is None:
            raise InvalidMemory(f"expires_at must be timezone-aware, got {entry.expires_at.isoformat()}")
        if entry.expires_at <= datetime.now(UTC):
            raise InvalidMemory(f"expires_at ({entry.expires_at.isoformat()}) is in the past")
    subject = (entry.subject or "").strip() or None
    return Draft(text, kind, subject, tags, metadata, entry.expires_at, entry.supersedes)


def maybe_uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def run_uuid(source_run: uuid.UUID | str | None) -> uuid.UUID | None:
    if source_run is None or isinstance(source_run, uuid.UUID):
        return source_run
    run = maybe_uuid(source_run)
    if run is None:
        raise InvalidMemory(f"source_run must be a run's UUID, got {source_run!r}")
    return run


def lock_key(tenant: str, kind: str, subject: str | None, user: str | None) -> int:
    """A 64-bit advisory lock key for one dedupe scope."""
    owner = (user or "") if is_personal(kind) else ""
    digest = hashlib.blake2b(f"memory\x1f{tenant}\x1f{kind}\x1f{subject or ''}\x1f{owner}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


async def write_one(
    conn: AsyncConnection[Any],
    *,
    tenant: str,
    user: str | None,
    agent: str | None,
    run: uuid.UUID | None,
    draft: Draft,
    vector: Any,
    model: str,
    dim: int,
    threshold: float,
) -> dict[str, Any]:
    replaced: list[dict[str, Any]] = []
    target = await resolve(conn, draft.supersedes) if draft.supersedes else None
    same = await _identical(conn, draft)
    if same is not None and not same["expired"]:
        if target is not None and target != same["id"]:
            await _retire(conn, [target], same["id"])
            replaced.append({"id": str(target), "ref": short_ref(target), "reason": "supersedes"})
        return _written(same, draft, "unchanged", replaced)
    if same is not None:  # expired but not purged yet: the fresh entry takes its place
        await conn.execute("DELETE FROM memories WHERE id = %s", (same["id"],))

    near = [row for row in await _near_duplicates(conn, draft, vector, model, threshold) if row["id"] != target]
    [row] = await fetch_rows(
        conn,
        "INSERT INTO memories (tenant_id, user_id, agent, source_run, kind, subject, text, tags, metadata,"
        " embedding, embed_model, embed_dim, expires_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id, created_at",
        [tenant, user, agent, run, draft.kind, draft.subject, draft.text, draft.tags, Jsonb(draft.metadata),
         vector, model, dim, draft.expires_at],
    )
    if target is not None:
        replaced.append({"id": str(target), "ref": short_ref(target), "reason": "supersedes"})
    replaced += [
        {"id": str(old["id"]), "ref": short_ref(old["id"]), "reason": "near_duplicate",
         "similarity": round(float(old["similarity"]), 4)}
        for old in near
    ]
    old_ids = ([target] if target is not None else []) + [old["id"] for old in near]
    if old_ids:
        await _retire(conn, old_ids, row["id"])
    return _written(row, draft, "created", replaced)


async def resolve(conn: AsyncConnection[Any], ref: str) -> uuid.UUID:
    """The live memory a full ID or an m:<hex prefix> ref (8+ hex digits) names, locked for update."""
    digits = ref.strip().removeprefix("m:").replace("-", "").lower()
    if not re.fullmatch(r"[0-9a-f]{8,32}", digits):
        raise InvalidMemory(f"supersedes must be a memory ID or its m:<8 hex digits> ref, got {ref!r}")
    low, high = uuid.UUID(digits.ljust(32, "0")), uuid.UUID(digits.ljust(32, "f"))
    rows = await fetch_rows(
        conn, "SELECT id, superseded_by FROM memories WHERE id BETWEEN %s AND %s LIMIT 2 FOR UPDATE", [low, high]
    )
    if not rows:
        raise MemoryNotFound(f"no memory {ref!r} in this tenant's memory: search for it to get its ID")
    if len(rows) > 1:
        raise InvalidMemory(f"{ref!r} matches more than one memory: give its full ID")
    if rows[0]["superseded_by"] is not None:
        newer = short_ref(rows[0]["superseded_by"])
        raise MemoryNotFound(f"memory {ref!r} was already replaced by {newer}: supersede that one instead")
    memory_id: uuid.UUID = rows[0]["id"]
    return memory_id


async def _identical(conn: AsyncConnection[Any], draft: Draft) -> Row | None:
    """The live entry with the same (kind, subject, text), expired or not (uses memories_idempotency)."""
    rows = await fetch_rows(
        conn,
        "SELECT id, created_at, expires_at IS NOT NULL AND expires_at <= now() AS expired FROM memories"
        " WHERE kind = %s AND coalesce(subject, '') = %s AND md5(text) = md5(%s) AND text = %s"
        " AND superseded_by IS NULL",
        [draft.kind, draft.subject or "", draft.text, draft.text],
    )
    return rows[0] if rows else None


async def _near_duplicates(
    conn: AsyncConnection[Any], draft: Draft, vector: Any, model: str, threshold: float
) -> list[Row]:
    """Live entries of the same kind and subject at least `threshold` similar (an exact scan of them)."""
    subject = "subject = %s" if draft.subject is not None else "subject IS NULL"
    return await fetch_rows(
        conn,
        "SELECT id, 1 - (embedding <=> %s) AS similarity FROM memories"
        f" WHERE kind = %s AND {subject} AND superseded_by IS NULL"
        " AND (expires_at IS NULL OR expires_at > now()) AND embed_model = %s AND (embedding <=> %s) <= %s"
        " ORDER BY similarity DESC",
        [vector, draft.kind, *([draft.subject] if draft.subject is not None else []), model, vector,
         1.0 - threshold],
    )


async def _retire(conn: AsyncConnection[Any], old_ids: list[uuid.UUID], newer: uuid.UUID) -> None:
    await conn.execute("UPDATE memories SET superseded_by = %s WHERE id = ANY(%s)", (newer, old_ids))


def _written(row: Row, draft: Draft, status: str, replaced: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "ref": short_ref(row["id"]),
        "status": status,
        "kind": draft.kind,
        "subject": draft.subject,
        "created_at": row["created_at"].isoformat(),
        "replaced": replaced,
    }
