"""Sandbox state as a JSON file shared by processes: an exclusive file lock, a read, an atomic write."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


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
