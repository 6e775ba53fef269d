"""The model layer: one protocol, litellm behind it, one place to swap the provider.

Tool ids contain dots, which OpenAI-style function names do not allow: they travel as
`system__entity_verb` and are mapped back here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol


class ModelError(Exception):
    """The model could not be reached or answered something unusable."""


@dataclass(frozen=True)
class ModelToolCall:
    tool: str
    args: dict[str, Any]
    id: str = ""


@dataclass(frozen=True)
class ModelReply:
    text: str | None = None
    tool_calls: list[ModelToolCall] = field(default_factory=list)


class Model(Protocol):
    name: str

    async def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None) -> ModelReply:
        """One chat completion; `tools` are OpenAI-style function declarations."""
        ...


def wire_name(tool_id: str) -> str:
    return tool_id.replace(".", "__")


def tool_id_from_wire(name: str) -> str:
    return name.replace("__", ".", 1)


def function_declaration(tool_id: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", "function": {"name": wire_name(tool_id), "description": description, "parameters": schema}}


class LiteLLMModel:
    """Any provider litellm speaks to, a local Ollama or vLLM included."""

    def __init__(self, name: str, *, api_base: str | None = None, api_key: str | None = None, timeout: float = 60.0):
        self.name = name
        self._api_base = api_base
        self._api_key = api_key
        self._timeout = timeout

    async def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None) -> ModelReply:
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        import litellm

        kwargs: dict[str, Any] = {"model": self.name, "messages": messages, "timeout": self._timeout}
        if tools:
            kwargs["tools"] = tools
        if self._api_base:
            kwargs["api_base"] = self._api_base
        if self._api_key:
            kwargs["api_key"] = self._api_key
        try:
            response = await litellm.acompletion(**kwargs)
        except Exception as exc:  # litellm maps every provider error to its own exception types
            raise ModelError(f"model {self.name} failed: {type(exc).__name__}: {exc}") from exc
        message = response.choices[0].message
        calls: list[ModelToolCall] = []
        for call in message.tool_calls or []:
            try:
                args = json.loads(call.function.arguments or "{}")
            except json.JSONDecodeError as exc:
                raise ModelError(f"model {self.name} sent tool arguments that are not JSON: {exc}") from exc
            calls.append(ModelToolCall(tool=tool_id_from_wire(call.function.name), args=args, id=call.id or ""))
        return ModelReply(text=message.content, tool_calls=calls)


_override: ContextVar[Model | None] = ContextVar("brain_model_override", default=None)


@contextmanager
def use_model(model: Model) -> Iterator[Model]:
    """Swap the model for the code run inside (tests, evals with a scripted model)."""
    token = _override.set(model)
    try:
        yield model
    finally:
        _override.reset(token)


def current_model(name: str | None, *, api_base: str | None = None, api_key: str | None = None) -> Model | None:
    """The override if one is set, else the configured model, else None (offline)."""
    override = _override.get()
    if override is not None:
        return override
    if not name:
        return None
    return LiteLLMModel(name, api_base=api_base, api_key=api_key)
