"""How each external system is reached: its real adapter when configured, else a stand-in.

One module per system exposes `WIRING: SystemWiring`, which knows only the real adapter. Local
stand-ins (the sandbox systems) are chosen by the composition root (`bootstrap/`) and passed in:
the runtime never imports them. `ClientFactory` builds each tenant's clients lazily, on the first
tool call that needs them, and closes them all at the end.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from runtime.settings import Settings


class SandboxStore(Protocol):
    def reset(self) -> None: ...
    def seed(self, data: dict[str, Any]) -> None: ...
    def dump(self) -> dict[str, Any]: ...


class SystemNotConfigured(LookupError):
    """A tool needs a system that has neither a real endpoint nor a stand-in."""


@dataclass(frozen=True)
class StandIn:
    """A local stand-in of a system: its state per tenant, and a client of the real adapter class
    talking to it (over ASGI). Supplied by the composition root, never imported by the runtime."""

    # The stand-in's state for a tenant, persisted at the given path.
    store: Callable[[Path], SandboxStore]
    # A client of the real adapter class talking to the stand-in.
    client: Callable[[Settings, SandboxStore], Any]
    # Demo data for a new stand-in.
    demo_data: Callable[[], dict[str, Any]]


@dataclass(frozen=True)
class SystemWiring:
    name: str
    # The real system's client, or None when settings do not configure it.
    real_client: Callable[[Settings, str], Any | None]
    state_file: str = "state.json"
    # Used when the real system is not configured; None: the system must be configured.
    stand_in: StandIn | None = None

    def with_stand_in(self, stand_in: StandIn) -> SystemWiring:
        return replace(self, stand_in=stand_in)


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
    """The real-system wiring of every system, without stand-ins."""
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
    """Clients per (system, tenant, sandbox namespace). `systems` defaults to real systems only."""

    def __init__(self, settings: Settings, systems: Mapping[str, SystemWiring] | None = None):
        self.settings = settings
        self.systems = dict(systems) if systems is not None else wirings()
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
        stand_in = self._stand_in(system)
        path = self.store_path(system, tenant)
        fresh = not path.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        store = stand_in.store(path)
        if fresh and seed_demo:
            store.seed(stand_in.demo_data())
        return store

    def demo_data(self, system: str) -> dict[str, Any]:
        """The demo data a new stand-in of the system starts with."""
        return self._stand_in(system).demo_data()

    def has_stand_in(self, system: str) -> bool:
        return system in self.systems and self.systems[system].stand_in is not None

    def _stand_in(self, system: str) -> StandIn:
        stand_in = self.systems[system].stand_in
        if stand_in is None:
            raise SystemNotConfigured(
                f"{system} has no local stand-in in this process: set its BRAIN_{system.upper()}_URL, "
                "or open the Brain through bootstrap.open_brain, which adds the sandbox stand-ins")
        return stand_in

    def client(self, system: str, tenant: str) -> Any:
        if system not in self.systems:
            raise KeyError(system)
        key = (system, tenant, _namespace.get() or "")
        if key not in self._clients:
            wiring = self.systems[system]
            client = wiring.real_client(self.settings, tenant)
            if client is None:
                client = self._stand_in(system).client(self.settings, self.sandbox_store(system, tenant))
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
