"""Superset's REST objects for the sandbox state: dashboards, charts, datasets, databases, users.

Each `*_row` builds the object as a live Superset 6.1 lists it, keeping to the fields its OpenAPI
schema allows (where the live server adds fields the schema forbids, the sandbox leaves them out).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sandbox.superset import querying, warehouse
from sandbox.superset.seeding import State

Row = dict[str, Any]


def _when(iso: str) -> tuple[str, str, float]:
    """(changed_on_utc, humanized delta, epoch ms) of a stored timestamp."""
    moment = datetime.fromisoformat(iso)
    seconds = max(0.0, (datetime.now(UTC) - moment).total_seconds())
    if seconds < 60:
        delta = "now"
    elif seconds < 3600:
        delta = f"{int(seconds // 60)} minutes ago"
    elif seconds < 86400:
        delta = f"{int(seconds // 3600)} hours ago"
    else:
        delta = f"{int(seconds // 86400)} days ago"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f+0000"), delta, moment.timestamp() * 1000


def user(state: State, user_id: int, *, email: bool = True, with_id: bool = True) -> Row:
    found = state["users"].get(str(user_id), {"first_name": "Unknown", "last_name": "User", "email": ""})
    row: Row = {"first_name": found["first_name"], "last_name": found["last_name"]}
    if with_id:
        row["id"] = user_id
    if email:
        row["email"] = found["email"]
    return row


def full_name(state: State, user_id: int) -> str:
    person = user(state, user_id)
    return f"{person['first_name']} {person['last_name']}".strip()


def _tags(state: State, names: list[str]) -> list[Row]:
    return [{"id": 1000 + i, "name": name, "type": 1} for i, name in enumerate(names)]


def dashboard_row(state: State, dash: Row) -> Row:
    changed, delta, _ = _when(dash["changed_on"])
    owner = dash["owners"][0]
    return {
        "id": dash["id"], "uuid": dash["uuid"], "dashboard_title": dash["title"], "slug": dash["slug"],
        "url": f"/superset/dashboard/{dash['slug'] or dash['id']}/", "published": dash["published"],
        "status": "published" if dash["published"] else "draft", "certified_by": None, "certification_details": None,
        "changed_by": user(state, owner, email=False), "changed_by_name": full_name(state, owner),
        "changed_on_utc": changed, "changed_on_delta_humanized": delta,
        "created_by": user(state, owner, email=False), "created_on_delta_humanized": delta,
        "owners": [user(state, u) for u in dash["owners"]], "roles": [], "tags": _tags(state, dash["tags"]),
        "thumbnail_url": f"/api/v1/dashboard/{dash['id']}/thumbnail/{dash['uuid'][:8]}/",
        "is_managed_externally": False,
    }


def _dashboards_of(state: State, chart_id: int) -> list[Row]:
    return [d for d in state["dashboards"].values() if chart_id in d["chart_ids"]]


def chart_row(state: State, chart: Row) -> Row:
    changed, delta, millis = _when(chart["changed_on"])
    owner = chart["owners"][0]
    dataset = state["datasets"][str(chart["dataset_id"])]
    form = querying.form_data(chart)
    return {
        "id": chart["id"], "uuid": chart["uuid"], "slice_name": chart["name"], "viz_type": chart["viz_type"],
        "description": chart["description"], "description_markeddown": chart["description"] or "",
        "cache_timeout": None, "certified_by": None, "certification_details": None,
        "changed_by": user(state, owner, email=False), "changed_by_name": full_name(state, owner),
        "changed_on_delta_humanized": delta, "changed_on_dttm": millis, "changed_on_utc": changed,
        "created_by": user(state, owner, email=False), "created_by_name": full_name(state, owner),
        "created_on_delta_humanized": delta,
        "dashboards": [{"dashboard_title": d["title"], "id": d["id"]} for d in _dashboards_of(state, chart["id"])],
        "datasource_id": dataset["id"], "datasource_name_text": dataset["name"], "datasource_type": "table",
        "datasource_url": f"/explore/?datasource_type=table&datasource_id={dataset['id']}",
        "edit_url": f"/chart/edit/{chart['id']}", "form_data": form, "is_managed_externally": False,
        "last_saved_at": datetime.fromisoformat(chart["changed_on"]).isoformat(),
        "last_saved_by": user(state, owner, email=False), "owners": [user(state, u) for u in chart["owners"]],
        "params": json.dumps(form), "slice_url": f"/explore/?slice_id={chart['id']}",
        "table": {"default_endpoint": None, "table_name": dataset["name"]}, "tags": _tags(state, chart["tags"]),
        "thumbnail_url": f"/api/v1/chart/{chart['id']}/thumbnail/{chart['uuid'][:8]}/",
        "url": f"/explore/?slice_id={chart['id']}",
    }


def chart_detail(state: State, chart: Row) -> Row:
    """GET /api/v1/chart/{id}: ChartGetResponseSchema, with the saved query context."""
    dataset = state["datasets"][str(chart["dataset_id"])]
    detail: Row = {
        "id": chart["id"], "uuid": chart["uuid"], "slice_name": chart["name"], "viz_type": chart["viz_type"],
        "changed_on_delta_humanized": _when(chart["changed_on"])[1],
        "dashboards": [{"dashboard_title": d["title"], "id": d["id"]} for d in _dashboards_of(state, chart["id"])],
        "datasource_id": dataset["id"], "datasource_type": "table", "datasource_name_text": dataset["name"],
        "datasource_url": f"/explore/?datasource_type=table&datasource_id={dataset['id']}",
        "datasource_uuid": dataset["uuid"], "is_managed_externally": False,
        "owners": [user(state, u) for u in chart["owners"]], "params": json.dumps(querying.form_data(chart)),
        "query_context": json.dumps(querying.query_context(chart)), "tags": _tags(state, chart["tags"]),
        "thumbnail_url": f"/api/v1/chart/{chart['id']}/thumbnail/{chart['uuid'][:8]}/",
        "url": f"/explore/?slice_id={chart['id']}",
    }
    if chart["description"]:
        detail["description"] = chart["description"]
    return detail


def chart_entity(chart: Row) -> Row:
    """One item of GET /api/v1/dashboard/{id_or_slug}/charts (ChartEntityResponseSchema)."""
    entity: Row = {
        "id": chart["id"], "slice_name": chart["name"], "changed_on": chart["changed_on"],
        "description_markeddown": chart["description"] or "",
        "form_data": querying.form_data(chart), "slice_url": f"/explore/?slice_id={chart['id']}",
    }
    if chart["description"]:
        entity["description"] = chart["description"]
    return entity


def dataset_row(state: State, dataset: Row) -> Row:
    changed, delta, _ = _when(dataset["changed_on"])
    owner = dataset["owners"][0]
    database = state["databases"][str(dataset["database_id"])]
    return {
        "id": dataset["id"], "uuid": dataset["uuid"], "table_name": dataset["name"], "schema": dataset["schema"],
        "catalog": None, "description": dataset["description"], "sql": dataset["sql"],
        "kind": "virtual" if dataset["sql"] else "physical", "datasource_type": "table", "default_endpoint": None,
        "extra": None, "explore_url": f"/explore/?datasource_type=table&datasource_id={dataset['id']}",
        "changed_by": user(state, owner, email=False), "changed_by_name": full_name(state, owner),
        "changed_on_utc": changed, "changed_on_delta_humanized": delta,
        "database": {"database_name": database["database_name"], "id": database["id"], "uuid": database["uuid"]},
        "owners": [user(state, u, email=False) for u in dataset["owners"]],
    }


def dataset_detail(state: State, dataset: Row) -> Row:
    """GET /api/v1/dataset/{id}: DatasetRestApi.get, with columns and metrics."""
    database = state["databases"][str(dataset["database_id"])]
    columns = warehouse.table_columns_of(querying.source_of(dataset))
    notes = dataset.get("column_descriptions") or {}
    return {
        "id": dataset["id"], "uuid": dataset["uuid"], "table_name": dataset["name"], "schema": dataset["schema"],
        "description": dataset["description"], "sql": dataset["sql"], "main_dttm_col": dataset["time_column"],
        "kind": "virtual" if dataset["sql"] else "physical", "datasource_type": "table", "name": dataset["name"],
        "is_managed_externally": False, "catalog": None,
        "database": {"database_name": database["database_name"], "id": database["id"], "backend": "sqlite"},
        "owners": [user(state, u, email=False) for u in dataset["owners"]],
        "columns": [
            {"id": dataset["id"] * 100 + i, "column_name": name, "type": kind, "is_dttm": kind in ("DATE", "DATETIME"),
             "description": notes.get(name), "filterable": True, "groupby": True, "is_active": True}
            for i, (name, kind) in enumerate(columns)
        ],
        "metrics": [
            {"id": dataset["id"] * 100 + i, "metric_name": m["name"], "expression": m["expression"],
             "description": m.get("description"), "metric_type": None}
            for i, m in enumerate(dataset["metrics"])
        ],
    }


def database_row(database: Row) -> Row:
    return {
        "id": database["id"], "uuid": database["uuid"], "database_name": database["database_name"],
        "backend": database["backend"], "allow_dml": database["allow_dml"], "allow_ctas": False, "allow_cvas": False,
        "allow_file_upload": False, "allow_run_async": False, "allows_subquery": True,
        "expose_in_sqllab": database["expose_in_sqllab"], "configuration_method": "sqlalchemy_form",
    }


def related_owner(state: State, user_id: int) -> Row:
    person = state["users"][str(user_id)]
    return {"value": user_id, "text": f"{person['first_name']} {person['last_name']}".strip(),
            "extra": {"active": True, "email": person["email"]}}
