"""SaleorStore: the sandbox's state, in memory or in a JSON file shared between processes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sandbox.persist import StateFile
from sandbox.saleor.catalog import Catalog, empty_state
from sandbox.saleor.demo import demo_seed
from sandbox.saleor.seeding import dump_catalog, seed_catalog


class SaleorStore:
    """One store's catalog (channels, product types, categories, collections, products, variants,
    stock) and its customers, orders, vouchers and discounts.

    With `persist_path` the state lives in that JSON file: every transaction takes an exclusive
    `fcntl` lock on `<path>.lock`, loads the file, and writes it back (atomically) if it
    changed, so separate processes see one store. Without it the state is in memory.
    """

    def __init__(self, persist_path: Path | None = None) -> None:
        self._file = StateFile(persist_path, empty_state())

    @property
    def persist_path(self) -> Path | None:
        return self._file.path

    @classmethod
    def with_demo_data(cls, persist_path: Path | None = None) -> SaleorStore:
        """A store seeded with `demo_seed()` unless it already holds products."""
        store = cls(persist_path)
        with store.transaction() as catalog:
            if not catalog.table("products"):
                seed_catalog(catalog, demo_seed())
        return store

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Catalog]:
        """Exclusive access to the current state; changes are saved when the block ends cleanly."""
        with self._file.transaction(Catalog) as catalog:
            yield catalog

    def reset(self) -> None:
        """Empty the store (the token signing key is kept, so issued tokens stay valid)."""
        with self.transaction() as catalog:
            catalog.state.clear()
            catalog.state.update(empty_state(catalog.secret if "secret" in catalog.state else None))
            catalog.touch()

    def seed(self, data: dict[str, Any]) -> None:
        """Add channels, product types, categories, collections, warehouses, products, stocks,
        customers, orders, vouchers and discounts.

        Objects are matched by name (customers by email, orders by number, vouchers by code);
        existing ones are kept. Partial objects get defaults. See `demo_seed()` for the shape.
        """
        with self.transaction() as catalog:
            seed_catalog(catalog, data)

    def dump(self) -> dict[str, Any]:
        """The store in the seed shape (products with name, slug, price, sku, category, ...)."""
        with self.transaction() as catalog:
            return dump_catalog(catalog)
