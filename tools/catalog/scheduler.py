"""Scheduler tools: reminders delivered on Telegram.

Argument names and risk classes as in shared/catalog/tools.md.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, Protocol

from croniter import croniter
from dateutil.rrule import rrulestr
from pydantic import AwareDatetime, ConfigDict, Field, field_validator, model_validator

from tools.catalog.declare import declare_tool
from tools.context import ToolContext
from tools.spec import Risk, ToolArgs, ToolResult, ToolSpec

# ---- scheduler ------------------------------------------------------------------------------------


def is_cron(recurrence: str) -> bool:
    return not recurrence.strip().upper().startswith(("FREQ=", "RRULE:"))


def parse_recurrence(recurrence: str) -> str:
    """The recurrence as stored (an RRULE without an "RRULE:" prefix, or a cron), or a ValueError saying why."""
    text = " ".join(recurrence.split())
    if is_cron(text):
        if len(text.split()) != 5 or not croniter.is_valid(text):
            raise ValueError(f"{recurrence!r} is neither an RFC 5545 RRULE starting with FREQ= (e.g. FREQ=DAILY;BYHOUR=8,20)"
                             " nor a 5-field cron expression (minute hour day month weekday, e.g. 0 9 * * 1-5)")
        return text
    rule = text[len("RRULE:"):] if text.upper().startswith("RRULE:") else text
    try:
        rrulestr(rule, dtstart=datetime(2026, 1, 1))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{recurrence!r} is not a valid RFC 5545 RRULE ({exc})") from None
    return rule.upper()


ReminderCategory = Literal["personal", "medication", "appointment", "check_in", "follow_up", "work"]


class ReminderCreate(ToolArgs):
    text: str = Field(min_length=1)
    at: AwareDatetime
    recipient: str | None = None  # default: the requester
    recurrence: str | None = None  # RFC 5545 RRULE (FREQ=DAILY;BYHOUR=8,20) or a 5-field cron ("0 9 * * 1-5")
    until: date | None = None
    category: ReminderCategory | None = None

    @field_validator("recurrence")
    @classmethod
    def _recurrence(cls, value: str | None) -> str | None:
        return None if value is None else parse_recurrence(value)

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


class SchedulerService(Protocol):
    async def create(self, *, text: str, at: datetime, recipient: str | None, recurrence: str | None,
                     until: date | None, category: str | None) -> dict[str, Any]: ...

    async def list(self, *, recipient: str | None = None, category: str | None = None, start: datetime | None = None,
                   end: datetime | None = None, query: str | None = None) -> dict[str, Any]: ...

    async def cancel(self, *, reminder: str, scope: str) -> dict[str, Any]: ...


def _service(ctx: ToolContext) -> SchedulerService:
    service: SchedulerService = ctx.service("scheduler")
    return service


async def _create(ctx: ToolContext, args: ReminderCreate) -> ToolResult:
    return await _service(ctx).create(text=args.text, at=args.at, recipient=args.recipient, recurrence=args.recurrence,
                                      until=args.until, category=args.category)


async def _list(ctx: ToolContext, args: ReminderList) -> ToolResult:
    return await _service(ctx).list(recipient=args.recipient, category=args.category, start=args.from_, end=args.to,
                                    query=args.query)


async def _cancel(ctx: ToolContext, args: ReminderCancel) -> ToolResult:
    return await _service(ctx).cancel(reminder=args.reminder, scope=args.scope)


_tool = declare_tool

R, W, D = Risk.READ, Risk.WRITE, Risk.DESTRUCTIVE

TOOLS: list[ToolSpec] = [
    _tool("scheduler.reminder_create", "Schedule a one-off or recurring reminder, delivered on Telegram",
          ReminderCreate, W, "Idempotent on (recipient, at, recurrence, text).", handler=_create,
          summary="Reminder for {recipient} ({result}): next {next_at}."),
    _tool("scheduler.reminder_list", "List upcoming reminders", ReminderList, R, "Safe to repeat.", handler=_list,
          summary="{count} upcoming reminders: {brief}."),
    _tool("scheduler.reminder_cancel", "Cancel a reminder: its next occurrence only, or the whole series",
          ReminderCancel, D, "Idempotent.", handler=_cancel, summary="Reminder {text!r} for {recipient}: {result}."),
]
