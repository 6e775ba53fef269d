"""Internal tools: Brain memory, scheduler, gamification service and text composition.

Argument names and risk classes as in shared/catalog/tools.md. The memory tools call the Brain's
memory service through the ToolContext; handlers for scheduler and gamification land with their
services; `text.compose` has a deterministic placeholder handler.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import AwareDatetime, ConfigDict, Field, field_validator, model_validator

from tools.context import ContextError, MemoryService, ToolContext
from tools.spec import Risk, ToolArgs, ToolResult, ToolSpec

# ---- memory ---------------------------------------------------------------------------------------

MemoryKind = Literal[
    "fact", "brand_voice", "icp", "policy", "service_package", "decision", "campaign_brief", "keyword_plan",
    "supplier_note", "test_result", "expense", "health_log", "medication", "family_contact", "check_in",
    "personal_note",
]


class MemorySearch(ToolArgs):
    query: str = Field(min_length=1)
    kind: MemoryKind | None = None  # every stored entry has one of the kinds memory.write accepts
    subject: str | None = None
    limit: int = Field(default=5, ge=1, le=50)


class MemoryWrite(ToolArgs):
    text: str = Field(min_length=1)
    kind: MemoryKind
    subject: str | None = None
    tags: list[str] | None = None
    supersedes: str | None = None  # memory ID


def _memory(ctx: ToolContext, tool_id: str) -> MemoryService:
    if ctx.memory is None:
        raise ContextError(
            f"{tool_id} needs the Brain's memory service, but this run's context has none"
            f" (tenant {ctx.tenant!r}): the runtime must pass ToolContext(memory=store.bound(...))"
        )
    return ctx.memory


async def _memory_search(ctx: ToolContext, args: MemorySearch) -> ToolResult:
    """The tenant's best memories for the query (the user's own personal entries included)."""
    memory = _memory(ctx, "memory.search")
    hits = await memory.search(args.query, kind=args.kind, subject=args.subject, limit=args.limit)
    return {"query": args.query, "count": len(hits), "memories": hits}


async def _memory_write(ctx: ToolContext, args: MemoryWrite) -> ToolResult:
    """Store the entry; the result says whether it was new or unchanged and what it replaced."""
    return await _memory(ctx, "memory.write").write(
        args.text, kind=args.kind, subject=args.subject, tags=args.tags or [], supersedes=args.supersedes
    )


# ---- scheduler ------------------------------------------------------------------------------------

ReminderCategory = Literal["personal", "medication", "appointment", "check_in", "follow_up", "work"]


class ReminderCreate(ToolArgs):
    text: str = Field(min_length=1)
    at: AwareDatetime
    recipient: str | None = None  # default: the requester
    recurrence: str | None = None  # RFC 5545 RRULE, e.g. FREQ=DAILY;BYHOUR=8,20
    until: date | None = None
    category: ReminderCategory | None = None

    @field_validator("recurrence")
    @classmethod
    def _rrule(cls, value: str | None) -> str | None:
        if value is not None and not value.upper().startswith("FREQ="):
            raise ValueError(
                f"recurrence must be an RFC 5545 RRULE starting with FREQ= (e.g. FREQ=DAILY;BYHOUR=8,20), got {value!r}"
            )
        return value

    @model_validator(mode="after")
    def _until(self) -> ReminderCreate:
        if self.until is not None:
            if self.recurrence is None:
                raise ValueError("until applies only to a recurring reminder: give recurrence too")
            if self.until < self.at.date():
                raise ValueError(f"until ({self.until}) is before the first reminder at ({self.at.date()})")
        return self


class ReminderList(ToolArgs):
    # `from` is a Python keyword, so the field is from_ under the catalog name "from".
    model_config = ConfigDict(serialize_by_alias=True)

    recipient: str | None = None
    category: ReminderCategory | None = None
    from_: AwareDatetime | None = Field(default=None, alias="from")
    to: AwareDatetime | None = None
    query: str | None = None

    @model_validator(mode="after")
    def _window(self) -> ReminderList:
        if self.from_ is not None and self.to is not None and self.from_ > self.to:
            raise ValueError(f"from ({self.from_.isoformat()}) is after to ({self.to.isoformat()})")
        return self


class ReminderCancel(ToolArgs):
    reminder: str = Field(min_length=1)  # ID or text match
    scope: Literal["next", "series"] = "series"


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


# ---- text -----------------------------------------------------------------------------------------


class TextCompose(ToolArgs):
    kind: str = Field(min_length=1)  # e.g. ad_copy, email, social_post, brief, report, reply, proposal
    instructions: str = Field(min_length=1)
    context: str | None = None
    tone: str | None = None
    length: str | None = None
    language: str | None = None
    variants: int | None = Field(default=None, ge=1, le=10)


def compose_draft(args: TextCompose) -> str:
    """A plain-text draft: a heading from the kind, the instructions, any notes, then the context."""
    heading = args.kind.replace("_", " ").strip().capitalize()
    lines = [heading, "=" * len(heading), "", args.instructions]
    notes = [
        f"{label}: {value}"
        for label, value in (
            ("Tone", args.tone), ("Length", args.length), ("Language", args.language), ("Variants", args.variants)
        )
        if value
    ]
    if notes:
        lines += ["", "; ".join(notes)]
    if args.context:
        lines += ["", "Context:", args.context]
    return "\n".join(lines)


async def _text_compose(ctx: ToolContext, args: TextCompose) -> ToolResult:
    """Placeholder for text.compose until the LLM-backed version lands.

    It calls no model and no system: it returns {"kind", "text"} where text is a deterministic
    plain-text draft built from the arguments (see `compose_draft`), so the same call always gives
    the same text. The LLM-backed handler will keep this result shape.
    """
    return {"kind": args.kind, "text": compose_draft(args)}


# ---- declarations ---------------------------------------------------------------------------------


def _tool(
    tool_id: str, description: str, args: type[ToolArgs], risk: Risk, idempotency: str, **extra: Any
) -> ToolSpec:
    system = tool_id.partition(".")[0]
    return ToolSpec(
        id=tool_id, system=system, description=description, args_model=args, risk=risk, idempotency=idempotency,
        **extra,
    )


R, W, D = Risk.READ, Risk.WRITE, Risk.DESTRUCTIVE

TOOLS: list[ToolSpec] = [
    _tool("memory.search", "Semantic search of the tenant's memory (personal kinds only for their owner)",
          MemorySearch, R, "Safe to repeat.", handler=_memory_search, summary="Found {count} memories."),
    _tool("memory.write", "Store a fact in the tenant's memory; supersedes replaces an older entry", MemoryWrite, W,
          "Idempotent on (kind, subject, text).", handler=_memory_write, summary="Memory {ref}: {status}."),
    _tool("scheduler.reminder_create", "Schedule a one-off or recurring reminder, delivered on Telegram",
          ReminderCreate, W, "Idempotent on (recipient, at, recurrence, text)."),
    _tool("scheduler.reminder_list", "List upcoming reminders", ReminderList, R, "Safe to repeat."),
    _tool("scheduler.reminder_cancel", "Cancel a reminder: its next occurrence only, or the whole series",
          ReminderCancel, D, "Idempotent."),
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
    _tool("text.compose", "Write text (copy, emails, posts, briefs, reports, replies, proposals) and return it; "
          "changes no system", TextCompose, R, "No side effect; a repeat may word things differently.",
          handler=_text_compose, summary="Drafted {kind}."),
]
