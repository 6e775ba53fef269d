"""Scheduler tools: reminders delivered on Telegram.

Argument names and risk classes as in shared/catalog/tools.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import AwareDatetime, ConfigDict, Field, field_validator, model_validator

from tools.spec import Risk, ToolArgs, ToolSpec

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


def _tool(tool_id: str, description: str, args: type[ToolArgs], risk: Risk, idempotency: str, **extra: Any) -> ToolSpec:
    return ToolSpec(id=tool_id, system=tool_id.partition(".")[0], description=description, args_model=args, risk=risk,
                    idempotency=idempotency, **extra)


R, W, D = Risk.READ, Risk.WRITE, Risk.DESTRUCTIVE

TOOLS: list[ToolSpec] = [
    _tool("scheduler.reminder_create", "Schedule a one-off or recurring reminder, delivered on Telegram",
          ReminderCreate, W, "Idempotent on (recipient, at, recurrence, text)."),
    _tool("scheduler.reminder_list", "List upcoming reminders", ReminderList, R, "Safe to repeat."),
    _tool("scheduler.reminder_cancel", "Cancel a reminder: its next occurrence only, or the whole series",
          ReminderCancel, D, "Idempotent."),
]
