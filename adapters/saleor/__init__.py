"""Saleor (GraphQL) adapter."""

from adapters.saleor.client import SaleorClient

__all__ = ["SaleorClient"]
