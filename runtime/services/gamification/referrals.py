"""Referral codes: create (one active per referrer and platform), validate, redeem with fraud checks.

A redemption is granted (both rewards booked) unless its fraud score reaches the tenant's threshold
or its reward is worth more than the tenant grants alone; then it is held, until a person approves
the same call through the policy gate (the ledger of the run says who did).
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from decimal import Decimal
from typing import Any

from psycopg.types.json import Jsonb

from runtime import clock
from runtime.services.gamification import leaderboards
from runtime.services.gamification.fraud import RedemptionFacts, assess, explain
from runtime.services.gamification.store import (
    EMAIL,
    GamificationError,
    Row,
    Scope,
    TenantSettings,
    check_email,
    cleared_by,
    email_domain,
    fetch,
    fetch_one,
    plain,
    settings,
)

REDEEM_TOOL = "gamification.referral_redeem"
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L


def today() -> date:
    return clock.now().date()


def normalise_code(code: str) -> str:
    return code.strip().upper()


def _candidate(scope: Scope, referrer: str, platform: str | None, attempt: int) -> str:
    words = re.findall(r"[A-Za-z0-9]+", referrer.partition("@")[0])
    prefix = (re.sub(r"[^A-Z]", "", words[0].upper()) if words else "")[:4] or "REF"
    seed = f"{scope.tenant}|{scope.space}|{referrer.casefold()}|{platform or ''}|{attempt}"
    digest = hashlib.sha256(seed.encode()).digest()
    return f"{prefix}-" + "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:3])


async def tier(conn: Any, scope: Scope, name: str | None) -> Row:
    """The named reward tier, or the tenant's default one."""
    tiers = await fetch(conn, "SELECT name, kind, value, description, is_default FROM gamification_reward_tiers"
                              " WHERE tenant_id = %s AND space = %s ORDER BY value, name", scope.key)
    if not tiers:
        raise GamificationError("reward_tier", "this tenant has no reward tiers configured")
    if name is None:
        return next((t for t in tiers if t["is_default"]), tiers[0])
    for row in tiers:
        if row["name"].casefold() == name.strip().casefold():
            return row
    names = ", ".join(t["name"] for t in tiers)
    raise GamificationError("reward_tier", f"no reward tier {name!r}; this tenant's tiers: {names}")


def _reward(row: Row) -> dict[str, Any]:
    return {"tier": row["name"], "kind": row["kind"], "value": plain(row["value"]), "description": row["description"]}


async def _uses(conn: Any, scope: Scope, code: str) -> dict[str, int]:
    rows = await fetch(conn, "SELECT status, count(*) AS n FROM gamification_redemptions"
                             " WHERE tenant_id = %s AND space = %s AND code = %s GROUP BY status", (*scope.key, code))
    counts = {"granted": 0, "held": 0, "rejected": 0}
    counts.update({r["status"]: int(r["n"]) for r in rows})
    return counts


def code_state(row: Row, used: int) -> str:
    if row["status"] == "disabled":
        return "disabled"
    if row["expires_at"] is not None and row["expires_at"] < today():
        return "expired"
    if row["usage_limit"] is not None and used >= row["usage_limit"]:
        return "used_up"
    return "active"


async def code_out(conn: Any, scope: Scope, row: Row) -> dict[str, Any]:
    counts = await _uses(conn, scope, row["code"])
    used = counts["granted"] + counts["held"]  # a held redemption keeps its place
    reward = await tier(conn, scope, row["reward_tier"])
    limit = row["usage_limit"]
    return {
        "code": row["code"], "referrer": row["referrer"], "platform": row["platform"], "reward_tier": row["reward_tier"],
        "reward": _reward(reward), "usage_limit": limit, "uses": used,
        "uses_left": None if limit is None else max(0, limit - used), "expires_at": plain(row["expires_at"]),
        "status": code_state(row, used), "redemptions": counts,
    }


async def find_code(conn: Any, scope: Scope, code: str, *, lock: bool = False) -> Row | None:
    return await fetch_one(conn, "SELECT * FROM gamification_referral_codes WHERE tenant_id = %s AND space = %s"
                                 " AND code = %s" + (" FOR UPDATE" if lock else ""),
                           (*scope.key, normalise_code(code)))


