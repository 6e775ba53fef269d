"""The tenant's memory as eval state: `setup.memory.memories` seeds it, `expect.state.memory` reads it.

Inside a sandbox namespace the Brain keeps a tenant's memories under a tenant key of that
namespace (`runtime.services.ports.memory_tenant`), so seeding, reading and forgetting here touch only the
case's own memories.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from memory.writing import NewMemory

if TYPE_CHECKING:
    from runtime.services.ports import ServicePorts

EVAL_USER = "eval"  # the eval runner's requester: personal kinds seeded for it are its own


class MemoryState:
    def __init__(self, ports: ServicePorts) -> None:
        self.memory = ports.memory

    def bind(self, tenant: str, user: str, run_id: str) -> MemoryState:
        return self

    def _key(self, tenant: str) -> str:
        from runtime.services.ports import memory_tenant

        return memory_tenant(tenant)

    async def reset(self, tenant: str) -> None:
        await self.memory.forget_tenant(self._key(tenant))

    async def seed(self, tenant: str, data: dict[str, list[dict[str, Any]]]) -> None:
        unknown = set(data) - {"memories"}
        if unknown:
            raise KeyError(f"memory has no collection {sorted(unknown)[0]!r} (it has memories)")
        for item in data.get("memories", []):
            entry = NewMemory(str(item["text"]), str(item.get("kind") or "fact"), item.get("subject"),
                              list(item.get("tags") or []), None, None, None)
            await self.memory.write_many(self._key(tenant), [entry], user=item.get("user") or EVAL_USER)

    async def dump(self, tenant: str) -> dict[str, list[dict[str, Any]]]:
        rows = await self.memory.entries(self._key(tenant))
        return {"memories": [{"id": str(r["id"]), "text": r["text"], "kind": r["kind"], "subject": r["subject"],
                              "tags": list(r["tags"] or []), "user": r["user_id"]} for r in rows]}

    async def release_space(self, tenant: str, space: str) -> None:
        if space:
            await self.memory.forget_tenant(f"{tenant}#{space}")


def make(ports: ServicePorts) -> MemoryState:
    return MemoryState(ports)
