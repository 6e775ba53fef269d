"""How a catalog module declares its tools: one function, the system read from the tool id."""

from __future__ import annotations

from typing import Any

from tools.spec import Risk, ToolArgs, ToolSpec


def declare_tool(
    tool_id: str, description: str, args: type[ToolArgs], risk: Risk, idempotency: str, **extra: Any
) -> ToolSpec:
    """A ToolSpec whose system is the part of `tool_id` before the dot (`saleor.product_create`)."""
    system, dot, name = tool_id.partition(".")
    if not dot or not system or not name:
        raise ValueError(f"tool id {tool_id!r} must read system.name")
    return ToolSpec(id=tool_id, system=system, description=description, args_model=args, risk=risk,
                    idempotency=idempotency, **extra)


class Toolset:
    """Declares the tools of one system by their short names: `Toolset("crm")("lead_search", ...)`."""

    def __init__(self, system: str) -> None:
        self.system = system

    def __call__(
        self, name: str, description: str, args: type[ToolArgs], risk: Risk, idempotency: str, **extra: Any
    ) -> ToolSpec:
        return declare_tool(f"{self.system}.{name}", description, args, risk, idempotency, **extra)
