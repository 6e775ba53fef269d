"""LangGraph's checkpoint tables under row-level security: its own statements (get, put's upsert,
delete_thread) work for the run's tenant and reach nothing of another; rows written before the
tenant column existed take their run's tenant."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from langgraph.checkpoint.base import empty_checkpoint

from runtime import db
from runtime.brain import Brain
from runtime.runs import Actor

REQUEST = "add a product called Red Mug priced 12 USD to the store"


async def test_the_saver_works_for_its_tenant_and_reaches_nothing_of_another(brain: Brain) -> None:
    run = await brain.submit(REQUEST, Actor("ann", "acme", "operator"))
    config = {"configurable": {"thread_id": run.run_id, "checkpoint_ns": ""}}
    with db.tenant_scope("acme"):
        mine = await brain.saver.aget_tuple(config)
    assert mine is not None and mine.checkpoint["id"]
    with db.tenant_scope("beta"):
        assert await brain.saver.aget_tuple(config) is None
        assert [c async for c in brain.saver.alist(None)] == []
        # put's upsert meets acme's row (same thread and checkpoint id): refused, not changed
        stolen = {**empty_checkpoint(), "id": mine.checkpoint["id"]}
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            await brain.saver.aput(config, stolen, {"source": "input", "step": 99}, {})
        await brain.saver.adelete_thread(run.run_id)  # deletes nothing of acme's
    with db.tenant_scope("acme"):
        again = await brain.saver.aget_tuple(config)
        assert again is not None and again.checkpoint == mine.checkpoint and again.metadata == mine.metadata
        await brain.saver.adelete_thread(run.run_id)
        assert await brain.saver.aget_tuple(config) is None
    # The paused run no longer has its checkpoint: the Brain's own path still works for a new run.
    assert (await brain.submit(REQUEST, Actor("bob", "beta", "operator"))).status == "waiting"


async def test_rows_from_before_take_their_runs_tenant(db_url: str) -> None:
    """The template's checkpoint tables are LangGraph's own (no tenant column yet), as after an upgrade."""
    run_id, orphan = str(uuid.uuid4()), "not-a-run"
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as owner:
        await owner.execute("INSERT INTO runs (id, tenant_id, user_id, role, request, status)"
                            " VALUES (%s, 'acme', 'ann', 'operator', 'r', 'waiting')", (run_id,))
        for thread in (run_id, orphan):
            await owner.execute("INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, checkpoint)"
                                " VALUES (%s, '', '1', '{}')", (thread,))
        await db.grant_checkpoints(owner)
        await db.grant_checkpoints(owner)  # again: nothing to do
        cur = await owner.execute("SELECT thread_id, tenant_id FROM checkpoints ORDER BY thread_id")
        assert sorted(await cur.fetchall()) == sorted([(run_id, "acme"), (orphan, None)])
        cur = await owner.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class"
            " WHERE relname IN ('checkpoints', 'checkpoint_blobs', 'checkpoint_writes') ORDER BY relname")
        assert await cur.fetchall() == [("checkpoint_blobs", True, True), ("checkpoint_writes", True, True),
                                        ("checkpoints", True, True)]
        cur = await owner.execute("SELECT has_table_privilege('brain_app', 'checkpoint_migrations', 'INSERT'),"
                                  " has_table_privilege('brain_app', 'checkpoint_migrations', 'SELECT')")
        assert await cur.fetchone() == (False, True)
