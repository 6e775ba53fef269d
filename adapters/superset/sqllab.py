"""SQL Lab: one read-only query, run synchronously with POST /api/v1/sqllab/execute/."""

from __future__ import annotations

from typing import Any

from adapters.errors import InvalidRequest, Unavailable
from adapters.superset.base import SupersetBase
from adapters.superset.failures import SYSTEM
from adapters.superset.sql_guard import check_read_only

EXECUTE = "/api/v1/sqllab/execute/"


class SqlLabOps(SupersetBase):
    async def sql_query(
        self, database: str, sql: str, schema: str | None = None, limit: int = 1000
    ) -> dict[str, Any]:
        """Run one SELECT or WITH statement on a database (ID or name) and return its rows.

        Anything else is refused here before Superset sees it. Repeating a SELECT changes nothing,
        so the POST is retried like a read; it carries the CSRF token Superset wants on POSTs.
        """
        try:
            clean = check_read_only(sql)
        except ValueError as exc:
            raise InvalidRequest(SYSTEM, str(exc), field="sql") from exc
        if limit < 1:
            raise InvalidRequest(SYSTEM, "limit must be at least 1", field="limit")
        database_id = await self._database_id(database)
        payload: dict[str, Any] = {"database_id": database_id, "sql": clean, "queryLimit": limit, "runAsync": False}
        if schema:
            payload["schema"] = schema
        reply = await self._post(EXECUTE, payload, safe=True, csrf=True, field="sql")
        body = reply.body if isinstance(reply.body, dict) else {}
        if reply.status == 202 or body.get("status") not in ("success", None):
            raise Unavailable(SYSTEM, f"SQL Lab did not finish the query synchronously (status "
                                      f"{body.get('status')!r}); the database may run queries asynchronously")
        rows = [r for r in body.get("data") or [] if isinstance(r, dict)]
        columns = [c.get("name") or c.get("column_name") for c in body.get("columns") or [] if isinstance(c, dict)]
        query = body.get("query")
        limiting = query.get("limitingFactor") if isinstance(query, dict) else None
        return {
            "database": database,
            "database_id": database_id,
            "schema": schema,
            "sql": clean,
            "columns": columns,
            "rows": rows,
            "row_count": len(rows),
            # Superset 6.1 reports a row cut by queryLimit as limitingFactor UNKNOWN (sync) or DROPDOWN.
            "truncated": len(rows) >= limit and limiting != "NOT_LIMITED",
            "query_id": body.get("query_id"),
        }
