"""Routing index persistence: example embeddings in pgvector, trained models (the router's and the tool
classifier's) by training key."""

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
from runtime.understanding.tool_model import ToolModel, load_examples
from runtime.understanding.tool_model import training_key as tool_training_key
from runtime.understanding.tool_model import training_set as tool_training_set
from tools.registry import ToolRegistry

log = structlog.get_logger(__name__)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _array(stored: Any) -> np.ndarray[Any, Any]:
    """A stored embedding as a float32 array (pgvector hands back its own Vector type)."""
    return np.asarray(stored.to_numpy() if hasattr(stored, "to_numpy") else stored, dtype=np.float32)


async def _embeddings(pool: AsyncConnectionPool[Any], embedder: Embedder, texts: list[str], labels: list[str]) -> np.ndarray[Any, Any]:
    """Vectors for the texts: stored ones from pgvector, the rest embedded now and stored."""
    hashes = [_hash(t) for t in texts]
    async with system_conn(pool) as conn:  # shared by every tenant: only the system scope writes here
        await register_vector_async(conn)
        cur = await conn.execute(
            "SELECT text_hash, embedding FROM routing_examples WHERE embed_model = %s AND text_hash = ANY(%s)",
            (embedder.name, hashes),
        )
        known = {row["text_hash"]: _array(row["embedding"]) for row in await cur.fetchall()}
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


async def load_or_train_tools(
    pool: AsyncConnectionPool[Any], specs: Sequence[AgentSpec], tools: ToolRegistry, embedder: Embedder
) -> ToolModel:
    """The tool classifier for these annotated examples (agents/training/): from Postgres when trained
    before (beside the routing models, by its own training key), else trained and stored."""
    data = tool_training_set(load_examples(), specs, tools)
    key = tool_training_key(embedder.name, data)
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT payload FROM routing_models WHERE key = %s", (key,))
        row = await cur.fetchone()
    if row is not None:
        model: ToolModel = pickle.loads(row["payload"])  # written by us, below
        return model
    vectors = await _embeddings(pool, embedder, data.texts, data.labels)
    model = await asyncio.to_thread(ToolModel.train, data, vectors, key=key)
    async with system_conn(pool) as conn:  # only the system scope writes models (they are unpickled)
        await conn.execute(
            "INSERT INTO routing_models (key, payload) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (key, pickle.dumps(model)),
        )
    log.info("tool model trained", key=key[:12], examples=len(data.texts))
    return model
