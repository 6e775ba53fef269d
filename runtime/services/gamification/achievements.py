"""Achievements: definitions (a metric, a threshold, a period), progress read from data, awards.

Where a metric's value comes from:
- `referrals` (granted redemptions of the subject's codes), `achievements` (badges awarded): the
  service's own tables;
- `orders`, `revenue`: the store's orders (Saleor `order_list`, customer = the subject, canceled
  orders left out; the first 100 of the period);
- `won_deals`, `won_revenue`: the CRM's won opportunities of the account named like the subject;
- any other metric (`campaign_ctr`, `leads`, `reviews`...): the leaderboard board of that name.
An adapter metric falls back to its board when the system has nothing for the subject.
Periods here are rolling windows ending now: the last 7, 30, 91 or 365 days, or all time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from adapters.errors import AdapterError, NotFound
from runtime import clock
from runtime.services.gamification import leaderboards
from runtime.services.gamification.store import Row, Scope, fetch, fetch_one, plain

ROLLING_DAYS = {"week": 7, "month": 30, "quarter": 91, "year": 365}
INTERNAL_METRICS = frozenset({"referrals", "achievements"})
STORE_METRICS = frozenset({"orders", "revenue"})
CRM_METRICS = frozenset({"won_deals", "won_revenue"})


@dataclass
class Progress:
    value: Decimal | None
    source: str


def since(period: str, now: datetime | None = None) -> datetime | None:
    days = ROLLING_DAYS.get(period)
    return (now or clock.now()) - timedelta(days=days) if days else None


async def definitions(conn: Any, scope: Scope) -> list[Row]:
    return await fetch(conn, "SELECT achievement, description, metric, threshold, period, platform"
                             " FROM gamification_achievement_definitions WHERE tenant_id = %s AND space = %s"
                             " ORDER BY metric NULLS LAST, threshold, achievement", scope.key)


async def definition(conn: Any, scope: Scope, name: str) -> Row | None:
    return await fetch_one(conn, "SELECT achievement, description, metric, threshold, period, platform"
                                 " FROM gamification_achievement_definitions WHERE tenant_id = %s AND space = %s"
                                 " AND lower(achievement) = lower(%s)", (*scope.key, name.strip()))


async def awarded(conn: Any, scope: Scope, subject: str) -> dict[str, Row]:
    rows = await fetch(conn, "SELECT subject, achievement, evidence, platform, awarded_by, awarded_at"
                             " FROM gamification_achievements WHERE tenant_id = %s AND space = %s"
                             " AND lower(subject) = lower(%s) ORDER BY awarded_at", (*scope.key, subject))
    return {row["achievement"].casefold(): row for row in rows}


async def local_progress(conn: Any, scope: Scope, metric: str, subject: str, start: datetime | None) -> Progress:
    """A metric read from the service's own tables or leaderboard boards."""
    if metric == "referrals":
        row = await fetch_one(
            conn, "SELECT count(*) AS n FROM gamification_redemptions r JOIN gamification_referral_codes c"
                  " ON c.tenant_id = r.tenant_id AND c.space = r.space AND c.code = r.code"
                  " WHERE r.tenant_id = %s AND r.space = %s AND lower(c.referrer) = lower(%s) AND r.status = 'granted'"
                  " AND (%s::timestamptz IS NULL OR r.created_at >= %s)", (*scope.key, subject, start, start))
        return Progress(Decimal(row["n"] if row else 0), "granted referral redemptions")
    if metric == "achievements":
        row = await fetch_one(
            conn, "SELECT count(*) AS n FROM gamification_achievements WHERE tenant_id = %s AND space = %s"
                  " AND lower(subject) = lower(%s) AND (%s::timestamptz IS NULL OR awarded_at >= %s)",
            (*scope.key, subject, start, start))
        return Progress(Decimal(row["n"] if row else 0), "achievements awarded")
    value = await leaderboards.subject_value(conn, scope, metric, subject, start)
    return Progress(value, f"the {metric} leaderboard" if value is not None else f"no {metric} score recorded")


