"""A real Apache Superset 6.1.0 on a loopback port, with a small SQLite example database.

The specs README recipe: the pinned install, `superset db upgrade`, `superset fab create-admin`,
`superset init` on a SQLite metadata database (`superset_config.py`), built once into a template.
Each session copies it, writes `examples.db` (a `sales` table of 60 orders), starts Superset
under gunicorn and, through Superset's own REST API, registers that database as `analytics`,
its `sales` dataset, a dashboard and two charts (one with a saved query context, one without).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.integration.servers import process

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"
USERNAME = "admin"
PASSWORD = "brain-password"  # noqa: S105 - a throwaway loopback server
DATABASE = "analytics"
REGIONS = ("North", "South", "East")
PRODUCTS = ("Red Mug", "Blue Mug")


@dataclass(frozen=True)
class SupersetServer:
    url: str
    username: str
    password: str
    database_id: int
    dataset_id: int
    dashboard_id: int
    chart_id: int  # "Revenue by region", with a saved query context
    bare_chart_id: int  # "Units (no saved query)"


def sales_rows() -> list[tuple[str, str, str, int, float]]:
    """The example orders: every 5 days from 2026-01-01, regions and products in turn."""
    rows = []
    for i in range(60):
        units = i % 7 + 1
        rows.append(((date(2026, 1, 1) + timedelta(days=5 * i)).isoformat(), REGIONS[i % 3], PRODUCTS[i % 2],
                     units, units * 12.0))
    return rows


def _env(state: Path) -> dict[str, str]:
    return process.clean_env({"BRAIN_SUPERSET_STATE": str(state), "SUPERSET_CONFIG_PATH": str(HERE / "superset_config.py"),
                              "FLASK_APP": "superset", "SUPERSET_LOAD_EXAMPLES": "no"})


def _build(bin_dir: Path, python: str) -> Path:
    def build(folder: Path) -> None:
        superset = str(bin_dir / "superset")
        process.run([superset, "db", "upgrade"], what="superset: superset db upgrade", cwd=folder, env=_env(folder),
                    timeout=1200)
        process.run([superset, "fab", "create-admin", "--username", USERNAME, "--firstname", "Ada", "--lastname",
                     "Admin", "--email", "admin@example.com", "--password", PASSWORD],
                    what="superset: superset fab create-admin", cwd=folder, env=_env(folder), timeout=600)
        process.run([superset, "init"], what="superset: superset init", cwd=folder, env=_env(folder), timeout=1200)

    key = process.digest(REQUIREMENTS, HERE / "superset_config.py", python)
    return process.template("superset", key, build)


def _write_examples(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE sales (order_date DATE, region TEXT, product TEXT, units INTEGER, amount REAL)")
        db.executemany("INSERT INTO sales VALUES (?, ?, ?, ?, ?)", sales_rows())
    db.close()


def _created(response: httpx.Response, what: str) -> int:
    if response.status_code != 201:
        raise process.ServerSetupError(f"superset: {what}: HTTP {response.status_code}: {response.text[:2000]}")
    return int(response.json()["id"])


def _seed(url: str, examples: Path) -> dict[str, int]:
    """Register the example database and make a dataset, a dashboard and two charts, as a user would."""
    with httpx.Client(base_url=url, timeout=60) as http:
        login = http.post("/api/v1/security/login",
                          json={"username": USERNAME, "password": PASSWORD, "provider": "db", "refresh": True})
        if login.status_code != 200:
            raise process.ServerSetupError(f"superset: login failed: HTTP {login.status_code}: {login.text[:2000]}")
        http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        http.headers["X-CSRFToken"] = http.get("/api/v1/security/csrf_token/").json()["result"]
        http.headers["Referer"] = url
        database = _created(http.post("/api/v1/database/", json={
            "database_name": DATABASE, "sqlalchemy_uri": f"sqlite:///{examples}", "expose_in_sqllab": True}),
            "create the analytics database")
        dataset = _created(http.post("/api/v1/dataset/", json={"database": database, "table_name": "sales",
                                                               "schema": "main"}), "create the sales dataset")
        dashboard = _created(http.post("/api/v1/dashboard/", json={
            "dashboard_title": "Sales overview", "slug": "sales-overview", "published": True}), "create a dashboard")
        revenue: dict[str, Any] = {"expressionType": "SIMPLE", "column": {"column_name": "amount"},
                                   "aggregate": "SUM", "label": "revenue"}
        form = {"datasource": f"{dataset}__table", "viz_type": "table", "groupby": ["region"],
                "metrics": [revenue], "time_range": "No filter", "row_limit": 100}
        query = {"filters": [{"col": "order_date", "op": "TEMPORAL_RANGE", "val": "No filter"}],
                 "extras": {"having": "", "where": ""}, "applied_time_extras": {}, "columns": ["region"],
                 "metrics": [revenue], "orderby": [[revenue, False]], "annotation_layers": [], "row_limit": 100,
                 "series_limit": 0, "order_desc": True, "url_params": {}, "custom_params": {}, "custom_form_data": {}}
        context = {"datasource": {"id": dataset, "type": "table"}, "force": False, "queries": [query],
                   "form_data": form, "result_format": "json", "result_type": "full"}
        chart = _created(http.post("/api/v1/chart/", json={
            "slice_name": "Revenue by region", "viz_type": "table", "datasource_id": dataset,
            "datasource_type": "table", "params": json.dumps(form), "query_context": json.dumps(context),
            "dashboards": [dashboard], "description": "Sum of sales by region"}), "create the revenue chart")
        units = {"expressionType": "SIMPLE", "column": {"column_name": "units"}, "aggregate": "SUM", "label": "units"}
        bare = _created(http.post("/api/v1/chart/", json={
            "slice_name": "Units (no saved query)", "viz_type": "big_number_total", "datasource_id": dataset,
            "datasource_type": "table",
            "params": json.dumps({"metric": units, "viz_type": "big_number_total", "datasource": f"{dataset}__table"})}),
            "create the units chart")
    return {"database_id": database, "dataset_id": dataset, "dashboard_id": dashboard, "chart_id": chart,
            "bare_chart_id": bare}


@contextmanager
def running(workdir: Path) -> Iterator[SupersetServer]:
    """Install (first time), prepare, start and seed Superset; stop it when the block ends."""
    python = process.base_python()
    bin_dir = process.venv("superset", python, REQUIREMENTS, timeout=2400)
    template = _build(bin_dir, python)
    state = workdir / "state"
    shutil.copytree(template, state)
    _write_examples(state / "examples.db")
    port = process.free_port()
    url = f"http://127.0.0.1:{port}"
    server = process.start(
        "superset", [str(bin_dir / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
                     "--graceful-timeout", "5", "--timeout", "120", "--control-socket", str(workdir / "gunicorn.ctl"),
                     "superset.app:create_app()"],
        url=url, ready_path="/health", log=workdir / "server.log", cwd=state, env=_env(state), timeout=180)
    try:
        ids = _seed(url, state / "examples.db")
        yield SupersetServer(url=url, username=USERNAME, password=PASSWORD, **ids)
    finally:
        process.stop(server)
