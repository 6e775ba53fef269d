"""The scheduler service: reminders for linked people, delivered on Telegram when due.

`ctx.service("scheduler")` gives a `BoundScheduler` (create, list, cancel) for the call's tenant
and requester; `ReminderWorker` (worker.py) delivers. The service is also the eval runner's
`scheduler` sandbox state (collection `reminders`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from runtime import clock
from runtime.services.scheduler.recurrence import RecurrenceError, Schedule, check, zone
from runtime.services.scheduler.store import ReminderStore, schedule_of
from runtime.services.scheduler.worker import ReminderWorker
from runtime.wiring import current_namespace

if TYPE_CHECKING:
    from runtime.services.ports import ServicePorts

__all__ = ["BoundScheduler", "RecurrenceError", "ReminderNotFound", "ReminderWorker", "SchedulerService", "make"]

LIST_WINDOW = timedelta(days=30)
PAST_SLACK = timedelta(minutes=1)  # a one-off "now" is not in the past
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


class ReminderNotFound(LookupError):
    """No reminder, or several, match what the user named; the message lists them."""


def _local(moment: datetime | None, row: dict[str, Any]) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(zone(row.get("timezone"), row["first_at"])).isoformat()


def _when(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%a %d %b %H:%M")


def public(row: dict[str, Any]) -> dict[str, Any]:
    """A reminder as tools and eval states show it (argument names of the catalog)."""
    return {
        "id": str(row["id"]), "text": row["text"], "recipient": row["recipient_name"], "recipient_id": row["recipient"],
        "at": _local(row["first_at"], row), "recurrence": row["recurrence"],
        "until": row["until"].isoformat() if row.get("until") else None, "category": row["category"],
        "status": row["status"], "next_at": _local(row.get("next_at"), row), "timezone": row.get("timezone"),
    }


# Demo reminders for a sandbox tenant's first use: (text, days from now, hour, recipient, recurrence, category).
DEMO_REMINDERS = (
    ("Gym session", 1, 7, None, "FREQ=WEEKLY;BYDAY=MO,WE,FR;BYHOUR=7;BYMINUTE=0", "personal"),
    ("Dentist appointment at 10:30", 6, 9, None, None, "appointment"),
    ("Register for the SaaS conference", 3, 10, None, None, "work"),
    ("Book the conference hotel", 4, 10, None, None, "work"),
    ("Take warfarin (blood thinner) 5mg", 1, 18, "dad", "FREQ=DAILY;BYHOUR=18;BYMINUTE=0", "medication"),
    ("Take amoxicillin (antibiotic) 500mg", 1, 8, "mom", "FREQ=DAILY;BYHOUR=8,14,20;BYMINUTE=0", "medication"),
)


class SchedulerService:
    def __init__(self, ports: ServicePorts) -> None:
        self.ports = ports
        self.store = ReminderStore(ports.pool)
        self._ready: set[tuple[str, str]] = set()

    async def prepare(self, tenant: str, user: str, space: str) -> None:
        """In sandbox mode, a tenant's first use finds a few demo reminders (once per process)."""
        telegram = self.ports.services["telegram"]
        if (tenant, space) in self._ready or not getattr(telegram, "sandbox", False):
            return
        self._ready.add((tenant, space))
        if await self.store.rows(tenant, space, status=None):
            return
        bound = BoundScheduler(self, tenant, user, "demo", space)
        today = clock.now().replace(minute=0, second=0, microsecond=0)
        for text, days, hour, recipient, recurrence, category in DEMO_REMINDERS:
            at = (today + timedelta(days=days)).replace(hour=hour)
            try:
                await bound.create(text=text, at=at, recipient=recipient, recurrence=recurrence, until=None,
                                   category=category, prepared=True)
            except LookupError:  # the tenant's links are not the demo's: no demo reminder for them
                continue

    def bind(self, tenant: str, user: str, run_id: str) -> BoundScheduler:
        return BoundScheduler(self, tenant, user, run_id, current_namespace())

    def worker(self, **options: Any) -> ReminderWorker:
        return ReminderWorker(self.ports, **options)

    # -- sandbox state for evals -------------------------------------------------------------

    async def reset(self, tenant: str) -> None:
        await self.store.clear(tenant, current_namespace())

    async def release_space(self, tenant: str, space: str) -> None:
        """Forget a finished sandbox namespace's reminders."""
        if space:
            await self.store.clear(tenant, space)
            self._ready.discard((tenant, space))

    async def seed(self, tenant: str, data: dict[str, list[dict[str, Any]]]) -> None:
        unknown = set(data) - {"reminders"}
        if unknown:
            raise KeyError(f"the scheduler has no collection {sorted(unknown)[0]!r} (it has reminders)")
        bound = self.bind(tenant, "eval", "seed")
        for item in data.get("reminders", []):
            at = item.get("at") or (clock.now() + timedelta(days=1)).isoformat()
            created = await bound.create(text=item["text"], at=datetime.fromisoformat(str(at)),
                                         recipient=item.get("recipient"), recurrence=item.get("recurrence"),
                                         until=date.fromisoformat(str(item["until"])) if item.get("until") else None,
                                         category=item.get("category"), prepared=True, seeded=True)
            if item.get("status") == "cancelled":
                await self.store.cancel(tenant, created["id"])

    async def dump(self, tenant: str) -> dict[str, list[dict[str, Any]]]:
        return {"reminders": [public(r) for r in await self.store.rows(tenant, current_namespace(), status=None)]}


