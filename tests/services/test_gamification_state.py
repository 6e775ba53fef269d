"""The service as SandboxState: demo data on a new tenant's first use, seed and dump round trips in
namespaces of their own (an eval case sees only its state), reset, and clear seeding errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from runtime.services import SandboxState
from runtime.services.gamification import GamificationError, GamificationFactory
from runtime.services.gamification.demo import demo_data
from runtime.wiring import sandbox_namespace
from tests.services.gamification_support import bind, open_factory

SETUP = {
    "referral_codes": [{"code": "glow-9x1", "referrer": "Glow Salon", "platform": "directory", "usage_limit": 3, "expires_at": "2031-01-31"}],
    "achievements": [{"subject": "Peak Fitness", "achievement": "First 10 Leads"}],
    "leaderboard_visibility": [{"subject": "Peak Fitness", "visibility": "public", "board": "orders"}],
    "portfolio_entries": [{"subject": "Peak Fitness", "title": "Peak Fitness: 3x leads", "summary": "Tripled leads."}],
}


@pytest.fixture
async def factory(db_url: str) -> AsyncIterator[GamificationFactory]:
    async with open_factory(db_url) as opened:
        yield opened


def contains(rows: list[dict[str, Any]], expected: dict[str, Any]) -> bool:
    return any(all(row.get(k) == v for k, v in expected.items()) for row in rows)


async def test_it_is_sandbox_state(factory: GamificationFactory) -> None:
    assert isinstance(factory, SandboxState)


async def test_a_new_tenant_starts_with_the_demo_data(factory: GamificationFactory) -> None:
    listing = await bind(factory, "newco").list_achievements("Casa Verde", "earned")  # first use seeds the demo
    assert [a["achievement"] for a in listing["achievements"]] == ["First Referral"]
    state = await factory.dump("newco")
    demo = demo_data()
    assert [t["name"] for t in state["reward_tiers"]] == ["bronze", "standard", "silver", "gold", "platinum"]
    assert sorted(c["code"] for c in state["referral_codes"]) == sorted(c["code"] for c in demo["referral_codes"])
    assert len(state["achievement_definitions"]) == len(demo["achievement_definitions"])
    assert len(state["leaderboard_scores"]) == len(demo["leaderboard_scores"])
    assert state["settings"] == [{"fraud_threshold": 50, "hold_reward_value": 100, "velocity_limit": 5}]
    assert contains(state["referral_codes"], {"code": "CASA-7K2", "uses": 2, "status": "active"})


async def test_seed_and_dump_round_trip_in_two_namespaces(factory: GamificationFactory) -> None:
    with sandbox_namespace("case-a"):
        await factory.reset("acme")
        await factory.seed("acme", SETUP)
        await bind(factory).redeem("GLOW-9X1", "new@client.example")
        a = await factory.dump("acme")
    with sandbox_namespace("case-b"):
        await factory.seed("acme", {"referral_codes": [{"code": "ONLY-B", "referrer": "Beanbar"}]})
        b = await factory.dump("acme")
        assert (await bind(factory).validate_code("GLOW-9X1"))["valid"] is False
    live = await factory.dump("acme")
    assert contains(a["referral_codes"], {"code": "GLOW-9X1", "referrer": "Glow Salon", "usage_limit": 3,
                                          "expires_at": "2031-01-31", "uses": 1, "reward_tier": "standard"})
    assert contains(a["redemptions"], {"code": "GLOW-9X1", "referee": "new@client.example", "status": "granted"})
    assert contains(a["achievements"], {"subject": "Peak Fitness", "achievement": "First 10 Leads"})
    assert contains(a["leaderboard_visibility"], {"subject": "Peak Fitness", "board": "orders", "visibility": "public"})
    assert contains(a["portfolio_entries"], {"title": "Peak Fitness: 3x leads", "status": "draft", "visibility": "draft"})
    assert contains(a["referral_codes"], {"code": "GLOW-2B9", "status": "disabled"})  # the setup's code replaced it
    assert contains(b["referral_codes"], {"code": "ONLY-B", "status": "active"})
    assert not contains(b["referral_codes"], {"code": "GLOW-9X1"}) and not contains(b["redemptions"], {"code": "GLOW-9X1"})
    assert not contains(live["referral_codes"], {"code": "GLOW-9X1"}) and not contains(live["referral_codes"],
                                                                                       {"code": "ONLY-B"})
    # Seeding what a dump gave back changes nothing (scores are observations: they would add up).
    with sandbox_namespace("case-a"):
        await factory.seed("acme", {k: v for k, v in a.items() if k != "leaderboard_scores"})
        assert await factory.dump("acme") == a


async def test_reset_starts_the_namespace_again(factory: GamificationFactory) -> None:
    with sandbox_namespace("case-c"):
        await factory.seed("acme", {"referral_codes": [{"code": "GONE-1", "referrer": "Ann"}]})
        await factory.reset("acme")
        state = await factory.dump("acme")
    assert not contains(state["referral_codes"], {"code": "GONE-1"})
    assert contains(state["referral_codes"], {"code": "CASA-7K2"})  # the demo again


@pytest.mark.parametrize(("data", "message"), [
    ({"codes": []}, "gamification.codes: unknown collection; known: settings, reward_tiers, referral_codes, "
                    "redemptions, achievement_definitions, achievements, leaderboard_scores, leaderboard_visibility, "
                    "portfolio_entries"),
    ({"referral_codes": [{"code": "X-1"}]}, "gamification.referral_codes[0].referrer: is required"),
    ({"referral_codes": [{"code": "X-1", "referrer": "A", "reward_tier": "tin"}]},
     "reward_tier: no reward tier 'tin'; this tenant's tiers: bronze, standard, silver, gold, platinum"),
    ({"achievements": ["First Referral"]}, "gamification.achievements[0]: must be an object"),
])
async def test_bad_seed_data_is_named(factory: GamificationFactory, data: dict[str, Any], message: str) -> None:
    with pytest.raises(GamificationError) as caught:
        await factory.seed("acme", data)
    assert str(caught.value) == message
