"""SupersetStore: the sandbox's dashboards, charts and datasets, in memory or in a JSON file.

The rows behind them are not stored: the analytics database is rebuilt from the deterministic
demo tables (see `warehouse.py`).
"""

from __future__ import annotations

from typing import Any

from sandbox.persist import StandInStore
from sandbox.superset.demo import demo_seed
from sandbox.superset.seeding import State, dump_state, empty_state, seed_state


class Transaction:
    """The state inside one `SupersetStore.transaction()`; `touch()` marks it to be saved."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.dirty = False

    def touch(self) -> None:
        self.dirty = True


class SupersetStore(StandInStore[Transaction]):
    """Databases, datasets, charts and dashboards (`seed` keeps existing names; `dump` gives them
    in the seed shape). `reset` keeps the signing secret, so issued tokens stay valid; a new
    persisted store is written on first use, with that secret. Persistence: see `StandInStore`.
    """

    def view(self, state: Any) -> Transaction:
        tx = Transaction(state)
        if self.persist_path is not None and not self.persist_path.exists():
            tx.touch()  # write the new store (and its token secret) on first use
        return tx

    def empty_state(self, old: Any | None) -> Any:
        return empty_state(old.get("secret") if old else None)

    def is_empty(self, tx: Transaction) -> bool:
        return not tx.state["dashboards"]

    def seed_into(self, tx: Transaction, data: dict[str, Any]) -> None:
        seed_state(tx.state, data)
        tx.touch()

    def dump_from(self, tx: Transaction) -> dict[str, Any]:
        return dump_state(tx.state)

    def demo_seed(self) -> dict[str, Any]:
        return demo_seed()
