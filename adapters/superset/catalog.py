"""Finding dashboards, charts and datasets: Superset's list endpoints, shaped for the tools."""

from __future__ import annotations

import asyncio
from typing import Any

from adapters.superset.base import DEFAULT_LIMIT, Row, SupersetBase

DASHBOARD_COLUMNS = [
    "id", "dashboard_title", "slug", "url", "published", "changed_on_utc", "changed_on_delta_humanized",
    "owners.id", "owners.first_name", "owners.last_name", "owners.email", "tags.id", "tags.name", "tags.type",
]
CHART_COLUMNS = [
    "id", "slice_name", "viz_type", "description", "url", "datasource_id", "datasource_name_text",
    "changed_on_utc", "changed_on_delta_humanized", "dashboards.id", "dashboards.dashboard_title",
]
DATASET_COLUMNS = [
    "id", "table_name", "schema", "description", "kind", "sql", "database.id", "database.database_name",
    "changed_on_utc",
]
_SYSTEM_TAG_PREFIXES = ("owner:", "type:", "favorited_by:")
_FETCH_AT_ONCE = 8


def _person(user: Any) -> str:
    if not isinstance(user, dict):
        return ""
    name = f"{user.get('first_name') or ''} {user.get('last_name') or ''}".strip()
    return name or str(user.get("email") or "")


def _tags(tags: Any) -> list[str]:
    names = [str(t.get("name")) for t in tags or [] if isinstance(t, dict) and t.get("name")]
    return [n for n in names if not n.startswith(_SYSTEM_TAG_PREFIXES)]


class CatalogOps(SupersetBase):
    async def _gather(self, calls: list[Any]) -> list[Any]:
        """Run coroutines a few at a time (a page's detail calls); all finish before the first error is raised."""
        limit = asyncio.Semaphore(_FETCH_AT_ONCE)

        async def one(call: Any) -> Any:
            async with limit:
                return await call

        results = await asyncio.gather(*(one(c) for c in calls), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return list(results)

    async def dashboard_list(
        self, query: str | None = None, owner: str | None = None, tag: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Dashboards by title or slug text, owner (name or email) and tag, newest change first."""
        filters: list[Row] = []
        if query:
            filters.append({"col": "dashboard_title", "opr": "title_or_slug", "value": query})
        if owner:
            filters.append({"col": "owners", "opr": "rel_m_m", "value": await self._owner_id(owner)})
        if tag:
            filters.append({"col": "tags", "opr": "dashboard_tags", "value": tag})
        rows = await self._list(
            "dashboard", filters, columns=DASHBOARD_COLUMNS, page_size=limit or DEFAULT_LIMIT,
            order_column="changed_on_delta_humanized", order_direction="desc", field="query",
        )
        charts = await self._gather([self._get(f"/api/v1/dashboard/{row['id']}/charts") for row in rows])
        return [
            {
                "id": row.get("id"),
                "title": row.get("dashboard_title"),
                "slug": row.get("slug"),
                "url": self.absolute(row.get("url")),
                "published": row.get("published"),
                "owners": [_person(u) for u in row.get("owners") or []],
                "tags": _tags(row.get("tags")),
                "charts": [
                    {"id": c.get("id"), "name": c.get("slice_name")}
                    for c in (body.get("result") or []) if isinstance(c, dict)
                ],
                "changed_on": row.get("changed_on_utc"),
                "changed": row.get("changed_on_delta_humanized"),
            }
            for row, body in zip(rows, charts, strict=True)
        ]

    async def chart_list(
        self, query: str | None = None, dashboard: str | None = None, dataset: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Charts by name text, the dashboard they are on (ID, title or slug) and their dataset (ID or name)."""
        filters: list[Row] = []
        if query:
            filters.append({"col": "slice_name", "opr": "chart_all_text", "value": query})
        if dashboard:
            filters.append({"col": "dashboards", "opr": "rel_m_m", "value": await self._dashboard_id(dashboard)})
        if dataset:
            filters.append({"col": "datasource_id", "opr": "eq", "value": await self._dataset_id(dataset)})
        rows = await self._list(
            "chart", filters, columns=CHART_COLUMNS, page_size=limit or DEFAULT_LIMIT,
            order_column="slice_name", order_direction="asc", field="query",
        )
        return [
            {
                "id": row.get("id"),
                "name": row.get("slice_name"),
                "viz_type": row.get("viz_type"),
                "dataset": row.get("datasource_name_text"),
                "dataset_id": row.get("datasource_id"),
                "dashboards": [d.get("dashboard_title") for d in row.get("dashboards") or [] if isinstance(d, dict)],
                "url": self.absolute(row.get("url")),
                "description": row.get("description"),
                "changed_on": row.get("changed_on_utc"),
            }
            for row in rows
        ]

    async def dataset_list(
        self, query: str | None = None, database: str | None = None, include_columns: bool = True,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Datasets by name text and database (ID or name), with their columns and metrics by default."""
        filters: list[Row] = []
        if query:
            filters.append({"col": "table_name", "opr": "ct", "value": query})
        if database:
            filters.append({"col": "database", "opr": "rel_o_m", "value": await self._database_id(database)})
        rows = await self._list(
            "dataset", filters, columns=DATASET_COLUMNS, page_size=limit or DEFAULT_LIMIT,
            order_column="table_name", order_direction="asc", field="query",
        )
        details: list[Any] = [None] * len(rows)
        if include_columns:
            details = await self._gather([self._get(f"/api/v1/dataset/{row['id']}") for row in rows])
        return [self._dataset(row, detail) for row, detail in zip(rows, details, strict=True)]

    @staticmethod
    def _dataset(row: Row, detail: Any) -> dict[str, Any]:
        database = row.get("database") or {}
        item: dict[str, Any] = {
            "id": row.get("id"),
            "name": row.get("table_name"),
            "database": database.get("database_name"),
            "database_id": database.get("id"),
            "schema": row.get("schema"),
            "kind": row.get("kind"),
            "description": row.get("description"),
        }
        if row.get("sql"):
            item["sql"] = row["sql"]
        full = detail.get("result") if isinstance(detail, dict) else None
        if isinstance(full, dict):
            item["time_column"] = full.get("main_dttm_col")
            item["columns"] = [
                {"name": c.get("column_name"), "type": c.get("type"), "is_dttm": bool(c.get("is_dttm")),
                 "description": c.get("description")}
                for c in full.get("columns") or [] if isinstance(c, dict)
            ]
            item["metrics"] = [
                {"name": m.get("metric_name"), "expression": m.get("expression"), "description": m.get("description")}
                for m in full.get("metrics") or [] if isinstance(m, dict)
            ]
        return item
