"""A run waiting for approval survives killing its process; a new process resumes it once. A run
left by a dead process (its lease expired) is continued by a worker, exactly once."""

from __future__ import annotations

import asyncio
import os

import pytest

from bootstrap import open_brain
from runtime.brain import Brain
from runtime.db import tenant_conn
from runtime.engine import LeaseWorker
from runtime.runs import Actor
from runtime.settings import Settings
from tests.forkserver import ForkServer
from tests.runtime.helpers import ACTOR, APPROVE_ALL, REQUEST, ledger_kinds, products

SUBMIT_AND_HANG = """
import asyncio, sys
from bootstrap import open_brain
from runtime.logging import configure_logging
from runtime.runs import Actor
from runtime.settings import load_settings

async def main():
    configure_logging("WARNING")
    brain = await open_brain(load_settings())
    out = await brain.submit(sys.argv[1], Actor("dana", "demo", "operator"))
    print(out.run_id, out.status, flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""




def env_for(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRAIN_")}
    env.update(BRAIN_HOME=str(settings.home), BRAIN_DATABASE_URL=str(settings.database_url),
               BRAIN_SPECS_DIR=str(settings.specs_dir), COLUMNS="200")
    return env


@pytest.mark.slow
async def test_kill_while_waiting_then_approve_from_a_new_process(settings: Settings, brain: Brain,
                                                                   forkserver: ForkServer) -> None:
    env = env_for(settings)
    hanging = forkserver.start(env, [REQUEST], code=SUBMIT_AND_HANG)
    try:
        line = (await asyncio.to_thread(hanging.wait_line)).split()
    finally:
        hanging.kill()
    assert line[1:] == ["waiting"], hanging.stderr
    run_id = line[0]
    cli = forkserver.cli

    pending = await asyncio.to_thread(cli, env, ["runs", "pending"])
    assert pending.returncode == 0, pending.stderr
    assert run_id in pending.stdout and "saleor.product_create" in pending.stdout

    approve = await asyncio.to_thread(cli, env, ["approve", run_id, "--user", "dana"])
    assert approve.returncode == 0, approve.stdout + approve.stderr
    assert "Created product Red Mug" in approve.stdout and "done" in approve.stdout

    again = await asyncio.to_thread(cli, env, ["approve", run_id])
    assert again.returncode == 2
    assert "already answered by dana" in again.stdout

    kinds = await ledger_kinds(brain, run_id)
    assert kinds.count(("1.0", "started", None)) == 1
    assert products(brain)["Red Mug"]["price"] == 12.0


@pytest.mark.slow
def test_cli_refuses_invalid_edit_naming_the_field(settings: Settings, brain: Brain, forkserver: ForkServer) -> None:
    env = env_for(settings)
    cli = forkserver.cli
    run = cli(env, ["run", REQUEST, "--no-input", "--user", "dana"])
    assert run.returncode == 0, run.stderr
    assert "routed -> product_catalog_manager" in run.stdout
    assert "saleor.product_create" in run.stdout and "ask" in run.stdout
    run_id = run.stdout.split("run ")[-1].split()[0]
    bad = cli(env, ["approve", run_id, "--args", '{"price": "cheap"}'])
    assert bad.returncode == 2
    assert "args.price" in bad.stdout
    nul = cli(env, ["approve", run_id, "--args", '{"name": "Bad\\u0000Nul"}'])
    assert nul.returncode == 2 and "Traceback" not in nul.stdout + nul.stderr, nul.stdout + nul.stderr
    assert "args.name: must not contain NUL characters" in nul.stdout
    pending = cli(env, ["runs", "pending"])
    assert run_id in pending.stdout  # still waiting, its approval still pending
    done = cli(env, ["approve", run_id, "--user", "dana"])
    assert done.returncode == 0 and "done" in done.stdout, done.stdout + done.stderr


async def _set_lease(brain: Brain, run_id: str, owner: str, seconds: float) -> None:
    """What a process that claimed the run and then died leaves behind."""
    async with tenant_conn(brain.pool, "demo") as conn:
        await conn.execute("UPDATE runs SET lease_owner = %s, lease_expires_at = clock_timestamp() + "
                           "make_interval(secs => %s) WHERE id = %s", (owner, seconds, run_id))


async def test_a_run_left_resuming_by_a_dead_process_is_resumed_once_after_its_lease(brain: Brain) -> None:
    out = await brain.submit(REQUEST, ACTOR)
    recorded = await brain.answer_approval(out.run_id, ACTOR, APPROVE_ALL, drive=False)
    assert recorded.status == "resuming"
    await _set_lease(brain, out.run_id, "ghost:1:dead", 1.0)
    worker = LeaseWorker(brain)
    assert await worker.drain() == 0  # its lease is live: nobody else may take it
    assert (await brain.get_run(out.run_id, ACTOR))["status"] == "resuming"
    await asyncio.sleep(1.2)
    assert await worker.drain() == 1
    run = await brain.get_run(out.run_id, ACTOR)
    assert (run["status"], run["lease_owner"], run["attempts"]) == ("done", None, 2)
    assert "Created product Red Mug" in run["answer"]
    kinds = await ledger_kinds(brain, out.run_id)
    assert kinds.count(("1.0", "started", None)) == 1 and ("1.0", "approval", "approved") in kinds
    assert await brain.drive(out.run_id) is None  # finished: nothing to do, nothing done twice
    assert products(brain)["Red Mug"]["price"] == 12.0


async def test_a_queued_run_is_driven_by_exactly_one_of_two_drivers(brain: Brain, settings: Settings,
                                                                     db_url: str) -> None:
    run_id, _ = await brain.create_run(REQUEST, ACTOR)
    other = await open_brain(settings, embedder=brain.router.embedder, url=db_url)  # another process's Brain
    try:
        first, second = await asyncio.gather(brain.drive(run_id), other.drive(run_id))
    finally:
        await other.close()
    assert sorted([first is None, second is None]) == [False, True]
    outcome = first or second
    assert outcome is not None and outcome.status == "waiting"
    events = [e["type"] for e in await brain.run_events(run_id, ACTOR)]
    assert events == ["routed", "planned", "decision", "waiting"]


async def test_a_run_killing_every_worker_is_given_up(brain: Brain) -> None:
    run_id, _ = await brain.create_run(REQUEST, ACTOR)
    async with tenant_conn(brain.pool, "demo") as conn:
        await conn.execute("UPDATE runs SET status = 'running', attempts = %s WHERE id = %s",
                           (brain.settings.run_max_attempts, run_id))
    outcome = await brain.drive(run_id)
    assert outcome is not None and outcome.status == "failed"
    run = await brain.get_run(run_id, ACTOR)
    assert run["status"] == "failed" and "gave up after 20 attempts" in run["error"]
    assert [e["type"] for e in await brain.run_events(run_id, ACTOR)] == ["failed"]


async def test_a_flooding_tenant_does_not_starve_another_when_workers_claim(brain: Brain) -> None:
    flood = [(await brain.create_run(f"score lead number {n}", Actor("fay", "acme", "operator")))[0] for n in range(8)]
    late, _ = await brain.create_run("score last week's leads", ACTOR)
    claimed = await brain.leases.claim_due(2)
    assert {str(c["id"]) for c in claimed} == {flood[0], late}
    assert {c["status"] for c in claimed} == {"running"}
    assert await brain.leases.claim_due(2) != [] and await brain.drive(late) is not None  # ours: drivable here
