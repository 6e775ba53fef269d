"""WagtailStore: the sandbox site's state, in memory or in a JSON file shared between processes."""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sandbox.persist import file_lock, read_state, write_state
from sandbox.wagtail.demo import demo_seed
from sandbox.wagtail.seeding import dump_site, seed_site
from sandbox.wagtail.site import Site, empty_state


class WagtailStore:
    """One Wagtail site: its page tree (draft and live revisions), images and documents.

    With `persist_path` the state lives in that JSON file: each transaction holds an exclusive
    `fcntl` lock on `<path>.lock`, reads the file, and replaces it atomically when something
    changed, so several processes share one site. Without a path the state stays in memory.
    """

    def __init__(self, persist_path: Path | None = None) -> None:
        self.persist_path = Path(persist_path) if persist_path is not None else None
        self._lock = threading.RLock()
        self._state: dict[str, Any] = empty_state()

    @classmethod
    def with_demo_data(cls, persist_path: Path | None = None) -> WagtailStore:
        """A store holding `demo_seed()`, unless it already holds pages besides the root."""
        store = cls(persist_path)
        with store.transaction() as site:
            if len(site.pages) <= 1:
                seed_site(site, demo_seed())
        return store

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Site]:
        """Exclusive access to the current state; changes are saved when the block ends cleanly."""
        with self._lock, self._file_lock():
            site = Site(self._load())
            yield site
            if site.dirty:
                self._save(site.state)

    def reset(self) -> None:
        """Empty the site: only the tree's root page is left."""
        with self.transaction() as site:
            site.state.clear()
            site.state.update(empty_state())
            site.touch()

    def seed(self, data: dict[str, Any]) -> None:
        """Add or update `pages`, `images` and `documents` (see `demo_seed()` for the shape).

        Pages are matched by slug under their parent, else by title; images and documents by
        title. A match gets the seeded fields; anything else is created.
        """
        with self.transaction() as site:
            seed_site(site, data)

    def dump(self) -> dict[str, Any]:
        """The site in the seed shape: pages (title, slug, status, ...), images, documents."""
        with self.transaction() as site:
            return dump_site(site)

    # --- persistence -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        with file_lock(self.persist_path):
            yield

    def _load(self) -> dict[str, Any]:
        loaded = read_state(self.persist_path)
        if loaded is not None:
            stored: dict[str, Any] = loaded
            return stored
        # A copy, so that a transaction failing half-way leaves the state as it was.
        return copy.deepcopy(self._state)

    def _save(self, state: dict[str, Any]) -> None:
        self._state = state
        if self.persist_path is None:
            return
        write_state(self.persist_path, state)
