"""A space's whole state as collections of plain dicts: demo seeding, eval setup and dumps.

Collections use the tools' argument names (`referral_codes`: code, referrer, platform,
reward_tier, usage_limit, expires_at; `achievements`: subject, achievement, evidence, platform...).
A seeded object replaces the stored one with the same key (a code, a tier's name, a subject and
achievement...); a seeded object needs only its key fields, the rest take defaults.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from psycopg.types.json import Jsonb

from runtime.services.gamification import demo, leaderboards
from runtime.services.gamification.referrals import code_state, normalise_code, tier
from runtime.services.gamification.store import (
    GamificationError,
    Row,
    Scope,
    email_domain,
    fetch,
    fetch_one,
    plain,
)

TABLES = ("gamification_portfolio_entries", "gamification_visibility", "gamification_scores",
          "gamification_achievements", "gamification_achievement_definitions", "gamification_redemptions",
          "gamification_referral_codes", "gamification_reward_tiers", "gamification_settings")


async def ensure_space(conn: Any, scope: Scope) -> bool:
    """Start a new tenant's space with the demo data; True when it was new."""
    row = await fetch_one(conn, "INSERT INTO gamification_settings (tenant_id, space) VALUES (%s, %s)"
                                " ON CONFLICT DO NOTHING RETURNING tenant_id", scope.key)
    if row is None:
        return False
    if scope.demo:
        await write(conn, scope, demo.demo_data())
    return True


async def clear(conn: Any, scope: Scope) -> None:
    for table in TABLES:
        await conn.execute(f"DELETE FROM {table} WHERE tenant_id = %s AND space = %s", scope.key)


def _need(obj: dict[str, Any], where: str, *fields: str) -> None:
    for name in fields:
        if obj.get(name) in (None, ""):
            raise GamificationError(f"{where}.{name}", "is required")


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


async def _settings(conn: Any, scope: Scope, obj: dict[str, Any], where: str) -> None:
    await conn.execute(
        "UPDATE gamification_settings SET fraud_threshold = coalesce(%s, fraud_threshold),"
        " hold_reward_value = coalesce(%s, hold_reward_value), velocity_limit = coalesce(%s, velocity_limit)"
        " WHERE tenant_id = %s AND space = %s",
        (obj.get("fraud_threshold"), obj.get("hold_reward_value"), obj.get("velocity_limit"), *scope.key))


async def _tier(conn: Any, scope: Scope, obj: dict[str, Any], where: str) -> None:
    _need(obj, where, "name")
    if obj.get("default"):
        await conn.execute("UPDATE gamification_reward_tiers SET is_default = false WHERE tenant_id = %s AND space = %s",
                           scope.key)
    await conn.execute(
        "INSERT INTO gamification_reward_tiers (tenant_id, space, name, kind, value, description, is_default)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (tenant_id, space, name) DO UPDATE SET kind = EXCLUDED.kind,"
        " value = EXCLUDED.value, description = EXCLUDED.description, is_default = EXCLUDED.is_default",
        (*scope.key, obj["name"], obj.get("kind", "discount"), obj.get("value", 0), obj.get("description", ""),
         bool(obj.get("default"))))


async def _code(conn: Any, scope: Scope, obj: dict[str, Any], where: str) -> None:
    _need(obj, where, "code", "referrer")
    code, status = normalise_code(obj["code"]), obj.get("status", "active")
    if status not in ("active", "disabled"):
        raise GamificationError(f"{where}.status", f"must be active or disabled, not {status!r}")
    reward = await tier(conn, scope, obj.get("reward_tier"))
    if status == "active":  # the seeded code takes the place of another active one of the same referrer
        await conn.execute(
            "UPDATE gamification_referral_codes SET status = 'disabled' WHERE tenant_id = %s AND space = %s"
            " AND status = 'active' AND code <> %s AND lower(referrer) = lower(%s) AND coalesce(platform, '') = %s",
            (*scope.key, code, obj["referrer"], obj.get("platform") or ""))
    await conn.execute(
        "INSERT INTO gamification_referral_codes (tenant_id, space, code, referrer, referrer_email, referrer_device,"
        " platform, reward_tier, usage_limit, expires_at, status, created_by)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'seed') ON CONFLICT (tenant_id, space, code) DO UPDATE SET"
        " referrer = EXCLUDED.referrer, referrer_email = EXCLUDED.referrer_email,"
        " referrer_device = EXCLUDED.referrer_device, platform = EXCLUDED.platform,"
        " reward_tier = EXCLUDED.reward_tier, usage_limit = EXCLUDED.usage_limit, expires_at = EXCLUDED.expires_at,"
        " status = EXCLUDED.status",
        (*scope.key, code, obj["referrer"], obj.get("referrer_email"), obj.get("referrer_device"), obj.get("platform"),
         reward["name"], obj.get("usage_limit"), _day(obj.get("expires_at")), status))


