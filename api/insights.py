"""Insights across the systems: one tenant's numbers from Saleor, the CRM, Wagtail and Superset (read by
the adapters, as the gateway reads), and from the Brain itself (runs, approvals, gate decisions).

A system that fails does not fail the whole answer: its section says `available: false` with the
reason (the gateway's error mapping), and the other sections are still there.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.auth import require_role
from api.deps import PREFIX, BrainDep, Caller
from api.errors import ERROR_RESPONSES, ApiError
from api.gateway import adapter_errors
from api.models import PlainText
from runtime.brain import Brain
from runtime.db import tenant_conn
from runtime.runs import Actor

router = APIRouter(prefix=PREFIX, tags=["agents"], responses=ERROR_RESPONSES)
DAYS = 14


class SystemNumbers(BaseModel):
    available: bool
    error: str | None = Field(default=None, description="why the system's numbers are missing")
    numbers: dict[str, float] = Field(default_factory=dict)
    breakdown: dict[str, dict[str, float]] = Field(default_factory=dict, description="counts by status, currency, ...")


class DayCount(BaseModel):
    day: date
    runs: int
    auto: int
    ask: int


class Insights(BaseModel):
    tenant: str
    generated_at: datetime
    runs: dict[str, int] = Field(description="the tenant's runs by status (all time)")
    approvals_waiting: int
    decisions: dict[str, int] = Field(description="gate decisions of the last 30 days: auto, ask, deny")
    days: list[DayCount] = Field(description=f"runs and decisions per day, the last {DAYS} days")
    systems: dict[str, SystemNumbers]


async def _section(system: str, read: Callable[[], Awaitable[SystemNumbers]]) -> SystemNumbers:
    try:
        async with adapter_errors(system):
            return await read()
    except ApiError as exc:
        return SystemNumbers(available=False, error=exc.message)


async def _saleor(client: Any) -> SystemNumbers:
    orders = await client.order_list(first=100)
    revenue: dict[str, Decimal] = {}
    for order in orders:
        if order.get("status") not in ("canceled", "cancelled", "draft") and order.get("total") is not None:
            currency = order.get("currency") or "?"
            revenue[currency] = revenue.get(currency, Decimal(0)) + Decimal(str(order["total"]))
    statuses = Counter(str(o.get("status")) for o in orders)
    main = max(revenue.items(), key=lambda kv: kv[1])[1] if revenue else Decimal(0)
    return SystemNumbers(available=True, numbers={"orders": len(orders), "revenue": float(main)},
                         breakdown={"orders_by_status": dict(statuses),
                                    "revenue_by_currency": {k: float(v) for k, v in revenue.items()}})


async def _crm(client: Any) -> SystemNumbers:
    month_ago = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    leads, recent, deals = await asyncio.gather(client.lead_search(limit=200), client.lead_search(created_after=month_ago, limit=200),
                                                client.opportunity_search(limit=200))
    return SystemNumbers(available=True, numbers={"open_leads": len(leads), "new_leads_30d": len(recent),
                                                  "converted_to_deals": len(deals)},
                         breakdown={"leads_by_status": dict(Counter(str(lead.get("status") or "no status") for lead in leads))})


async def _wagtail(client: Any) -> SystemNumbers:
    pages = await client.page_search(status="any", limit=200)
    by_status = Counter(str(p.get("status")) for p in pages)
    return SystemNumbers(available=True, numbers={"published": by_status.get("live", 0), "drafts": by_status.get("draft", 0)},
                         breakdown={"pages_by_status": dict(by_status)})


async def _superset(client: Any) -> SystemNumbers:
    dashboards = await client.dashboard_list(limit=100)
    return SystemNumbers(available=True, numbers={
        "dashboards": len(dashboards), "published": sum(1 for d in dashboards if d.get("published")),
        "charts": sum(len(d.get("charts") or []) for d in dashboards)})


READERS: dict[str, Callable[[Any], Awaitable[SystemNumbers]]] = {
    "saleor": _saleor, "crm": _crm, "wagtail": _wagtail, "superset": _superset,
}


async def _brain_numbers(brain: Brain, tenant: str) -> tuple[dict[str, int], dict[str, int], list[DayCount]]:
    async with tenant_conn(brain.pool, tenant, "viewer") as conn:
        cur = await conn.execute("SELECT status, count(*) AS n FROM runs WHERE tenant_id = %s GROUP BY status", (tenant,))
        runs = {row["status"]: int(row["n"]) for row in await cur.fetchall()}
        cur = await conn.execute(
            "SELECT outcome, count(*) AS n FROM ledger WHERE tenant_id = %s AND kind = 'decision' "
            "AND created_at > now() - interval '30 days' GROUP BY outcome", (tenant,))
        decisions = {str(row["outcome"]): int(row["n"]) for row in await cur.fetchall()}
        cur = await conn.execute(
            "SELECT d::date AS day, "
            "(SELECT count(*) FROM runs r WHERE r.tenant_id = %(t)s AND r.created_at >= d AND r.created_at < d + interval '1 day') AS runs, "
            "(SELECT count(*) FROM ledger l WHERE l.tenant_id = %(t)s AND l.kind = 'decision' AND l.outcome = 'auto' "
            " AND l.created_at >= d AND l.created_at < d + interval '1 day') AS auto, "
            "(SELECT count(*) FROM ledger l WHERE l.tenant_id = %(t)s AND l.kind = 'decision' AND l.outcome = 'ask' "
            " AND l.created_at >= d AND l.created_at < d + interval '1 day') AS ask "
            "FROM generate_series(date_trunc('day', now()) - make_interval(days => %(n)s - 1), date_trunc('day', now()), "
            "interval '1 day') AS d ORDER BY d", {"t": tenant, "n": DAYS})
        days = [DayCount.model_validate(row) for row in await cur.fetchall()]
    for outcome in ("auto", "ask", "deny"):
        decisions.setdefault(outcome, 0)
    return runs, decisions, days


async def tenant_insights(brain: Brain, actor: Actor, tenant: str) -> Insights:
    async def system(name: str) -> SystemNumbers:
        async def read() -> SystemNumbers:
            return await READERS[name](brain.clients.client(name, tenant))
        if name not in brain.clients.systems:
            return SystemNumbers(available=False, error=f"{name} is not part of this Brain")
        return await _section(name, read)

    names = list(READERS)
    sections = await asyncio.gather(*(system(name) for name in names))
    runs, decisions, days = await _brain_numbers(brain, tenant)
    waiting = len(await brain.pending_approvals(actor)) if tenant == actor.tenant else runs.get("waiting", 0)
    return Insights(tenant=tenant, generated_at=datetime.now(UTC), runs=runs, approvals_waiting=waiting,
                    decisions=decisions, days=days, systems=dict(zip(names, sections, strict=True)))


@router.get("/agents/insights", response_model=Insights, summary="Numbers across the systems for your tenant",
            responses={404: {"description": "no such tenant (super_admin's `tenant`)"}},
            description="Orders and revenue (Saleor, the newest 100 orders), open, new and converted leads (CRM), "
                        "pages published and drafts waiting (Wagtail), dashboards (Superset), and the Brain's runs, "
                        "approvals waiting and gate decisions (auto vs asked). A system that cannot be read has "
                        "`available: false` and the reason. Viewer role or higher; a super_admin may name `tenant`.")
async def insights(actor: Caller, brain: BrainDep,
                   tenant: Annotated[PlainText | None, Query(max_length=200, description="super_admin only")] = None,
                   ) -> Insights:
    require_role(actor, "viewer", "reading insights")
    if tenant and tenant != actor.tenant and actor.role != "super_admin":
        raise PermissionError(f"only a super_admin reads another tenant's insights (you are {actor.role} of {actor.tenant!r})")
    if tenant and tenant != actor.tenant and not await brain.policies.tenant_exists(tenant):
        raise ApiError(404, f"tenant: no tenant {tenant!r}", field="tenant")
    return await tenant_insights(brain, actor, tenant or actor.tenant)
