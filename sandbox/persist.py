"""Sandbox state as a JSON file shared by processes: an exclusive file lock, a read, an atomic write.

`StateFile` is the whole pattern a stand-in's store follows: one transaction at a time (a
thread lock, and the file lock when persisted), the state read fresh from the file, and
written back atomically only when the transaction changed it and ended cleanly.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Generic, Protocol, Self, TypeVar


class Tracked(Protocol):
    """A view of one state dict that knows whether it was changed."""

    @property
    def state(self) -> Any: ...

    @property
    def dirty(self) -> bool: ...

    def touch(self) -> None: ...


T = TypeVar("T", bound=Tracked)


@contextlib.contextmanager
def file_lock(path: Path | None) -> Iterator[None]:
    """Hold an exclusive lock on `<path>.lock` (nothing to lock for an in-memory store)."""
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def read_state(path: Path | None) -> Any | None:
    """The state stored at `path`, or None when there is none yet."""
    if path is not None and path.exists():
        text = path.read_text(encoding="utf-8")
        if text.strip():
            return json.loads(text)
    return None


def write_state(path: Path, state: Any) -> None:
    """Replace the file at once (write a temporary file, then rename), so readers never see half."""
    fd, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(state, handle, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


class StateFile:
    """One stand-in's state: in memory, or with `path` in that JSON file shared by processes.

    Without a path a transaction works on a copy, so one that fails half-way leaves the state
    as it was.
    """

    def __init__(self, path: Path | None, empty: Any) -> None:
        self.path = Path(path) if path is not None else None
        self._lock = threading.RLock()
        self._state = empty

    @contextlib.contextmanager
    def transaction(self, view: Callable[[Any], T]) -> Iterator[T]:
        """Exclusive access to the current state through `view`; saved if it ends dirty."""
        with self._lock, file_lock(self.path):
            loaded = read_state(self.path)
            tx = view(loaded if loaded is not None else copy.deepcopy(self._state))
            yield tx
            if tx.dirty:
                self._state = tx.state
                if self.path is not None:
                    write_state(self.path, tx.state)


class StandInStore(Generic[T]):
    """The store of one stand-in: its state through a view (`view`), seeded, dumped and reset.

    With `persist_path` the state lives in that JSON file: every transaction takes an exclusive
    `fcntl` lock on `<path>.lock`, reads the file, and replaces it atomically when something
    changed, so several processes share one stand-in. Without it the state stays in memory.
    A subclass says what its state is: `view`, `empty_state`, `is_empty`, `seed_into`,
    `dump_from` and `demo_seed`.
    """

    def __init__(self, persist_path: Path | None = None) -> None:
        self._file = StateFile(persist_path, self.empty_state(None))

    @property
    def persist_path(self) -> Path | None:
        return self._file.path

    @classmethod
    def with_demo_data(cls, persist_path: Path | None = None) -> Self:
        """A store holding `demo_seed()`, unless it already holds data."""
        store = cls(persist_path)
        with store.transaction() as tx:
            if store.is_empty(tx):
                store.seed_into(tx, store.demo_seed())
        return store

    @contextlib.contextmanager
    def transaction(self) -> Iterator[T]:
        """Exclusive access to the current state; changes are saved when the block ends cleanly."""
        with self._file.transaction(self.view) as tx:
            yield tx

    def reset(self) -> None:
        """Empty the stand-in (what `empty_state` keeps of the old state, such as a signing key, stays)."""
        with self.transaction() as tx:
            fresh = self.empty_state(tx.state)
            tx.state.clear()
            tx.state.update(fresh)
            tx.touch()

    def seed(self, data: dict[str, Any]) -> None:
        """Add or update the objects in `data` (the shape of `demo_seed()`); matches are kept or updated."""
        with self.transaction() as tx:
            self.seed_into(tx, data)

    def dump(self) -> dict[str, Any]:
        """The state in the seed shape, with the tools' argument names."""
        with self.transaction() as tx:
            return self.dump_from(tx)

    # --- what a stand-in's store says about its state -----------------------------------------

    def view(self, state: Any) -> T:
        raise NotImplementedError

    def empty_state(self, old: Any | None) -> Any:
        """A new empty state; `old` is the state being reset (None for a new store)."""
        raise NotImplementedError

    def is_empty(self, tx: T) -> bool:
        raise NotImplementedError

    def seed_into(self, tx: T, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def dump_from(self, tx: T) -> dict[str, Any]:
        raise NotImplementedError

    def demo_seed(self) -> dict[str, Any]:
        raise NotImplementedError
