"""Eval cases seed and check the Brain's own state (reminders, memories) like a sandbox's, each
case in its own space: nothing leaks into the tenant's live state or into the next case."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.case import parse_suite
from evals.runner import EvalOptions, run_suite
from runtime import clock
from runtime.brain import Brain
from runtime.db import tenant_conn

REMIND = {
    "id": "remind", "request": "remind me tomorrow 8am to renew the domain",
    "setup": {"scheduler": {"reminders": [{"text": "Water the ferns", "recipient": "rose"}]}},
    "expect": {"agent": "reminder_manager",
               "state": {"scheduler": {"reminders": [{"text": "renew the domain"}, {"text": "Water the ferns"}]}}},
}
REMEMBER = {
    "id": "remember", "request": "what do we know about our brand voice?",
    "setup": {"memory": {"memories": [{"text": "Our brand voice is warm, plain and a little cheeky", "kind": "brand_voice"}]}},
    "expect": {"state": {"memory": {"memories": [{"kind": "brand_voice", "text": "Our brand voice is warm, plain and a little cheeky"}]}}},
}


def suite(*cases: dict[str, Any]) -> str:
    return "\n".join(json.dumps(c) for c in cases)


async def test_scheduler_and_memory_state_are_seeded_checked_and_released(eval_brain: Brain) -> None:
    run = await run_suite(eval_brain, parse_suite(suite(REMIND, REMEMBER), "services.jsonl"), EvalOptions(workers=2))
    by_id = {r.item.case.id: r for r in run.results}
    assert by_id["remind"].status("state") == "pass", by_id["remind"].trials[0].scores
    assert by_id["remember"].status("state") == "pass", by_id["remember"].trials[0].scores
    tenant = run.results[0].item.tenant
    # Nothing of the cases is left in the tenant's live state.
    scheduler, memory = eval_brain.services["scheduler"], eval_brain.services["memory"]
    live = await scheduler.dump(tenant)  # type: ignore[attr-defined]
    assert all(r["text"] not in ("Water the ferns", "renew the domain") for r in live["reminders"])
    assert not any("cheeky" in m["text"] for m in (await memory.dump(tenant))["memories"])  # type: ignore[attr-defined]
    async with tenant_conn(eval_brain.pool, tenant) as conn:
        cur = await conn.execute("SELECT (SELECT count(*) FROM reminders WHERE space <> '')"
                                 " + (SELECT count(*) FROM telegram_links WHERE space <> '') AS n")
        row = await cur.fetchone()
    assert row is not None and row["n"] == 0


PINNED = {
    "id": "pinned", "request": "remind me tomorrow at 8am to renew the domain",
    "setup": {"scheduler": {"reminders": [{"text": "Water the ferns", "at": "2026-11-25T10:00:00+00:00"}]}},
    "expect": {"agent": "reminder_manager",
               "actions": [{"tool": "scheduler.reminder_create", "args": {"at": "2026-11-26T08:00:00+00:00"}}],
               "state": {"scheduler": {"reminders": [{"text": "renew the domain"},
                                                     {"text": "Water the ferns", "status": "active"}]}}},
}


async def test_a_pinned_clock_reads_time_words_at_the_suites_moment(eval_brain: Brain) -> None:
    """A suite written on 2026-11-25 scores the same on any later day: its "tomorrow" is the 26th, and its
    setup may hold a reminder that was due before the pinned moment (seeded as overdue, not refused)."""
    moment = datetime(2026, 11, 25, 12, tzinfo=UTC)
    run = await run_suite(eval_brain, parse_suite(suite(PINNED), "pinned.jsonl"), EvalOptions(now=moment))
    result = run.results[0]
    assert [result.status(s) for s in ("route@1", "action", "state")] == ["pass"] * 3, result.trials[0].scores
    assert run.now == "2026-11-25T12:00:00+00:00"
    assert clock.now() > moment + timedelta(days=1)  # the wall clock is back after the run
