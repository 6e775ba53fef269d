"""The tenant's shared memory in Postgres + pgvector: write, hybrid search, expiry, re-embedding,
and the cited context an agent plans with.

Isolation is Postgres's job (DESIGN.md invariant 5). The pool connects as `brain_app`, and each
method works in one transaction that first sets `app.scope` (the signed scope token naming the tenant
and the user) with `set_config(..., true)` (transaction-local, like SET LOCAL); the row-level
security policy of `memories` verifies it (runtime/migrations/003_memory.sql, 013, 017). Queries here never filter by tenant
themselves; an insert names its tenant and the policy's WITH CHECK refuses any other. (`reembed`
is the exception to "one transaction": one per batch, see there.)

Periodic purge: the runtime calls `purge_expired()` on a timer (e.g. hourly), as brain_app. It
runs the SECURITY DEFINER function `memories_purge_expired()`, which deletes every tenant's
expired rows as the table owner: the app role cannot see across tenants and need not for this.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import numpy as np
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from memory import writing
from memory.embeddings import Embedder, Vectors
from memory.errors import EmbeddingMismatch, InvalidMemory, MemoryStoreError
from memory.pg import Row, VectorAdapters, fetch_rows
from memory.search import (
    MODES,
    RRF_K,
    Filters,
    SearchMode,
    as_result,
    cited_summary,
    fetch_query,
    reciprocal_rank_fusion,
    vector_query,
)
from memory.writing import NewMemory

__all__ = ["BoundMemory", "MemoryStore", "NewMemory"]


class MemoryStore:
    """Memories of all tenants, read and written one tenant (and user) at a time.

    dedupe_threshold: cosine similarity at or above which a new entry replaces an older one of the
        same tenant, kind and subject (the older is marked superseded_by the new one).
    ef_search: hnsw.ef_search for searches (candidates walked in the HNSW graph; recall vs time).
    candidates: how many hits each side of a hybrid search contributes to the fusion.
    context_min_similarity: a hit goes into an agent's context only if it matched the request's
        words or is at least this similar to it.
    """

    def __init__(
        self,
        pool: AsyncConnectionPool[Any],
        embedder: Embedder,
        *,
        dedupe_threshold: float = 0.95,
        ef_search: int = 100,
        candidates: int = 40,
        rrf_k: int = RRF_K,
        context_min_similarity: float = 0.3,
        scope_token: Callable[[str, str, str | None], str] | None = None,
    ) -> None:
        if not 0.0 < dedupe_threshold <= 1.0:
            raise InvalidMemory(f"dedupe_threshold must be in (0, 1], got {dedupe_threshold}")
        self._pool = pool
        self._embedder = embedder
        self.dedupe_threshold = dedupe_threshold
        self.ef_search = ef_search
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.context_min_similarity = context_min_similarity
        self._vectors = VectorAdapters()
        # (tenant, role, user) -> the signed scope token row-level security verifies (the application's
        # pool makes them: runtime/scope.py AppPool.scope_token); an owner's pool has none. The user
        # in it is whose personal memories the transaction sees (migration 017).
        self._scope_token: Callable[[str, str, str | None], str] | None = (
            scope_token or getattr(pool, "scope_token", None))

    # ---- writing ----------------------------------------------------------------------------------

    async def write(
        self,
        tenant: str,
        text: str,
        *,
        kind: str,
        subject: str | None = None,
        tags: Sequence[str] = (),
        user: str | None = None,
        agent: str | None = None,
        source_run: uuid.UUID | str | None = None,
        metadata: Mapping[str, Any] | None = None,
        expires_at: datetime | None = None,
        supersedes: str | None = None,
    ) -> dict[str, Any]:
        """Store one memory; see `write_many`. Returns {id, ref, status, kind, subject, created_at, replaced}."""
        entry = NewMemory(text, kind, subject, tags, metadata, expires_at, supersedes)
        [written] = await self.write_many(tenant, [entry], user=user, agent=agent, source_run=source_run)
        return written

    async def write_many(
        self,
        tenant: str,
        entries: Sequence[NewMemory],
        *,
        user: str | None = None,
        agent: str | None = None,
        source_run: uuid.UUID | str | None = None,
    ) -> list[dict[str, Any]]:
        """Store entries in one transaction, embedded in one batch.

        Idempotent on (kind, subject, text): a live entry with the same three comes back with
        status "unchanged". A live entry of the same kind and subject whose embedding is at least
        `dedupe_threshold` similar is replaced by the new one, and so is `supersedes`: both are
        listed under "replaced" with the reason. Personal kinds need `user` (their owner).
        """
        user = user or None
        drafts = [writing.validated(entry, user) for entry in entries]
        if not drafts:
            return []
        run = writing.run_uuid(source_run)
        vectors = await self._embed([draft.text for draft in drafts])
        async with self._transaction(tenant, user) as conn:
            # One writer at a time per (tenant, kind, subject[, owner]): dedupe sees every earlier write.
            for key in sorted({writing.lock_key(tenant, draft.kind, draft.subject, user) for draft in drafts}):
                await conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
            return [
                await writing.write_one(
                    conn, tenant=tenant, user=user, agent=agent, run=run, draft=draft, vector=vector,
                    model=self._embedder.name, dim=self._embedder.dim, threshold=self.dedupe_threshold,
                )
                for draft, vector in zip(drafts, vectors, strict=True)
            ]

    # ---- searching --------------------------------------------------------------------------------

    async def search(
        self,
        tenant: str,
        query: str,
        *,
        user: str | None = None,
        kind: str | Iterable[str] | None = None,
        subject: str | None = None,
        agent: str | None = None,
        written_by: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 5,
        mode: SearchMode = "hybrid",
    ) -> list[dict[str, Any]]:
        """The best live memories for `query`, best first, as plain JSON types.

        `user` is who is asking (personal kinds are theirs only); `written_by` narrows to entries
        written by that user; since/until bound created_at (until exclusive). mode "hybrid" fuses
        vector and full-text rankings by reciprocal rank; "vector" and "text" use one of them.
        """
        if mode not in MODES:
            raise InvalidMemory(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        if not 1 <= limit <= 100:
            raise InvalidMemory(f"limit must be between 1 and 100, got {limit}")
        query = query.strip()
        if not query:
            raise InvalidMemory("query is empty: give the words or question to search for")
        filters = Filters.build(kind=kind, subject=subject, agent=agent, written_by=written_by, since=since, until=until)
        vector = (await self._embed([query]))[0] if mode != "text" else None
        depth = limit if mode == "vector" else max(self.candidates, limit)

        async with self._transaction(tenant, user or None, ef_search=max(self.ef_search, depth)) as conn:
            by_vector = await self._nearest(conn, filters, vector, depth) if vector is not None else []
            by_text = await self._text_ranked(conn, query, filters, depth) if mode != "vector" else []
            rows = {row["id"]: row for row in by_vector}
            missing = [memory_id for memory_id, _ in by_text if memory_id not in rows]
            if missing:
                params: list[Any] = [vector, missing] if vector is not None else [missing]
                rows.update({row["id"]: row for row in await fetch_rows(conn, fetch_query(vector is not None), params)})

        text_rank = dict(by_text)
        ranked: list[tuple[uuid.UUID, float]]
        if mode == "vector":
            ranked = [(row["id"], float(row["similarity"])) for row in by_vector]
        elif mode == "text":
            ranked = list(by_text)
        else:
            ranked = reciprocal_rank_fusion(
                [[row["id"] for row in by_vector], [memory_id for memory_id, _ in by_text]], k=self.rrf_k
            )
        return [
            as_result(rows[memory_id], score=score, text_rank=text_rank.get(memory_id))
            for memory_id, score in ranked
            if memory_id in rows
        ][:limit]

    async def _nearest(self, conn: AsyncConnection[Any], filters: Filters, vector: Any, depth: int) -> list[Row]:
        sql, params = vector_query(filters, vector, self._embedder.name, depth)
        rows = await fetch_rows(conn, sql, params)
        if len(rows) < depth:
            # The HNSW scan yields ef_search candidates and only then applies the filters (and the
            # tenant policy); when they leave too few, rank the filtered rows exactly instead: with
            # index scans off, the planner reaches them through the btree indexes (bitmap scans).
            await conn.execute("SELECT set_config('enable_indexscan', 'off', true)")
            rows = await fetch_rows(conn, sql, params)
            await conn.execute("SELECT set_config('enable_indexscan', 'on', true)")
        return rows

    async def _text_ranked(
        self, conn: AsyncConnection[Any], query: str, filters: Filters, depth: int
    ) -> list[tuple[uuid.UUID, float]]:
        rows = await fetch_rows(
            conn,
            "SELECT id, rank FROM memories_text_search("
            "%s, %s, %s::text[], %s, %s, %s, %s::timestamptz, %s::timestamptz)",
            [query, depth, *filters.text_search_args()],
        )
        return [(row["id"], float(row["rank"])) for row in rows]

    async def context_for(
        self, tenant: str, request: str, *, user: str | None = None, limit: int = 5, max_chars: int = 1200
    ) -> str:
        """What the memory says about a request, for an agent's context: at most `max_chars`, one
        "[m:<ref>] text" line per relevant memory, best first ("" when nothing is relevant)."""
        if not request.strip():
            return ""
        hits = await self.search(tenant, request, user=user, limit=limit)
        relevant = [
            hit for hit in hits
            if hit["text_rank"] is not None or (hit["similarity"] or 0.0) >= self.context_min_similarity
        ]
        return cited_summary(relevant, max_chars)

    # ---- maintenance ------------------------------------------------------------------------------

    async def purge_expired(self) -> int:
        """Delete expired memories of every tenant (with their superseded history); return how many."""
        async with self._pool.connection() as conn, conn.transaction():
            [row] = await fetch_rows(conn, "SELECT memories_purge_expired() AS purged", [])
            return int(row["purged"])

    async def stale_model_count(self, tenant: str) -> int:
        """How many live memories of the tenant were embedded by another model than the current one."""
        total = 0
        async with self._transaction(tenant, None) as conn:
            for owner in [None, *await self._personal_owners(conn)]:
                await self._act_as(conn, tenant, owner)
                where, params = self._stale(owner)
                [row] = await fetch_rows(conn, f"SELECT count(*) AS n FROM memories WHERE {where}", params)
                total += int(row["n"])
        return total

    async def reembed(self, tenant: str, batch_size: int = 256) -> int:
        """Re-embed the tenant's live memories made by another model; return how many were updated.

        Runs one transaction per batch (reads, then writes after embedding outside it), so a long
        re-embed holds no locks while the model works and can be stopped and resumed: a row is
        updated only if it still carries the model it was read with.
        """
        if batch_size < 1:
            raise InvalidMemory(f"batch_size must be at least 1, got {batch_size}")
        async with self._transaction(tenant, None) as conn:
            owners: list[str | None] = [None, *await self._personal_owners(conn)]
        updated = 0
        for owner in owners:
            where, params = self._stale(owner)
            while True:
                async with self._transaction(tenant, owner) as conn:
                    batch = await fetch_rows(
                        conn, f"SELECT id, text, embed_model FROM memories WHERE {where} ORDER BY id LIMIT %s",
                        [*params, batch_size],
                    )
                if not batch:
                    break
                vectors = await self._embed([row["text"] for row in batch])
                async with self._transaction(tenant, owner) as conn, conn.cursor() as cur:
                    await cur.executemany(
                        "UPDATE memories SET embedding = %s, embed_model = %s, embed_dim = %s"
                        " WHERE id = %s AND embed_model = %s",
                        [
                            (vector, self._embedder.name, self._embedder.dim, row["id"], row["embed_model"])
                            for row, vector in zip(batch, vectors, strict=True)
                        ],
                    )
                    updated += max(cur.rowcount, 0)
        return updated

    async def entries(self, tenant: str, limit: int = 1000) -> list[dict[str, Any]]:
        """The tenant's live memories, shared and every owner's personal ones, newest first."""
        out: list[dict[str, Any]] = []
        async with self._transaction(tenant, None) as conn:
            for owner in [None, *await self._personal_owners(conn)]:
                await self._act_as(conn, tenant, owner)
                scope = "memory_kind_is_personal(kind) AND user_id = %s" if owner else "NOT memory_kind_is_personal(kind)"
                out += await fetch_rows(
                    conn, "SELECT id, kind, subject, text, tags, user_id, agent, created_at FROM memories"
                    f" WHERE superseded_by IS NULL AND {scope} ORDER BY created_at DESC LIMIT %s",
                    [*([owner] if owner else []), limit])
        out.sort(key=lambda row: row["created_at"], reverse=True)
        return out[:limit]

    async def forget_tenant(self, tenant: str) -> int:
        """Delete every memory of the tenant (a finished eval namespace); return how many."""
        deleted = 0
        async with self._transaction(tenant, None) as conn:
            for owner in [None, *await self._personal_owners(conn)]:
                await self._act_as(conn, tenant, owner)
                cur = await conn.execute("DELETE FROM memories WHERE superseded_by IS NULL"
                                         + (" AND user_id = %s" if owner else " AND NOT memory_kind_is_personal(kind)"),
                                         [owner] if owner else [])
                deleted += max(cur.rowcount, 0)
        return deleted

    def _stale(self, owner: str | None) -> tuple[str, list[Any]]:
        """Live rows of one scope (shared kinds, or one owner's personal kinds) on another model."""
        scope = "memory_kind_is_personal(kind) AND user_id = %s" if owner else "NOT memory_kind_is_personal(kind)"
        where = f"superseded_by IS NULL AND {scope} AND (embed_model <> %s OR embed_dim <> %s)"
        return where, [*([owner] if owner else []), self._embedder.name, self._embedder.dim]

    async def _personal_owners(self, conn: AsyncConnection[Any]) -> list[str]:
        rows = await fetch_rows(conn, "SELECT owner FROM memories_personal_owners() AS owner", [])
        return [str(row["owner"]) for row in rows]

    # ---- plumbing ---------------------------------------------------------------------------------

    def bound(self, tenant: str, user: str | None, agent: str | None, run_id: str | None) -> BoundMemory:
        """This store seen by one run: what tools reach through ToolContext.memory."""
        return BoundMemory(self, tenant=tenant, user=user, agent=agent, run_id=run_id)

    @asynccontextmanager
    async def _transaction(
        self, tenant: str, user: str | None, *, ef_search: int | None = None
    ) -> AsyncIterator[AsyncConnection[Any]]:
        """A transaction scoped to one tenant (and user) before any statement touches memories."""
        if not tenant or not tenant.strip():
            raise InvalidMemory("tenant is required: every memory belongs to one tenant")
        token = self._scope_token(tenant, "operator", user or None) if self._scope_token is not None else ""
        async with self._pool.connection() as conn, conn.transaction():
            await self._vectors.prepare(conn)
            await conn.execute(
                "SELECT set_config('app.scope', %s, true), set_config('hnsw.ef_search', %s, true)",
                (token, str(ef_search or self.ef_search)),
            )
            yield conn

    async def _act_as(self, conn: AsyncConnection[Any], tenant: str, user: str | None) -> None:
        """Within the tenant's transaction, act for another user (or none: shared memories only)."""
        token = self._scope_token(tenant, "operator", user or None) if self._scope_token is not None else ""
        await conn.execute("SELECT set_config('app.scope', %s, true)", (token,))

    async def _embed(self, texts: list[str]) -> Vectors:
        dim = self._vectors.column_dim
        if dim is not None and self._embedder.dim != dim:
            raise EmbeddingMismatch(
                f"the embedder {self._embedder.name!r} gives {self._embedder.dim} dimensions but"
                f" memories.embedding holds {dim}: migrate the column (and its HNSW index) first"
            )
        vectors = await asyncio.to_thread(self._embedder.embed, texts)
        if vectors.shape != (len(texts), self._embedder.dim):
            raise MemoryStoreError(
                f"the embedder {self._embedder.name!r} returned shape {vectors.shape},"
                f" expected ({len(texts)}, {self._embedder.dim})"
            )
        return np.asarray(vectors, dtype=np.float32)


class BoundMemory:
    """A MemoryStore fixed to one tenant, user, agent and run: satisfies tools.context.MemoryService."""

    def __init__(self, store: MemoryStore, *, tenant: str, user: str | None, agent: str | None, run_id: str | None):
        self.store = store
        self.tenant = tenant
        self.user = user
        self.agent = agent
        self.run_id = run_id

    async def search(
        self, query: str, *, kind: str | None = None, subject: str | None = None, limit: int = 5
    ) -> list[dict[str, Any]]:
        return await self.store.search(self.tenant, query, user=self.user, kind=kind, subject=subject, limit=limit)

    async def write(
        self,
        text: str,
        *,
        kind: str,
        subject: str | None = None,
        tags: Sequence[str] = (),
        supersedes: str | None = None,
    ) -> dict[str, Any]:
        # Runs have UUIDs; a run id of another shape (a test's, an external one) goes into metadata.
        run = writing.maybe_uuid(self.run_id)
        metadata = {"run": self.run_id} if self.run_id and run is None else None
        return await self.store.write(
            self.tenant, text, kind=kind, subject=subject, tags=tags, user=self.user, agent=self.agent,
            source_run=run, metadata=metadata, supersedes=supersedes,
        )
