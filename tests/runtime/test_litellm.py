"""The same task with a litellm model against a respx-mocked OpenAI-compatible endpoint."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
import respx
from pydantic import SecretStr

from bootstrap import open_brain
from memory.embeddings import MiniLMEmbedder
from runtime.settings import Settings
from tests.runtime.helpers import ACTOR, APPROVE_ALL, REQUEST, products

ENDPOINT = "http://llm.test/v1/chat/completions"
FUNCTION_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def completion(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if message.get("tool_calls") else "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def check_chat_request(body: dict[str, Any]) -> None:
    """The request fits OpenAI's chat completions contract as far as we use it."""
    assert body["model"] == "gpt-4o-mini"
    assert body["messages"] and all(m["role"] in {"system", "user", "assistant", "tool"} for m in body["messages"])
    called = {c["id"] for m in body["messages"] if m["role"] == "assistant" for c in m.get("tool_calls") or []}
    for message in body["messages"]:
        if message["role"] == "tool":
            assert message["tool_call_id"] in called
    for tool in body.get("tools", []):
        assert tool["type"] == "function"
        assert FUNCTION_NAME.match(tool["function"]["name"])
        assert tool["function"]["parameters"]["type"] == "object"


@pytest.mark.llm
async def test_litellm_model_plans_through_the_gate(settings: Settings, db_url: str, embedder: MiniLMEmbedder) -> None:
    settings = settings.model_copy(update={
        "model": "openai/gpt-4o-mini", "model_api_base": "http://llm.test/v1", "model_api_key": SecretStr("sk-test"),
    })
    args = {"name": "Red Mug", "price": 12, "product_type": "Default", "category": "Default"}
    replies = iter([
        completion({"role": "assistant", "content": None, "tool_calls": [{
            "id": "call_a", "type": "function",
            "function": {"name": "saleor__product_create", "arguments": json.dumps(args)}}]}),
        completion({"role": "assistant", "content": "Added Red Mug at $12 (unpublished)."}),
    ])
    bodies: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer sk-test"
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json=next(replies))

    brain = await open_brain(settings, embedder=embedder, url=db_url)
    try:
        with respx.mock(assert_all_called=True) as mock:
            mock.post(ENDPOINT).mock(side_effect=answer)
            out = await brain.submit(REQUEST, ACTOR)
            assert out.status == "waiting"
            assert out.approval is not None and out.approval["calls"][0]["args"]["price"] == 12.0
            done = await brain.answer_approval(out.run_id, ACTOR, APPROVE_ALL)
        assert done.answer == "Added Red Mug at $12 (unpublished)."
        assert products(brain)["Red Mug"]["price"] == 12.0
    finally:
        await brain.close()
    assert len(bodies) == 2
    for body in bodies:
        check_chat_request(body)
    assert "saleor__product_create" in {t["function"]["name"] for t in bodies[0]["tools"]}
    assert bodies[1]["messages"][-1]["role"] == "tool"
