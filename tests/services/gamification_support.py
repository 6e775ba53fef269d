"""Shared bits of the gamification service tests: the factory on a fresh database, as the app role."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from runtime import db
from runtime.llm import Model
from runtime.services.gamification import GamificationFactory, GamificationService


@asynccontextmanager
async def open_factory(db_url: str, clients: Mapping[str, Any] | None = None,
                       model: Callable[[], Model | None] = lambda: None, *,
                       demo: bool = True) -> AsyncIterator[GamificationFactory]:
    pool = db.open_pool(db.app_url(db_url), signer=await db.load_signer(db_url))
    await pool.open()
    try:
        yield GamificationFactory(pool, lambda tenant: clients or {}, model, demo=demo)
    finally:
        await pool.close()


def bind(factory: GamificationFactory, tenant: str = "acme", user: str = "ann") -> GamificationService:
    return factory.bind(tenant, user, "not-a-run")
