"""The Brain's internal services that tools reach through `ToolContext.services`.

Each module named in SERVICE_MODULES exposes `make(ports) -> ServiceFactory` (`ports.ServicePorts`); the factory's
`bind(tenant, user, run_id)` gives the object a tool handler sees as `ctx.service(name)`, already
scoped to that tenant and user. Services keep their state in Postgres under row-level security.

Every service table has a `space` column: the sandbox namespace current at bind time
(`runtime.wiring.current_namespace()`, "" for the tenant's live state), so an eval case's state is
its own, like the sandboxes'. A factory that also implements `SandboxState` can be reset, seeded
and read back by the eval runner (`setup.<service>` / `expect.state.<service>` in EVAL_FORMAT.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from runtime.services.ports import ServicePorts

# Service name -> module under runtime.services (a module not written yet is skipped).
SERVICE_MODULES = {"telegram": "telegram", "scheduler": "scheduler", "gamification": "gamification",
                   "memory": "memory_state"}


class ServiceFactory(Protocol):
    def bind(self, tenant: str, user: str, run_id: str) -> Any: ...


@runtime_checkable
class SandboxState(Protocol):
    """A service's state of one tenant in the current namespace, as collections of plain dicts."""

    async def reset(self, tenant: str) -> None: ...

    async def seed(self, tenant: str, data: dict[str, list[dict[str, Any]]]) -> None: ...

    async def dump(self, tenant: str) -> dict[str, list[dict[str, Any]]]: ...


def make_factories(ports: ServicePorts) -> dict[str, ServiceFactory]:
    factories: dict[str, ServiceFactory] = {}
    for name, module_name in SERVICE_MODULES.items():
        qualified = f"runtime.services.{module_name}"
        try:
            module = importlib.import_module(qualified)
        except ModuleNotFoundError as exc:
            if exc.name != qualified:
                raise
            continue
        factories[name] = module.make(ports)
    return factories


class BoundServices(Mapping[str, Any]):
    """One tool call's services, each bound on first use."""

    def __init__(self, factories: Mapping[str, ServiceFactory], tenant: str, user: str, run_id: str):
        self._factories = factories
        self._key = (tenant, user, run_id)
        self._bound: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._bound:
            self._bound[name] = self._factories[name].bind(*self._key)
        return self._bound[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._factories)

    def __len__(self) -> int:
        return len(self._factories)
