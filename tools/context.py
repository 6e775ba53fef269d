"""What a tool handler may reach: the tenant's adapters and the Brain's internal services.

The runtime builds one context per tool call. Internal services are described here as
protocols so that `tools/` never imports the runtime or the memory package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


class ContextError(Exception):
    """A tool needed a client or service that this deployment has not configured."""


class MemoryService(Protocol):
    async def search(self, query: str, *, kind: str | None, subject: str | None, limit: int) -> list[dict[str, Any]]: ...

    async def write(
        self, text: str, *, kind: str, subject: str | None, tags: list[str], supersedes: str | None
    ) -> dict[str, Any]: ...


@dataclass
class ToolContext:
    """Everything one tool call may use. `clients` maps a system name to its adapter client."""

    tenant: str
    user: str
    run_id: str
    clients: Mapping[str, Any] = field(default_factory=dict)
    memory: MemoryService | None = None

    def client(self, system: str) -> Any:
        try:
            return self.clients[system]
        except KeyError:
            known = ", ".join(sorted(self.clients)) or "none"
            raise ContextError(f"no {system} client is configured for tenant {self.tenant!r} (configured: {known})") from None
