"""One warm worker parent per session, and the engine each fault test runs on (lease, Temporal)."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.faults.fleet import Zygote


@pytest.fixture(scope="session")
async def zygote() -> AsyncIterator[Zygote]:
    folder = Path(tempfile.mkdtemp(prefix="brain-faults-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRAIN_")}
    parent = Zygote(folder, {**env, "COLUMNS": "200"})
    await parent.start()
    yield parent
    await parent.stop()


@pytest.fixture(params=["lease", pytest.param("temporal", marks=pytest.mark.faults)])
def engine(request: pytest.FixtureRequest) -> dict[str, str]:
    """The engine's part of a worker's environment (Temporal: a dev server of the session, a queue of the test's).

    `make test` runs the small fault run on the lease engine (the embedded default); `make faults` runs
    it on Temporal too, and the long run on both: a Temporal fault run waits on the dev server's
    timers and queues, which costs minutes the 5-minute loop does not have."""
    if request.param == "lease":
        return {"FAULT_ENGINE": "lease"}
    server = request.getfixturevalue("temporal_server")
    return {"FAULT_ENGINE": "temporal", "BRAIN_TEMPORAL_ADDRESS": server.address,
            "BRAIN_TEMPORAL_TASK_QUEUE": f"faults-{uuid.uuid4().hex[:8]}", "BRAIN_TEMPORAL_HEARTBEAT_SECONDS": "5",
            "BRAIN_TEMPORAL_SWEEP_SECONDS": "1"}