async def _redemption(conn: Any, scope: Scope, obj: dict[str, Any], where: str) -> None:
    _need(obj, where, "code", "referee")
    referee = str(obj["referee"]).strip().lower()
    await conn.execute(
        "INSERT INTO gamification_redemptions (tenant_id, space, code, referee, referee_domain, device_hash, reference,"
        " fraud_score, fraud_checks, status, rewards, approved_by, created_by, created_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'seed', coalesce(%s, now()))"
        " ON CONFLICT (tenant_id, space, code, referee) DO UPDATE SET device_hash = EXCLUDED.device_hash,"
        " reference = EXCLUDED.reference, fraud_score = EXCLUDED.fraud_score, fraud_checks = EXCLUDED.fraud_checks,"
        " status = EXCLUDED.status, rewards = EXCLUDED.rewards, approved_by = EXCLUDED.approved_by,"
        " created_at = EXCLUDED.created_at",
        (*scope.key, normalise_code(obj["code"]), referee, email_domain(referee), obj.get("device_hash"),
         obj.get("reference"), obj.get("fraud_score", 0), Jsonb(obj.get("fraud_checks") or []),
         obj.get("status", "granted"), Jsonb(obj.get("rewards") or []), obj.get("approved_by"),
         _moment(obj.get("created_at"))))


async def _definition(conn: Any, scope: Scope, obj: dict[str, Any], where: str) -> None:
    _need(obj, where, "achievement")
    await conn.execute(
        "INSERT INTO gamification_achievement_definitions (tenant_id, space, achievement, description, metric,"
        " threshold, period, platform) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (tenant_id, space, achievement) DO UPDATE SET description = EXCLUDED.description,"
        " metric = EXCLUDED.metric, threshold = EXCLUDED.threshold, period = EXCLUDED.period,"
        " platform = EXCLUDED.platform",
        (*scope.key, obj["achievement"], obj.get("description", ""), obj.get("metric"), obj.get("threshold"),
         obj.get("period", "all"), obj.get("platform")))


async def _award(conn: Any, scope: Scope, obj: dict[str, Any], where: str) -> None:
    _need(obj, where, "subject", "achievement")
    await conn.execute("INSERT INTO gamification_achievement_definitions (tenant_id, space, achievement, description)"
                       " SELECT %s, %s, %s, 'awarded by hand' WHERE NOT EXISTS (SELECT 1 FROM"
                       " gamification_achievement_definitions WHERE tenant_id = %s AND space = %s"
                       " AND lower(achievement) = lower(%s))", (*scope.key, obj["achievement"], *scope.key, obj["achievement"]))
    await conn.execute(
        "INSERT INTO gamification_achievements (tenant_id, space, subject, achievement, evidence, platform, awarded_by,"
        " awarded_at) VALUES (%s, %s, %s, %s, %s, %s, 'seed', coalesce(%s, now()))"
        " ON CONFLICT (tenant_id, space, lower(subject), lower(achievement)) DO UPDATE SET evidence = EXCLUDED.evidence,"
        " platform = EXCLUDED.platform",
        (*scope.key, obj["subject"], obj["achievement"], obj.get("evidence"), obj.get("platform"),
         _moment(obj.get("awarded_at"))))


async def _score(conn: Any, scope: Scope, obj: dict[str, Any], where: str) -> None:
    _need(obj, where, "board", "subject", "score")
    await leaderboards.record_score(conn, scope, obj["board"], obj["subject"], obj["score"], platform=obj.get("platform"),
                                    industry=obj.get("industry"), recorded_at=_moment(obj.get("recorded_at")))


async def _visibility(conn: Any, scope: Scope, obj: dict[str, Any], where: str) -> None:
    _need(obj, where, "subject", "visibility")
    await leaderboards.set_visibility(conn, scope, obj["subject"], obj["visibility"], obj.get("board"))


