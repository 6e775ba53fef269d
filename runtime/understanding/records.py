"""The names of a tenant's own records, read through its adapters, cached per tenant.

Entity linking (`linking.py`) needs to know what a tenant has: its products, collections and
categories in Saleor, its pages in Wagtail, its leads, contacts and accounts in the CRM, its
dashboards, charts and datasets in Superset. They are read through the same adapter clients the
tools use (the real systems, or the sandbox stand-ins), only for the kinds a plan needs, and kept
for `ttl` seconds per (tenant, sandbox namespace); a write by the tenant drops its entry
(`invalidate`), so the next plan reads the records again.

A kind is `complete` when the read lists every record of it (products, pages, leads...): a name
matching none of them is said not to exist. Collections and categories are only seen through the
products in them, so a name matching none of them is kept as written.

A system that cannot be read (not configured, down) gives no names: linking then keeps what the
request said and the tool reports what it finds.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog

from runtime.understanding.names import NameIndex

log = structlog.get_logger(__name__)

Reader = Callable[[Any], Awaitable[list[str]]]

LISTED = 500  # at most this many records of a kind are read


def _str(values: Iterable[Any]) -> list[str]:
    return [str(v) for v in values if isinstance(v, str) and v.strip()]


async def _products(client: Any) -> list[str]:
    rows = await client.product_search(first=100)
    return _str(r.get("name") for r in rows)


async def _collections(client: Any) -> list[str]:
    rows = await client.product_search(first=100)
    return _str(c for r in rows for c in r.get("collections") or [])


async def _categories(client: Any) -> list[str]:
    rows = await client.product_search(first=100)
    return _str(r.get("category") for r in rows)


async def _pages(client: Any) -> list[str]:
    rows = await client.page_search(limit=LISTED)
    return _str(r.get("title") for r in rows)


def _person(row: Mapping[str, Any]) -> str | None:
    name = row.get("name")
    if isinstance(name, str) and name.strip():
        return name
    joined = " ".join(str(row.get(k) or "") for k in ("first_name", "last_name")).strip()
    return joined or None


async def _leads(client: Any) -> list[str]:
    rows = await client.lead_search(limit=LISTED)
    return _str([_person(r) for r in rows] + [r.get("email") for r in rows])


async def _contacts(client: Any) -> list[str]:
    rows = await client.contact_search(limit=LISTED)
    return _str([_person(r) for r in rows] + [r.get("email") for r in rows])


async def _accounts(client: Any) -> list[str]:
    rows = await client.account_search(limit=LISTED)
    return _str(r.get("name") for r in rows)


async def _dashboards(client: Any) -> list[str]:
    rows = await client.dashboard_list(limit=LISTED)
    return _str(r.get("title") or r.get("dashboard_title") for r in rows)


async def _charts(client: Any) -> list[str]:
    rows = await client.chart_list(limit=LISTED)
    return _str(r.get("name") or r.get("slice_name") for r in rows)


async def _datasets(client: Any) -> list[str]:
    rows = await client.dataset_list(include_columns=False, limit=LISTED)
    return _str(r.get("name") or r.get("table_name") for r in rows)


@dataclass(frozen=True)
class Kind:
    """A kind of record: the system holding it, how its names are read, whether the read lists all."""

    name: str
    system: str
    read: Reader
    complete: bool = True


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("product", "saleor", _products),
    Kind("collection", "saleor", _collections, complete=False),
    Kind("category", "saleor", _categories, complete=False),
    Kind("page", "wagtail", _pages),
    Kind("lead", "crm", _leads, complete=False),  # a lead is also named by its company, not listed here
    Kind("contact", "crm", _contacts),
    Kind("account", "crm", _accounts),
    Kind("dashboard", "superset", _dashboards),
    Kind("chart", "superset", _charts),
    Kind("dataset", "superset", _datasets),
)}


@dataclass
class _Entry:
    at: float
    names: dict[str, NameIndex | None] = field(default_factory=dict)  # None: could not be read


Clients = Callable[[str], Mapping[str, Any]]  # tenant -> its clients by system
Scope = Callable[[], str]  # the sandbox namespace of the code running now


class TenantRecords:
    """Per-tenant name indexes, read on demand and kept `ttl` seconds or until a write."""

    def __init__(self, clients: Clients, *, scope: Scope = lambda: "", ttl: float = 60.0,
                 clock: Callable[[], float] = time.monotonic):
        self._clients = clients
        self._scope = scope
        self.ttl = ttl
        self._clock = clock
        self._cache: dict[tuple[str, str], _Entry] = {}
        self.reads = 0  # how many kinds were read from a system (for tests and logs)

    def invalidate(self, tenant: str) -> None:
        """The tenant changed something: read its records again next time."""
        for key in [k for k in self._cache if k[0] == tenant]:
            del self._cache[key]

    async def index(self, tenant: str, kind: str) -> NameIndex | None:
        """The names of one kind for the tenant; None when its system could not be read."""
        spec = KINDS[kind]
        key = (tenant, self._scope())
        entry = self._cache.get(key)
        now = self._clock()
        if entry is None or now - entry.at > self.ttl:
            entry = self._cache[key] = _Entry(at=now)
        if kind not in entry.names:
            entry.names[kind] = await self._read(tenant, spec)
        return entry.names[kind]

    async def _read(self, tenant: str, spec: Kind) -> NameIndex | None:
        try:
            client = self._clients(tenant)[spec.system]
            names = await spec.read(client)
        except Exception as exc:  # an unreadable system links nothing; the tool itself reports the problem
            log.warning("records not read", tenant=tenant, kind=spec.name, error=type(exc).__name__)
            return None
        self.reads += 1
        return NameIndex(names)
