"""Internal tools: Brain memory and text composition (scheduler and gamification have their own modules).

Argument names and risk classes as in shared/catalog/tools.md. The memory tools call the Brain's
memory service through the ToolContext; `text.compose` has a deterministic handler.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tools.catalog.declare import declare_tool
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


_tool = declare_tool

R, W, D = Risk.READ, Risk.WRITE, Risk.DESTRUCTIVE

TOOLS: list[ToolSpec] = [
    _tool("memory.search", "Semantic search of the tenant's memory (personal kinds only for their owner)",
          MemorySearch, R, "Safe to repeat.", handler=_memory_search, summary="Found {count} memories."),
    _tool("memory.write", "Store a fact in the tenant's memory; supersedes replaces an older entry", MemoryWrite, W,
          "Idempotent on (kind, subject, text).", handler=_memory_write, summary="Memory {ref}: {status}."),
    _tool("text.compose", "Write text (copy, emails, posts, briefs, reports, replies, proposals) and return it; "
          "changes no system", TextCompose, R, "No side effect; a repeat may word things differently.",
          handler=_text_compose, summary="Drafted {kind}."),
]
