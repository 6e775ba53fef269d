"""The Superset client's core: connection, list calls with Rison `q`, and finding objects by ID or name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from adapters.errors import InvalidRequest, NotFound
from adapters.http import ClientLifecycle
from adapters.superset import rison
from adapters.superset.auth import Session
from adapters.superset.failures import SYSTEM
from adapters.superset.transport import Reply, Sleep, SupersetTransport

Row = dict[str, Any]
DEFAULT_LIMIT = 25
LOOKUP_PAGE = 100


def list_params(
    filters: list[Row], *, columns: list[str] | None = None, page_size: int = DEFAULT_LIMIT,
    order_column: str | None = None, order_direction: str = "asc",
) -> dict[str, str]:
    """The `q` parameter of a Superset list endpoint (get_list_schema), Rison-encoded."""
    query: Row = {"filters": filters, "page": 0, "page_size": page_size}
    if columns:
        query["columns"] = columns
    if order_column:
        query["order_column"] = order_column
        query["order_direction"] = order_direction
    return {"q": rison.dumps(query)}


def pick(rows: list[Row], ref: str, names: Callable[[Row], list[str]], *, kind: str, field: str) -> Row:
    """The one row named `ref` (ignoring case) among `rows`, else the only row; NotFound or ambiguous."""
    folded = ref.strip().casefold()
    exact = [row for row in rows if folded in (n.casefold() for n in names(row) if n)]
    found = exact or rows
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFound(SYSTEM, f"no {kind} named {ref!r}", field=field)
    listed = ", ".join(f"{names(row)[0]} (id {row.get('id', row.get('value'))})" for row in found[:10])
    raise InvalidRequest(SYSTEM, f"{ref!r} matches {len(found)} {kind}s: {listed}; use the exact name or ID",
                         field=field)


class SupersetBase(ClientLifecycle):
    """Connection, the `q`-encoded list calls and name lookups shared by the tool methods."""

    def __init__(
        self,
        base_url: str,
        *,
        username: str,
        password: str,
        provider: str = "db",
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        backoff: float = 0.5,
        sleep: Sleep | None = None,
    ) -> None:
        if not username or not password:
            raise ValueError("SupersetClient needs a username and a password for /api/v1/security/login")
        self._session = Session(username=username, password=password, provider=provider)
        self._transport = SupersetTransport(
            base_url, self._session, transport=transport, timeout=timeout, max_retries=max_retries,
            backoff=backoff, sleep=sleep,
        )
        self.base_url = self._transport.base_url
        self._database_ids: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r}, username={self._session.username!r})"

    async def aclose(self) -> None:
        await self._transport.aclose()

    # --- calls -------------------------------------------------------------------------------

    async def _get(self, path: str, params: dict[str, Any] | None = None, *, field: str | None = None) -> Any:
        return (await self._transport.request("GET", path, params=params, safe=True, field_hint=field)).body

    async def _post(self, path: str, body: Any, *, safe: bool, csrf: bool, field: str | None = None) -> Reply:
        return await self._transport.request("POST", path, json=body, safe=safe, csrf=csrf, field_hint=field)

    async def _list(self, resource: str, filters: list[Row], *, field: str | None = None, **options: Any) -> list[Row]:
        body = await self._get(f"/api/v1/{resource}/", list_params(filters, **options), field=field)
        result = body.get("result") if isinstance(body, dict) else None
        return [row for row in result or [] if isinstance(row, dict)]

    def absolute(self, url: Any) -> str | None:
        """Superset answers with site-relative URLs; make them absolute."""
        if not isinstance(url, str) or not url:
            return None
        return url if url.startswith(("http://", "https://")) else f"{self.base_url}{url}"

    # --- lookups: an ID passes through, a name is searched ----------------------------------

    async def _dashboard_id(self, ref: str, *, field: str = "dashboard") -> int:
        if ref.strip().isdigit():
            return int(ref)
        filters = [{"col": "dashboard_title", "opr": "title_or_slug", "value": ref.strip()}]
        rows = await self._list("dashboard", filters, columns=["id", "dashboard_title", "slug"], page_size=LOOKUP_PAGE)
        row = pick(rows, ref, lambda r: [r.get("dashboard_title") or "", r.get("slug") or ""], kind="dashboard",
                   field=field)
        return int(row["id"])

    async def _chart_id(self, ref: str, *, field: str = "chart") -> int:
        if ref.strip().isdigit():
            return int(ref)
        filters = [{"col": "slice_name", "opr": "chart_all_text", "value": ref.strip()}]
        rows = await self._list("chart", filters, columns=["id", "slice_name"], page_size=LOOKUP_PAGE)
        return int(pick(rows, ref, lambda r: [r.get("slice_name") or ""], kind="chart", field=field)["id"])

    async def _dataset_id(self, ref: str, *, field: str = "dataset") -> int:
        if ref.strip().isdigit():
            return int(ref)
        filters = [{"col": "table_name", "opr": "ct", "value": ref.strip()}]
        columns = ["id", "table_name", "database.id", "database.database_name"]  # `database` is required
        rows = await self._list("dataset", filters, columns=columns, page_size=LOOKUP_PAGE)
        return int(pick(rows, ref, lambda r: [r.get("table_name") or ""], kind="dataset", field=field)["id"])

    async def _database_id(self, ref: str, *, field: str = "database") -> int:
        if ref.strip().isdigit():
            return int(ref)
        key = ref.strip().casefold()
        if key not in self._database_ids:
            filters = [{"col": "database_name", "opr": "ct", "value": ref.strip()}]
            rows = await self._list("database", filters, columns=["id", "database_name"], page_size=LOOKUP_PAGE)
            row = pick(rows, ref, lambda r: [r.get("database_name") or ""], kind="database", field=field)
            self._database_ids[key] = int(row["id"])
        return self._database_ids[key]

    async def _owner_id(self, ref: str, *, field: str = "owner") -> int:
        """A dashboard owner (user) by name or email, through the related-owners endpoint.

        Superset's `filter` there matches first name, last name and username, not the email it
        answers in `extra.email`; an email is looked up among the listed users instead.
        """
        email = ref.strip().casefold() if "@" in ref else None
        params = {"q": rison.dumps({"filter": "" if email else ref.strip(), "page": 0, "page_size": LOOKUP_PAGE})}
        body = await self._get("/api/v1/dashboard/related/owners", params, field=field)
        rows = [r for r in (body.get("result") or []) if isinstance(r, dict)] if isinstance(body, dict) else []
        if email:
            rows = [r for r in rows if str((r.get("extra") or {}).get("email") or "").casefold() == email]
        row = pick(rows, ref, lambda r: [str(r.get("text") or ""), str((r.get("extra") or {}).get("email") or "")],
                   kind="user", field=field)
        return int(row["value"])
