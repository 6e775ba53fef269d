"""The gamification service one tool call sees: bound to a tenant, a space and a caller.

Each method is one transaction (or two around a call to an adapter or the model, so no database
connection waits on another system). The first use of a tenant's space seeds its demo data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from runtime.llm import Model
from runtime.services.gamification import achievements, leaderboards, portfolio, referrals, state
from runtime.services.gamification.achievements import CRM_METRICS, STORE_METRICS, Progress
from runtime.services.gamification.store import GamificationError, Row, Scope, fetch_one, plain


class GamificationService:
    def __init__(self, scope: Scope, clients: Mapping[str, Any], model: Callable[[], Model | None]):
        self.scope = scope
        self.clients = clients
        self._model = model

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[Any]:
        async with self.scope.transaction() as conn:
            started = await fetch_one(conn, "SELECT 1 AS ok FROM gamification_settings WHERE tenant_id = %s"
                                            " AND space = %s", self.scope.key)
            if started is None:
                await state.ensure_space(conn, self.scope)
            yield conn

    # -- referrals ----------------------------------------------------------------------------

    async def create_code(self, referrer: str, *, platform: str | None = None, reward_tier: str | None = None,
                          usage_limit: int | None = None, expires_at: date | None = None) -> dict[str, Any]:
        async with self._tx() as conn:
            return await referrals.create_code(conn, self.scope, referrer=referrer.strip(), platform=platform,
                                               reward_tier=reward_tier, usage_limit=usage_limit, expires_at=expires_at)

    async def validate_code(self, code: str, referee: str | None = None, *,
                            device_hash: str | None = None) -> dict[str, Any]:
        async with self._tx() as conn:
            return await referrals.validate_code(conn, self.scope, code, referee, device_hash)

    async def redeem(self, code: str, referee: str, reference: str | None = None, *,
                     device_hash: str | None = None) -> dict[str, Any]:
        async with self._tx() as conn:
            return await referrals.redeem(conn, self.scope, code, referee, reference, device_hash)

    async def redeem_risk(self, code: str, referee: str) -> str | None:
        async with self._tx() as conn:
            return await referrals.redeem_risk(conn, self.scope, code, referee)

    # -- achievements -------------------------------------------------------------------------

    async def _progress(self, subject: str, defs: list[Row], skip: set[str]) -> dict[str, Progress]:
        """Each measurable definition's progress: local data first, then the store and the CRM."""
        found: dict[str, Progress] = {}
        async with self._tx() as conn:
            for d in defs:
                if d["metric"] and d["achievement"].casefold() not in skip:
                    start = achievements.since(d["period"])
                    found[d["achievement"]] = await achievements.local_progress(conn, self.scope, d["metric"], subject,
                                                                                start)
        asked: dict[tuple[str, str], Progress] = {}
        for d in defs:
            metric = d["metric"]
            if d["achievement"] not in found or metric not in STORE_METRICS | CRM_METRICS:
                continue
            key = (metric, d["period"])
            if key not in asked:
                asked[key] = await achievements.adapter_progress(self.clients, metric, subject,
                                                                 achievements.since(d["period"]))
            found[d["achievement"]] = achievements.combine(asked[key], found[d["achievement"]])
        return found

    async def list_achievements(self, subject: str, status: str | None = None) -> dict[str, Any]:
        subject = subject.strip()
        async with self._tx() as conn:
            defs = await achievements.definitions(conn, self.scope)
            earned = await achievements.awarded(conn, self.scope, subject)
        progress = await self._progress(subject, defs, set(earned))
        items = [achievements.item(d, earned.get(d["achievement"].casefold()), progress.get(d["achievement"]))
                 for d in defs]
        counts = Counter(i["status"] for i in items)
        wanted = status or "all"
        going = sorted((i for i in items if i["status"] == "in_progress"), key=lambda i: -i.get("percent", 0))
        earned_names = [i["achievement"] for i in items if i["status"] == "earned"]
        overview = [f"earned {', '.join(earned_names) or 'nothing yet'}"]
        if going:
            overview.append("closest " + ", ".join(f"{i['achievement']} {i['percent']:g}%" for i in going[:3]))
        return {
            "subject": subject, "status": wanted, "overview": "; ".join(overview), "earned_count": counts["earned"],
            "in_progress_count": counts["in_progress"], "available_count": counts["available"],
            "achievements": [i for i in items if wanted == "all" or i["status"] == wanted],
            "next_goals": [i["achievement"] for i in going[:3]],
            "qualifies": [i["achievement"] for i in items if i.get("qualifies")],
        }

    async def award(self, subject: str, achievement: str, *, evidence: str | None = None,
                    platform: str | None = None) -> dict[str, Any]:
        subject, achievement = subject.strip(), achievement.strip()
        async with self._tx() as conn:
            defn = await achievements.definition(conn, self.scope, achievement)
            held = (await achievements.awarded(conn, self.scope, subject)).get(achievement.casefold())
        name = defn["achievement"] if defn else achievement
        base = {"subject": subject, "achievement": name}
        if held is not None:
            return base | {"awarded": False, "repeat": True, "outcome": "already awarded", "evidence": held["evidence"],
                           "awarded_at": plain(held["awarded_at"]),
                           "note": f"{subject} already holds {name}"}
        check = None
        if defn is not None and defn["metric"]:
            progress = (await self._progress(subject, [defn], set())).get(name)
            if progress is not None:
                value = progress.value or 0
                check = {"metric": defn["metric"], "value": plain(value),
                         "threshold": plain(defn["threshold"]), "period": defn["period"],
                         "met": value >= (defn["threshold"] or 0), "source": progress.source}
        async with self._tx() as conn:
            row = await achievements.record_award(conn, self.scope, subject, name, evidence, platform)
        if row is None:  # awarded meanwhile by another call
            return base | {"awarded": False, "repeat": True, "outcome": "already awarded",
                           "note": f"{subject} already holds {name}"}
        out = base | {"awarded": True, "repeat": False, "outcome": "awarded", "evidence": evidence, "platform": platform,
                      "awarded_at": plain(row["awarded_at"]), "check": check,
                      "definition": "new (awarded by hand)" if defn is None else (defn["description"] or name)}
        if check is not None and not check["met"]:
            out["note"] = (f"the data shows {check['value']} of {check['threshold']} ({check['source']}); "
                           "awarded on the evidence given")
        return out

    # -- leaderboards -------------------------------------------------------------------------

    async def leaderboard(self, board: str, *, period: str | None = None, scope: str | None = None,
                          around: str | None = None, limit: int | None = None) -> dict[str, Any]:
        async with self._tx() as conn:
            return await leaderboards.query(conn, self.scope, board=board.strip(), period=period, scope_name=scope,
                                            around=around.strip() if around else None, limit=limit)

    async def set_visibility(self, subject: str, visibility: str, board: str | None = None) -> dict[str, Any]:
        if visibility not in ("public", "anonymous", "hidden"):
            raise GamificationError("visibility", f"must be public, anonymous or hidden, not {visibility!r}")
        async with self._tx() as conn:
            return await leaderboards.set_visibility(conn, self.scope, subject.strip(), visibility, board)

    # -- portfolio ----------------------------------------------------------------------------

    async def create_portfolio_entry(self, subject: str, title: str, summary: str, *,
                                     metrics: dict[str, Any] | None = None, achievement: str | None = None,
                                     testimonial: str | None = None, visibility: str = "draft") -> dict[str, Any]:
        entry: dict[str, Any] = {"subject": subject.strip(), "title": title.strip(), "summary": summary.strip(), "metrics": metrics or {},
                 "achievement": achievement, "testimonial": testimonial, "visibility": visibility}
        async with self._tx() as conn:
            facts = await portfolio.gather(conn, self.scope, entry["subject"], achievement)
        body, source = await portfolio.compose(self._model(), entry, facts)
        async with self._tx() as conn:
            return await portfolio.save(conn, self.scope, entry, body, source)
