"""What the Brain hands its services: narrow ports, not the Brain itself.

A service gets the pool, the settings, the system clients, the memory store, the run store and
event sink, the registries, the other services, and a `RunDesk` for the few things a chat front
end does with runs (submit one, read it, list and answer approvals). The Brain satisfies `RunDesk`;
a test or another runtime can give any object with those methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from psycopg_pool import AsyncConnectionPool

from agents.registry import AgentRegistry
from memory.store import MemoryStore
from runtime.events import EventSink
from runtime.outcome import RunOutcome
from runtime.runs import Actor, RunStore
from runtime.settings import Settings
from runtime.wiring import ClientFactory, current_namespace
from tools.registry import ToolRegistry

if TYPE_CHECKING:
    from runtime.approvals import ApprovalAnswer
    from runtime.services import ServiceFactory


class RunDesk(Protocol):
    """Runs as a person's front end (a chat bot) sees them."""

    async def create_run(self, request: str, actor: Actor, *, agent_hint: str | None = None,
                         idempotency_key: str | None = None, lease: bool = False) -> tuple[str, bool]: ...

    async def start(self, run_id: str) -> RunOutcome: ...

    async def get_run(self, run_id: str, actor: Actor) -> dict[str, Any]: ...

    async def pending_approvals(self, actor: Actor) -> list[dict[str, Any]]: ...

    async def answer_approval(self, run_id: str, actor: Actor, answer: ApprovalAnswer, *,
                              drive: bool = True) -> RunOutcome: ...


@dataclass(frozen=True)
class ServicePorts:
    pool: AsyncConnectionPool[Any]
    settings: Settings
    clients: ClientFactory
    memory: MemoryStore
    runs: RunStore
    events: EventSink
    agents: AgentRegistry
    tools: ToolRegistry
    services: Mapping[str, ServiceFactory]  # the Brain's own mapping, complete once every service is made
    desk: RunDesk


def memory_tenant(tenant: str) -> str:
    """The memory space of a tenant: its own, or inside a sandbox namespace (an eval case) one of
    that namespace's, so a case's memories neither see nor leave anything in the tenant's."""
    namespace = current_namespace()
    return f"{tenant}#{namespace}" if namespace else tenant
