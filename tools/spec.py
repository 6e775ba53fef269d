"""What a tool is: an id from the catalog, a pydantic args model, a risk class, and the call.

The approval requirement lives on the declaration (`risk`); the policy gate reads it. A tool's
handler is only ever called by the runtime's executor, with arguments already validated.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer

from tools.context import ToolContext
from tools.limits import check_plain_values

# Money and other decimals: exact in Python, plain numbers in JSON (ledger, events, evals).
DecimalArg = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class Risk(StrEnum):
    """What the policy gate keys on (see shared/catalog/tools.md)."""

    READ = "read"
    WRITE = "write"
    DESTRUCTIVE = "destructive"


class ToolArgs(BaseModel):
    """Base of every tool's arguments: unknown arguments are an error naming them."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


ToolResult = dict[str, Any]
Handler = Callable[[ToolContext, Any], Awaitable[ToolResult]]


@dataclass(frozen=True)
class ToolSpec:
    """One catalog tool. `handler` is None while its adapter has not landed."""

    id: str
    system: str
    description: str
    args_model: type[ToolArgs]
    risk: Risk
    idempotency: str
    handler: Handler | None = None
    # A read that shows a write's target as it is now (the executor compares it before running).
    precondition: Callable[[ToolContext, Any], Awaitable[ToolResult]] | None = None
    # A read-only check the gate runs before deciding: a reason returned (a fraud signal, a value
    # over a limit) makes this call count as destructive, so policy holds it for a person.
    escalate: Callable[[ToolContext, Any], Awaitable[str | None]] | None = None
    # How a result reads in the final answer: a str.format template over the result dict.
    summary: str | None = None
    # True when calling it again after a crash is safe and finishes the job: the handler finds
    # by its natural key (slug, SKU, code, email) what an earlier attempt made and completes it
    # rather than making a second one. The executor then re-runs a call whose process died
    # after its start instead of leaving its outcome unknown.
    resumable: bool = False

    def describe_result(self, result: ToolResult) -> str:
        """One line for the user about what this call did."""
        if self.summary:
            try:
                return self.summary.format_map(_Missing(result))
            except (ValueError, AttributeError, IndexError):
                pass
        return f"{self.id} done"

    def validate_args(self, raw: dict[str, Any]) -> ToolArgs:
        """Validate raw arguments; raises pydantic.ValidationError naming the field (limits first)."""
        check_plain_values(raw, self.args_model.__name__)
        return self.args_model.model_validate(raw)

    def canonical_args(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Arguments as validated, in plain JSON types, without unset optionals."""
        return self.validate_args(raw).model_dump(mode="json", exclude_none=True)

    def json_schema(self) -> dict[str, Any]:
        return self.args_model.model_json_schema()


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def call_hash(tool_id: str, canonical_args: dict[str, Any]) -> str:
    """The hash a Decision binds to: tool id plus canonical arguments."""
    body = json.dumps({"tool": tool_id, "args": canonical_args}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()
