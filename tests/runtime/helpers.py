"""Shared bits of the runtime tests."""

from __future__ import annotations

from typing import Any

from runtime.approvals import ApprovalAnswer, CallAnswer
from runtime.brain import Brain
from runtime.runs import Actor
from sandbox.saleor import SaleorStore

REQUEST = "add a product called Red Mug priced 12 USD to the store"
ACTOR = Actor(user="dana", tenant="demo", role="operator")
APPROVE_ALL = ApprovalAnswer(all=CallAnswer(action="approve"))


def products(brain: Brain, tenant: str = "demo") -> dict[str, dict[str, Any]]:
    """What the sandbox Saleor holds now, by product name."""
    store = SaleorStore(persist_path=brain.clients.store_path("saleor", tenant))
    return {p["name"]: p for p in store.dump()["products"]}


async def ledger_kinds(brain: Brain, run_id: str) -> list[tuple[str, str, str | None]]:
    return [(e["call_id"], e["kind"], e["outcome"]) for e in await brain.ledger.for_run(run_id)]
