"""The memory store against the real Postgres, connected as the application role brain_app."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Sequence
from typing import Any

import numpy as np
import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from memory.embeddings import MiniLMEmbedder, Vectors
from memory.store import MemoryStore
from runtime import db


class HashingEmbedder:
    """A stand-in for another embedding model: bag of hashed words, unit length, deterministic."""

    def __init__(self, name: str = "test-hashing-384", dim: int = 384) -> None:
        self.name = name
        self.dim = dim
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "big")
                out[row] += np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out[row] /= max(float(np.linalg.norm(out[row])), 1e-6)
        return out


class CountingEmbedder:
    """MiniLM, with every call recorded (to see that writes are embedded in one batch)."""

    def __init__(self, inner: MiniLMEmbedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(list(texts))
        return self.inner.embed(texts)


@pytest.fixture
def app_url(db_url: str) -> str:
    """The test database as the application role: not superuser, not owner, no BYPASSRLS."""
    return psycopg.conninfo.make_conninfo(db_url, user="brain_app")


@pytest.fixture
async def signer(db_url: str) -> db.ScopeSigner:
    """Signs scope tokens with the test database's key, as the Brain does (runtime/scope.py)."""
    return await db.load_signer(db_url)


@pytest.fixture
async def app_pool(app_url: str, signer: db.ScopeSigner) -> AsyncIterator[AsyncConnectionPool[Any]]:
    pool = db.open_pool(app_url, signer=signer, max_size=4)
    await pool.open()
    yield pool
    await pool.close()


@pytest.fixture
def store(app_pool: AsyncConnectionPool[Any], embedder: MiniLMEmbedder) -> MemoryStore:
    return MemoryStore(app_pool, embedder)


@pytest.fixture
async def owner(db_url: str) -> AsyncIterator[psycopg.AsyncConnection[dict[str, Any]]]:
    """The migration owner (a superuser here), for arranging and inspecting rows behind the app's back."""
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True, row_factory=dict_row) as conn:
        yield conn