async def create_code(conn: Any, scope: Scope, *, referrer: str, platform: str | None, reward_tier: str | None,
                      usage_limit: int | None, expires_at: date | None) -> dict[str, Any]:
    if expires_at is not None and expires_at < today():
        raise GamificationError("expires_at", f"{expires_at.isoformat()} is in the past")
    existing = await fetch_one(
        conn, "SELECT * FROM gamification_referral_codes WHERE tenant_id = %s AND space = %s AND status = 'active'"
              " AND lower(referrer) = lower(%s) AND coalesce(platform, '') = %s FOR UPDATE",
        (*scope.key, referrer, platform or ""))
    if existing is not None:
        if existing["expires_at"] is None or existing["expires_at"] >= today():
            out = await code_out(conn, scope, existing)
            return {**out, "created": False,
                    "note": f"{referrer} already has an active code{f' on {platform}' if platform else ''}: returned it"}
        await conn.execute("UPDATE gamification_referral_codes SET status = 'disabled' WHERE id = %s", (existing["id"],))
    reward = await tier(conn, scope, reward_tier)
    code = ""
    for attempt in range(50):
        code = _candidate(scope, referrer, platform, attempt)
        if await find_code(conn, scope, code) is None:
            break
    row = await fetch_one(
        conn, "INSERT INTO gamification_referral_codes (tenant_id, space, code, referrer, referrer_email, platform,"
              " reward_tier, usage_limit, expires_at, created_by) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
              " RETURNING *",
        (*scope.key, code, referrer, referrer.lower() if EMAIL.match(referrer) else None, platform, reward["name"],
         usage_limit, expires_at, scope.user))
    assert row is not None
    return {**await code_out(conn, scope, row), "created": True}


async def _facts(conn: Any, scope: Scope, row: Row, referee: str, device_hash: str | None,
                 config: TenantSettings) -> RedemptionFacts:
    recent = await fetch_one(
        conn, "SELECT count(*) AS n FROM gamification_redemptions WHERE tenant_id = %s AND space = %s AND code = %s"
              " AND referee <> %s AND status <> 'rejected' AND created_at > now() - interval '1 hour'",
        (*scope.key, row["code"], referee))
    shared = 0
    if device_hash:
        found = await fetch_one(
            conn, "SELECT count(*) AS n FROM gamification_redemptions WHERE tenant_id = %s AND space = %s"
                  " AND code = %s AND referee <> %s AND device_hash = %s", (*scope.key, row["code"], referee, device_hash))
        shared = int(found["n"]) if found else 0
    elsewhere = await fetch_one(conn, "SELECT gamification_reuse_elsewhere(%s, %s, %s) AS n",
                                (scope.space, referee, device_hash))
    return RedemptionFacts(
        code=row["code"], referrer=row["referrer"], referee=referee, referrer_email=row["referrer_email"],
        referrer_device=row["referrer_device"], device_hash=device_hash,
        recent_uses=int(recent["n"]) if recent else 0, velocity_limit=config.velocity_limit,
        device_shared_with=shared, other_tenants=int(elsewhere["n"]) if elsewhere else 0,
    )


def _problem(out: dict[str, Any], row: Row) -> str | None:
    state = out["status"]
    if state == "disabled":
        return f"{row['code']} is disabled"
    if state == "expired":
        return f"{row['code']} expired on {out['expires_at']}"
    if state == "used_up":
        return f"{row['code']} has reached its usage limit of {row['usage_limit']}"
    return None


def _hold_reasons(assessment: dict[str, Any], reward: dict[str, Any], config: TenantSettings) -> list[str]:
    reasons = []
    if assessment["suspicious"]:
        reasons.append(explain(assessment))
    if Decimal(str(reward["value"])) > config.hold_reward_value:
        reasons.append(f"the {reward['tier']} reward is worth {reward['value']}, above the "
                       f"{plain(config.hold_reward_value)} granted without a person")
    return reasons


async def validate_code(conn: Any, scope: Scope, code: str, referee: str | None,
                        device_hash: str | None = None) -> dict[str, Any]:
    row = await find_code(conn, scope, code)
    if row is None:
        return {"code": normalise_code(code), "valid": False, "verdict": f"no referral code {normalise_code(code)!r}"
                " in this tenant"}
    out = await code_out(conn, scope, row)
    problem = _problem(out, row)
    result: dict[str, Any] = {**out, "valid": problem is None}
    verdict = [problem or ("valid" + (f", {out['uses_left']} of {out['usage_limit']} uses left"
                                      if out["usage_limit"] is not None else ", no usage limit"))]
    if referee:
        email = check_email("referee", referee)
        config = await settings(conn, scope)
        assessment = assess(await _facts(conn, scope, row, email, device_hash, config), config.fraud_threshold)
        previous = await fetch_one(conn, "SELECT status FROM gamification_redemptions WHERE tenant_id = %s"
                                         " AND space = %s AND code = %s AND referee = %s", (*scope.key, row["code"], email))
        holds = _hold_reasons(assessment, out["reward"], config)
        result |= {"referee": email, "fraud": assessment, "already_redeemed": previous["status"] if previous else None,
                   "would_hold": holds}
        verdict.append(f"fraud score {assessment['score']}/{assessment['threshold']}"
                       + (f" ({', '.join(assessment['signals'])})" if assessment["signals"] else ""))
        if holds:
            verdict.append("a redemption would be held for a person")
    result["verdict"] = "; ".join(verdict)
    return result


