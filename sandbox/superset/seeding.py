"""The sandbox's state: users, databases, datasets, charts and dashboards; seeding and dumping it.

The seed shape uses the tool catalog's words: a dataset has a `database`, a chart a `dataset`,
a dashboard `owners`, `tags` and `charts` (names). See `demo_seed()` for a full example.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

State = dict[str, Any]
ADMIN_ID = 1
COLLECTIONS = ("dashboards", "charts", "datasets")


def empty_state(secret: str | None = None) -> State:
    return {
        "secret": secret or secrets.token_hex(32),
        "next_query_id": 1,
        "users": {str(ADMIN_ID): {"id": ADMIN_ID, "first_name": "Superset", "last_name": "Admin",
                                  "email": "admin@example.com"}},
        "databases": {"1": {"id": 1, "database_name": "analytics", "backend": "sqlite", "allow_dml": False,
                            "expose_in_sqllab": True, "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, "db:analytics"))}},
        "datasets": {},
        "charts": {},
        "dashboards": {},
    }


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _next_id(table: dict[str, Any]) -> int:
    return max((int(k) for k in table), default=0) + 1


def _by(table: dict[str, Any], key: str, value: str) -> dict[str, Any] | None:
    folded = value.casefold()
    return next((row for row in table.values() if str(row.get(key, "")).casefold() == folded), None)


def _user(state: State, person: str | dict[str, Any]) -> int:
    spec = {"name": person} if isinstance(person, str) else dict(person)
    first, _, last = str(spec["name"]).strip().partition(" ")
    email = spec.get("email") or f"{first.lower()}.{last.lower().replace(' ', '')}@example.com".replace(".@", "@")
    for user in state["users"].values():
        full = f"{user['first_name']} {user['last_name']}".strip()
        if user["email"].casefold() == email.casefold() or full.casefold() == str(spec["name"]).strip().casefold():
            return int(user["id"])
    user_id = _next_id(state["users"])
    state["users"][str(user_id)] = {"id": user_id, "first_name": first, "last_name": last or "", "email": email}
    return user_id


def _database(state: State, name: str) -> int:
    found = _by(state["databases"], "database_name", name)
    if found:
        return int(found["id"])
    db_id = _next_id(state["databases"])
    state["databases"][str(db_id)] = {"id": db_id, "database_name": name, "backend": "sqlite", "allow_dml": False,
                                      "expose_in_sqllab": True, "uuid": str(uuid.uuid4())}
    return db_id


def _metrics(spec: Any) -> list[dict[str, Any]]:
    if isinstance(spec, dict):
        return [{"name": k, "expression": v, "description": None} for k, v in spec.items()]
    return [{"name": m["name"], "expression": m["expression"], "description": m.get("description")} for m in spec or []]


def _first(table: dict[str, Any]) -> dict[str, Any] | None:
    rows = sorted(table.values(), key=lambda row: int(row["id"]))
    return rows[0] if rows else None


def seed_state(state: State, data: dict[str, Any]) -> None:
    """Add what `data` lists; objects whose name exists already are kept as they are."""
    for name in data.get("databases") or []:
        _database(state, name)
    # Objects an eval setup names only in part get defaults: a chart without a dataset reads the
    # first dataset; a dataset or chart that is named but not listed is made with defaults.
    charts = list(data.get("charts") or [])
    listed_charts = {spec["name"] for spec in charts}
    for dashboard in data.get("dashboards") or []:
        charts += [{"name": name} for name in dashboard.get("charts") or []
                   if name not in listed_charts and not _by(state["charts"], "name", name)]
    datasets = list(data.get("datasets") or [])
    listed_datasets = {spec["name"] for spec in datasets}
    datasets += [{"name": spec["dataset"]} for spec in charts if spec.get("dataset")
                 and spec["dataset"] not in listed_datasets and not _by(state["datasets"], "name", spec["dataset"])]
    for spec in datasets:
        if _by(state["datasets"], "name", spec["name"]):
            continue
        ds_id = _next_id(state["datasets"])
        state["datasets"][str(ds_id)] = {
            "id": ds_id, "name": spec["name"], "database_id": _database(state, spec.get("database", "analytics")),
            "schema": spec.get("schema", "main"), "description": spec.get("description"), "sql": spec.get("sql"),
            "time_column": spec.get("time_column"), "metrics": _metrics(spec.get("metrics")),
            "column_descriptions": dict(spec.get("columns") or {}),
            "owners": [_user(state, p) for p in spec.get("owners") or []] or [ADMIN_ID],
            "uuid": str(uuid.uuid4()), "changed_on": _now(),
        }
    for spec in charts:
        if _by(state["charts"], "name", spec["name"]):
            continue
        dataset = (_by(state["datasets"], "name", spec["dataset"]) if spec.get("dataset")
                   else _first(state["datasets"]))
        if dataset is None:
            raise ValueError(f"chart {spec['name']!r}: no dataset to read (name one, or seed one first)")
        chart_id = _next_id(state["charts"])
        state["charts"][str(chart_id)] = {
            "id": chart_id, "name": spec["name"], "viz_type": spec.get("viz_type", "table"),
            "dataset_id": dataset["id"], "description": spec.get("description"),
            "time_column": spec.get("time_column"), "time_grain": spec.get("time_grain"),
            "x_label": spec.get("x_label"), "groupby": list(spec.get("groupby") or []),
            "metrics": [{"label": k, "expression": v} for k, v in (spec.get("metrics") or {}).items()],
            "where": spec.get("where"), "order_by": [list(o) for o in spec.get("order_by") or []],
            "row_limit": spec.get("row_limit", 10000), "time_range": spec.get("time_range", "No filter"),
            "owners": [_user(state, p) for p in spec.get("owners") or []] or [ADMIN_ID],
            "tags": list(spec.get("tags") or []), "uuid": str(uuid.uuid4()), "changed_on": _now(),
        }
    for spec in data.get("dashboards") or []:
        if _by(state["dashboards"], "title", spec["title"]):
            continue
        chart_ids = []
        for name in spec.get("charts") or []:
            chart = _by(state["charts"], "name", name)
            if chart is None:
                raise ValueError(f"dashboard {spec['title']!r}: no chart named {name!r}")
            chart_ids.append(chart["id"])
        dash_id = _next_id(state["dashboards"])
        state["dashboards"][str(dash_id)] = {
            "id": dash_id, "title": spec["title"], "slug": spec.get("slug") or slugify(spec["title"]),
            "published": bool(spec.get("published", True)), "chart_ids": chart_ids,
            "owners": [_user(state, p) for p in spec.get("owners") or []] or [ADMIN_ID],
            "tags": list(spec.get("tags") or []), "uuid": str(uuid.uuid4()), "changed_on": _now(),
        }


def _people(state: State, ids: list[int]) -> list[str]:
    users = state["users"]
    return [f"{users[str(i)]['first_name']} {users[str(i)]['last_name']}".strip() for i in ids if str(i) in users]


def dump_state(state: State) -> dict[str, Any]:
    """The state in the seed shape."""
    datasets, charts = state["datasets"], state["charts"]
    databases = {k: v["database_name"] for k, v in state["databases"].items()}
    return {
        "databases": sorted(databases.values()),
        "datasets": [
            {"name": d["name"], "database": databases[str(d["database_id"])], "schema": d["schema"],
             "description": d["description"], "sql": d["sql"], "time_column": d["time_column"],
             "metrics": {m["name"]: m["expression"] for m in d["metrics"]}, "columns": d["column_descriptions"],
             "owners": _people(state, d["owners"])}
            for d in datasets.values()
        ],
        "charts": [
            {"name": c["name"], "viz_type": c["viz_type"], "dataset": datasets[str(c["dataset_id"])]["name"],
             "description": c["description"], "time_column": c["time_column"], "time_grain": c["time_grain"],
             "x_label": c["x_label"], "groupby": c["groupby"],
             "metrics": {m["label"]: m["expression"] for m in c["metrics"]}, "where": c["where"],
             "order_by": c["order_by"], "row_limit": c["row_limit"], "time_range": c["time_range"],
             "owners": _people(state, c["owners"]), "tags": c["tags"]}
            for c in charts.values()
        ],
        "dashboards": [
            {"title": d["title"], "slug": d["slug"], "published": d["published"],
             "charts": [charts[str(i)]["name"] for i in d["chart_ids"] if str(i) in charts],
             "owners": _people(state, d["owners"]), "tags": d["tags"]}
            for d in state["dashboards"].values()
        ],
    }
