"""MiniLM on ONNX Runtime: sentence-transformers' vectors, from the installed weights, off the event loop."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest

from memory.embeddings import MiniLMEmbedder, embed_async
from memory.onnx_minilm import OnnxMiniLMEmbedder, default_cache_dir, ensure_exported, onnx_path

TEXTS = ["Where is order 1042?", "add a product called Red Mug priced 12 USD to the store", "hi",
         "score last week's leads and tell the team on telegram", "word " * 400]


@pytest.fixture(scope="module")
def onnx_embedder() -> OnnxMiniLMEmbedder:
    embedder = OnnxMiniLMEmbedder()
    embedder.load()  # exports from the installed weights on first use on this machine
    return embedder


def test_the_export_is_kept_per_weights_version_in_the_cache() -> None:
    path = ensure_exported()
    assert path == onnx_path(default_cache_dir()) and path.stat().st_size > 50_000_000
    assert path.name.startswith("all-MiniLM-L6-v2-") and path.suffix == ".onnx"


def test_vectors_match_sentence_transformers(onnx_embedder: OnnxMiniLMEmbedder, embedder: MiniLMEmbedder) -> None:
    got = OnnxMiniLMEmbedder(onnx_path(default_cache_dir())).embed(TEXTS)  # batch of mixed lengths, no cache
    want = embedder.embed(TEXTS)
    assert got.shape == (5, 384) and got.dtype == np.float32
    assert float(np.abs(got - want).max()) < 1e-4
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert onnx_embedder.name == embedder.name and onnx_embedder.dim == embedder.dim  # stored vectors stay valid
    assert onnx_embedder.embed([]).shape == (0, 384)


async def test_aembed_leaves_the_event_loop_free(onnx_embedder: OnnxMiniLMEmbedder) -> None:
    texts = [f"a fresh sentence number {n} about the spring collection" for n in range(64)]
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0)
            ticks += 1

    beat = asyncio.create_task(ticker())
    started = time.perf_counter()
    vectors = await embed_async(onnx_embedder, texts)
    beat.cancel()
    assert vectors.shape == (64, 384) and time.perf_counter() - started > 0
    assert ticks > 10  # the loop kept running while the model worked
    again = await embed_async(onnx_embedder, texts[:3])  # from the cache, identical rows
    assert np.array_equal(again, vectors[:3])