async def _entry(conn: Any, scope: Scope, obj: dict[str, Any], where: str) -> None:
    _need(obj, where, "subject", "title")
    visibility = obj.get("visibility", "draft")
    await conn.execute(
        "INSERT INTO gamification_portfolio_entries (tenant_id, space, subject, title, summary, body, text_source,"
        " metrics, achievement, testimonial, visibility, status, approved_by, created_by)"
        " VALUES (%s, %s, %s, %s, %s, %s, 'seed', %s, %s, %s, %s, %s, %s, 'seed')"
        " ON CONFLICT (tenant_id, space, lower(subject), lower(title)) DO UPDATE SET summary = EXCLUDED.summary,"
        " body = EXCLUDED.body, metrics = EXCLUDED.metrics, achievement = EXCLUDED.achievement,"
        " testimonial = EXCLUDED.testimonial, visibility = EXCLUDED.visibility, status = EXCLUDED.status",
        (*scope.key, obj["subject"], obj["title"], obj.get("summary", ""), obj.get("body", obj.get("summary", "")),
         Jsonb(obj.get("metrics") or {}), obj.get("achievement"), obj.get("testimonial"), visibility,
         obj.get("status", "published" if visibility == "public" else visibility), obj.get("approved_by")))


Writer = Callable[[Any, Scope, dict[str, Any], str], Awaitable[None]]
# In dependency order: tiers before codes, codes before redemptions, definitions before awards.
WRITERS: dict[str, Writer] = {
    "settings": _settings, "reward_tiers": _tier, "referral_codes": _code, "redemptions": _redemption,
    "achievement_definitions": _definition, "achievements": _award, "leaderboard_scores": _score,
    "leaderboard_visibility": _visibility, "portfolio_entries": _entry,
}


async def write(conn: Any, scope: Scope, data: dict[str, list[dict[str, Any]]]) -> None:
    unknown = sorted(set(data) - set(WRITERS))
    if unknown:
        raise GamificationError(f"gamification.{unknown[0]}",
                                f"unknown collection; known: {', '.join(WRITERS)}")
    for name, writer in WRITERS.items():
        for n, obj in enumerate(data.get(name) or []):
            if not isinstance(obj, dict):
                raise GamificationError(f"gamification.{name}[{n}]", "must be an object")
            await writer(conn, scope, obj, f"gamification.{name}[{n}]")


async def read(conn: Any, scope: Scope) -> dict[str, list[dict[str, Any]]]:
    key = scope.key

    async def rows(sql: str) -> list[Row]:
        return [plain(r) for r in await fetch(conn, sql, key)]

    codes = await fetch(conn, "SELECT c.*, (SELECT count(*) FROM gamification_redemptions r WHERE r.tenant_id ="
                              " c.tenant_id AND r.space = c.space AND r.code = c.code AND r.status IN ('granted', 'held'))"
                              " AS uses FROM gamification_referral_codes c WHERE c.tenant_id = %s AND c.space = %s"
                              " ORDER BY c.created_at, c.code", key)
    return {
        "settings": await rows("SELECT fraud_threshold, hold_reward_value, velocity_limit FROM gamification_settings"
                               " WHERE tenant_id = %s AND space = %s"),
        "reward_tiers": await rows("SELECT name, kind, value, description, is_default AS default"
                                   " FROM gamification_reward_tiers WHERE tenant_id = %s AND space = %s ORDER BY value"),
        "referral_codes": [plain({k: c[k] for k in ("code", "referrer", "platform", "reward_tier", "usage_limit",
                                                     "expires_at", "referrer_email")}
                                 | {"uses": int(c["uses"]), "status": code_state(c, int(c["uses"]))}) for c in codes],
        "redemptions": await rows("SELECT code, referee, reference, status, fraud_score, fraud_checks, rewards,"
                                  " approved_by, device_hash, created_at FROM gamification_redemptions"
                                  " WHERE tenant_id = %s AND space = %s ORDER BY created_at, code, referee"),
        "achievement_definitions": await rows("SELECT achievement, description, metric, threshold, period"
                                              " FROM gamification_achievement_definitions WHERE tenant_id = %s"
                                              " AND space = %s ORDER BY achievement"),
        "achievements": await rows("SELECT subject, achievement, evidence, platform, awarded_at"
                                   " FROM gamification_achievements WHERE tenant_id = %s AND space = %s"
                                   " ORDER BY awarded_at, subject"),
        "leaderboard_scores": await rows("SELECT board, subject, score, industry, platform, recorded_at"
                                         " FROM gamification_scores WHERE tenant_id = %s AND space = %s ORDER BY id"),
        "leaderboard_visibility": await rows("SELECT subject, nullif(board, '') AS board, visibility"
                                             " FROM gamification_visibility WHERE tenant_id = %s AND space = %s"
                                             " ORDER BY subject, board"),
        "portfolio_entries": await rows("SELECT subject, title, summary, body, metrics, achievement, testimonial,"
                                        " visibility, status, approved_by FROM gamification_portfolio_entries"
                                        " WHERE tenant_id = %s AND space = %s ORDER BY created_at, title"),
    }
