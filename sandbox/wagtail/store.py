"""WagtailStore: the sandbox site's state, in memory or in a JSON file shared between processes."""

from __future__ import annotations

from typing import Any

from sandbox.persist import StandInStore
from sandbox.wagtail.demo import demo_seed
from sandbox.wagtail.seeding import dump_site, seed_site
from sandbox.wagtail.site import Site, empty_state


class WagtailStore(StandInStore[Site]):
    """One Wagtail site: its page tree (draft and live revisions), images and documents.

    `seed` adds or updates `pages`, `images` and `documents`: pages are matched by slug under
    their parent, else by title; images and documents by title. A match gets the seeded fields;
    anything else is created. `dump` gives the site in that shape; `reset` leaves only the tree's
    root page. Persistence: see `StandInStore`.
    """

    def view(self, state: Any) -> Site:
        return Site(state)

    def empty_state(self, old: Any | None) -> Any:
        return empty_state()

    def is_empty(self, tx: Site) -> bool:
        return len(tx.pages) <= 1

    def seed_into(self, tx: Site, data: dict[str, Any]) -> None:
        seed_site(tx, data)

    def dump_from(self, tx: Site) -> dict[str, Any]:
        return dump_site(tx)

    def demo_seed(self) -> dict[str, Any]:
        return demo_seed()
