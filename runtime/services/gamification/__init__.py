"""The gamification service: referral codes with fraud checks, achievements, leaderboards, portfolio.

`make(brain)` gives the factory the runtime registers as the "gamification" service: `bind(tenant,
user, run_id)` returns the `GamificationService` a tool handler reaches as
`ctx.service("gamification")`, scoped to the sandbox namespace current at bind time. The factory is
also the service's `SandboxState` (reset, seed and dump one tenant's state in the current namespace,
for eval setups and expectations). A tenant's space starts with demo data on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from psycopg_pool import AsyncConnectionPool

from runtime.db import tenant_conn
from runtime.llm import Model, current_model
from runtime.services.gamification import state
from runtime.services.gamification.service import GamificationService
from runtime.services.gamification.store import GamificationError, Scope
from runtime.wiring import current_namespace

if TYPE_CHECKING:
    from runtime.services.ports import ServicePorts

__all__ = ["GamificationError", "GamificationFactory", "GamificationService", "make"]


class GamificationFactory:
    """Binds the service per call; resets, seeds and dumps a tenant's state in the current namespace."""

    def __init__(self, pool: AsyncConnectionPool[Any], clients: Callable[[str], Mapping[str, Any]],
                 model: Callable[[], Model | None] = lambda: None, *, demo: bool = True):
        self._pool = pool
        self._clients = clients
        self._model = model
        self._demo = demo  # new spaces start with the demo data

    def _scope(self, tenant: str, user: str = "", run_id: str = "") -> Scope:
        if not tenant:
            raise GamificationError("tenant", "must not be empty")
        return Scope(self._pool, tenant, current_namespace(), user, run_id, self._demo)

    def bind(self, tenant: str, user: str, run_id: str) -> GamificationService:
        return GamificationService(self._scope(tenant, user, run_id), self._clients(tenant), self._model)

    async def reset(self, tenant: str) -> None:
        """Forget the tenant's state in this namespace; its next use starts again from the demo data."""
        scope = self._scope(tenant)
        async with tenant_conn(self._pool, tenant) as conn:
            await state.clear(conn, scope)

    async def release_space(self, tenant: str, space: str) -> None:
        """Forget a finished sandbox namespace's state (an eval case's)."""
        if space:
            scope = Scope(self._pool, tenant, space, "", "", self._demo)
            async with tenant_conn(self._pool, tenant) as conn:
                await state.clear(conn, scope)

    async def seed(self, tenant: str, data: dict[str, list[dict[str, Any]]]) -> None:
        """The demo data (on a new space) with these objects on top, each replacing the one it names."""
        scope = self._scope(tenant, "seed")
        async with tenant_conn(self._pool, tenant) as conn:
            await state.ensure_space(conn, scope)
            await state.write(conn, scope, data)

    async def dump(self, tenant: str) -> dict[str, list[dict[str, Any]]]:
        scope = self._scope(tenant)
        async with tenant_conn(self._pool, tenant) as conn:
            await state.ensure_space(conn, scope)
            return await state.read(conn, scope)


def make(ports: ServicePorts) -> GamificationFactory:
    settings = ports.settings

    def model() -> Model | None:
        key = settings.model_api_key.get_secret_value() if settings.model_api_key else None
        return current_model(settings.model, api_base=settings.model_api_base, api_key=key)

    return GamificationFactory(ports.pool, ports.clients.for_tenant, model)
