"""WagtailStore: the sandbox site's state, in memory or in a JSON file shared between processes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sandbox.persist import StateFile
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
        self._file = StateFile(persist_path, empty_state())

    @property
    def persist_path(self) -> Path | None:
        return self._file.path

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
        with self._file.transaction(Site) as site:
            yield site

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
