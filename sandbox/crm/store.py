"""CrmStore: the sandbox CRM's state, in memory or in a JSON file shared between processes."""

from __future__ import annotations

from typing import Any

from sandbox.crm.demo import demo_seed
from sandbox.crm.dump import dump_crm
from sandbox.crm.seeding import seed_crm
from sandbox.crm.state import CrmState, empty_state
from sandbox.persist import StandInStore


class CrmStore(StandInStore[CrmState]):
    """One organisation's CRM: users, tags, pipelines, leads, contacts, accounts, deals, tasks, notes.

    `seed` adds or updates `users`, `leads`, `contacts`, `accounts`, `opportunities`, `tasks` and
    `notes`: records are matched by email (leads, contacts), name (accounts, deals) or title
    (tasks), and a match gets the seeded fields. `dump` gives the CRM in that shape, with the
    tools' argument names (email, status, stage, ...). `reset` leaves a new organisation with no
    users or records. Persistence: see `StandInStore`.
    """

    def view(self, state: Any) -> CrmState:
        return CrmState(state)

    def empty_state(self, old: Any | None) -> Any:
        return empty_state()

    def is_empty(self, tx: CrmState) -> bool:
        return not tx.table("leads") and not tx.table("accounts")

    def seed_into(self, tx: CrmState, data: dict[str, Any]) -> None:
        seed_crm(tx, data)

    def dump_from(self, tx: CrmState) -> dict[str, Any]:
        return dump_crm(tx)

    def demo_seed(self) -> dict[str, Any]:
        return demo_seed()
