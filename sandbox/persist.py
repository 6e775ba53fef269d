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
from typing import Any, Protocol, TypeVar


class Tracked(Protocol):
    """A view of one state dict that knows whether it was changed."""

    @property
    def state(self) -> Any: ...

    @property
    def dirty(self) -> bool: ...


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
