"""`brain crew run`: the crew shown with why each agent is in it, left waiting with --no-input (and how to
approve it), finished by `brain approve` from another process; unknown agents named."""

from __future__ import annotations

import asyncio

import pytest

from runtime.brain import Brain
from runtime.settings import Settings
from tests.forkserver import Completed, ForkServer
from tests.runtime.crews.test_crew_runs import GOAL
from tests.runtime.helpers import products
from tests.runtime.test_restart import env_for


@pytest.mark.slow
async def test_crew_run_no_input_then_approve(settings: Settings, brain: Brain, forkserver: ForkServer) -> None:
    env = env_for(settings)

    def cli(args: list[str], env: dict[str, str]) -> Completed:
        return forkserver.cli(env, args)
    run = await asyncio.to_thread(cli, ["crew", "run", GOAL, "--no-input", "--user", "dana"], env)
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    assert "product_catalog_manager" in out and "blog_post_writer" in out and "does best" in out
    assert "saleor.product_create" in out and "waits for approval" in out
    run_id = out.split("run ")[-1].split()[0]
    for _ in range(3):  # a later call of the crew may ask too
        approve = await asyncio.to_thread(cli, ["approve", run_id, "--user", "dana"], env)
        assert approve.returncode == 0, approve.stdout + approve.stderr
        if "waits for approval" not in approve.stdout:
            break
    assert f"run {run_id} done" in " ".join(approve.stdout.split()), approve.stdout
    assert products(brain)["Red Mug"]["price"] == 12.0

    unknown = await asyncio.to_thread(cli, ["crew", "run", GOAL, "--agents", "blog_post_writer,wizard"], env)
    assert unknown.returncode == 2 and "unknown agent id 'wizard'" in unknown.stdout, unknown.stdout
