"""POST /api/v1/sqllab/execute/ run synchronously on the warehouse, answered like Superset 6.1.

Seen on a live server: a payload field that is unknown or missing is a 400 with marshmallow's
`{"message": {field: [..]}}`; an unknown database a 500 GENERIC_BACKEND_ERROR; SQL that writes a
500 DML_NOT_ALLOWED_ERROR; a syntax error a 422 INVALID_SQL_ERROR; another engine error a 500
GENERIC_DB_ENGINE_ERROR. Several statements run in turn and the last one's rows come back.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import Any

from sandbox.superset import warehouse
from sandbox.superset.answers import field_errors, message, superset_error
from sandbox.superset.seeding import State

PAYLOAD_TYPES: dict[str, type] = {
    "catalog": str, "client_id": str, "ctas_method": str, "database_id": int, "expand_data": bool,
    "queryLimit": int, "runAsync": bool, "schema": str, "select_as_cta": bool, "sql": str, "sql_editor_id": str,
    "tab": str, "templateParams": str, "tmp_table_name": str,
}
_TYPE_ERRORS = {int: "Not a valid integer.", str: "Not a valid string.", bool: "Not a valid boolean."}
SQL_MAX_ROW = 100000


def _validate(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise message(400, "Request is not JSON")
    problems: dict[str, list[str]] = {}
    for key, value in body.items():
        wanted = PAYLOAD_TYPES.get(key)
        if wanted is None:
            problems[key] = ["Unknown field."]
        elif value is not None and (not isinstance(value, wanted) or (wanted is int and isinstance(value, bool))):
            problems[key] = [_TYPE_ERRORS[wanted]]
        elif value is None and key in ("database_id", "sql"):
            problems[key] = ["Field may not be null."]
    for key in ("database_id", "sql"):
        if key not in body:
            problems[key] = ["Missing data for required field."]
    if problems:
        raise field_errors(dict(sorted(problems.items())))
    return body


def _column(name: str, values: list[Any]) -> dict[str, Any]:
    sample = next((v for v in values if v is not None), None)
    kind = "INT" if isinstance(sample, int) else "FLOAT" if isinstance(sample, float) else "STRING"
    return {"column_name": name, "name": name, "type": kind, "type_generic": 0 if kind != "STRING" else 1,
            "is_dttm": False}


def execute(state: State, body: Any, *, user_name: str, user_id: int) -> dict[str, Any]:
    """The answer body of a synchronous SQL Lab run; raises ApiError for refused queries."""
    payload = _validate(body)
    database = state["databases"].get(str(payload["database_id"]))
    if database is None:
        raise superset_error(500, "The database referenced in this query was not found. Please contact an "
                                  "administrator for further assistance or try again.", "GENERIC_BACKEND_ERROR")
    if payload.get("runAsync"):
        raise message(400, "The sandbox runs SQL Lab queries synchronously only; send runAsync false")
    limit = payload.get("queryLimit") or SQL_MAX_ROW
    started = time.time() * 1000
    try:
        result = warehouse.run_sql(payload["sql"], min(limit, SQL_MAX_ROW))
    except warehouse.QueryError as exc:
        if exc.kind == "dml":
            raise superset_error(500, exc.message, "DML_NOT_ALLOWED_ERROR") from exc
        if exc.kind == "syntax":
            raise superset_error(422, exc.message, "INVALID_SQL_ERROR", sql=payload["sql"], engine="sqlite") from exc
        raise superset_error(500, exc.message, "GENERIC_DB_ENGINE_ERROR", engine_name="SQLite") from exc
    query_id = int(state["next_query_id"])
    state["next_query_id"] = query_id + 1
    columns = [_column(name, [row[name] for row in result.rows]) for name in result.columns]
    query = {
        "changed_on": datetime.now(UTC).isoformat(), "dbId": database["id"],
        "db": database["database_name"], "endDttm": time.time() * 1000, "errorMessage": None,
        "executedSql": f"{payload['sql']}\nLIMIT {limit + 1}", "id": secrets.token_hex(5), "queryId": query_id,
        "limit": limit, "limitingFactor": "DROPDOWN" if result.truncated else "NOT_LIMITED", "progress": 100,
        "rows": len(result.rows), "schema": payload.get("schema") or "main", "ctas": False, "serverId": query_id,
        "sql": payload["sql"], "startDttm": started, "state": "success", "user": user_name, "userId": user_id,
        "tempSchema": None, "tempTable": None, "trackingUrl": None, "extra": {"progress": None, "columns": columns},
    }
    return {"query_id": query_id, "status": "success", "data": result.rows, "columns": columns,
            "selected_columns": columns, "expanded_columns": [], "query": query}
