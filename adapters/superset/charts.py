"""Chart data: a saved chart's own query context, with the time range, filters and row limit changed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from adapters.errors import InvalidRequest, Unavailable
from adapters.superset.base import Row, SupersetBase
from adapters.superset.failures import SYSTEM

# ChartDataFilter.op in Superset's OpenAPI spec.
FILTER_OPS = frozenset({
    "==", "!=", ">", "<", ">=", "<=", "LIKE", "NOT LIKE", "ILIKE", "NOT ILIKE", "IS NULL", "IS NOT NULL", "IN",
    "NOT IN", "IS TRUE", "IS FALSE", "TEMPORAL_RANGE",
})
_NO_VALUE_OPS = frozenset({"IS NULL", "IS NOT NULL", "IS TRUE", "IS FALSE"})


def chart_filters(filters: Mapping[str, Any]) -> list[Row]:
    """Tool filters as ChartDataFilter objects: a value is `==`, a list `IN`, None `IS NULL`,
    and `{"op": ">=", "val": 100}` any operator of the spec."""
    result: list[Row] = []
    for column, value in filters.items():
        if not isinstance(column, str) or not column:
            raise InvalidRequest(SYSTEM, "filters keys must be column names", field="filters")
        if value is None:
            result.append({"col": column, "op": "IS NULL"})
        elif isinstance(value, list | tuple):
            result.append({"col": column, "op": "IN", "val": list(value)})
        elif isinstance(value, Mapping):
            op = str(value.get("op", "==")).upper()
            if op not in FILTER_OPS:
                raise InvalidRequest(SYSTEM, f"filters[{column!r}]: unknown operator {op!r}; use one of "
                                             f"{', '.join(sorted(FILTER_OPS))}", field="filters")
            item: Row = {"col": column, "op": op}
            if op not in _NO_VALUE_OPS:
                item["val"] = value.get("val", value.get("value"))
            result.append(item)
        else:
            result.append({"col": column, "op": "==", "val": value})
    return result


def apply_overrides(
    context: Row, *, time_range: str | None, filters: list[Row], row_limit: int | None
) -> Row:
    """A copy of a saved query context with the tool's changes in every query.

    The time range goes both to `time_range` and to the TEMPORAL_RANGE filter that charts saved
    with generic x-axes carry instead; extra filters are added to each query's own.
    """
    changed: Row = json.loads(json.dumps(context))
    queries = changed.get("queries")
    if not isinstance(queries, list) or not queries:
        raise InvalidRequest(SYSTEM, "the chart's saved query context has no queries; save the chart again",
                             field="chart")
    for query in queries:
        if not isinstance(query, dict):
            continue
        own = [f for f in query.get("filters") or [] if isinstance(f, dict)]
        if time_range is not None:
            query["time_range"] = time_range
            for item in own:
                if item.get("op") == "TEMPORAL_RANGE":
                    item["val"] = time_range
        query["filters"] = own + [dict(f) for f in filters]
        if row_limit is not None:
            query["row_limit"] = row_limit
    changed["result_format"] = "json"
    changed["result_type"] = "full"
    changed.pop("force", None)
    return changed


def _iso(epoch_ms: Any) -> str | None:
    if not isinstance(epoch_ms, int | float):
        return None
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).isoformat()


def _result(item: Row) -> Row:
    return {
        "columns": list(item.get("colnames") or []),
        "rows": list(item.get("data") or []),
        "row_count": item.get("rowcount", len(item.get("data") or [])),
    }


class ChartDataOps(SupersetBase):
    async def chart_data(
        self,
        chart: str,
        time_range: str | None = None,
        filters: Mapping[str, Any] | None = None,
        row_limit: int | None = None,
    ) -> dict[str, Any]:
        """The data of a saved chart (ID or name), optionally for another time range, filters, row limit."""
        extra = chart_filters(filters or {})
        chart_id = await self._chart_id(chart)
        body = await self._get(f"/api/v1/chart/{chart_id}", field="chart")
        detail: Row = (body.get("result") if isinstance(body, dict) else None) or {}
        saved = detail.get("query_context")
        if saved:
            try:
                context = json.loads(saved)
            except ValueError as exc:
                raise InvalidRequest(SYSTEM, "the chart's saved query context is not JSON; save the chart again",
                                     field="chart") from exc
            payload = apply_overrides(context, time_range=time_range, filters=extra, row_limit=row_limit)
            reply = await self._post("/api/v1/chart/data", payload, safe=True, csrf=False, field="chart")
        elif time_range is None and not extra and row_limit is None:
            reply = await self._transport.request(
                "GET", f"/api/v1/chart/{chart_id}/data/", params={"format": "json", "type": "full"}, safe=True,
                field_hint="chart",
            )
        else:
            raise InvalidRequest(SYSTEM, f"chart {chart!r} has no saved query context, so its time range and "
                                         "filters cannot be changed; open and save it in Superset", field="chart")
        if reply.status == 202:
            raise Unavailable(SYSTEM, "Superset runs chart queries asynchronously here (GLOBAL_ASYNC_QUERIES); "
                                      "this adapter needs synchronous chart data")
        results = [r for r in (reply.body.get("result") or []) if isinstance(r, dict)]
        if not results:
            raise Unavailable(SYSTEM, f"chart {chart_id} returned no result")
        first = results[0]
        if first.get("status") not in (None, "success") or first.get("error"):
            raise InvalidRequest(SYSTEM, f"chart {chart_id} query failed: {first.get('error') or first.get('status')}",
                                 field="chart")
        answer: dict[str, Any] = {
            "chart_id": chart_id,
            "chart": detail.get("slice_name") or chart,
            "viz_type": detail.get("viz_type"),
            "url": self.absolute(detail.get("url")),
            **_result(first),
            "time_range": time_range,
            "from": _iso(first.get("from_dttm")),
            "to": _iso(first.get("to_dttm")),
            "applied_filters": [f.get("column") for f in first.get("applied_filters") or [] if isinstance(f, dict)],
            "rejected_filters": [
                {"column": f.get("column"), "reason": f.get("reason")}
                for f in first.get("rejected_filters") or [] if isinstance(f, dict)
            ],
            "sql": first.get("query"),
        }
        if len(results) > 1:
            answer["more_results"] = [_result(r) for r in results[1:]]
        return answer
