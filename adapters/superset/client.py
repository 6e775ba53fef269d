"""SupersetClient: the async client behind the `superset.*` tools."""

from __future__ import annotations

from adapters.superset.catalog import CatalogOps
from adapters.superset.charts import ChartDataOps
from adapters.superset.sqllab import SqlLabOps


class SupersetClient(CatalogOps, ChartDataOps, SqlLabOps):
    """Async client for one Superset (its root URL, e.g. http://localhost:8088), as one user.

    Logs in at /api/v1/security/login (provider db by default), refreshes the 15-minute access
    token before it expires and once after a 401, and sends a CSRF token with POSTs that need
    one. Every method returns plain JSON-able values and raises `adapters.errors` types with
    system "superset". Use it as `async with SupersetClient(...) as client:` or call `aclose()`.
    """


__all__ = ["SupersetClient"]
