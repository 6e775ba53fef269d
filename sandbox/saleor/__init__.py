"""A local stand-in for Saleor's GraphQL API, executing requests against Saleor's real schema."""

from sandbox.saleor.app import create_app
from sandbox.saleor.demo import demo_seed
from sandbox.saleor.store import SaleorStore

__all__ = ["SaleorStore", "create_app", "demo_seed"]
