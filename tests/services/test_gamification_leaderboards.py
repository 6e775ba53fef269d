"""Leaderboards: ranking per period, public names, stable pseudonyms for the rest, hidden subjects
left out, per-board visibility, peers by industry, and pages of `limit` centred on `around`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from runtime.services.gamification import GamificationFactory
from runtime.services.gamification.leaderboards import period_start, pseudonym
from tests.services.gamification_support import bind, open_factory


@pytest.fixture
async def factory(db_url: str) -> AsyncIterator[GamificationFactory]:
    async with open_factory(db_url, demo=False) as opened:
        yield opened


def scores(board: str, values: dict[str, float], **extra: object) -> list[dict[str, object]]:
    return [{"board": board, "subject": s, "score": v, **extra} for s, v in values.items()]


async def test_names_pseudonyms_and_hidden_subjects(factory: GamificationFactory) -> None:
    await factory.seed("acme", {
        "leaderboard_scores": scores("wins", {"Ann": 5, "Bob": 9, "Cy": 7, "Di": 7}),
        "leaderboard_visibility": [{"subject": "Bob", "visibility": "public"},
                                   {"subject": "Cy", "visibility": "hidden"}]})
    out = await bind(factory).leaderboard("wins", period="all")
    assert [(e["rank"], e["name"], e["score"], e["visibility"]) for e in out["entries"]] == [
        (1, "Bob", 9, "public"),
        (2, pseudonym("acme", "Di"), 7, "anonymous"),  # never opted in: anonymous by default
        (3, pseudonym("acme", "Ann"), 5, "anonymous"),
    ]
    assert (out["total"], out["hidden"], out["period"], out["scope"]) == (3, 1, "all", "tenant")
    assert pseudonym("acme", "Di") == pseudonym("acme", "di") != pseudonym("beta", "Di")
    assert pseudonym("acme", "Di").startswith("Participant ") and len(pseudonym("acme", "Di")) == 16
    assert all("Di" not in e["name"] and "Ann" not in e["name"] for e in out["entries"][1:])


async def test_a_board_choice_beats_the_all_boards_choice(factory: GamificationFactory) -> None:
    service = bind(factory)
    await factory.seed("acme", {"leaderboard_scores": scores("orders", {"Ann": 3}) + scores("revenue", {"Ann": 300})})
    first = await service.set_visibility("Ann", "public")
    assert (first["previous"], first["changed"], first["shown_as"], first["boards"]) == (
        "anonymous", True, "Ann", "all boards")
    only = await service.set_visibility("ann", "anonymous", "revenue")
    assert only["shown_as"] == pseudonym("acme", "Ann")
    assert (await service.leaderboard("orders"))["entries"][0]["name"] == "Ann"
    assert (await service.leaderboard("revenue"))["entries"][0]["name"] == pseudonym("acme", "Ann")
    await service.set_visibility("Ann", "hidden")  # all boards again: replaces the per-board choice
    assert (await service.leaderboard("revenue"))["entries"] == []
    again = await service.set_visibility("Ann", "hidden")
    assert not again["changed"]


async def test_count_boards_sum_the_period_and_ratio_boards_take_the_latest(factory: GamificationFactory) -> None:
    now = datetime.now(UTC)
    old = (now - timedelta(days=200)).isoformat()
    await factory.seed("acme", {"leaderboard_scores": [
        {"board": "orders", "subject": "Ann", "score": 10, "recorded_at": old},
        {"board": "orders", "subject": "Ann", "score": 4},
        {"board": "orders", "subject": "Bob", "score": 6},
        {"board": "campaign_roi", "subject": "Ann", "score": 9.5, "recorded_at": old},
        {"board": "campaign_roi", "subject": "Ann", "score": 2.5},
    ]})
    service = bind(factory)
    month = await service.leaderboard("orders", period="month")
    assert [(e["score"]) for e in month["entries"]] == [6, 4]
    assert month["since"] == period_start("month", now).isoformat()  # type: ignore[union-attr]
    assert [e["score"] for e in (await service.leaderboard("orders", period="all"))["entries"]] == [14, 6]
    assert [e["score"] for e in (await service.leaderboard("campaign_roi", period="all"))["entries"]] == [2.5]
    empty = await service.leaderboard("reviews")
    assert empty["entries"] == [] and empty["note"] == (
        "no scores on the reviews board for this period; boards with scores: campaign_roi, orders")


def test_calendar_periods() -> None:
    wednesday = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)
    assert period_start("week", wednesday) == datetime(2026, 11, 23, tzinfo=UTC)
    assert period_start("month", wednesday) == datetime(2026, 11, 1, tzinfo=UTC)
    assert period_start("quarter", wednesday) == datetime(2026, 10, 1, tzinfo=UTC)
    assert period_start("all", wednesday) is None


async def test_pages_centre_on_around(factory: GamificationFactory) -> None:
    board = {f"S{n:02d}": 100 - n for n in range(20)}  # S00 leads with 100
    await factory.seed("acme", {"leaderboard_scores": scores("referrals", board),
                                "leaderboard_visibility": [{"subject": s, "visibility": "public"} for s in board]})
    service = bind(factory)
    top = await service.leaderboard("referrals", limit=5)
    assert [e["name"] for e in top["entries"]] == ["S00", "S01", "S02", "S03", "S04"]
    assert (top["total"], top["offset"], top["shown"]) == (20, 0, 5)
    mid = await service.leaderboard("referrals", around="s10", limit=5)
    assert [e["rank"] for e in mid["entries"]] == [9, 10, 11, 12, 13]
    assert [e.get("centre", False) for e in mid["entries"]] == [False, False, True, False, False]
    end = await service.leaderboard("referrals", around="S19", limit=5)
    assert [e["rank"] for e in end["entries"]] == [16, 17, 18, 19, 20] and end["offset"] == 15
    default = await service.leaderboard("referrals")
    assert default["limit"] == 10 and default["shown"] == 10
    missing = await service.leaderboard("referrals", around="Nobody", limit=3)
    assert missing["note"] == "Nobody has no score on the referrals board for this period"
    assert [e["rank"] for e in missing["entries"]] == [1, 2, 3]


async def test_ties_share_a_rank_and_industry_scope_ranks_peers(factory: GamificationFactory) -> None:
    await factory.seed("acme", {"leaderboard_scores":
                                scores("orders", {"Cafe A": 5, "Cafe B": 5}, industry="cafe")
                                + scores("orders", {"Dentist": 9}, industry="healthcare")
                                + scores("orders", {"Cafe C": 2}, industry="Cafe")})
    service = bind(factory)
    everyone = await service.leaderboard("orders")
    assert [e["rank"] for e in everyone["entries"]] == [1, 2, 2, 4]
    peers = await service.leaderboard("orders", scope="industry", around="Cafe C")
    assert peers["total"] == 3 and peers["peers"] == {"industry": "Cafe"}
    assert [e["rank"] for e in peers["entries"]] == [1, 1, 3] and peers["entries"][2]["centre"]
    no_ref = await service.leaderboard("orders", scope="industry")
    assert no_ref["total"] == 4 and no_ref["note"] == (
        "scope industry needs `around` to pick the peers: showing every subject of this tenant")


async def test_demo_leaderboards_respect_the_demo_choices(db_url: str) -> None:
    async with open_factory(db_url) as factory:
        out = await bind(factory, "fresh").leaderboard("referrals", period="month")
    names = [e["name"] for e in out["entries"]]
    assert names[0] == "Casa Verde" and out["hidden"] == 1  # Northside Dental chose hidden
    assert "Beanbar" not in names and pseudonym("fresh", "Beanbar") in names
