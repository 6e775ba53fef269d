"""Superset (REST) adapter."""

from adapters.superset.client import SupersetClient

__all__ = ["SupersetClient"]
