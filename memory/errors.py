"""What can go wrong with the memory store, split by who has to act."""

from __future__ import annotations


class MemoryStoreError(Exception):
    """Base of the memory store's errors."""


class InvalidMemory(MemoryStoreError, ValueError):
    """A caller passed something the store cannot accept; the message names the argument."""


class MemoryNotFound(MemoryStoreError, LookupError):
    """A memory ID (e.g. `supersedes`) matches no live entry this tenant and user can see."""


class EmbeddingMismatch(MemoryStoreError):
    """The embedder's dimension differs from the `memories.embedding` column's: a deployment error.

    Changing to a model of another dimension needs a migration that alters the column and rebuilds
    the HNSW index before `reembed` can run.
    """
