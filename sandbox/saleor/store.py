"""SaleorStore: the sandbox's state, in memory or in a JSON file shared between processes."""

from __future__ import annotations

from typing import Any

from sandbox.persist import StandInStore
from sandbox.saleor.catalog import Catalog, empty_state
from sandbox.saleor.demo import demo_seed
from sandbox.saleor.seeding import dump_catalog, seed_catalog


class SaleorStore(StandInStore[Catalog]):
    """One store's catalog (channels, product types, categories, collections, products, variants,
    stock) and its customers, orders, vouchers and discounts.

    `seed` adds channels, product types, categories, collections, warehouses, products, stocks,
    customers, orders, vouchers and discounts: objects are matched by name (customers by email,
    orders by number, vouchers by code), existing ones are kept, partial ones get defaults.
    `dump` gives the store in that shape; `reset` empties it but keeps the token signing key, so
    issued tokens stay valid. Persistence: see `StandInStore`.
    """

    def view(self, state: Any) -> Catalog:
        return Catalog(state)

    def empty_state(self, old: Any | None) -> Any:
        return empty_state(old.get("secret") if old else None)

    def is_empty(self, tx: Catalog) -> bool:
        return not tx.table("products")

    def seed_into(self, tx: Catalog, data: dict[str, Any]) -> None:
        seed_catalog(tx, data)

    def dump_from(self, tx: Catalog) -> dict[str, Any]:
        return dump_catalog(tx)

    def demo_seed(self) -> dict[str, Any]:
        return demo_seed()
