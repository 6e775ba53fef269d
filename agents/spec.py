"""An agent as data: one validated spec per agent, loaded from `agents/specs/<id>.yaml`.

`patterns` drive the offline planner: a regex picks an intent, and each call template fills a
tool's arguments from the regex's named groups or from built-in slots ({money}, {email}, ...).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Domain = Literal[
    "marketing_campaigns",
    "content_seo",
    "ecommerce_catalog",
    "ecommerce_orders",
    "crm_sales",
    "analytics_bi",
    "gamification",
    "personal_assistant",
    "platform_ops",
]

ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class CallTemplate(BaseModel):
    """One tool call of a pattern. Arg values: a literal, or a string with {slot} references."""

    model_config = ConfigDict(extra="forbid")

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    when: list[str] = Field(default_factory=list, description="slots that must be present for this call")


class RequestPattern(BaseModel):
    """An intent the offline planner recognises in a request."""

    model_config = ConfigDict(extra="forbid")

    match: str = Field(description="case-insensitive regex searched in the request; named groups become slots")
    calls: list[CallTemplate] = Field(min_length=1)

    @field_validator("match")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"pattern does not compile: {exc}") from exc
        return value

    def regex(self) -> re.Pattern[str]:
        return re.compile(self.match, re.IGNORECASE)


class AgentSpec(BaseModel):
    """One of the 93 agents of shared/catalog/agents.md."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    domain: Domain
    workflow: str
    purpose: str
    tools: list[str] = Field(min_length=1)
    examples: list[str] = Field(min_length=1)
    patterns: list[RequestPattern] = Field(default_factory=list)
    prompt: str | None = Field(default=None, description="prompt file under agents/prompts/, default <id>.md")

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not ID_RE.match(value):
            raise ValueError("an agent id is lower snake case, like product_catalog_manager")
        return value

    @field_validator("examples")
    @classmethod
    def _distinct_examples(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for text in value:
            key = " ".join(text.lower().split())
            if key in seen:
                raise ValueError(f"example repeated: {text!r}")
            seen.add(key)
        return value

    @property
    def prompt_file(self) -> str:
        return self.prompt or f"{self.id}.md"