class BoundScheduler:
    def __init__(self, service: SchedulerService, tenant: str, user: str, run_id: str, space: str) -> None:
        self.service, self.tenant, self.user, self.run_id, self.space = service, tenant, user, run_id, space
        self.store = service.store

    async def create(self, *, text: str, at: datetime, recipient: str | None, recurrence: str | None,
                     until: date | None, category: str | None, prepared: bool = False,
                     seeded: bool = False) -> dict[str, Any]:
        """A reminder; `seeded` (an eval case's setup) may lie in the past, where it waits as overdue."""
        if not prepared:
            await self.service.prepare(self.tenant, self.user, self.space)
        telegram = self.service.ports.services["telegram"].bind(self.tenant, self.user, self.run_id)
        link = await telegram.resolve(recipient)
        rule = check(recurrence) if recurrence else None
        schedule = Schedule(at, rule, until, link.timezone)
        now = clock.now()
        overdue = rule is None and at < now - PAST_SLACK
        if overdue and not seeded:
            raise RecurrenceError(f"at: {at.isoformat()} is in the past; give a future time")
        following = at if overdue else schedule.next_after(max(now, at) - PAST_SLACK)
        if following is None:
            raise RecurrenceError(f"until: the recurrence {rule!r} has no occurrence between {at.isoformat()} and {until}")
        row, created = await self.store.create(
            self.tenant, self.space, created_by=self.user, recipient=link.user_id, recipient_name=link.name, text=text,
            category=category, first_at=at, timezone=link.timezone, recurrence=rule, until=until, next_at=following,
            run_id=self.run_id)
        return {**public(row), "result": "created" if created else "already scheduled",
                "upcoming": [_local(t, row) for t in schedule_of(row).upcoming(now, now + LIST_WINDOW, 3)]}

    async def list(self, *, recipient: str | None = None, category: str | None = None, start: datetime | None = None,
                   end: datetime | None = None, query: str | None = None) -> dict[str, Any]:
        await self.service.prepare(self.tenant, self.user, self.space)
        start = start or clock.now()
        end = end or start + LIST_WINDOW
        who = None
        if recipient:
            telegram = self.service.ports.services["telegram"].bind(self.tenant, self.user, self.run_id)
            who = (await telegram.resolve(recipient)).user_id
        words = (query or "").casefold().split()
        found = []
        for row in await self.store.rows(self.tenant, self.space):
            if (who and row["recipient"] != who) or (category and row["category"] != category):
                continue
            if any(w not in row["text"].casefold() for w in words):
                continue
            times = schedule_of(row).upcoming(max(start, row["next_at"] or start), end, 5)
            if times:
                found.append({**public(row), "occurrences": [_local(t, row) for t in times]})
        found.sort(key=lambda r: r["occurrences"][0])
        brief = "; ".join(f"{r['text']} for {r['recipient']} at {_when(r['occurrences'][0])}"
                          + (" (repeats)" if r["recurrence"] else "") for r in found[:10])
        return {"count": len(found), "from": start.isoformat(), "to": end.isoformat(), "reminders": found,
                "brief": brief or "none"}

    async def cancel(self, *, reminder: str, scope: str) -> dict[str, Any]:
        await self.service.prepare(self.tenant, self.user, self.space)
        row = await self._find(reminder)
        if row["status"] != "active":
            return {**public(row), "result": f"already {row['status']}"}
        if scope == "next" and row["recurrence"] and row["next_at"] is not None:
            following = schedule_of(row).next_after(row["next_at"])
            await self.store.skip(self.tenant, row, following)
            fresh = await self.store.get(self.tenant, str(row["id"]))
            assert fresh is not None
            return {**public(fresh), "result": "skipped next", "skipped": _local(row["next_at"], row)}
        await self.store.cancel(self.tenant, str(row["id"]))
        fresh = await self.store.get(self.tenant, str(row["id"]))
        assert fresh is not None
        return {**public(fresh), "result": "cancelled"}

    async def _find(self, reminder: str) -> dict[str, Any]:
        if _UUID.match(reminder.strip()):
            row = await self.store.get(self.tenant, reminder.strip())
            if row is None or row["space"] != self.space:
                raise ReminderNotFound(f"reminder: no reminder has id {reminder}")
            return row
        active = await self.store.rows(self.tenant, self.space)
        words = reminder.casefold().split()
        matches = [r for r in active if all(w in f"{r['text']} {r['recipient_name']}".casefold() for w in words)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            listed = "; ".join(f"{r['text']!r} for {r['recipient_name']}" for r in active[:8]) or "none"
            raise ReminderNotFound(f"reminder: no active reminder matches {reminder!r} (active: {listed})")
        listed = "; ".join(f"{r['id']}: {r['text']!r} for {r['recipient_name']}" for r in matches[:8])
        raise ReminderNotFound(f"reminder: {reminder!r} matches {len(matches)} reminders ({listed}); name one by id")


def make(ports: ServicePorts) -> SchedulerService:
    return SchedulerService(ports)
