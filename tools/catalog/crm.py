"""CRM tools (leads, contacts, accounts, opportunities, tasks, notes).

Argument names and risk classes as in shared/catalog/tools.md. Each handler calls the tenant's
`CrmClient` (adapters.crm, django-crm's REST API).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field, model_validator

from tools.catalog.declare import declare_tool
from tools.context import ToolContext
from tools.spec import DecimalArg, Handler, Risk, ToolArgs, ToolResult, ToolSpec

SYSTEM = "crm"

Rating = Literal["HOT", "WARM", "COLD"]
Priority = Literal["Low", "Medium", "High"]
TaskStatus = Literal["New", "In Progress", "Completed"]


def _check_range(start: date | None, end: date | None, start_name: str, end_name: str) -> None:
    if start is not None and end is not None and start > end:
        raise ValueError(f"{start_name} ({start}) is after {end_name} ({end})")


class LeadSearch(ToolArgs):
    query: str | None = None
    lead: str | None = None
    status: Literal["assigned", "in process", "converted", "recycled", "closed"] | None = None
    stage: str | None = None
    source: str | None = None
    owner: str | None = None
    tag: str | None = None
    rating: Rating | None = None
    unassigned: bool | None = None
    unscored: bool | None = None
    min_score: int | None = Field(default=None, ge=0, le=100)
    created_after: date | None = None
    created_before: date | None = None
    limit: int | None = Field(default=None, ge=1, le=100)

    @model_validator(mode="after")
    def _dates(self) -> LeadSearch:
        _check_range(self.created_after, self.created_before, "created_after", "created_before")
        return self


class LeadCreate(ToolArgs):
    first_name: str = Field(min_length=1)
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    company_name: str | None = None
    job_title: str | None = None
    website: str | None = None
    source: str | None = None
    industry: str | None = None
    title: str | None = None  # what the lead wants, e.g. SEO package inquiry
    description: str | None = None
    opportunity_amount: DecimalArg | None = Field(default=None, ge=0)
    tags: list[str] | None = None


class LeadUpdate(ToolArgs):
    lead: str = Field(min_length=1)
    status: Literal["in process", "recycled", "closed"] | None = None
    stage: str | None = None
    next_follow_up: date | None = None
    add_tags: list[str] | None = None
    fields: dict[str, Any] | None = None
    reason: str | None = None


class LeadScoreUpdate(ToolArgs):
    lead: str = Field(min_length=1)
    score: int = Field(ge=0, le=100)
    rating: Rating | None = None
    reasons: list[str] | None = None


class LeadAssign(ToolArgs):
    lead: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    reason: str | None = None


class LeadConvert(ToolArgs):
    lead: str = Field(min_length=1)
    amount: DecimalArg | None = Field(default=None, ge=0)
    close_date: date | None = None
    probability: int | None = Field(default=None, ge=0, le=100)


class ContactSearch(ToolArgs):
    query: str | None = None
    email: str | None = None
    account: str | None = None
    title: str | None = None
    limit: int | None = Field(default=None, ge=1, le=100)


class ContactUpsert(ToolArgs):
    email: str = Field(min_length=1)
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    title: str | None = None
    department: str | None = None
    account: str | None = None
    do_not_call: bool | None = None
    tags: list[str] | None = None
    fields: dict[str, Any] | None = None


class AccountSearch(ToolArgs):
    query: str | None = None
    tag: str | None = None
    industry: str | None = None
    owner: str | None = None
    inactive_days: int | None = Field(default=None, ge=1)
    limit: int | None = Field(default=None, ge=1, le=100)


class AccountUpsert(ToolArgs):
    name: str = Field(min_length=1)
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    industry: str | None = None
    employees: int | None = Field(default=None, ge=0)
    city: str | None = None
    country: str | None = None
    owner: str | None = None
    add_tags: list[str] | None = None
    remove_tags: list[str] | None = None
    fields: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _tags_disjoint(self) -> AccountUpsert:
        both = set(self.add_tags or ()) & set(self.remove_tags or ())
        if both:
            raise ValueError(f"add_tags and remove_tags both name {', '.join(sorted(both))}")
        return self


class OpportunitySearch(ToolArgs):
    query: str | None = None
    account: str | None = None
    owner: str | None = None
    stage: str | None = None
    status: Literal["open", "won", "lost"] | None = None
    close_before: date | None = None
    close_after: date | None = None
    stalled: bool | None = None
    limit: int | None = Field(default=None, ge=1, le=100)

    @model_validator(mode="after")
    def _dates(self) -> OpportunitySearch:
        _check_range(self.close_after, self.close_before, "close_after", "close_before")
        return self


class OpportunityCreate(ToolArgs):
    account: str = Field(min_length=1)
    name: str = Field(min_length=1)
    close_date: date
    amount: DecimalArg | None = Field(default=None, ge=0)
    stage: str | None = None
    probability: int | None = Field(default=None, ge=0, le=100)
    type: Literal["NEW_BUSINESS", "EXISTING_BUSINESS", "RENEWAL", "UPSELL", "CROSS_SELL"] | None = None
    owner: str | None = None


class OpportunityUpdate(ToolArgs):
    opportunity: str = Field(min_length=1)
    stage: str | None = None
    amount: DecimalArg | None = Field(default=None, ge=0)
    close_date: date | None = None
    probability: int | None = Field(default=None, ge=0, le=100)
    lost_reason: str | None = None


class TaskCreate(ToolArgs):
    title: str = Field(min_length=1)
    due: date
    owner: str | None = None
    priority: Priority | None = None
    related_to: str | None = None  # e.g. account:Harbor Cafe, lead:jo@harborcafe.example
    description: str | None = None


class TaskList(ToolArgs):
    owner: str | None = None
    status: TaskStatus | None = None
    overdue: bool | None = None
    due_before: date | None = None
    due_after: date | None = None
    related_to: str | None = None
    limit: int | None = Field(default=None, ge=1, le=100)

    @model_validator(mode="after")
    def _dates(self) -> TaskList:
        _check_range(self.due_after, self.due_before, "due_after", "due_before")
        return self


class TaskUpdate(ToolArgs):
    task: str = Field(min_length=1)
    status: TaskStatus | None = None
    due: date | None = None
    priority: Priority | None = None
    owner: str | None = None


class NoteAdd(ToolArgs):
    related_to: str = Field(min_length=1)
    body: str = Field(min_length=1)


class NoteList(ToolArgs):
    related_to: str = Field(min_length=1)
    since: date | None = None
    limit: int | None = Field(default=None, ge=1, le=100)


class RecordMerge(ToolArgs):
    kind: Literal["lead", "contact", "account"]
    keep: str = Field(min_length=1)
    merge: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _keep_not_merged(self) -> RecordMerge:
        if self.keep in self.merge:
            raise ValueError(f"merge must not list the kept record {self.keep!r} (keep)")
        return self


class RecordDelete(ToolArgs):
    kind: Literal["lead", "contact", "account", "opportunity"]
    record: str = Field(min_length=1)
    reason: str = Field(min_length=1)


def _kwargs(args: ToolArgs) -> dict[str, Any]:
    return args.model_dump(exclude_none=True)


def _call(method: str) -> Handler:
    """A handler passing the validated arguments to one CrmClient method and returning its record."""

    async def handler(ctx: ToolContext, args: ToolArgs) -> ToolResult:
        return dict(await getattr(ctx.client(SYSTEM), method)(**_kwargs(args)))

    handler.__name__ = f"_{method}"
    return handler


def _listing(method: str, key: str) -> Handler:
    """A handler for a search or list method: `{key: [...], count}`."""

    async def handler(ctx: ToolContext, args: ToolArgs) -> ToolResult:
        items: list[dict[str, Any]] = await getattr(ctx.client(SYSTEM), method)(**_kwargs(args))
        return {key: items, "count": len(items)}

    handler.__name__ = f"_{method}"
    return handler


async def _lead_now(ctx: ToolContext, args: LeadUpdate | LeadScoreUpdate | LeadAssign) -> ToolResult:
    """The lead a write is about, as it is now (the executor compares it before running)."""
    found = await ctx.client(SYSTEM).lead_search(lead=args.lead)
    return dict(found[0]) if found else {}


def _tool(
    name: str, description: str, args: type[ToolArgs], risk: Risk, idempotency: str, summary: str,
    listing: str | None = None, **extra: Any,
) -> ToolSpec:
    handler = _listing(name, listing) if listing else _call(name)
    return declare_tool(f"{SYSTEM}.{name}", description, args, risk, idempotency, handler=handler, summary=summary,
                        **extra)


R, W, D = Risk.READ, Risk.WRITE, Risk.DESTRUCTIVE

TOOLS: list[ToolSpec] = [
    _tool("lead_search", "Find leads by text or filters, with status, stage, rating, score, owner, source, tags",
          LeadSearch, R, "Safe to repeat.", "Found {count} lead(s).", listing="leads"),
    _tool("lead_create", "Create a lead", LeadCreate, W,
          "Create-if-absent: an open lead with the same email (or name and company) is returned.",
          "Lead {name} ({company_name}) is in the CRM.", resumable=True),
    _tool("lead_update", "Change a lead's status, stage, follow-up date, tags or other fields (not score or owner)",
          LeadUpdate, W, "Idempotent.", "Updated lead {name}: status {status}, stage {stage}.",
          precondition=_lead_now),
    _tool("lead_score_update", "Write a lead's 0-100 score with reasons and its HOT/WARM/COLD rating",
          LeadScoreUpdate, W, "Idempotent.", "Scored {name}: {score}/100 ({rating}).", precondition=_lead_now),
    _tool("lead_assign", "Give a lead an owner (a sales rep); its status becomes assigned", LeadAssign, W,
          "Idempotent.", "Assigned {name} to {owner}.", precondition=_lead_now),
    _tool("lead_convert", "Convert a lead into an account, a contact and an opportunity", LeadConvert, W,
          "Idempotent: converting a converted lead returns the records it became.",
          "Converted {lead} into an account, a contact and a deal."),
    _tool("contact_search", "Find contacts with their account, title, email, phone, owner", ContactSearch, R,
          "Safe to repeat.", "Found {count} contact(s).", listing="contacts"),
    _tool("contact_upsert", "Create or update a contact, keyed by email", ContactUpsert, W, "Keyed by email.",
          "Saved contact {name} ({email})."),
    _tool("account_search", "Find accounts with industry, owner, tags, open deal value and last activity",
          AccountSearch, R, "Safe to repeat.", "Found {count} account(s).", listing="accounts"),
    _tool("account_upsert", "Create or update an account, keyed by website domain, else by name", AccountUpsert, W,
          "Keyed by domain or name.", "Saved account {name}."),
    _tool("opportunity_search", "Find deals with stage, amount, close date, probability, owner and activity",
          OpportunitySearch, R, "Safe to repeat.", "Found {count} deal(s).", listing="opportunities"),
    _tool("opportunity_create", "Open a new deal on an account", OpportunityCreate, W,
          "An open deal with the same name on the same account is returned, not duplicated.",
          "Deal {name} on {account}: {stage}, {amount}, closing {close_date}."),
    _tool("opportunity_update", "Change a deal's stage, amount, close date or probability; won/lost closes it",
          OpportunityUpdate, W, "Idempotent.", "Deal {name} is at {stage} ({status})."),
    _tool("task_create", "Create a task for a user, optionally linked to a lead, contact, account or deal",
          TaskCreate, W, "An open task with the same title, owner, record and due date is returned.",
          "Task {title} is due {due} ({owner})."),
    _tool("task_list", "List tasks by owner, status, due window or record", TaskList, R, "Safe to repeat.",
          "{count} task(s).", listing="tasks"),
    _tool("task_update", "Complete, reschedule, reprioritise or reassign a task", TaskUpdate, W, "Idempotent.",
          "Task {title}: {status}, due {due}, {priority} priority."),
    _tool("note_add", "Add a note (call, meeting or email summary) to a lead, contact, account or deal", NoteAdd, W,
          "The same body on the same record is stored once.", "Note saved on {related_to}."),
    _tool("note_list", "A record's notes, newest first", NoteList, R, "Safe to repeat.", "{count} note(s).",
          listing="notes"),
    _tool("record_merge", "Merge duplicate leads, contacts or accounts into one; the others are deleted",
          RecordMerge, D, "A repeat finds the merged records gone and reports done.",
          "Merged into {keep[name]}."),
    _tool("record_delete", "Permanently delete a lead, contact, account or deal with its notes", RecordDelete, D,
          "Idempotent: a missing record counts as deleted.", "Deleted {kind} {record} and its notes."),
]
