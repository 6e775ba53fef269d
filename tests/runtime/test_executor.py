"""The executor refuses calls without an allowing decision for exactly these arguments, and runs
each call at most once (invariants 1, 2 and 4)."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import psycopg
import pytest

from runtime import db
from runtime.executor import Executor
from runtime.ledger import Entry, Kind, Ledger
from runtime.runs import Actor, RunStore
from tools.context import ToolContext
from tools.registry import ToolRegistry
from tools.spec import Risk, ToolArgs, ToolSpec, call_hash


class Args(ToolArgs):
    name: str
    price: float | None = None


@pytest.fixture
async def setup(db_url: str) -> Any:
    pool = db.open_pool(db_url)
    await pool.open()
    calls: list[dict[str, Any]] = []

    async def handler(ctx: ToolContext, args: Args) -> dict[str, Any]:
        calls.append(args.model_dump())
        return {"name": args.name, "price": args.price}

    tools = ToolRegistry([ToolSpec(id="test.thing_create", system="test", description="make a thing", args_model=Args,
                                   risk=Risk.WRITE, idempotency="none", handler=handler)])
    ledger = Ledger(pool)
    executor = Executor(tools, ledger, lambda tenant, user, run: ToolContext(tenant=tenant, user=user, run_id=run))
    run_id, _ = await RunStore(pool).create("make a thing", Actor("u", "t1", "operator"))
    yield executor, ledger, run_id, calls, pool
    await pool.close()


def entry(run_id: str, kind: str, outcome: str, args: dict[str, Any], call_id: str = "1.0") -> Entry:
    return Entry(run_id=run_id, tenant_id="t1", call_id=call_id, kind=kind, tool="test.thing_create", args=args,
                 args_hash=call_hash("test.thing_create", args), actor="policy", outcome=outcome)


async def test_no_decision_no_call(setup: Any) -> None:
    executor, _, run_id, calls, _ = setup
    out = await executor.execute(run_id, "t1", "u", "1.0", "test.thing_create", {"name": "a"})
    assert (out["status"], calls) == ("refused", [])
    assert "no decision" in out["error"]


@pytest.mark.parametrize("outcome", ["ask", "deny"])
async def test_a_decision_that_does_not_allow_refuses(setup: Any, outcome: str) -> None:
    executor, ledger, run_id, calls, _ = setup
    await ledger.record(entry(run_id, "decision", outcome, {"name": "a"}))
    out = await executor.execute(run_id, "t1", "u", "1.0", "test.thing_create", {"name": "a"})
    assert (out["status"], calls) == ("refused", [])


async def test_other_arguments_than_decided_refuse(setup: Any) -> None:
    executor, ledger, run_id, calls, _ = setup
    await ledger.record(entry(run_id, "decision", "auto", {"name": "a", "price": 1.0}))
    out = await executor.execute(run_id, "t1", "u", "1.0", "test.thing_create", {"name": "a", "price": 2.0})
    assert (out["status"], calls) == ("refused", [])
    assert "differ" in out["error"]


async def test_allowed_call_runs_once_and_replays_from_the_ledger(setup: Any) -> None:
    executor, ledger, run_id, calls, _ = setup
    await ledger.record(entry(run_id, "decision", "auto", {"name": "a"}))
    first = await executor.execute(run_id, "t1", "u", "1.0", "test.thing_create", {"name": "a"})
    again = await executor.execute(run_id, "t1", "u", "1.0", "test.thing_create", {"name": "a"})
    assert first["status"] == again["status"] == "ok"
    assert first["result"] == again["result"] == {"name": "a", "price": None}
    assert len(calls) == 1
    kinds = [(e["kind"], e["outcome"]) for e in await ledger.for_run(run_id)]
    assert kinds == [("decision", "auto"), ("started", None), ("result", "ok")]


async def test_a_call_started_before_a_crash_is_not_sent_again(setup: Any) -> None:
    executor, ledger, run_id, calls, _ = setup
    await ledger.record(entry(run_id, "decision", "auto", {"name": "a"}))
    await ledger.record(entry(run_id, "started", "", {"name": "a"}))  # the process died here
    out = await executor.execute(run_id, "t1", "u", "1.0", "test.thing_create", {"name": "a"})
    assert (out["status"], calls) == ("error", [])
    assert "outcome is unknown" in out["error"]


async def test_a_resumable_call_started_before_a_crash_is_completed_once(setup: Any) -> None:
    executor, ledger, run_id, calls, _ = setup
    spec = executor.tools.get("test.thing_create")
    executor.tools = ToolRegistry([dataclasses.replace(spec, resumable=True)])
    await ledger.record(entry(run_id, "decision", "auto", {"name": "a"}))
    await ledger.record(entry(run_id, "started", "", {"name": "a"}))  # the process died here
    out = await executor.execute(run_id, "t1", "u", "1.0", "test.thing_create", {"name": "a"})
    again = await executor.execute(run_id, "t1", "u", "1.0", "test.thing_create", {"name": "a"})
    assert (out["status"], out["result"], again["result"]) == ("ok", {"name": "a", "price": None}, out["result"])
    assert calls == [{"name": "a", "price": None}]  # the second answer is the ledger's
    result = await ledger.find(run_id, "1.0", Kind.RESULT)
    assert result is not None and (result.reason or "").startswith("resumed after a crash")


async def test_the_ledger_is_append_only(setup: Any) -> None:
    _, ledger, run_id, _, pool = setup
    await ledger.record(entry(run_id, "decision", "auto", {"name": "a"}))
    async with pool.connection() as conn:
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            await conn.execute("UPDATE ledger SET outcome = 'deny'")
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            await conn.execute("DELETE FROM ledger")


async def test_migrations_apply_once(db_url: str) -> None:
    assert await db.migrate(db_url) == []  # the template already has them
    async with await psycopg.AsyncConnection.connect(db_url) as conn:
        cur = await conn.execute("SELECT version FROM schema_migrations ORDER BY version")
        assert [r[0] for r in await cur.fetchall()] [:2] == ["001_core.sql", "002_app_role.sql"]


async def test_unknown_run_is_a_clear_error(setup: Any) -> None:
    _, _, _, _, pool = setup
    store = RunStore(pool)
    with pytest.raises(LookupError, match="no run"):
        await store.get(str(uuid.uuid4()))
    with pytest.raises(LookupError, match="no run"):
        await store.get("not-a-uuid")
