"""Fraud checks on referral redemptions: each check's score and reason, velocity, and reuse across
tenants detected without either tenant seeing the other's rows (row-level security as brain_app)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest

from runtime import db
from runtime.services.gamification import GamificationFactory
from runtime.services.gamification.fraud import SCORES, RedemptionFacts, assess, explain
from tests.services.gamification_support import bind, open_factory


@pytest.fixture
async def factory(db_url: str) -> AsyncIterator[GamificationFactory]:
    async with open_factory(db_url) as opened:
        yield opened


def facts(**overrides: Any) -> RedemptionFacts:
    base: dict[str, Any] = {"code": "SOL-88A", "referrer": "Sol Foods", "referee": "dana@peakfitness.co"}
    return RedemptionFacts(**(base | overrides))


def fired(assessment: dict[str, Any]) -> dict[str, tuple[int, str]]:
    return {c["check"]: (c["score"], c["reason"]) for c in assessment["checks"] if c["score"]}


def test_a_clean_signup_scores_zero_and_every_check_says_what_it_compared() -> None:
    result = assess(facts(), threshold=50)
    assert (result["score"], result["suspicious"], result["signals"]) == (0, False, [])
    assert [c["check"] for c in result["checks"]] == [
        "self_referral_domain", "self_referral_device", "velocity", "disposable_email", "cross_tenant_reuse"]
    reasons = {c["check"]: c["reason"] for c in result["checks"]}
    assert reasons == {
        "self_referral_domain": "the referee's domain peakfitness.co is not the referrer Sol Foods's",
        "self_referral_device": "no device or IP hash was given for this signup",
        "velocity": "1 redemption(s) of SOL-88A in the last hour (limit 5 an hour)",
        "disposable_email": "peakfitness.co is not a known disposable email provider",
        "cross_tenant_reuse": "no redemptions by this email or device elsewhere",
    }


@pytest.mark.parametrize(("overrides", "check", "score", "reason"), [
    ({"referee": "tom@solfoods.com"}, "self_referral_domain", 60,
     "the referee's domain solfoods.com is the referrer Sol Foods's own name"),
    ({"referrer_email": "ana@solfoods.example", "referee": "bo@solfoods.example"}, "self_referral_domain", 60,
     "the referee's domain solfoods.example is the referrer's email domain"),
    ({"referrer_email": "ana@gmail.com", "referee": "ana@gmail.com"}, "self_referral_domain", 60,
     "the referee ana@gmail.com is the referrer's own email"),
    ({"referrer_device": "dev-1", "device_hash": "dev-1"}, "self_referral_device", 60,
     "the signup came from the referrer's own device or IP address"),
    ({"device_hash": "dev-2", "device_shared_with": 2}, "self_referral_device", 40,
     "the same device or IP address redeemed SOL-88A for 2 other referee(s)"),
    ({"recent_uses": 5, "velocity_limit": 5}, "velocity", 50,
     "6 redemptions of SOL-88A in the last hour, this one included (limit 5 an hour)"),
    ({"referee": "jane@mailinator.com"}, "disposable_email", 50, "mailinator.com is a disposable email provider"),
    ({"referee": "x@eu.yopmail.com"}, "disposable_email", 50, "eu.yopmail.com is a disposable email provider"),
    ({"other_tenants": 2}, "cross_tenant_reuse", 40,
     "this email or device already redeemed referral codes with 2 other business(es) on the platform"),
])
def test_each_check_scores_and_explains(overrides: dict[str, Any], check: str, score: int, reason: str) -> None:
    result = assess(facts(**overrides), threshold=50)
    assert fired(result) == {check: (score, reason)}
    assert result["score"] == score == SCORES[check if check != "self_referral_device" or score == 60 else "shared_device"]
    assert result["suspicious"] is (score >= 50)


def test_shared_webmail_is_no_self_referral_and_scores_add_up_to_at_most_100() -> None:
    assert fired(assess(facts(referrer_email="a@gmail.com", referee="b@gmail.com"), 50)) == {}
    worst = assess(facts(referee="tom@solfoods.com", referrer_device="d", device_hash="d", other_tenants=1), 50)
    assert worst["score"] == 100 and worst["signals"] == ["self_referral_domain", "self_referral_device",
                                                          "cross_tenant_reuse"]
    assert explain(worst).startswith("fraud score 100 (threshold 50): self_referral_domain +60: ")


async def test_validate_reports_the_fraud_signals_of_a_referee(factory: GamificationFactory) -> None:
    service = bind(factory)
    out = await service.validate_code("sol-88a", "tom@solfoods.com")  # a demo code; codes ignore case
    assert out["valid"] and out["code"] == "SOL-88A"
    assert out["fraud"]["score"] == 60 and out["fraud"]["signals"] == ["self_referral_domain"]
    assert out["verdict"] == ("valid, 10 of 10 uses left; fraud score 60/50 (self_referral_domain); "
                              "a redemption would be held for a person")
    assert len(out["would_hold"]) == 2  # the score, and the gold reward's value (150 > 100)


async def test_velocity_counts_redemptions_of_a_code_in_the_last_hour(factory: GamificationFactory) -> None:
    service = bind(factory)
    await factory.seed("acme", {"settings": [{"velocity_limit": 3}],
                                "referral_codes": [{"code": "FAST-1", "referrer": "Peak Fitness"}]})
    statuses = [(await service.redeem("FAST-1", f"user{n}@shop{n}.example"))["status"] for n in range(5)]
    assert statuses == ["granted", "granted", "granted", "held", "held"]
    held = await service.redeem("FAST-1", "user4@shop4.example")  # a repeat: checked again, still held
    velocity = next(c for c in held["fraud_checks"] if c["check"] == "velocity")
    assert velocity == {"check": "velocity", "score": 50,
                        "reason": "5 redemptions of FAST-1 in the last hour, this one included (limit 3 an hour)"}
    # An hour later the code is quiet again.
    async with db.tenant_conn(factory._pool, "acme") as conn:
        await conn.execute("UPDATE gamification_redemptions SET created_at = now() - interval '2 hours'")
    assert (await service.redeem("FAST-1", "late@shop9.example"))["status"] == "granted"


async def test_reuse_across_tenants_is_a_count_not_a_window_into_the_other_tenant(
    factory: GamificationFactory, db_url: str
) -> None:
    acme, beta = bind(factory, "acme"), bind(factory, "beta")
    assert (await acme.redeem("CASA-7K2", "roamer@peakfitness.co"))["status"] == "granted"
    out = await beta.redeem("GLOW-2B9", "Roamer@PeakFitness.co")
    assert fired({"checks": out["fraud_checks"]}) == {"cross_tenant_reuse": (
        40, "this email or device already redeemed referral codes with 1 other business(es) on the platform")}
    assert out["status"] == "granted"  # 40 alone stays under the threshold of 50
    signer = await db.load_signer(db_url)
    async with await psycopg.AsyncConnection.connect(db.app_url(db_url), autocommit=True) as conn:
        for tenant, other in (("acme", "beta"), ("beta", "acme")):
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.scope', %s, true)", (signer.token(tenant),))
                cur = await conn.execute("SELECT DISTINCT tenant_id FROM gamification_redemptions")
                assert [r[0] for r in await cur.fetchall()] == [tenant]
                cur = await conn.execute(
                    "SELECT count(*) FROM gamification_redemptions WHERE tenant_id = %s", (other,))
                assert (await cur.fetchone()) == (0,)
                cur = await conn.execute("SELECT gamification_reuse_elsewhere('', 'roamer@peakfitness.co', NULL)")
                assert (await cur.fetchone()) == (1,)
        async with conn.transaction():  # no tenant named: nothing is counted
            cur = await conn.execute("SELECT gamification_reuse_elsewhere('', 'roamer@peakfitness.co', NULL)")
            assert (await cur.fetchone()) == (0,)
