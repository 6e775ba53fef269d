"""A local stand-in for a Wagtail 8 site's API v2 (reads) and API v3 preview (writes)."""

from sandbox.wagtail.app import SANDBOX_TOKEN, create_app
from sandbox.wagtail.demo import demo_seed
from sandbox.wagtail.store import WagtailStore

__all__ = ["SANDBOX_TOKEN", "WagtailStore", "create_app", "demo_seed"]
