"""CRM adapter: django-crm 1.35 (BottleCRM) REST API."""

from adapters.crm.client import CrmClient

__all__ = ["CrmClient"]
