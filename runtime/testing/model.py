"""Scripted fake models that ship with the runtime, for tests and evals.

`ScriptedModel` answers from a queue of steps (tool calls, a message, or a function of the
request); every call is recorded; calling past the script is an error; `assert_complete()`
fails while steps are left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from runtime.llm import ModelReply, ModelToolCall


class ScriptExhausted(AssertionError):
    """The model was called more times than its script has steps."""


@dataclass
class Call:
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None


Step = ModelReply | Callable[[list[dict[str, Any]], list[dict[str, Any]] | None], ModelReply]


def tool_step(*calls: tuple[str, dict[str, Any]]) -> ModelReply:
    """A step that calls tools: tool_step(("saleor.product_create", {...}), ...)."""
    return ModelReply(tool_calls=[ModelToolCall(tool=t, args=a, id=f"call_{i}") for i, (t, a) in enumerate(calls)])


def message_step(text: str) -> ModelReply:
    return ModelReply(text=text)


@dataclass
class ScriptedModel:
    steps: list[Step]
    name: str = "scripted"
    calls: list[Call] = field(default_factory=list)

    async def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None) -> ModelReply:
        self.calls.append(Call(messages=[dict(m) for m in messages], tools=tools))
        if len(self.calls) > len(self.steps):
            raise ScriptExhausted(f"{self.name}: called {len(self.calls)} times but scripted for {len(self.steps)}")
        step = self.steps[len(self.calls) - 1]
        return step(messages, tools) if callable(step) else step

    def assert_complete(self) -> None:
        left = len(self.steps) - len(self.calls)
        if left:
            raise AssertionError(f"{self.name}: {left} scripted step(s) were never used")
