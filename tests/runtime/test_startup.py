"""Processes that start at the same moment (two scheduler workers, an API and a worker) set the
schema up once between them: nothing of it fails because another process is doing it too."""

from __future__ import annotations

import asyncio

from runtime.brain import Brain, _setup_checkpoints


async def test_checkpoint_setup_and_grants_from_many_processes_at_once_all_succeed(brain: Brain) -> None:
    url = str(brain.settings.database_url)
    # Concurrent GRANTs on the same tables fail in Postgres ("tuple concurrently updated") unless serialized.
    results = await asyncio.gather(*(_setup_checkpoints(url) for _ in range(12)), return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []
