"""SupersetStore: the sandbox's dashboards, charts and datasets, in memory or in a JSON file.

The rows behind them are not stored: the analytics database is rebuilt from the deterministic
demo tables (see `warehouse.py`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sandbox.persist import StateFile
from sandbox.superset.demo import demo_seed
from sandbox.superset.seeding import State, dump_state, empty_state, seed_state


class Transaction:
    """The state inside one `SupersetStore.transaction()`; `touch()` marks it to be saved."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.dirty = False

    def touch(self) -> None:
        self.dirty = True


class SupersetStore:
    """With `persist_path` the state lives in that JSON file: every transaction takes an exclusive
    `fcntl` lock on `<path>.lock`, loads the file, and writes it back atomically if it changed, so
    separate processes share one store. Without it the state is in memory.
    """

    def __init__(self, persist_path: Path | None = None) -> None:
        self._file = StateFile(persist_path, empty_state())

    @property
    def persist_path(self) -> Path | None:
        return self._file.path

    @classmethod
    def with_demo_data(cls, persist_path: Path | None = None) -> SupersetStore:
        """A store seeded with `demo_seed()` unless it already holds dashboards."""
        store = cls(persist_path)
        with store.transaction() as tx:
            if not tx.state["dashboards"]:
                seed_state(tx.state, demo_seed())
                tx.touch()
        return store

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Exclusive access to the current state; changes are saved when the block ends cleanly."""
        with self._file.transaction(Transaction) as tx:
            if self.persist_path is not None and not self.persist_path.exists():
                tx.touch()  # write the new store (and its token secret) on first use
            yield tx

    def reset(self) -> None:
        """Empty the store (the signing secret is kept, so issued tokens stay valid)."""
        with self.transaction() as tx:
            secret = tx.state.get("secret")
            tx.state.clear()
            tx.state.update(empty_state(secret))
            tx.touch()

    def seed(self, data: dict[str, Any]) -> None:
        """Add databases, datasets, charts and dashboards (see `demo_seed()`); existing names are kept."""
        with self.transaction() as tx:
            seed_state(tx.state, data)
            tx.touch()

    def dump(self) -> dict[str, Any]:
        """The store in the seed shape: `databases`, `datasets`, `charts`, `dashboards`."""
        with self.transaction() as tx:
            return dump_state(tx.state)
