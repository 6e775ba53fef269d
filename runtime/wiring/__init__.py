"""How each external system is reached: its real adapter when configured, else its sandbox.

One module per system exposes `WIRING: SystemWiring`. `ClientFactory` builds each tenant's
clients lazily, on the first tool call that needs them, and closes them all at the end.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from runtime.settings import Settings


class SandboxStore(Protocol):
    def reset(self) -> None: ...
    def seed(self, data: dict[str, Any]) -> None: ...
    def dump(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class SystemWiring:
    name: str
    # The real system's client, or None when settings do not configure it.
    real_client: Callable[[Settings, str], Any | None]
    # The sandbox's state for a tenant, persisted at the given path.
    sandbox_store: Callable[[Path], SandboxStore]
    # A client of the real adapter class talking to the sandbox app over ASGI.
    sandbox_client: Callable[[Settings, SandboxStore], Any]
    # Demo data for a new sandbox.
    demo_data: Callable[[], dict[str, Any]]
    state_file: str = "state.json"


SYSTEM_MODULES = ("saleor", "wagtail", "crm", "superset", "telegram")

# A separate set of sandbox states (an eval case, a test) for the code run inside.
_namespace: ContextVar[str | None] = ContextVar("brain_sandbox_namespace", default=None)


@contextmanager
def sandbox_namespace(name: str) -> Iterator[None]:
    """Use sandbox states of their own, under this name, for everything run inside."""
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"sandbox namespace {name!r}: use a plain name")
    token = _namespace.set(name)
    try:
        yield
    finally:
        _namespace.reset(token)


def current_namespace() -> str:
    """The sandbox namespace of the code running now; "" outside any (the tenant's live state)."""
    return _namespace.get() or ""


def wirings() -> dict[str, SystemWiring]:
    found: dict[str, SystemWiring] = {}
    for name in SYSTEM_MODULES:
        try:
            module = importlib.import_module(f"runtime.wiring.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"runtime.wiring.{name}":
                raise
            continue
        found[name] = module.WIRING
    return found


class TenantClients(Mapping[str, Any]):
    """The clients of one tenant, created on first use."""

    def __init__(self, factory: ClientFactory, tenant: str):
        self._factory = factory
        self._tenant = tenant

    def __getitem__(self, system: str) -> Any:
        return self._factory.client(system, self._tenant)

    def __iter__(self) -> Iterator[str]:
        return iter(self._factory.systems)

    def __len__(self) -> int:
        return len(self._factory.systems)


class ClientFactory:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.systems = wirings()
        self._clients: dict[tuple[str, str, str], Any] = {}

    def for_tenant(self, tenant: str) -> TenantClients:
        return TenantClients(self, tenant)

    def store_path(self, system: str, tenant: str) -> Path:
        wiring = self.systems[system]
        namespace = _namespace.get()
        root = self.settings.sandbox_dir / "namespaces" / namespace if namespace else self.settings.sandbox_dir
        return root / tenant / system / wiring.state_file

    def sandbox_store(self, system: str, tenant: str, *, seed_demo: bool = True) -> SandboxStore:
        """The tenant's sandbox state for a system; a new one starts with the demo data."""
        wiring = self.systems[system]
        path = self.store_path(system, tenant)
        fresh = not path.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        store = wiring.sandbox_store(path)
        if fresh and seed_demo:
            store.seed(wiring.demo_data())
        return store

    def client(self, system: str, tenant: str) -> Any:
        if system not in self.systems:
            raise KeyError(system)
        key = (system, tenant, _namespace.get() or "")
        if key not in self._clients:
            wiring = self.systems[system]
            client = wiring.real_client(self.settings, tenant)
            if client is None:
                client = wiring.sandbox_client(self.settings, self.sandbox_store(system, tenant))
            self._clients[key] = client
        return self._clients[key]

    async def release(self, namespace: str) -> None:
        """Close the clients of one namespace (an eval case that finished)."""
        for key in [k for k in self._clients if k[2] == namespace]:
            await self._clients.pop(key).aclose()

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