async def adapter_progress(clients: Mapping[str, Any], metric: str, subject: str, start: datetime | None) -> Progress:
    """A metric read from the store (Saleor) or the CRM; value None when the system cannot say."""
    system = "saleor" if metric in STORE_METRICS else "crm"
    try:
        client = clients[system]
    except KeyError:
        return Progress(None, f"no {system} is configured")
    day = start.date() if start else None
    try:
        if system == "saleor":
            lister = getattr(client, "order_list", None)
            if lister is None:
                return Progress(None, "this build's Saleor client cannot list orders")
            orders = await lister(customer=subject, created_after=day, first=100)
            kept = [o for o in orders if o.get("status") != "canceled"]
            capped = " (the first 100)" if len(orders) >= 100 else ""
            if metric == "orders":
                return Progress(Decimal(len(kept)), f"store orders of {subject}{capped}")
            total = sum((Decimal(str(o.get("total") or 0)) for o in kept), Decimal(0))
            return Progress(total, f"store revenue of {subject}{capped}")
        deals = await client.opportunity_search(account=subject, status="won", close_after=day, limit=100)
        if metric == "won_deals":
            return Progress(Decimal(len(deals)), f"won CRM deals of {subject}")
        total = sum((Decimal(str(d.get("amount") or 0)) for d in deals), Decimal(0))
        return Progress(total, f"won CRM deal value of {subject}")
    except NotFound as exc:
        return Progress(Decimal(0), f"{system}: {exc.message}")
    except AdapterError as exc:
        return Progress(None, f"{system} could not be read: {exc.message}")
    except Exception as exc:  # an adapter mid-change must not break a badge list: say it and use the board
        return Progress(None, f"{system} could not be read: {type(exc).__name__}: {exc}")


def combine(adapter: Progress, board: Progress) -> Progress:
    """The system's value when it has one above zero, else the board's, else what the system said."""
    if adapter.value:
        return adapter
    if board.value is not None:
        found = f"{adapter.source}: none" if adapter.value is not None else adapter.source
        return Progress(board.value, f"{board.source} ({found})")
    return adapter


def item(defn: Row, award: Row | None, progress: Progress | None) -> dict[str, Any]:
    """One achievement as the list shows it: earned, in progress (with a percentage) or available."""
    out: dict[str, Any] = {
        "achievement": defn["achievement"], "description": defn["description"], "metric": defn["metric"],
        "threshold": plain(defn["threshold"]), "period": defn["period"],
    }
    if defn["metric"] is None:
        out["source"] = "awarded by hand"
    if progress is not None and defn["metric"] is not None:
        value = progress.value or Decimal(0)
        threshold = Decimal(defn["threshold"] or 0)
        percent = 100.0 if threshold <= 0 else min(100.0, round(float(value / threshold * 100), 1))
        out |= {"value": plain(value), "percent": percent, "source": progress.source}
    if award is not None:
        return out | {"status": "earned", "awarded_at": plain(award["awarded_at"]), "evidence": award["evidence"],
                      "platform": award["platform"]}
    percent = out.get("percent") or 0
    out["status"] = "in_progress" if percent > 0 else "available"
    if percent >= 100:
        out["qualifies"] = True  # met by the data, not awarded yet
    return out


async def record_award(conn: Any, scope: Scope, subject: str, name: str, evidence: str | None,
                       platform: str | None) -> Row | None:
    """Award once per (subject, achievement); a badge with no definition gets a manual one. None if held already."""
    if await definition(conn, scope, name) is None:
        await conn.execute("INSERT INTO gamification_achievement_definitions (tenant_id, space, achievement, description)"
                           " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                           (*scope.key, name.strip(), "awarded by hand"))
    row = await fetch_one(
        conn, "INSERT INTO gamification_achievements (tenant_id, space, subject, achievement, evidence, platform,"
              " awarded_by) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"
              " RETURNING subject, achievement, evidence, platform, awarded_by, awarded_at",
        (*scope.key, subject.strip(), name.strip(), evidence, platform, scope.user))
    if row is not None:
        await leaderboards.record_score(conn, scope, "achievements", subject.strip(), Decimal(1), platform=platform)
    return row
