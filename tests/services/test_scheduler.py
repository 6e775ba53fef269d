"""Reminders: recurrence in the recipient's zone, the three tools, delivery, retries, two processes."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from runtime.brain import Brain
from runtime.db import tenant_conn
from runtime.services.scheduler import RecurrenceError, ReminderNotFound, SchedulerService
from runtime.services.scheduler.recurrence import Schedule
from runtime.services.telegram import Link, TelegramService
from runtime.settings import Settings
from runtime.wiring import sandbox_namespace
from tests.forkserver import ForkServer
from tools.context import ToolContext

LONDON = ZoneInfo("Europe/London")


def _scheduler(brain: Brain) -> SchedulerService:
    service = brain.services["scheduler"]
    assert isinstance(service, SchedulerService)
    return service


async def _call(brain: Brain, tool_id: str, args: dict[str, Any], user: str = "alex") -> dict[str, Any]:
    tool = brain.tools.get(tool_id)
    assert tool.handler is not None
    ctx: ToolContext = brain._tool_context("acme", user, "run-1")
    return await tool.handler(ctx, tool.validate_args(args))


def _sent(brain: Brain) -> list[dict[str, Any]]:
    return list(brain.clients.sandbox_store("telegram", "acme").dump()["messages"])


# -- recurrence -------------------------------------------------------------------------------------


def test_daily_rule_keeps_wall_time_across_daylight_saving() -> None:
    s = Schedule(datetime(2026, 3, 27, 8, 0, tzinfo=LONDON), "FREQ=DAILY;BYHOUR=8,20", timezone="Europe/London")
    times = [t.astimezone(LONDON).strftime("%d %H:%M %Z") for t in
             s.upcoming(datetime(2026, 3, 27, tzinfo=UTC), datetime(2026, 3, 30, tzinfo=UTC), 10)]
    assert times == ["27 08:00 GMT", "27 20:00 GMT", "28 08:00 GMT", "28 20:00 GMT", "29 08:00 BST", "29 20:00 BST"]


def test_cron_weekdays_and_until() -> None:
    cron = Schedule(datetime(2026, 11, 27, 9, 0, tzinfo=LONDON), "0 9 * * 1-5", until=date(2026, 12, 2),
                    timezone="Europe/London")
    days = [t.astimezone(LONDON).strftime("%a %d %H:%M") for t in
            cron.upcoming(datetime(2026, 11, 26, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC), 10)]
    assert days == ["Fri 27 09:00", "Mon 30 09:00", "Tue 01 09:00", "Wed 02 09:00"]
    once = Schedule(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    assert once.next_after(datetime(2026, 11, 27, 8, 59, tzinfo=UTC)) == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert once.next_after(datetime(2026, 11, 27, 9, 0, tzinfo=UTC)) is None


@pytest.mark.parametrize("bad", ["DAILY", "FREQ=SOMETIMES", "61 * * * *", "every day"])
def test_bad_recurrence_is_refused_naming_the_field(brain: Brain, bad: str) -> None:
    tool = brain.tools.get("scheduler.reminder_create")
    with pytest.raises(ValidationError) as caught:
        tool.validate_args({"text": "pills", "at": "2026-12-01T08:00:00+00:00", "recurrence": bad})
    assert caught.value.errors()[0]["loc"] == ("recurrence",)


# -- the tools --------------------------------------------------------------------------------------


async def test_create_is_idempotent_and_uses_the_recipients_zone(brain: Brain) -> None:
    at = (datetime.now(UTC) + timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    args = {"text": "Take metformin", "at": at.isoformat(), "recipient": "Mom", "recurrence": "FREQ=DAILY;BYHOUR=8,20",
            "category": "medication"}
    first = await _call(brain, "scheduler.reminder_create", args)
    assert (first["result"], first["recipient"], first["timezone"]) == ("created", "Rose Morgan", "Europe/London")
    assert len(first["upcoming"]) == 3
    again = await _call(brain, "scheduler.reminder_create", args)
    assert again["result"] == "already scheduled" and again["id"] == first["id"]
    with pytest.raises(RecurrenceError, match="at: .* is in the past"):
        await _call(brain, "scheduler.reminder_create", {"text": "late", "at": "2020-01-01T08:00:00+00:00"})


async def test_list_filters_by_window_recipient_category_and_text(brain: Brain) -> None:
    soon = datetime.now(UTC) + timedelta(hours=2)
    await _call(brain, "scheduler.reminder_create", {"text": "Call the plumber", "at": soon.isoformat()})
    await _call(brain, "scheduler.reminder_create", {"text": "Blood pressure pill", "at": soon.isoformat(),
                                                     "recipient": "rose", "category": "medication",
                                                     "recurrence": "FREQ=WEEKLY"})
    later = await _call(brain, "scheduler.reminder_create", {"text": "Renew passport",
                                                             "at": (soon + timedelta(days=60)).isoformat()})
    everything = await _call(brain, "scheduler.reminder_list", {})
    texts = {r["text"] for r in everything["reminders"]}
    assert {"Call the plumber", "Blood pressure pill", "Gym session"} <= texts  # the sandbox's demo reminders too
    assert "Renew passport" not in texts
    meds = await _call(brain, "scheduler.reminder_list", {"category": "medication", "recipient": "Rose Morgan",
                                                          "query": "pressure"})
    assert [r["text"] for r in meds["reminders"]] == ["Blood pressure pill"] and len(meds["reminders"][0]["occurrences"]) == 5
    assert "Blood pressure pill for Rose Morgan at" in meds["brief"]
    window = {"from": (soon + timedelta(days=59)).isoformat(), "to": (soon + timedelta(days=61)).isoformat()}
    ahead = await _call(brain, "scheduler.reminder_list", {**window, "query": "passport"})
    assert [r["id"] for r in ahead["reminders"]] == [later["id"]]


async def test_cancel_next_then_series_and_ambiguity(brain: Brain) -> None:
    start = datetime.now(UTC) + timedelta(hours=1)
    daily = await _call(brain, "scheduler.reminder_create", {"text": "Walk the dog", "at": start.isoformat(),
                                                             "recurrence": "FREQ=DAILY"})
    await _call(brain, "scheduler.reminder_create", {"text": "Walk to the pharmacy", "at": start.isoformat()})
    with pytest.raises(ReminderNotFound, match="reminder: 'walk' matches 2 reminders"):
        await _call(brain, "scheduler.reminder_cancel", {"reminder": "walk"})
    skipped = await _call(brain, "scheduler.reminder_cancel", {"reminder": "walk the dog", "scope": "next"})
    assert skipped["result"] == "skipped next" and skipped["status"] == "active"
    assert skipped["next_at"] > daily["next_at"]
    gone = await _call(brain, "scheduler.reminder_cancel", {"reminder": daily["id"]})
    assert (gone["result"], gone["status"], gone["next_at"]) == ("cancelled", "cancelled", None)
    again = await _call(brain, "scheduler.reminder_cancel", {"reminder": daily["id"]})
    assert again["result"] == "already cancelled"
    with pytest.raises(ReminderNotFound, match="no active reminder matches 'yoga'"):
        await _call(brain, "scheduler.reminder_cancel", {"reminder": "yoga"})


# -- delivery ---------------------------------------------------------------------------------------


async def _due_now(brain: Brain, text: str, **extra: Any) -> dict[str, Any]:
    at = datetime.now(UTC) - timedelta(seconds=20)  # within the slack, so due at once
    return await _call(brain, "scheduler.reminder_create", {"text": text, "at": at.isoformat(), **extra})


async def test_due_reminders_are_delivered_once_and_the_series_moves_on(brain: Brain) -> None:
    daily = await _due_now(brain, "Take your tablets", recipient="rose", category="medication",
                           recurrence="FREQ=DAILY")
    once = await _due_now(brain, "Stand-up", recipient="@maria_ops")
    worker = _scheduler(brain).worker()
    outcomes = await worker.tick()
    assert sorted(o["status"] for o in outcomes) == ["sent", "sent"]
    assert await worker.tick() == []  # nothing due any more
    texts = sorted((m["chat_id"], m["text"]) for m in _sent(brain))
    assert texts == [(700002, "Reminder: Stand-up"), (700004, "Medication reminder: Take your tablets")]
    state = {r["id"]: r for r in (await _scheduler(brain).dump("acme"))["reminders"]}
    assert state[once["id"]]["status"] == "done" and state[once["id"]]["next_at"] is None
    assert state[daily["id"]]["status"] == "active"
    assert datetime.fromisoformat(state[daily["id"]]["next_at"]) > datetime.now(UTC) + timedelta(hours=23)
    deliveries = await _scheduler(brain).store.deliveries("acme", "")
    assert sorted(d["status"] for d in deliveries) == ["sent", "sent"]


async def test_a_failing_delivery_is_retried_with_backoff_then_given_up(brain: Brain) -> None:
    telegram = brain.services["telegram"]
    assert isinstance(telegram, TelegramService)
    await telegram.links.upsert("acme", "", Link("acme", "ghost", 99, "Ghost"))  # a chat that never started the bot
    reminder = await _due_now(brain, "Water the plants", recipient="ghost")
    worker = _scheduler(brain).worker(max_attempts=2, base_backoff=0.2)
    first = await worker.tick()
    assert first[0]["status"] == "retrying" and "chat not found" in first[0]["error"].lower()
    assert await worker.tick() == []  # backing off
    await asyncio.sleep(0.3)
    second = await worker.tick()
    assert second[0]["status"] == "failed" and second[0]["attempts"] == 2
    state = {r["id"]: r for r in (await _scheduler(brain).dump("acme"))["reminders"]}
    assert state[reminder["id"]]["status"] == "done"
    deliveries = await _scheduler(brain).store.deliveries("acme", "")
    assert [(d["status"], d["attempts"]) for d in deliveries] == [("failed", 2)]


async def test_reminders_are_per_tenant_and_per_namespace(brain: Brain) -> None:
    await _due_now(brain, "live one")
    with sandbox_namespace("case-a"):
        await _scheduler(brain).seed("acme", {"reminders": [{"text": "seeded", "recipient": "dan"}]})
        assert [r["text"] for r in (await _scheduler(brain).dump("acme"))["reminders"]] == ["seeded"]
    live = [r["text"] for r in (await _scheduler(brain).dump("acme"))["reminders"]]
    assert "live one" in live and "seeded" not in live
    await _scheduler(brain).release_space("acme", "case-a")
    with sandbox_namespace("case-a"):
        assert (await _scheduler(brain).dump("acme"))["reminders"] == []
    assert (await _scheduler(brain).dump("globex"))["reminders"] == []
    async with tenant_conn(brain.pool, "globex") as conn:
        cur = await conn.execute("SELECT count(*) AS n FROM reminders")
        assert (await cur.fetchone())["n"] == 0


WORKER = """
import asyncio, os, sys
from bootstrap import open_brain
from runtime.logging import configure_logging
from runtime.settings import load_settings

