"""Routing index persistence: example embeddings in pgvector, trained models by training key."""

from __future__ import annotations

import asyncio
import hashlib
import pickle
from collections.abc import Sequence
from typing import Any

import numpy as np
import structlog
from pgvector.psycopg import register_vector_async
from psycopg_pool import AsyncConnectionPool

from agents.routing import RoutingModel, training_key, training_set
from agents.spec import AgentSpec
from memory.embeddings import Embedder
from runtime.db import system_conn

log = structlog.get_logger(__name__)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def _embeddings(pool: AsyncConnectionPool[Any], embedder: Embedder, texts: list[str], labels: list[str]) -> np.ndarray[Any, Any]:
    """Vectors for the texts: stored ones from pgvector, the rest embedded now and stored."""
    hashes = [_hash(t) for t in texts]
    async with system_conn(pool) as conn:  # shared by every tenant: only the system scope writes here
        await register_vector_async(conn)
        cur = await conn.execute(
            "SELECT text_hash, embedding FROM routing_examples WHERE embed_model = %s AND text_hash = ANY(%s)",
            (embedder.name, hashes),
        )
        known = {row["text_hash"]: np.asarray(row["embedding"], dtype=np.float32) for row in await cur.fetchall()}
        missing = [i for i, h in enumerate(hashes) if h not in known]
        if missing:
            vectors = await asyncio.to_thread(embedder.embed, [texts[i] for i in missing])
            async with conn.cursor() as cursor:
                await cursor.executemany(
                    "INSERT INTO routing_examples (embed_model, text_hash, agent, text, embedding) "
                    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    [(embedder.name, hashes[i], labels[i], texts[i], vectors[n]) for n, i in enumerate(missing)],
                )
            known.update({hashes[i]: vectors[n] for n, i in enumerate(missing)})
    return np.stack([known[h] for h in hashes]).astype(np.float32)


async def load_or_train(
    pool: AsyncConnectionPool[Any], specs: Sequence[AgentSpec], out_of_scope: Sequence[str], embedder: Embedder
) -> RoutingModel:
    """The routing model for this catalog: from Postgres when trained before, else trained and stored."""
    texts, labels = training_set(specs, out_of_scope)
    key = training_key(embedder.name, texts, labels)
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT payload FROM routing_models WHERE key = %s", (key,))
        row = await cur.fetchone()
    if row is not None:
        model: RoutingModel = pickle.loads(row["payload"])  # written by us, below
        return model
    vectors = await _embeddings(pool, embedder, texts, labels)
    model = await asyncio.to_thread(RoutingModel.train, texts, labels, vectors, key=key)
    async with system_conn(pool) as conn:  # only the system scope writes models (they are unpickled)
        await conn.execute(
            "INSERT INTO routing_models (key, payload) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (key, pickle.dumps(model)),
        )
    log.info("routing model trained", key=key[:12], examples=len(texts))
    return model
