"""A litellm embedding model replaces MiniLM when configured (respx-mocked OpenAI endpoint)."""

from __future__ import annotations

import json

import httpx
import numpy as np
import pytest
import respx
from pydantic import SecretStr

from memory.embeddings import LiteLLMEmbedder, MiniLMEmbedder
from memory.onnx_minilm import OnnxMiniLMEmbedder
from runtime.settings import Settings, make_embedder


def test_default_is_minilm_offline_on_onnx_runtime() -> None:
    embedder = make_embedder(Settings())
    assert isinstance(embedder, OnnxMiniLMEmbedder) and embedder.name == MiniLMEmbedder.name
    assert isinstance(make_embedder(Settings(embedding_runtime="torch")), MiniLMEmbedder)


@pytest.mark.llm
def test_configured_litellm_embedder_calls_the_endpoint_and_normalises() -> None:
    settings = Settings(embedding_model="openai/text-embedding-3-small", embedding_dim=3,
                        model_api_base="http://llm.test/v1", model_api_key=SecretStr("sk-test"))
    embedder = make_embedder(settings)
    assert isinstance(embedder, LiteLLMEmbedder) and embedder.dim == 3
    seen: list[dict[str, object]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append(body)
        data = [{"object": "embedding", "index": i, "embedding": [3.0, 4.0, 0.0]} for i, _ in enumerate(body["input"])]
        return httpx.Response(200, json={"object": "list", "data": data, "model": "text-embedding-3-small",
                                         "usage": {"prompt_tokens": 2, "total_tokens": 2}})

    with respx.mock(assert_all_called=True) as mock:
        mock.post("http://llm.test/v1/embeddings").mock(side_effect=answer)
        vectors = embedder.embed(["red mug", "blue vase"])
    assert seen[0]["model"] == "text-embedding-3-small" and seen[0]["input"] == ["red mug", "blue vase"]
    assert vectors.shape == (2, 3)
    assert np.allclose(vectors[0], [0.6, 0.8, 0.0])