async def redeem_risk(conn: Any, scope: Scope, code: str, referee: str) -> str | None:
    """Why redeeming now needs a person (fraud score or reward value), or None."""
    row = await find_code(conn, scope, code)
    if row is None or not EMAIL.match(referee.strip().lower()):
        return None  # the call fails with a clear error when it runs
    email = referee.strip().lower()
    done = await fetch_one(conn, "SELECT status FROM gamification_redemptions WHERE tenant_id = %s AND space = %s"
                                 " AND code = %s AND referee = %s", (*scope.key, row["code"], email))
    if done is not None and done["status"] == "granted":
        return None  # a repeat returns what was booked
    config = await settings(conn, scope)
    out = await code_out(conn, scope, row)
    if done is None and _problem(out, row):
        return None  # expired, used up or disabled: the call fails with that reason
    assessment = assess(await _facts(conn, scope, row, email, None, config), config.fraud_threshold)
    reasons = _hold_reasons(assessment, out["reward"], config)
    return "; ".join(reasons) or None


def _redemption_out(row: Row, referrer: str, *, repeat: bool) -> dict[str, Any]:
    return {
        "code": row["code"], "referrer": referrer, "referee": row["referee"], "reference": row["reference"],
        "status": row["status"], "fraud_score": row["fraud_score"], "fraud_checks": row["fraud_checks"],
        "rewards": row["rewards"], "approved_by": row["approved_by"], "repeat": repeat,
    }


async def redeem(conn: Any, scope: Scope, code: str, referee: str, reference: str | None,
                 device_hash: str | None = None) -> dict[str, Any]:
    email = check_email("referee", referee)
    row = await find_code(conn, scope, code, lock=True)  # one redemption of a code at a time
    if row is None:
        raise GamificationError("code", f"no referral code {normalise_code(code)!r} in this tenant")
    previous = await fetch_one(conn, "SELECT * FROM gamification_redemptions WHERE tenant_id = %s AND space = %s"
                                     " AND code = %s AND referee = %s", (*scope.key, row["code"], email))
    if previous is not None and previous["status"] != "held":
        return _redemption_out(previous, row["referrer"], repeat=True)
    out = await code_out(conn, scope, row)
    problem = _problem(out, row) if previous is None else None
    if problem:
        raise GamificationError("code", problem)
    config = await settings(conn, scope)
    assessment = assess(await _facts(conn, scope, row, email, device_hash, config), config.fraud_threshold)
    reasons = _hold_reasons(assessment, out["reward"], config)
    approved = await cleared_by(conn, scope, REDEEM_TOOL, {"code": row["code"], "referee": email}) if reasons else None
    status = "held" if reasons and approved is None else "granted"
    reward = out["reward"]
    rewards = [{"to": row["referrer"], "role": "referrer", **reward}, {"to": email, "role": "referee", **reward}]
    booked = rewards if status == "granted" else []
    saved = await fetch_one(
        conn, "INSERT INTO gamification_redemptions (tenant_id, space, code, referee, referee_domain, device_hash,"
              " reference, fraud_score, fraud_checks, status, rewards, approved_by, created_by)"
              " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
              " ON CONFLICT (tenant_id, space, code, referee) DO UPDATE SET status = EXCLUDED.status,"
              " rewards = EXCLUDED.rewards, approved_by = EXCLUDED.approved_by, fraud_score = EXCLUDED.fraud_score,"
              " fraud_checks = EXCLUDED.fraud_checks, reference = coalesce(EXCLUDED.reference,"
              " gamification_redemptions.reference), updated_at = now() RETURNING *",
        (*scope.key, row["code"], email, email_domain(email), device_hash, reference, assessment["score"],
         Jsonb(assessment["checks"]), status, Jsonb(booked), approved, scope.user))
    assert saved is not None
    if status == "granted":
        await leaderboards.record_score(conn, scope, "referrals", row["referrer"], Decimal(1), platform=row["platform"])
    result = _redemption_out(saved, row["referrer"], repeat=False)
    if status == "held":
        result["held_because"] = reasons
        result["next"] = "a person must approve this redemption: ask again through the approval flow to grant it"
    elif reasons:
        result["cleared"] = {"by": approved, "because": reasons}
    return result
