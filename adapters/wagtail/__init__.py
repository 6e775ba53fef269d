"""Wagtail adapter: API v2 reads, API v3 (preview) writes."""

from adapters.wagtail.client import WagtailClient
from adapters.wagtail.convert import DEFAULT_PAGE_TYPES

__all__ = ["DEFAULT_PAGE_TYPES", "WagtailClient"]
