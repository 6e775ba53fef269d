"""CrmStore: the sandbox CRM's state, in memory or in a JSON file shared between processes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sandbox.crm.demo import demo_seed
from sandbox.crm.dump import dump_crm
from sandbox.crm.seeding import seed_crm
from sandbox.crm.state import CrmState, empty_state
from sandbox.persist import StateFile


class CrmStore:
    """One organisation's CRM: users, tags, pipelines, leads, contacts, accounts, deals, tasks, notes.

    With `persist_path` the state lives in that JSON file: each transaction holds an exclusive
    `fcntl` lock on `<path>.lock`, reads the file, and replaces it atomically when something
    changed, so several processes share one CRM. Without a path the state stays in memory.
    """

    def __init__(self, persist_path: Path | None = None) -> None:
        self._file = StateFile(persist_path, empty_state())

    @property
    def persist_path(self) -> Path | None:
        return self._file.path

    @classmethod
    def with_demo_data(cls, persist_path: Path | None = None) -> CrmStore:
        """A store holding `demo_seed()`, unless it already holds leads or accounts."""
        store = cls(persist_path)
        with store.transaction() as state:
            if not state.table("leads") and not state.table("accounts"):
                seed_crm(state, demo_seed())
        return store

    @contextlib.contextmanager
    def transaction(self) -> Iterator[CrmState]:
        """Exclusive access to the current state; changes are saved when the block ends cleanly."""
        with self._file.transaction(CrmState) as state:
            yield state

    def reset(self) -> None:
        """Empty the CRM (a new organisation with no users or records)."""
        with self.transaction() as state:
            state.state.clear()
            state.state.update(empty_state())
            state.touch()

    def seed(self, data: dict[str, Any]) -> None:
        """Add or update `users`, `leads`, `contacts`, `accounts`, `opportunities`, `tasks`, `notes`.

        Records are matched by email (leads, contacts), name (accounts, deals) or title (tasks);
        a match gets the seeded fields. See `demo_seed()` for the shape.
        """
        with self.transaction() as state:
            seed_crm(state, data)

    def dump(self) -> dict[str, Any]:
        """The CRM in the seed shape, with the tools' argument names (email, status, stage, ...)."""
        with self.transaction() as state:
            return dump_crm(state)
