"""A crew waiting for approval survives a kill -9 of its process; approved from another process, it
finishes, and each tool ran once."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest

from runtime.brain import Brain
from runtime.settings import Settings
from tests.runtime.crews.test_crew_runs import CREW, GOAL, approve_all, events_of
from tests.runtime.helpers import ACTOR, ledger_kinds, products
from tests.runtime.test_restart import env_for

REPO = Path(__file__).resolve().parents[3]

SUBMIT_CREW_AND_HANG = """
import asyncio, sys
from bootstrap import open_brain
from runtime.crews import submit_crew
from runtime.logging import configure_logging
from runtime.runs import Actor
from runtime.settings import load_settings

async def main():
    configure_logging("WARNING")
    brain = await open_brain(load_settings())
    submitted = await submit_crew(brain, sys.argv[1], Actor("dana", "demo", "operator"), lease=True)
    out = await brain.start(submitted.run_id)
    print(out.run_id, out.status, flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


@pytest.mark.slow
async def test_kill_9_while_the_crew_waits_then_approve_from_another_process(settings: Settings, brain: Brain) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SUBMIT_CREW_AND_HANG, GOAL, cwd=REPO, env=env_for(settings),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), timeout=180)).decode().split()
    finally:
        proc.send_signal(signal.SIGKILL)
        _, err = await proc.communicate()
    assert line[1:] == ["waiting"], err.decode()[-2000:]
    run_id = line[0]
    assert (await brain.get_run(run_id, ACTOR))["status"] == "waiting"

    done = await approve_all(brain, run_id)  # this test's process, not the killed one
    assert done.status == "done", done
    assert products(brain)["Red Mug"]["price"] == 12.0
    kinds = await ledger_kinds(brain, run_id)
    started = [call for call, kind, _ in kinds if kind == "started"]
    assert len(started) == len(set(started)) >= 2  # each tool once: the product and the blog writer's calls
    assert ("product_catalog_manager.1", "approval", "approved") in kinds
    events = await brain.run_events(run_id, ACTOR)
    assert [m["agent"] for m in events_of(events, "routed")[0]["crew"]["members"]] == CREW
    assert len(events_of(events, "done")) == 1
