"""Chart data: a Superset query context turned into SQL over a dataset and run on the warehouse.

Handles what saved charts use: columns (names, or adhoc SQL with a time grain for the x-axis),
metrics (saved names, adhoc SQL or SIMPLE aggregates), filters (every ChartDataFilter operator,
TEMPORAL_RANGE included), `time_range` with `granularity`, `extras.where/having`, `orderby`,
`row_limit` and `row_offset`. Filters on columns the dataset lacks are rejected as Superset does
(`rejected_filters`, reason not_in_datasource); unknown columns or metrics are a 400.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

from sandbox.superset import timerange, warehouse
from sandbox.superset.answers import ApiError, field_errors, message
from sandbox.superset.seeding import State

GRAINS = {
    "P1D": "date({})",
    "P1W": "date({}, '-6 days', 'weekday 1')",
    "P1M": "strftime('%Y-%m-01', {})",
    "P3M": "printf('%s-%02d-01', strftime('%Y', {0}), ((CAST(strftime('%m', {0}) AS INTEGER) - 1) / 3) * 3 + 1)",
    "P1Y": "strftime('%Y-01-01', {})",
}
COMPARISONS = {"==": "=", "!=": "!=", ">": ">", "<": "<", ">=": ">=", "<=": "<=", "LIKE": "LIKE",
               "NOT LIKE": "NOT LIKE", "ILIKE": "LIKE", "NOT ILIKE": "NOT LIKE"}
OPERATORS = set(COMPARISONS) | {"IN", "NOT IN", "IS NULL", "IS NOT NULL", "IS TRUE", "IS FALSE", "TEMPORAL_RANGE"}
DEFAULT_ROW_LIMIT = 10000


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def source_of(dataset: dict[str, Any]) -> str:
    return f"({dataset['sql']}) AS virtual_table" if dataset.get("sql") else quote(dataset["name"])


def _epoch_ms(moment: datetime | None) -> int | None:
    return int(moment.replace(tzinfo=UTC).timestamp() * 1000) if moment else None


class _Query:
    """One query object being turned into SQL."""

    def __init__(self, dataset: dict[str, Any], query: dict[str, Any], index: int, today: date) -> None:
        self.dataset, self.query, self.index, self.today = dataset, query, index, today
        self.available = {name for name, _ in warehouse.table_columns_of(source_of(dataset))}
        self.where: list[str] = []
        self.applied: list[dict[str, Any]] = []
        self.rejected: list[dict[str, Any]] = []
        self.since: datetime | None = None
        self.until: datetime | None = None
        self.temporal_labels: set[str] = set()

    def columns(self) -> list[tuple[str, str]]:
        """(expression, label) of each grouping column."""
        result, missing = [], []
        for column in self.query.get("columns") or self.query.get("groupby") or []:
            if isinstance(column, str):
                if column not in self.available:
                    missing.append(column)
                result.append((quote(column), column))
                continue
            if not isinstance(column, dict):
                raise field_errors({"queries": {str(self.index): {"columns": ["Invalid column."]}}})
            expression = str(column.get("sqlExpression") or quote(str(column.get("column_name", ""))))
            grain = column.get("timeGrain")
            if grain:
                if grain not in GRAINS:
                    raise message(400, f"Unsupported time grain: {grain}")
                expression = GRAINS[grain].format(f"({expression})")
                self.temporal_labels.add(str(column.get("label") or expression))
            result.append((expression, str(column.get("label") or expression)))
        if missing:
            raise message(400, f"Columns missing in dataset: {missing}")
        return result

    def metrics(self) -> list[tuple[str, str]]:
        saved = {m["name"]: m["expression"] for m in self.dataset.get("metrics") or []}
        result = []
        for metric in self.query.get("metrics") or []:
            if isinstance(metric, str):
                if metric not in saved:
                    raise message(400, f"Metric '{metric}' does not exist")
                result.append((saved[metric], metric))
            elif isinstance(metric, dict) and metric.get("expressionType") == "SIMPLE":
                column = (metric.get("column") or {}).get("column_name", "")
                aggregate = str(metric.get("aggregate", "SUM")).upper()
                expression = f"{aggregate}({quote(column)})" if aggregate != "COUNT_DISTINCT" else \
                    f"COUNT(DISTINCT {quote(column)})"
                result.append((expression, str(metric.get("label") or expression)))
            elif isinstance(metric, dict) and metric.get("sqlExpression"):
                result.append((str(metric["sqlExpression"]), str(metric.get("label") or metric["sqlExpression"])))
            else:
                raise field_errors({"queries": {str(self.index): {"metrics": ["Invalid metric."]}}})
        return result

    def filters(self) -> None:
        time_range = self.query.get("time_range")
        granularity = self.query.get("granularity") or self.query.get("granularity_sqla")
        temporal = [f for f in self.query.get("filters") or [] if isinstance(f, dict) and f.get("op") == "TEMPORAL_RANGE"]
        if granularity and not temporal and time_range:
            temporal = [{"col": granularity, "op": "TEMPORAL_RANGE", "val": time_range}]
        for position, item in enumerate(self.query.get("filters") or []):
            if not isinstance(item, dict) or "col" not in item or "op" not in item:
                raise field_errors({"queries": {str(self.index): {"filters": {str(position): {
                    "col": ["Missing data for required field."]}}}}})
            if item["op"] not in OPERATORS:
                raise field_errors({"queries": {str(self.index): {"filters": {str(position): {
                    "op": [f"Must be one of: {', '.join(sorted(OPERATORS))}."]}}}}})
        for item in (self.query.get("filters") or []) + [t for t in temporal if t not in self.query.get("filters", [])]:
            column = item["col"]
            if not isinstance(column, str) or column not in self.available:
                self.rejected.append({"reason": "not_in_datasource", "column": column})
                continue
            if item["op"] == "TEMPORAL_RANGE":
                self._time_range(column, item.get("val"))
            else:
                self.where.append(self._condition(quote(column), item["op"], item.get("val")))
                self.applied.append({"column": column})

    def _time_range(self, column: str, value: Any) -> None:
        try:
            since, until = timerange.parse(value if isinstance(value, str) else None, today=self.today)
        except timerange.TimeRangeError as exc:
            raise message(400, f"Error: {exc}") from exc
        target = f"datetime({quote(column)})"
        if since:
            self.where.append(f"{target} >= datetime({literal(timerange.sql_bound(since))})")
        if until:
            self.where.append(f"{target} < datetime({literal(timerange.sql_bound(until))})")
        if since or until:
            self.since, self.until = since, until
            self.applied.append({"column": "__time_range"})

    @staticmethod
    def _condition(column: str, op: str, value: Any) -> str:
        if op in COMPARISONS:
            return f"{column} {COMPARISONS[op]} {literal(value)}"
        if op in ("IN", "NOT IN"):
            values = value if isinstance(value, list) else [value]
            if not values:
                return "1 = 0" if op == "IN" else "1 = 1"
            return f"{column} {op} ({', '.join(literal(v) for v in values)})"
        if op in ("IS NULL", "IS NOT NULL"):
            return f"{column} {op}"
        return f"{column} = {1 if op == 'IS TRUE' else 0}"

    def sql(self) -> tuple[str, list[str], list[str]]:
        """The SELECT, the labels of its columns, and which labels are metrics."""
        columns, metrics = self.columns(), self.metrics()
        if not columns and not metrics:
            raise message(400, "Empty query?")
        self.filters()
        raw_extras = self.query.get("extras")
        extras: dict[str, Any] = raw_extras if isinstance(raw_extras, dict) else {}
        if extras.get("where"):
            self.where.append(f"({extras['where']})")
        select = [f"{expr} AS {quote(label)}" for expr, label in columns + metrics]
        sql = f"SELECT {', '.join(select)} \nFROM {source_of(self.dataset)}"
        if self.where:
            sql += " \nWHERE " + " AND ".join(self.where)
        if columns:
            sql += " GROUP BY " + ", ".join(expr for expr, _ in columns)
        if extras.get("having"):
            sql += f" HAVING {extras['having']}"
        sql += self._order(columns, metrics)
        limit = int(self.query.get("row_limit") or DEFAULT_ROW_LIMIT)
        offset = int(self.query.get("row_offset") or 0)
        sql += f"\n LIMIT {limit} OFFSET {offset};"
        return sql, [label for _, label in columns + metrics], [label for _, label in metrics]

    def _order(self, columns: list[tuple[str, str]], metrics: list[tuple[str, str]]) -> str:
        terms = []
        for entry in self.query.get("orderby") or []:
            if isinstance(entry, list | tuple) and len(entry) == 2:
                key = entry[0]
                label = key if isinstance(key, str) else str((key or {}).get("label", ""))
                terms.append(f"{quote(label)} {'ASC' if entry[1] else 'DESC'}")
        if not terms and any(label in self.temporal_labels for _, label in columns):
            terms = [f"{quote(label)} ASC" for _, label in columns if label in self.temporal_labels]
        elif not terms and metrics and self.query.get("order_desc", True):
            terms = [f"{quote(metrics[0][1])} DESC"]
        return " ORDER BY " + ", ".join(terms) if terms else ""


def run_query(dataset: dict[str, Any], query: dict[str, Any], index: int, today: date) -> dict[str, Any]:
    """One ChartDataResponseResult for one query object."""
    plan = _Query(dataset, query, index, today)
    sql, labels, metric_labels = plan.sql()
    try:
        result = warehouse.run_select(sql, [])
    except warehouse.QueryError as exc:
        raise message(400, exc.message) from exc
    coltypes = []
    for label in labels:
        if label in plan.temporal_labels:
            coltypes.append(2)
        elif label in metric_labels or (result.rows and all(isinstance(r.get(label), int | float | None) for r in result.rows)):
            coltypes.append(0)
        else:
            coltypes.append(1)
    return {
        "cache_key": hashlib.sha256(sql.encode()).hexdigest(),
        "cached_dttm": None,
        "cache_timeout": 86400,
        "queried_dttm": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "annotation_data": [],
        "error": None,
        "is_cached": False,
        "query": sql,
        "status": "success",
        "stacktrace": None,
        "rowcount": len(result.rows),
        "from_dttm": _epoch_ms(plan.since),
        "to_dttm": _epoch_ms(plan.until),
        "colnames": labels,
        "coltypes": coltypes,
        "data": result.rows,
        "applied_filters": plan.applied,
        "rejected_filters": plan.rejected,
    }


def chart_data(state: State, context: Any, *, today: date) -> dict[str, Any]:
    """The answer to POST /api/v1/chart/data for a query context."""
    if not isinstance(context, dict):
        raise message(400, "Request is not JSON")
    unknown = set(context) - {"datasource", "queries", "force", "form_data", "result_format", "result_type",
                              "custom_cache_timeout"}
    if unknown:
        raise field_errors({key: ["Unknown field."] for key in sorted(unknown)})
    datasource = context.get("datasource")
    if not isinstance(datasource, dict) or "id" not in datasource:
        raise field_errors({"datasource": ["Missing data for required field."]})
    dataset = state["datasets"].get(str(datasource["id"]))
    if dataset is None:
        raise ApiError(404, {"message": "The dataset was not found"})
    queries = context.get("queries")
    if not isinstance(queries, list) or not queries:
        raise field_errors({"queries": ["Missing data for required field."]})
    return {"result": [run_query(dataset, q, i, today) for i, q in enumerate(queries) if isinstance(q, dict)]}


def query_context(chart: dict[str, Any]) -> dict[str, Any]:
    """The query context a chart was saved with (Superset 6 shape: generic x-axis, TEMPORAL_RANGE)."""
    columns: list[Any] = []
    time_column = chart.get("time_column")
    if time_column and chart.get("time_grain"):
        columns.append({"timeGrain": chart["time_grain"], "columnType": "BASE_AXIS", "sqlExpression": time_column,
                        "label": chart.get("x_label") or time_column, "expressionType": "SQL"})
    columns += list(chart.get("groupby") or [])
    query: dict[str, Any] = {
        "columns": columns,
        "metrics": [{"expressionType": "SQL", "sqlExpression": m["expression"], "label": m["label"]}
                    for m in chart.get("metrics") or []],
        "filters": [{"col": time_column, "op": "TEMPORAL_RANGE", "val": chart.get("time_range") or "No filter"}]
        if time_column else [],
        "extras": {"having": "", "where": f"({chart['where']})" if chart.get("where") else ""},
        "orderby": [list(o) for o in chart.get("order_by") or []],
        "row_limit": chart.get("row_limit") or DEFAULT_ROW_LIMIT,
        "series_limit": 0,
        "order_desc": True,
        "annotation_layers": [],
        "applied_time_extras": {},
        "url_params": {},
    }
    return {
        "datasource": {"id": chart["dataset_id"], "type": "table"},
        "force": False,
        "queries": [query],
        "form_data": form_data(chart),
        "result_format": "json",
        "result_type": "full",
    }


def form_data(chart: dict[str, Any]) -> dict[str, Any]:
    return {
        "datasource": f"{chart['dataset_id']}__table", "viz_type": chart["viz_type"], "slice_id": chart["id"],
        "time_range": chart.get("time_range") or "No filter", "groupby": list(chart.get("groupby") or []),
        "metrics": [m["label"] for m in chart.get("metrics") or []], "row_limit": chart.get("row_limit"),
    }
