"""Referral codes: one active code per referrer and platform, clear errors, idempotent redemption,
rewards booked for both sides, and holds for risky redemptions until a person approves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest

from runtime.services.gamification import GamificationError, GamificationFactory
from tests.services.gamification_support import bind, open_factory


@pytest.fixture
async def factory(db_url: str) -> AsyncIterator[GamificationFactory]:
    async with open_factory(db_url) as opened:
        yield opened


async def test_create_returns_the_active_code_on_a_repeat(factory: GamificationFactory) -> None:
    service = bind(factory)
    first = await service.create_code("Tom Reed", platform="coreldove", reward_tier="Gold", usage_limit=10)
    assert first["created"] and first["code"].startswith("TOM-") and len(first["code"]) == 7
    assert (first["reward_tier"], first["usage_limit"], first["uses_left"], first["status"]) == ("gold", 10, 10, "active")
    assert first["reward"] == {"tier": "gold", "kind": "premium_feature", "value": 150,
                               "description": "3 months of the premium analytics add-on"}
    again = await service.create_code("tom reed", platform="coreldove", usage_limit=3)
    assert again["code"] == first["code"] and not again["created"] and again["usage_limit"] == 10
    other = await service.create_code("Tom Reed", platform="bizoholic")
    assert other["created"] and other["code"] != first["code"] and other["reward_tier"] == "standard"


async def test_create_names_the_wrong_argument(factory: GamificationFactory) -> None:
    service = bind(factory)
    with pytest.raises(GamificationError, match=r"^reward_tier: no reward tier 'diamond'; this tenant's tiers: "
                                                 r"bronze, standard, silver, gold, platinum$"):
        await service.create_code("Priya", reward_tier="diamond")
    with pytest.raises(GamificationError, match=r"^expires_at: \d{4}-\d\d-\d\d is in the past$"):
        await service.create_code("Priya", expires_at=date.today() - timedelta(days=2))


async def test_an_expired_code_is_replaced_on_create(factory: GamificationFactory) -> None:
    service = bind(factory)
    await factory.seed("acme", {"referral_codes": [
        {"code": "OLD-1", "referrer": "Priya", "expires_at": (date.today() - timedelta(days=1)).isoformat()}]})
    out = await service.create_code("Priya")
    assert out["created"] and out["code"] != "OLD-1"
    codes = {c["code"]: c["status"] for c in (await factory.dump("acme"))["referral_codes"]}
    assert codes["OLD-1"] == "disabled" and codes[out["code"]] == "active"


async def test_redeem_errors_name_the_field(factory: GamificationFactory) -> None:
    service = bind(factory)
    await factory.seed("acme", {"referral_codes": [
        {"code": "GONE-1", "referrer": "Ravi's Kitchen", "expires_at": "2020-01-31"},
        {"code": "ONCE-1", "referrer": "Dave Kim", "usage_limit": 1},
        {"code": "OFF-1", "referrer": "Ana Ruiz", "status": "disabled"}]})
    cases = {
        ("NOPE-9", "a@b.example"): "code: no referral code 'NOPE-9' in this tenant",
        ("GONE-1", "a@b.example"): "code: GONE-1 expired on 2020-01-31",
        ("OFF-1", "a@b.example"): "code: OFF-1 is disabled",
        ("CASA-7K2", "not-an-email"): "referee: 'not-an-email' is not an email address (like ana@example.com)",
    }
    for (code, referee), message in cases.items():
        with pytest.raises(GamificationError) as caught:
            await service.redeem(code, referee)
        assert str(caught.value) == message
    assert (await service.redeem("ONCE-1", "first@shop.example"))["status"] == "granted"
    with pytest.raises(GamificationError, match="^code: ONCE-1 has reached its usage limit of 1$"):
        await service.redeem("ONCE-1", "second@shop.example")
    expired = await service.validate_code("GONE-1")
    assert (expired["valid"], expired["verdict"]) == (False, "GONE-1 expired on 2020-01-31")
    assert (await service.validate_code("nope-9"))["verdict"] == "no referral code 'NOPE-9' in this tenant"


async def test_redeem_books_both_rewards_once(factory: GamificationFactory) -> None:
    service = bind(factory)
    out = await service.redeem("BEAN-4XQ", "jake@sunrisebakery.com", "1160")
    assert (out["status"], out["fraud_score"], out["repeat"], out["reference"]) == ("granted", 0, False, "1160")
    assert out["rewards"] == [
        {"to": "Beanbar", "role": "referrer", "tier": "silver", "kind": "discount", "value": 50,
         "description": "50 USD off the next invoice"},
        {"to": "jake@sunrisebakery.com", "role": "referee", "tier": "silver", "kind": "discount", "value": 50,
         "description": "50 USD off the next invoice"},
    ]
    again = await service.redeem("bean-4xq", "Jake@SunriseBakery.com")
    assert again["repeat"] and again["rewards"] == out["rewards"]
    state = await factory.dump("acme")
    assert [r for r in state["redemptions"] if r["code"] == "BEAN-4XQ"][0]["status"] == "granted"
    referrals = [s for s in state["leaderboard_scores"] if s["board"] == "referrals" and s["subject"] == "Beanbar"]
    assert [s["score"] for s in referrals] == [2, 1, 1]  # demo this month, demo earlier, this redemption


async def test_a_risky_redemption_is_held_without_rewards(factory: GamificationFactory) -> None:
    service = bind(factory)
    risk = await service.redeem_risk("CASA-7K2", "maria@casaverde.mx")
    assert risk == ("fraud score 60 (threshold 50): self_referral_domain +60: the referee's domain casaverde.mx is "
                    "the referrer's email domain")
    out = await service.redeem("CASA-7K2", "maria@casaverde.mx")
    assert (out["status"], out["rewards"], out["held_because"]) == ("held", [], [risk])
    # A gold reward (150) is over the 100 granted without a person, whoever redeems it.
    assert await service.redeem_risk("SOL-88A", "dana@peakfitness.co") == (
        "the gold reward is worth 150, above the 100 granted without a person")
    assert await service.redeem_risk("CASA-7K2", "dana@peakfitness.co") is None
    assert await service.redeem_risk("NOPE-1", "dana@peakfitness.co") is None  # the call itself will fail
