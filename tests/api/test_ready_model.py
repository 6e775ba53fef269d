"""/ready says not ready while the embedding model is not loaded; Brain.open loads it first."""

from __future__ import annotations

import httpx

from memory.onnx_minilm import OnnxMiniLMEmbedder
from runtime.brain import Brain
from tests.api.conftest import error_of


async def test_not_ready_until_the_embedding_model_is_loaded(brain: Brain, client: httpx.AsyncClient) -> None:
    assert brain.router.embedder.loaded  # type: ignore[attr-defined]  # opened: loaded before anything answers
    loaded = brain.router.embedder
    brain.router.embedder = OnnxMiniLMEmbedder()  # a model not loaded yet
    try:
        waiting = await client.get("/ready")
    finally:
        brain.router.embedder = loaded
    assert waiting.status_code == 503
    assert error_of(waiting)["message"] == "not ready: the embedding model is not loaded"
    assert waiting.json()["checks"] == {"embedding_model": "not loaded"}
    assert (await client.get("/ready")).status_code == 200