async def main():
    configure_logging("WARNING")
    brain = await open_brain(load_settings())
    worker = brain.services["scheduler"].worker(worker_id=sys.argv[1])
    print("ready", flush=True)
    while not os.path.exists(sys.argv[2]):  # start together
        await asyncio.sleep(0.01)
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(4.0, stop.set)
    await worker.run(0.02, stop)
    await brain.close()

asyncio.run(main())
"""


@pytest.mark.slow
async def test_two_scheduler_processes_never_deliver_twice(settings: Settings, brain: Brain, forkserver: ForkServer,
                                                         tmp_path: Path) -> None:
    for n in range(30):
        await _due_now(brain, f"reminder {n}", recipient=["maria", "sam", "rose"][n % 3])
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRAIN_")}
    env.update(BRAIN_HOME=str(settings.home), BRAIN_DATABASE_URL=str(settings.database_url),
               BRAIN_SPECS_DIR=str(settings.specs_dir))
    go = tmp_path / "go"
    procs = [forkserver.start(env, [f"w{i}", str(go)], code=WORKER) for i in (1, 2)]
    for proc in procs:
        assert await asyncio.to_thread(proc.wait_line) == "ready"
    go.touch()
    for proc in procs:
        assert await asyncio.to_thread(proc.wait, 60) == 0, proc.stderr[-2000:]
    texts = [m["text"] for m in _sent(brain)]
    assert sorted(texts) == sorted(f"Reminder: reminder {n}" for n in range(30))  # each exactly once
    deliveries = await _scheduler(brain).store.deliveries("acme", "")
    assert len(deliveries) == 30 and {d["status"] for d in deliveries} == {"sent"}
    assert {d["worker"] for d in deliveries} <= {"w1", "w2"}


async def test_a_new_sandbox_tenant_finds_demo_reminders_to_work_with(brain: Brain) -> None:
    cancelled = await _call(brain, "scheduler.reminder_cancel", {"reminder": "gym", "scope": "next"})
    assert cancelled["result"] == "skipped next" and cancelled["text"] == "Gym session"
    thinner = await _call(brain, "scheduler.reminder_cancel", {"reminder": "blood thinner"})
    assert (thinner["recipient"], thinner["status"]) == ("George Morgan", "cancelled")
