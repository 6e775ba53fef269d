"""A local stand-in for Superset's REST API (security, dashboards, charts, datasets, chart data,
SQL Lab), answering from a read-only SQLite warehouse of deterministic demo data."""

from sandbox.superset.app import create_app
from sandbox.superset.demo import demo_seed
from sandbox.superset.demo_tables import demo_tables
from sandbox.superset.store import SupersetStore

__all__ = ["SupersetStore", "create_app", "demo_seed", "demo_tables"]
