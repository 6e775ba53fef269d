"""A local stand-in for django-crm 1.35's (BottleCRM) REST API."""

from sandbox.crm.app import SANDBOX_TOKEN, create_app
from sandbox.crm.demo import demo_seed
from sandbox.crm.store import CrmStore

__all__ = ["SANDBOX_TOKEN", "CrmStore", "create_app", "demo_seed"]
