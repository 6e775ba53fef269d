"""Achievements: progress read from the service's data, the store's orders and the CRM's won deals;
earned / in progress / available; awards once per (subject, achievement), checked against the data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from adapters.errors import NotFound, Unavailable
from runtime.services.gamification import GamificationFactory
from tests.services.gamification_support import bind, open_factory

DEFINITIONS = [
    {"achievement": "First Referral", "metric": "referrals", "threshold": 1, "period": "all"},
    {"achievement": "Referral Champion", "metric": "referrals", "threshold": 4, "period": "all"},
    {"achievement": "Click Magnet", "metric": "campaign_ctr", "threshold": 3, "period": "month",
     "description": "campaign CTR over 3% in a month"},
    {"achievement": "Busy Week", "metric": "orders", "threshold": 10, "period": "week",
     "description": "10 orders in a week"},
    {"achievement": "Deal Closer", "metric": "won_deals", "threshold": 2, "period": "quarter"},
]


class FakeSaleor:
    def __init__(self, orders: list[dict[str, Any]]):
        self.orders = orders
        self.calls: list[dict[str, Any]] = []

    async def order_list(self, **kwargs: Any) -> list[dict[str, Any]]:
        self.calls.append(kwargs)
        return [o for o in self.orders if o["customer"] == kwargs["customer"]]


class FakeCrm:
    async def opportunity_search(self, **kwargs: Any) -> list[dict[str, Any]]:
        if kwargs["account"] != "Beanbar":
            raise NotFound("crm", f"no account {kwargs['account']!r}", field="account")
        assert kwargs["status"] == "won"
        return [{"name": "Beanbar - Ads", "amount": 2400.0}]


class DownSaleor:
    async def order_list(self, **kwargs: Any) -> list[dict[str, Any]]:
        raise Unavailable("saleor", "503 after 3 tries")


@pytest.fixture
async def factory(db_url: str) -> AsyncIterator[GamificationFactory]:
    orders = [{"customer": "Beanbar", "status": "fulfilled", "total": 10.0} for _ in range(12)]
    orders.append({"customer": "Beanbar", "status": "canceled", "total": 99.0})
    async with open_factory(db_url, {"saleor": FakeSaleor(orders), "crm": FakeCrm()}, demo=False) as opened:
        await opened.seed("acme", {
            "reward_tiers": [{"name": "standard", "value": 20, "default": True}],
            "achievement_definitions": DEFINITIONS,
            "referral_codes": [{"code": "CASA-1", "referrer": "Casa Verde"}],
            "leaderboard_scores": [{"board": "campaign_ctr", "subject": "Casa Verde", "score": 2.4}]})
        yield opened


def by_name(listing: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["achievement"]: a for a in listing["achievements"]}


async def test_progress_from_the_service_data(factory: GamificationFactory) -> None:
    service = bind(factory)
    for n in range(2):
        await service.redeem("CASA-1", f"client{n}@shop{n}.example")
    listing = await service.list_achievements("casa verde")
    items = by_name(listing)
    assert {k: (v["status"], v.get("percent"), v.get("value")) for k, v in items.items()} == {
        "First Referral": ("in_progress", 100.0, 2), "Referral Champion": ("in_progress", 50.0, 2),
        "Click Magnet": ("in_progress", 80.0, 2.4), "Busy Week": ("available", 0.0, 0),
        "Deal Closer": ("available", 0.0, 0),
    }
    assert items["First Referral"]["qualifies"] and listing["qualifies"] == ["First Referral"]
    assert items["Click Magnet"]["source"] == "the campaign_ctr leaderboard"
    assert items["Deal Closer"]["source"] == "crm: no account 'casa verde'"
    assert listing["next_goals"] == ["First Referral", "Click Magnet", "Referral Champion"]
    assert (listing["earned_count"], listing["in_progress_count"], listing["available_count"]) == (0, 3, 2)
    award = await service.award("Casa Verde", "first referral", evidence="2 clients signed up")
    assert (award["achievement"], award["awarded"], award["check"]["met"]) == ("First Referral", True, True)
    earned = await service.list_achievements("Casa Verde", "earned")
    assert [(a["achievement"], a["status"], a["evidence"]) for a in earned["achievements"]] == [
        ("First Referral", "earned", "2 clients signed up")]


async def test_progress_from_the_store_and_the_crm(factory: GamificationFactory) -> None:
    items = by_name(await bind(factory).list_achievements("Beanbar", "in_progress"))
    assert (items["Busy Week"]["value"], items["Busy Week"]["percent"]) == (12, 100.0)  # canceled left out
    assert items["Busy Week"]["source"] == "store orders of Beanbar"
    assert (items["Deal Closer"]["value"], items["Deal Closer"]["percent"]) == (1, 50.0)
    assert items["Deal Closer"]["source"] == "won CRM deals of Beanbar"
    saleor: FakeSaleor = factory._clients("acme")["saleor"]
    week_ago = (datetime.now(UTC) - timedelta(days=7)).date()
    assert saleor.calls[0]["created_after"] in (week_ago, week_ago + timedelta(days=1))
    assert isinstance(saleor.calls[0]["created_after"], date)


async def test_a_system_that_is_down_falls_back_to_the_board(db_url: str) -> None:
    async with open_factory(db_url, {"saleor": DownSaleor()}, demo=False) as factory:
        await factory.seed("acme", {"achievement_definitions": DEFINITIONS,
                                    "leaderboard_scores": [{"board": "orders", "subject": "Ann", "score": 4}]})
        items = by_name(await bind(factory).list_achievements("Ann"))
    assert (items["Busy Week"]["value"], items["Busy Week"]["source"]) == (
        4, "the orders leaderboard (saleor could not be read: 503 after 3 tries)")


async def test_award_once_per_subject_and_achievement(factory: GamificationFactory) -> None:
    service = bind(factory)
    first = await service.award("Glow Salon", "Click Magnet", evidence="4.1% CTR", platform="directory")
    assert first["awarded"] and first["check"] == {"metric": "campaign_ctr", "value": 0, "threshold": 3,
                                                   "period": "month", "met": False, "source": "no campaign_ctr score recorded"}
    assert first["note"] == "the data shows 0 of 3 (no campaign_ctr score recorded); awarded on the evidence given"
    again = await service.award("glow salon", "CLICK MAGNET", evidence="other")
    assert (again["awarded"], again["repeat"], again["evidence"]) == (False, True, "4.1% CTR")
    manual = await service.award("Glow Salon", "50 Five-Star Reviews")
    assert manual["definition"] == "new (awarded by hand)" and manual["check"] is None
    state = await factory.dump("acme")
    assert [(a["subject"], a["achievement"]) for a in state["achievements"]] == [
        ("Glow Salon", "Click Magnet"), ("Glow Salon", "50 Five-Star Reviews")]
    assert {"achievement": "50 Five-Star Reviews", "description": "awarded by hand", "metric": None,
            "threshold": None, "period": "all"} in state["achievement_definitions"]
    assert [s["score"] for s in state["leaderboard_scores"] if s["board"] == "achievements"] == [1, 1]
    listing = await service.list_achievements("Glow Salon")
    assert by_name(listing)["50 Five-Star Reviews"]["status"] == "earned" and listing["earned_count"] == 2
    others = by_name(await service.list_achievements("Someone Else", "available"))
    assert others["50 Five-Star Reviews"]["source"] == "awarded by hand"
