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
    # The Brain's internal services by name ("scheduler", "gamification", "telegram"), already
    # bound to this call's tenant and user; each tool module declares the protocol it needs.
    services: Mapping[str, Any] = field(default_factory=dict)

    def client(self, system: str) -> Any:
        try:
            return self.clients[system]
        except KeyError:
            known = ", ".join(sorted(self.clients)) or "none"
            raise ContextError(f"no {system} client is configured for tenant {self.tenant!r} (configured: {known})") from None

    def service(self, name: str) -> Any:
        try:
            return self.services[name]
        except KeyError:
            known = ", ".join(sorted(self.services)) or "none"
            raise ContextError(
                f"no {name} service in this run's context (tenant {self.tenant!r}; available: {known})"
            ) from None
