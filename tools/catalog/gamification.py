"""Gamification tools: referrals, achievements, leaderboards and the portfolio showcase.

Argument names and risk classes as in shared/catalog/tools.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from tools.spec import Risk, ToolArgs, ToolSpec

# ---- gamification ---------------------------------------------------------------------------------

Platform = Literal["bizoholic", "coreldove", "directory"]


class ReferralCodeCreate(ToolArgs):
    referrer: str = Field(min_length=1)
    platform: Platform | None = None
    reward_tier: str | None = None
    usage_limit: int | None = Field(default=None, ge=1)
    expires_at: date | None = None


class ReferralCodeValidate(ToolArgs):
    code: str = Field(min_length=1)
    referee: str | None = None  # email


class ReferralRedeem(ToolArgs):
    code: str = Field(min_length=1)
    referee: str = Field(min_length=1)  # email
    reference: str | None = None  # order number or deal


class AchievementList(ToolArgs):
    subject: str = Field(min_length=1)
    status: Literal["earned", "in_progress", "available", "all"] | None = None


class AchievementAward(ToolArgs):
    subject: str = Field(min_length=1)
    achievement: str = Field(min_length=1)
    evidence: str | None = None
    platform: Platform | None = None


class LeaderboardQuery(ToolArgs):
    board: str = Field(min_length=1)  # e.g. revenue_growth, campaign_roi, referrals, orders
    period: Literal["week", "month", "quarter", "all"] | None = None
    scope: Literal["tenant", "industry", "platform"] | None = None
    around: str | None = None  # subject to centre on
    limit: int | None = Field(default=None, ge=1, le=100)


class LeaderboardVisibilitySet(ToolArgs):
    subject: str = Field(min_length=1)
    visibility: Literal["public", "anonymous", "hidden"]
    board: str | None = None  # default: all boards


class PortfolioEntryCreate(ToolArgs):
    subject: str = Field(min_length=1)
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    metrics: dict[str, Any] | None = None
    achievement: str | None = None
    testimonial: str | None = None
    visibility: Literal["draft", "private", "public"] = "draft"


def _tool(tool_id: str, description: str, args: type[ToolArgs], risk: Risk, idempotency: str, **extra: Any) -> ToolSpec:
    return ToolSpec(id=tool_id, system=tool_id.partition(".")[0], description=description, args_model=args, risk=risk,
                    idempotency=idempotency, **extra)


R, W, D = Risk.READ, Risk.WRITE, Risk.DESTRUCTIVE

TOOLS: list[ToolSpec] = [
    _tool("gamification.referral_code_create", "Create a referral code with reward tier, usage limit and expiry",
          ReferralCodeCreate, W, "One active code per referrer and platform: a repeat returns it."),
    _tool("gamification.referral_code_validate", "Check a referral code: validity, uses left, expiry, fraud signals",
          ReferralCodeValidate, R, "Safe to repeat."),
    _tool("gamification.referral_redeem", "Redeem a referral code for a new customer and book both rewards",
          ReferralRedeem, W, "Idempotent per (code, referee)."),
    _tool("gamification.achievement_list", "A subject's achievements: earned, in progress or available",
          AchievementList, R, "Safe to repeat."),
    _tool("gamification.achievement_award", "Award an achievement (badge) to a subject, with the evidence",
          AchievementAward, W, "Idempotent per (subject, achievement)."),
    _tool("gamification.leaderboard_query", "Rankings on a board for a period and scope, honouring visibility",
          LeaderboardQuery, R, "Safe to repeat."),
    _tool("gamification.leaderboard_visibility_set", "Set how a subject appears on leaderboards",
          LeaderboardVisibilitySet, W, "Idempotent."),
    _tool("gamification.portfolio_entry_create", "Create a portfolio showcase entry (case study); a draft by default",
          PortfolioEntryCreate, W, "One entry per (subject, title): a repeat updates it."),
]
