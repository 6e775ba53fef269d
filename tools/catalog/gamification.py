"""Gamification tools: referrals, achievements, leaderboards and the portfolio showcase.

Argument names and risk classes as in shared/catalog/tools.md. The handlers call the Brain's
gamification service (`ctx.service("gamification")`, described here by a protocol so that tools/
never imports the runtime). Two calls escalate to destructive, so policy holds them for a person:
a redemption whose fraud score reaches the tenant's threshold or whose reward is worth more than
the tenant grants alone, and a portfolio entry asked to be public.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, Protocol

from pydantic import Field

from tools.catalog.declare import declare_tool
from tools.context import ToolContext
from tools.spec import Risk, ToolArgs, ToolResult, ToolSpec

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


# ---- the service the handlers call (runtime/services/gamification) --------------------------------


class GamificationService(Protocol):
    async def create_code(self, referrer: str, *, platform: str | None, reward_tier: str | None,
                          usage_limit: int | None, expires_at: date | None) -> dict[str, Any]: ...

    async def validate_code(self, code: str, referee: str | None = None) -> dict[str, Any]: ...

    async def redeem(self, code: str, referee: str, reference: str | None = None) -> dict[str, Any]: ...

    async def redeem_risk(self, code: str, referee: str) -> str | None: ...

    async def list_achievements(self, subject: str, status: str | None = None) -> dict[str, Any]: ...

    async def award(self, subject: str, achievement: str, *, evidence: str | None,
                    platform: str | None) -> dict[str, Any]: ...

    async def leaderboard(self, board: str, *, period: str | None, scope: str | None, around: str | None,
                          limit: int | None) -> dict[str, Any]: ...

    async def set_visibility(self, subject: str, visibility: str, board: str | None = None) -> dict[str, Any]: ...

    async def create_portfolio_entry(self, subject: str, title: str, summary: str, *, metrics: dict[str, Any] | None,
                                     achievement: str | None, testimonial: str | None,
                                     visibility: str) -> dict[str, Any]: ...


def _service(ctx: ToolContext) -> GamificationService:
    service: GamificationService = ctx.service("gamification")
    return service


async def _code_create(ctx: ToolContext, args: ReferralCodeCreate) -> ToolResult:
    """A new code, or the referrer's active code on that platform when there is one."""
    return await _service(ctx).create_code(args.referrer, platform=args.platform, reward_tier=args.reward_tier,
                                           usage_limit=args.usage_limit, expires_at=args.expires_at)


async def _code_validate(ctx: ToolContext, args: ReferralCodeValidate) -> ToolResult:
    return await _service(ctx).validate_code(args.code, args.referee)


async def _redeem(ctx: ToolContext, args: ReferralRedeem) -> ToolResult:
    """Granted with both rewards booked, or held when the fraud checks or the reward's value say so."""
    return await _service(ctx).redeem(args.code, args.referee, args.reference)


async def _redeem_escalate(ctx: ToolContext, args: ReferralRedeem) -> str | None:
    """Hold for a person: a fraud score at or above the tenant's threshold, or a reward worth more than its limit."""
    return await _service(ctx).redeem_risk(args.code, args.referee)


async def _achievement_list(ctx: ToolContext, args: AchievementList) -> ToolResult:
    return await _service(ctx).list_achievements(args.subject, args.status)


async def _achievement_award(ctx: ToolContext, args: AchievementAward) -> ToolResult:
    return await _service(ctx).award(args.subject, args.achievement, evidence=args.evidence, platform=args.platform)


async def _leaderboard_query(ctx: ToolContext, args: LeaderboardQuery) -> ToolResult:
    return await _service(ctx).leaderboard(args.board, period=args.period, scope=args.scope, around=args.around,
                                           limit=args.limit)


async def _visibility_set(ctx: ToolContext, args: LeaderboardVisibilitySet) -> ToolResult:
    return await _service(ctx).set_visibility(args.subject, args.visibility, args.board)


async def _portfolio_create(ctx: ToolContext, args: PortfolioEntryCreate) -> ToolResult:
    """A draft (or private) entry; a public one is published only once a person approved the call."""
    return await _service(ctx).create_portfolio_entry(
        args.subject, args.title, args.summary, metrics=args.metrics, achievement=args.achievement,
        testimonial=args.testimonial, visibility=args.visibility)


async def _portfolio_escalate(ctx: ToolContext, args: PortfolioEntryCreate) -> str | None:
    if args.visibility == "public":
        return f"publishing the showcase entry {args.title!r} for {args.subject} makes it public"
    return None


_tool = declare_tool

R, W, D = Risk.READ, Risk.WRITE, Risk.DESTRUCTIVE

TOOLS: list[ToolSpec] = [
    _tool("gamification.referral_code_create", "Create a referral code with reward tier, usage limit and expiry",
          ReferralCodeCreate, W, "One active code per referrer and platform: a repeat returns it.",
          handler=_code_create, summary="Referral code {code} for {referrer} ({reward_tier} tier, {status})."),
    _tool("gamification.referral_code_validate", "Check a referral code: validity, uses left, expiry, fraud signals",
          ReferralCodeValidate, R, "Safe to repeat.", handler=_code_validate, summary="Code {code}: {verdict}."),
    _tool("gamification.referral_redeem", "Redeem a referral code for a new customer and book both rewards",
          ReferralRedeem, W, "Idempotent per (code, referee).", handler=_redeem, escalate=_redeem_escalate,
          summary="Redemption of {code} for {referee}: {status} (fraud score {fraud_score})."),
    _tool("gamification.achievement_list", "A subject's achievements: earned, in progress or available",
          AchievementList, R, "Safe to repeat.", handler=_achievement_list,
          summary="{subject}: {overview}."),
    _tool("gamification.achievement_award", "Award an achievement (badge) to a subject, with the evidence",
          AchievementAward, W, "Idempotent per (subject, achievement).", handler=_achievement_award,
          summary="{achievement} for {subject}: {outcome}."),
    _tool("gamification.leaderboard_query", "Rankings on a board for a period and scope, honouring visibility",
          LeaderboardQuery, R, "Safe to repeat.", handler=_leaderboard_query,
          summary="{board} leaderboard ({period}, {shown} of {total}): {ranking}."),
    _tool("gamification.leaderboard_visibility_set", "Set how a subject appears on leaderboards",
          LeaderboardVisibilitySet, W, "Idempotent.", handler=_visibility_set,
          summary="{subject} is {visibility} on {boards}."),
    _tool("gamification.portfolio_entry_create", "Create a portfolio showcase entry (case study); a draft by default",
          PortfolioEntryCreate, W, "One entry per (subject, title): a repeat updates it.", handler=_portfolio_create,
          escalate=_portfolio_escalate, summary="Portfolio entry '{title}' for {subject}: {status}."),
]
