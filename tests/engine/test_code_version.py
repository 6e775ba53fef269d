"""A worker of another code version leaves the runs it cannot replay alone, and says so: a started run
is stamped with the version that wrote its checkpoints; a queued run (nothing to replay) is anyone's."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from structlog.testing import capture_logs
from temporalio.service import RPCError

from bootstrap import open_brain
from memory.onnx_minilm import OnnxMiniLMEmbedder
from runtime.brain import Brain
from runtime.engine import LeaseWorker, make_engine
from runtime.engine.temporal.engine import TemporalEngine
from runtime.settings import Settings
from tests.engine.devserver import DevServer
from tests.runtime.helpers import ACTOR, APPROVE_ALL, REQUEST

OLD = "g-older-release"


@pytest.fixture
async def old_brain(settings: Settings, db_url: str, embedder: OnnxMiniLMEmbedder) -> AsyncIterator[Brain]:
    """A process of an older release on the same database."""
    opened = await open_brain(settings.model_copy(update={"code_version": OLD}), embedder=embedder, url=db_url)
    yield opened
    await opened.close()


async def started_by_old(old_brain: Brain) -> str:
    """A run the old release started, paused for approval, and had answered (due, `resuming`)."""
    outcome = await old_brain.submit(REQUEST, ACTOR)
    assert outcome.status == "waiting"
    await old_brain.answer_approval(outcome.run_id, ACTOR, APPROVE_ALL, drive=False)
    run = await old_brain.get_run(outcome.run_id, ACTOR)
    assert (run["status"], run["code_version"]) == ("resuming", OLD)
    return outcome.run_id


async def test_a_lease_worker_of_another_version_refuses_a_started_run_and_says_so(
    brain: Brain, old_brain: Brain
) -> None:
    assert brain.code_version.startswith("g") and brain.code_version != OLD
    run_id = await started_by_old(old_brain)
    with capture_logs() as logs:
        assert await LeaseWorker(brain).tick() == 0  # claim_due_runs passes over it
        assert await brain.drive(run_id) is None
    said = [e for e in logs if e["event"].startswith("run started by another code version")]
    assert said and said[0]["run_version"] == OLD and said[0]["worker_version"] == brain.code_version
    run = await brain.get_run(run_id, ACTOR)
    assert (run["status"], run["attempts"], run["lease_owner"]) == ("resuming", 1, None)  # untouched

    assert await LeaseWorker(old_brain).drain() == 1  # its own version finishes it
    assert (await brain.get_run(run_id, ACTOR))["status"] == "done"


async def test_a_queued_run_is_anyones_and_takes_the_version_of_its_driver(brain: Brain, old_brain: Brain) -> None:
    run_id, _ = await old_brain.create_run(REQUEST, ACTOR)
    assert (await brain.get_run(run_id, ACTOR))["code_version"] == OLD
    assert await LeaseWorker(brain).drain() == 1
    run = await brain.get_run(run_id, ACTOR)
    assert (run["status"], run["code_version"]) == ("waiting", brain.code_version)


async def test_a_temporal_worker_leaves_other_versions_runs_to_their_queue(
    settings: Settings, db_url: str, embedder: OnnxMiniLMEmbedder, old_brain: Brain, temporal_server: DevServer
) -> None:
    run_id = await started_by_old(old_brain)
    configured = settings.model_copy(update={"temporal_address": temporal_server.address,
                                             "temporal_task_queue": f"v-{uuid.uuid4().hex[:8]}"})
    brain = await open_brain(configured, embedder=embedder, url=db_url)
    try:
        engine = make_engine(brain)
        assert isinstance(engine, TemporalEngine)
        with capture_logs() as logs:
            assert await engine.sweep(settle=0.0) == 0
        said = [e for e in logs if e["event"].startswith("runs started by another code version")]
        assert said and said[0]["runs"] == 1 and said[0]["run_version"] == OLD
        assert said[0]["task_queue"] == f"{configured.temporal_task_queue}@{OLD}"
        with pytest.raises(RPCError):  # no workflow was started for it
            await (await engine.starter.client()).get_workflow_handle(run_id).describe()
    finally:
        await brain.close()
